//! Generating the tests: the async fn stays as it is, and a module of the same name gets one
//! `#[test]` per flavour, each a single call into `__private::run_test`.
//!
//! ```text
//! #[cfg(test)] async fn spawn_works() { .. }    // unchanged (a value, beside the module)
//! #[cfg(test)] mod spawn_works {
//!     __private::if_tokio! { #[test] fn tokio_multi_thread() { __private::run_test(..) } }
//!     __private::if_tokio! { #[test] fn tokio_current_thread() { .. } }
//!     __private::if_smol! { #[test] fn smol() { .. } }
//!     __private::if_async_std! { #[test] fn async_std() { .. } }
//!     __private::if_no_backend! { #[test] fn no_backend_compiled_in() { /* fails */ } }
//! }
//! ```
//!
//! Each `if_*!` is defined by the facade as its input when that backend's feature is on and as
//! nothing otherwise, so the facade's features decide which tests exist: the expansion holds
//! no `#[cfg(feature = ..)]`, which would be evaluated against the user's crate.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, ItemFn, ReturnType, Signature, Type};

use super::args::{Args, Flavor};
use crate::options;

/// Expands `#[loopbridge::test(args)]` on `item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            let err =
                syn::Error::new(Span::call_site(), "`#[loopbridge::test]` goes on an `async fn`");
            return options::with_item(&err, item);
        }
    };
    match Args::parse(args).and_then(|args| tests(&args, function.clone())) {
        Ok(tokens) => tokens,
        Err(err) => options::with_item(&err, function),
    }
}

fn tests(args: &Args, mut function: ItemFn) -> syn::Result<TokenStream> {
    check_signature(&function.sig)?;
    // `should_panic` and `ignore` belong to each test; `cfg` to the module as well as the fn.
    let mut per_test: Vec<Attribute> = Vec::new();
    let mut cfgs: Vec<Attribute> = Vec::new();
    let mut errors: Option<syn::Error> = None;
    function.attrs.retain(|attr| {
        let path = attr.path();
        if path.is_ident("test") {
            let err = syn::Error::new_spanned(
                attr,
                "remove `#[test]`: `#[loopbridge::test]` writes one `#[test]` per backend flavour",
            );
            match &mut errors {
                Some(errors) => errors.combine(err),
                None => errors = Some(err),
            }
            false
        } else if path.is_ident("should_panic") || path.is_ident("ignore") {
            per_test.push(attr.clone());
            false
        } else {
            if path.is_ident("cfg") {
                cfgs.push(attr.clone());
            }
            true
        }
    });
    if let Some(err) = errors {
        return Err(err);
    }

    let krate = options::crate_path(args.krate.clone());
    let private = quote!(#krate::__private);
    let name = &function.sig.ident;
    let timeout = match args.timeout_ms {
        Some(millis) => {
            let millis = Literal::u64_unsuffixed(millis);
            quote!(#private::Duration::from_millis(#millis))
        }
        None => quote!(#private::DEFAULT_TEST_TIMEOUT),
    };
    // The harness makes the body from the flavour, so that it decides where the future is
    // built and run. Spanned at the arguments: a wrong argument type is reported there.
    let make = match function.sig.inputs.first() {
        Some(input) => quote_spanned!(input.span()=> super::#name),
        None => quote!(|_| super::#name()),
    };
    // A test may return `Result` (anything `Termination`); naming the type would need the
    // parent module's imports, `impl Termination` does not. `#[should_panic]` wants no type.
    let output = match &function.sig.output {
        ReturnType::Type(_, ty) if !is_unit(ty) => Some(quote!(-> impl #private::Termination)),
        _ => None,
    };
    let run =
        if args.start_paused == Some(true) { quote!(run_test_paused) } else { quote!(run_test) };
    let flavors = args.flavors.clone().unwrap_or_else(|| Flavor::ALL.to_vec());
    let tests = flavors.into_iter().map(|flavor| {
        let test = Ident::new(flavor.test_name(), Span::call_site());
        let variant = Ident::new(flavor.variant(), Span::call_site());
        let gate = Ident::new(flavor.gate(), Span::call_site());
        quote! {
            #private::#gate! {
                #[::core::prelude::v1::test]
                #(#per_test)*
                fn #test() #output {
                    #private::#run(#private::Flavor::#variant, #timeout, #make)
                }
            }
        }
    });
    // With no backend compiled in, one test that fails and says which features to enable:
    // zero tests would report success with nothing tested. Neither `should_panic` nor
    // `ignore` applies to it.
    let without_backend = quote! {
        #private::if_no_backend! {
            #[::core::prelude::v1::test]
            fn no_backend_compiled_in() {
                #private::fail_without_backend()
            }
        }
    };
    let reason = "called by the per-flavour tests only, and there are none when no backend of \
                  loopbridge is compiled in";
    Ok(quote! {
        #[cfg(test)]
        #[allow(dead_code, reason = #reason)]
        #function
        #[cfg(test)]
        #(#cfgs)*
        mod #name {
            #(#tests)*
            #without_backend
        }
    })
}

/// An `async fn` without generics or `self`, taking nothing or the flavour.
fn check_signature(sig: &Signature) -> syn::Result<()> {
    if sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            sig.fn_token,
            "`#[loopbridge::test]` needs an `async fn`: its body is awaited on every backend \
             flavour; add `async`",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new_spanned(
            &sig.generics,
            "a `#[loopbridge::test]` function cannot be generic",
        ));
    }
    for (index, input) in sig.inputs.iter().enumerate() {
        if let FnArg::Receiver(receiver) = input {
            return Err(syn::Error::new_spanned(
                receiver,
                "a `#[loopbridge::test]` function cannot take `self`: write it as a free function",
            ));
        }
        if index > 0 {
            return Err(syn::Error::new_spanned(
                input,
                "a `#[loopbridge::test]` function takes no argument, or one: the flavour it runs \
                 on (`flavor: loopbridge::Flavor`)",
            ));
        }
    }
    Ok(())
}

fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(tuple) if tuple.elems.is_empty())
}
