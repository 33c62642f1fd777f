//! Parsing `#[loopbridge::blocking(...)]`: its options, and the item it is on.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, ImplItemFn, Item, ItemFn, ItemImpl, LitStr, Meta, Path, TraitItemFn};

use crate::options;

/// The suffix of a twin's name unless `name` or `suffix` says otherwise.
const DEFAULT_SUFFIX: &str = "_blocking";

/// The options of one `#[loopbridge::blocking(...)]`, each with the span of its name so that a
/// misplaced option can be reported where it was written.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) krate: Option<(Span, Path)>,
    pub(crate) name: Option<(Span, Ident)>,
    pub(crate) suffix: Option<(Span, LitStr)>,
    pub(crate) skip: Option<Span>,
}

impl Args {
    /// Parses the tokens between the attribute's parentheses.
    pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Self> {
        let mut args = Args::default();
        let parser = syn::meta::parser(|meta| {
            let span = meta.path.span();
            if meta.path.is_ident("crate") {
                options::once(&args.krate, &meta)?;
                args.krate = Some((span, options::parse_crate(&meta)?));
            } else if meta.path.is_ident("name") {
                options::once(&args.name, &meta)?;
                args.name = Some((span, options::parse_ident(&meta, "name")?));
            } else if meta.path.is_ident("suffix") {
                options::once(&args.suffix, &meta)?;
                args.suffix = Some((span, meta.value()?.parse()?));
            } else if meta.path.is_ident("skip") {
                options::once(&args.skip, &meta)?;
                args.skip = Some(span);
            } else {
                return Err(meta.error(
                    "unknown option of `#[loopbridge::blocking]`; the options are \
                     `name = \"...\"`, `suffix = \"...\"`, `skip` and `crate = \"...\"`",
                ));
            }
            Ok(())
        });
        parser.parse2(tokens)?;
        if let (Some(_), Some((span, _))) = (&args.name, &args.suffix) {
            return Err(syn::Error::new(
                *span,
                "give either `name` (the whole name of the twin) or `suffix`, not both",
            ));
        }
        Ok(args)
    }

    /// The options of an attribute written on a method inside an annotated `impl` block.
    fn from_attr(attr: &Attribute) -> syn::Result<Self> {
        match &attr.meta {
            Meta::Path(_) => Ok(Args::default()),
            Meta::List(list) => Args::parse(list.tokens.clone()),
            Meta::NameValue(nv) => Err(syn::Error::new_spanned(
                nv,
                "write the options in parentheses: `#[loopbridge::blocking(name = \"...\")]`",
            )),
        }
    }

    /// The name of the twin of `original`: `name`, else `original` and the suffix.
    pub(crate) fn twin_name(&self, original: &Ident) -> syn::Result<Ident> {
        if let Some((_, name)) = &self.name {
            return Ok(name.clone());
        }
        let (suffix, lit) = match &self.suffix {
            Some((_, lit)) => (lit.value(), Some(lit)),
            None => (DEFAULT_SUFFIX.to_owned(), None),
        };
        if suffix.is_empty() {
            return Err(syn::Error::new_spanned(
                lit,
                "an empty suffix would give the twin the async fn's own name",
            ));
        }
        let joined = format!("{}{suffix}", original.unraw());
        match syn::parse_str::<Ident>(&joined) {
            // Spanned at the original's name: a clash with another item points there.
            Ok(ident) => Ok(Ident::new(&ident.to_string(), original.span())),
            Err(_) => Err(syn::Error::new_spanned(
                lit,
                format!("the twin's name must be a Rust identifier; `{joined}` is not one"),
            )),
        }
    }

    /// Refuses the options that make no sense on an `impl` block.
    pub(crate) fn check_for_impl(&self) -> syn::Result<()> {
        if let Some((span, _)) = &self.name {
            return Err(syn::Error::new(
                *span,
                "`name` names a single twin: on an `impl` block use `suffix`, or put \
                 `#[loopbridge::blocking(name = \"...\")]` on the method",
            ));
        }
        if let Some(span) = self.skip {
            return Err(syn::Error::new(
                span,
                "`skip` on an `impl` block would skip every method: remove the attribute, or \
                 put `#[loopbridge::blocking(skip)]` on the methods to leave out",
            ));
        }
        Ok(())
    }

    /// Refuses `crate` on a method inside an annotated `impl` block: the block decides.
    fn check_for_method_in_impl(&self) -> syn::Result<()> {
        match &self.krate {
            Some((span, _)) => Err(syn::Error::new(*span, "set `crate` on the `impl` block")),
            None => Ok(()),
        }
    }

    pub(crate) fn krate(&self) -> Option<Path> {
        self.krate.as_ref().map(|(_, path)| path.clone())
    }
}

/// What the attribute is on.
pub(crate) enum Target {
    /// A function with a body: a free function, or a method of an impl block that is not
    /// itself annotated.
    Fn(ItemFn),
    /// An `impl` block: inherent or of a trait.
    Impl(ItemImpl),
}

impl Target {
    /// Parses the item, refusing what can have no twin with an error spanned at the reason.
    pub(crate) fn parse(item: TokenStream) -> syn::Result<Self> {
        match syn::parse2::<Item>(item.clone()) {
            Ok(Item::Fn(function)) => Ok(Target::Fn(function)),
            Ok(Item::Impl(block)) => Ok(Target::Impl(block)),
            Ok(Item::Trait(tr)) => Err(syn::Error::new_spanned(
                &tr.ident,
                "`#[loopbridge::blocking]` cannot go on a trait definition: a trait's methods \
                 may have no body to call, and a provided twin could be overridden. Put it on \
                 the `impl` block instead: `#[loopbridge::blocking] impl Trait for Type` adds \
                 the twins to `Type`",
            )),
            // A method declaration inside a trait: `async fn get(&self);`.
            _ => match syn::parse2::<TraitItemFn>(item) {
                Ok(method) if method.default.is_none() => Err(syn::Error::new_spanned(
                    &method.sig,
                    "this method has no body for a blocking twin to call: put \
                     `#[loopbridge::blocking]` on the `impl` block that implements the trait",
                )),
                _ => Err(syn::Error::new(
                    Span::call_site(),
                    "`#[loopbridge::blocking]` goes on an `async fn` or on an `impl` block",
                )),
            },
        }
    }
}

/// Removes the attributes of this macro from a method of an annotated `impl` block and returns
/// their options (the last one wins; two are an error).
pub(crate) fn take_method_args(method: &mut ImplItemFn) -> syn::Result<Option<Args>> {
    let mut found = None;
    let mut error = None;
    method.attrs.retain(|attr| {
        if !is_this_attribute(attr.path()) {
            return true;
        }
        let parsed = if found.is_some() {
            Err(syn::Error::new_spanned(attr, "`#[loopbridge::blocking]` is given twice"))
        } else {
            Args::from_attr(attr).and_then(|args| {
                args.check_for_method_in_impl()?;
                Ok(args)
            })
        };
        match parsed {
            Ok(args) => found = Some(args),
            Err(err) => combine(&mut error, err),
        }
        false
    });
    match error {
        Some(err) => Err(err),
        None => Ok(found),
    }
}

/// Whether an attribute on a method is this macro, as `#[loopbridge::blocking(..)]`, a renamed
/// `#[lb::blocking(..)]` or an imported `#[blocking(..)]`: by its last path segment.
fn is_this_attribute(path: &Path) -> bool {
    path.segments.last().is_some_and(|segment| segment.ident == "blocking")
}

/// Adds `err` to the errors collected so far.
pub(crate) fn combine(errors: &mut Option<syn::Error>, err: syn::Error) {
    match errors {
        Some(errors) => errors.combine(err),
        None => *errors = Some(err),
    }
}
