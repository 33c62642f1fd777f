//! Generating blocking twins: for each `async fn`, a plain `fn` with the same generics,
//! arguments, return type, visibility and docs that runs it through `__private::block_on`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, FnArg, GenericParam, Ident, ImplItem, ItemFn, ItemImpl, Pat, PatIdent, Path, QSelf,
    Signature, TypePath, Visibility,
};

use super::args::{self, Args, Target};
use crate::options;

/// Expands `#[loopbridge::blocking(args)]` on `item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let target = match Target::parse(item.clone()) {
        Ok(target) => target,
        Err(err) => return options::with_item(&err, item),
    };
    let args = Args::parse(args);
    match target {
        Target::Fn(function) => match args.and_then(|args| expand_fn(&args, &function)) {
            Ok(tokens) => tokens,
            Err(err) => options::with_item(&err, function),
        },
        Target::Impl(block) => expand_impl(args, block),
    }
}

/// How a twin reaches its async fn.
enum Callee {
    /// A free function: `fetch(..)`.
    Free,
    /// A method of an inherent impl block: `Self::fetch(self, ..)`.
    Inherent,
    /// A method of a trait impl: `<Self as Trait>::fetch(self, ..)`; the twin lives in an
    /// inherent impl block of the same type, where `Self::Assoc` must be spelled out too.
    Trait(Path),
}

/// A free function, or a method of an impl block that is not itself annotated.
fn expand_fn(args: &Args, function: &ItemFn) -> syn::Result<TokenStream> {
    require_async(&function.sig)?;
    if args.skip.is_some() {
        return Ok(function.to_token_stream());
    }
    let krate = options::crate_path(args.krate());
    // Only a receiver tells a method from a free function here; an associated function
    // without `self` needs the attribute on its impl block (documented).
    let callee = match function.sig.receiver() {
        Some(_) => Callee::Inherent,
        None => Callee::Free,
    };
    let name = args.twin_name(&function.sig.ident)?;
    let twin = twin(&function.attrs, &function.vis, &function.sig, &callee, name, &krate);
    Ok(quote! { #function #twin })
}

/// An impl block: a twin for every `async fn` in it. Methods can carry their own
/// `#[loopbridge::blocking(skip)]` or `(name = "...")`, which are removed here. Errors never
/// stop the block itself from being emitted (without those inner attributes).
fn expand_impl(args: syn::Result<Args>, mut block: ItemImpl) -> TokenStream {
    let mut errors = None;
    let args = match args.and_then(|args| args.check_for_impl().map(|()| args)) {
        Ok(args) => args,
        Err(err) => {
            args::combine(&mut errors, err);
            Args::default()
        }
    };
    let krate = options::crate_path(args.krate());
    let callee = match &block.trait_ {
        Some((_, path, _)) => Callee::Trait(path.clone()),
        None => Callee::Inherent,
    };
    // Twins of a trait impl's methods go to an inherent impl block after it: a trait impl can
    // only hold the trait's items. Such twins are `pub`, as the trait's methods are.
    let public: Visibility = syn::parse_quote!(pub);
    let mut separate_twins = Vec::new();
    let mut any_async = false;
    for item in std::mem::take(&mut block.items) {
        let ImplItem::Fn(mut method) = item else {
            block.items.push(item);
            continue;
        };
        let own = match args::take_method_args(&mut method) {
            Ok(own) => own,
            Err(err) => {
                args::combine(&mut errors, err);
                None
            }
        };
        if method.sig.asyncness.is_none() {
            if own.is_some() {
                if let Err(err) = require_async(&method.sig) {
                    args::combine(&mut errors, err);
                }
            }
            block.items.push(ImplItem::Fn(method));
            continue;
        }
        any_async = true;
        let own = own.unwrap_or_default();
        if own.skip.is_some() {
            block.items.push(ImplItem::Fn(method));
            continue;
        }
        let naming = if own.name.is_some() || own.suffix.is_some() { &own } else { &args };
        let twin = naming.twin_name(&method.sig.ident).map(|name| {
            let vis = if block.trait_.is_some() { &public } else { &method.vis };
            twin(&method.attrs, vis, &method.sig, &callee, name, &krate)
        });
        block.items.push(ImplItem::Fn(method));
        match twin {
            Ok(twin) if block.trait_.is_some() => separate_twins.push(twin),
            Ok(twin) => block.items.push(ImplItem::Verbatim(twin)),
            Err(err) => args::combine(&mut errors, err),
        }
    }
    if !any_async {
        let err = syn::Error::new_spanned(
            block.impl_token,
            "this impl block has no `async fn`: `#[loopbridge::blocking]` adds a blocking twin \
             to each `async fn` of the block",
        );
        args::combine(&mut errors, err);
    }
    let errors = errors.map(|err| err.to_compile_error());
    let separate = (!separate_twins.is_empty()).then(|| {
        let (impl_generics, _, where_clause) = block.generics.split_for_impl();
        let self_ty = &block.self_ty;
        quote! {
            impl #impl_generics #self_ty #where_clause {
                #(#separate_twins)*
            }
        }
    });
    quote! { #errors #block #separate }
}

fn require_async(sig: &Signature) -> syn::Result<()> {
    match sig.asyncness {
        Some(_) => Ok(()),
        None => Err(syn::Error::new_spanned(
            sig.fn_token,
            format!(
                "`#[loopbridge::blocking]` needs an `async fn`: it keeps `{0}` and adds a \
                 blocking twin that runs it with `block_on`; make `{0}` an `async fn`",
                sig.ident
            ),
        )),
    }
}

/// The twin of the async fn with `attrs`, `vis` and `sig`, named `name`.
fn twin(
    attrs: &[Attribute],
    vis: &Visibility,
    sig: &Signature,
    callee: &Callee,
    name: Ident,
    krate: &Path,
) -> TokenStream {
    let original = &sig.ident;
    let mut twin_sig = sig.clone();
    twin_sig.asyncness = None;
    twin_sig.ident = name;
    // Patterns cannot be passed on, so each argument gets a plain name: its own where it has
    // one, else a hygienic `argN` that cannot clash with the user's names.
    let mut call_args = Vec::with_capacity(twin_sig.inputs.len());
    for (index, input) in twin_sig.inputs.iter_mut().enumerate() {
        match input {
            FnArg::Receiver(receiver) => {
                receiver.attrs.clear();
                if receiver.reference.is_none() {
                    receiver.mutability = None; // `mut self` is the original's business
                }
                call_args.push(receiver.self_token.to_token_stream());
            }
            FnArg::Typed(arg) => {
                arg.attrs.clear();
                let ident = match &*arg.pat {
                    Pat::Ident(PatIdent { ident, subpat: None, .. }) => ident.clone(),
                    _ => format_ident!("arg{}", index, span = Span::mixed_site()),
                };
                *arg.pat = Pat::Ident(PatIdent {
                    attrs: Vec::new(),
                    by_ref: None,
                    mutability: None,
                    ident: ident.clone(),
                    subpat: None,
                });
                call_args.push(ident.into_token_stream());
            }
        }
    }
    let path = match callee {
        Callee::Free => quote!(#original),
        Callee::Inherent => quote!(Self::#original),
        Callee::Trait(trait_path) => {
            SpellOutSelfAssoc { trait_path }.visit_signature_mut(&mut twin_sig);
            quote!(<Self as #trait_path>::#original)
        }
    };
    // Type and const parameters may appear in no argument (`get::<T>(key)`), so they are
    // passed explicitly; lifetimes are left to inference, as late-bound ones must be.
    let explicit: Vec<&Ident> = sig
        .generics
        .params
        .iter()
        .filter_map(|param| match param {
            GenericParam::Type(param) => Some(&param.ident),
            GenericParam::Const(param) => Some(&param.ident),
            GenericParam::Lifetime(_) => None,
        })
        .collect();
    let turbofish = (!explicit.is_empty()).then(|| quote!(::<#(#explicit),*>));
    let mut call = quote!(#path #turbofish (#(#call_args),*));
    if sig.unsafety.is_some() {
        call = quote!(unsafe { #call });
    }
    let kept = attrs.iter().filter_map(kept_attribute);
    let docs = docs(attrs, callee, original);
    quote! {
        #(#kept)*
        #docs
        #[track_caller]
        #vis #twin_sig {
            #krate::__private::block_on(#call)
        }
    }
}

/// The attributes of the async fn that the twin gets too: its docs, its `cfg`, its lint
/// levels and `deprecated`/`must_use`. Any other attribute may be a macro written for the
/// async fn (`#[tracing::instrument]`), so it is not repeated. `expect` becomes `allow`: the
/// expected lint need not fire in the twin, and an unfulfilled expectation would warn.
fn kept_attribute(attr: &Attribute) -> Option<Attribute> {
    const KEPT: [&str; 9] =
        ["doc", "cfg", "allow", "warn", "deny", "forbid", "deprecated", "must_use", "expect"];
    let ident = attr.path().get_ident()?;
    if !KEPT.iter().any(|kept| ident == kept) {
        return None;
    }
    let mut attr = attr.clone();
    if ident == "expect" {
        if let syn::Meta::List(list) = &mut attr.meta {
            list.path = syn::parse_quote!(allow);
        }
    }
    Some(attr)
}

/// The twin's added documentation: what it does, and its `# Panics` section.
fn docs(attrs: &[Attribute], callee: &Callee, original: &Ident) -> TokenStream {
    let link = match callee {
        Callee::Free => format!("[`{original}`]({original})"),
        Callee::Inherent | Callee::Trait(_) => format!("[`{original}`](Self::{original})"),
    };
    let separator =
        attrs.iter().any(|attr| attr.path().is_ident("doc")).then(|| quote!(#[doc = ""]));
    let lines = [
        format!(
            " The blocking twin of {link}: runs it to completion on the calling thread with \
             `loopbridge::block_on` and returns its output."
        ),
        String::new(),
        " # Panics".to_owned(),
        String::new(),
        format!(
            " Panics at once, instead of deadlocking, where blocking the calling thread could \
             starve the executor the future needs (on a single-thread runtime, for instance): \
             `.await` {link} there. A panic in `{original}` reaches the caller unchanged."
        ),
    ];
    quote! {
        #separator
        #(#[doc = #lines])*
    }
}

/// Rewrites `Self::Assoc` as `<Self as Trait>::Assoc` in a twin of a trait method: in the
/// inherent impl block the twin lives in, `Self::Assoc` would be ambiguous.
struct SpellOutSelfAssoc<'a> {
    trait_path: &'a Path,
}

impl VisitMut for SpellOutSelfAssoc<'_> {
    fn visit_type_path_mut(&mut self, ty: &mut TypePath) {
        syn::visit_mut::visit_type_path_mut(self, ty);
        let starts_with_self = ty.qself.is_none()
            && ty.path.leading_colon.is_none()
            && ty.path.segments.len() >= 2
            && ty.path.segments.first().is_some_and(|s| s.ident == "Self" && s.arguments.is_none());
        if !starts_with_self {
            return;
        }
        // `Self::A::B` becomes `<Self as Trait>::A::B`: the qualified self is `Self`, and the
        // path is the trait's followed by the rest.
        let rest: Vec<_> = ty.path.segments.iter().skip(1).cloned().collect();
        let mut path = self.trait_path.clone();
        let position = path.segments.len();
        path.segments.extend(rest);
        ty.qself = Some(QSelf {
            lt_token: Default::default(),
            ty: Box::new(syn::parse_quote!(Self)),
            position,
            as_token: Some(Default::default()),
            gt_token: Default::default(),
        });
        ty.path = path;
    }
}
