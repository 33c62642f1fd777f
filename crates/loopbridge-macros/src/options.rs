//! What both attributes share: the `crate = "..."` option, string-valued options, and how an
//! error is reported together with the item it is about.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::meta::ParseNestedMeta;
use syn::{Ident, LitStr, Path};

/// The path the expansion reaches loopbridge through: `::loopbridge` unless `crate = "..."`
/// names another (a renamed dependency, or a facade that re-exports loopbridge). Everything the
/// expansion calls lives under `<path>::__private`, never behind `#[cfg]`s of the user's crate.
pub(crate) fn crate_path(krate: Option<Path>) -> Path {
    krate.unwrap_or_else(|| syn::parse_quote!(::loopbridge))
}

/// Parses the value of `crate = "path"`.
pub(crate) fn parse_crate(meta: &ParseNestedMeta<'_>) -> syn::Result<Path> {
    let lit: LitStr = meta.value()?.parse()?;
    lit.parse::<Path>().map_err(|_| {
        syn::Error::new_spanned(
            &lit,
            format!(
                "`crate` must name the path loopbridge is reachable at, such as \"::loopbridge\" \
                 or \"my_facade::loopbridge\"; `{}` is not a path",
                lit.value()
            ),
        )
    })
}

/// Parses a string option whose value must be a Rust identifier, such as `name = "fetch_now"`.
pub(crate) fn parse_ident(meta: &ParseNestedMeta<'_>, option: &str) -> syn::Result<Ident> {
    let lit: LitStr = meta.value()?.parse()?;
    lit.parse::<Ident>().map_err(|_| {
        syn::Error::new_spanned(
            &lit,
            format!("`{option}` must be a Rust identifier; `{}` is not one", lit.value()),
        )
    })
}

/// Refuses an option given twice.
pub(crate) fn once<T>(slot: &Option<T>, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    match slot {
        Some(_) => Err(meta.error("this option is given twice")),
        None => Ok(()),
    }
}

/// The output of an attribute that found a mistake: the errors, and the item exactly as the
/// user wrote it, so that the rest of the crate still resolves and the only errors reported are
/// ours, each spanned at the problem.
pub(crate) fn with_item(error: &syn::Error, item: impl ToTokens) -> TokenStream {
    let error = error.to_compile_error();
    quote! { #error #item }
}
