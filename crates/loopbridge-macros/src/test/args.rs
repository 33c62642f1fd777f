//! Parsing `#[loopbridge::test(...)]`: `backends(...)`, `timeout = "..."`, `start_paused = true`,
//! `crate = "..."`.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Path, Token};

use crate::options;

/// A runtime flavour a test can run on. Which of them are compiled in is not known here: the
/// expansion asks the facade (`__private::if_tokio!` and its siblings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    TokioMultiThread,
    TokioCurrentThread,
    Smol,
    AsyncStd,
}

impl Flavor {
    /// Every flavour, in the order their tests are written.
    pub(crate) const ALL: [Flavor; 4] =
        [Flavor::TokioMultiThread, Flavor::TokioCurrentThread, Flavor::Smol, Flavor::AsyncStd];

    /// The name of the flavour's `#[test]` function, also accepted in `backends(...)`.
    pub(crate) fn test_name(self) -> &'static str {
        match self {
            Flavor::TokioMultiThread => "tokio_multi_thread",
            Flavor::TokioCurrentThread => "tokio_current_thread",
            Flavor::Smol => "smol",
            Flavor::AsyncStd => "async_std",
        }
    }

    /// The variant of `__private::Flavor`.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Flavor::TokioMultiThread => "TokioMultiThread",
            Flavor::TokioCurrentThread => "TokioCurrentThread",
            Flavor::Smol => "Smol",
            Flavor::AsyncStd => "AsyncStd",
        }
    }

    /// The `__private` macro that keeps its input when the flavour's backend is compiled into
    /// loopbridge, and drops it otherwise.
    pub(crate) fn gate(self) -> &'static str {
        match self {
            Flavor::TokioMultiThread | Flavor::TokioCurrentThread => "if_tokio",
            Flavor::Smol => "if_smol",
            Flavor::AsyncStd => "if_async_std",
        }
    }

    /// The flavours a name in `backends(...)` stands for: a backend's, or one flavour.
    fn named(name: &str) -> Option<&'static [Flavor]> {
        Some(match name {
            "tokio" => &[Flavor::TokioMultiThread, Flavor::TokioCurrentThread],
            "tokio_multi_thread" => &[Flavor::TokioMultiThread],
            "tokio_current_thread" => &[Flavor::TokioCurrentThread],
            "smol" => &[Flavor::Smol],
            "async_std" => &[Flavor::AsyncStd],
            _ => return None,
        })
    }
}

/// The options of one `#[loopbridge::test(...)]`.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) krate: Option<Path>,
    /// The flavours `backends(...)` allows, `None` for all.
    pub(crate) flavors: Option<Vec<Flavor>>,
    /// The watchdog, in milliseconds; `None` for the facade's default.
    pub(crate) timeout_ms: Option<u64>,
    /// `start_paused = true`: the runtime's clock starts paused.
    pub(crate) start_paused: Option<bool>,
}

impl Args {
    /// Parses the tokens between the attribute's parentheses.
    pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Self> {
        let mut args = Args::default();
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("crate") {
                options::once(&args.krate, &meta)?;
                args.krate = Some(options::parse_crate(&meta)?);
            } else if meta.path.is_ident("timeout") {
                options::once(&args.timeout_ms, &meta)?;
                let lit: LitStr = meta.value()?.parse()?;
                args.timeout_ms = Some(parse_timeout(&lit.value()).map_err(|why| {
                    syn::Error::new_spanned(
                        &lit,
                        format!(
                            "{why}: write the timeout as a whole number and a unit, such as \
                             \"500ms\", \"5s\" or \"2min\""
                        ),
                    )
                })?);
            } else if meta.path.is_ident("start_paused") {
                options::once(&args.start_paused, &meta)?;
                let lit: syn::LitBool = meta.value()?.parse().map_err(|err| {
                    syn::Error::new(err.span(), "`start_paused` is `true` or `false`")
                })?;
                args.start_paused = Some(lit.value);
            } else if meta.path.is_ident("backends") {
                options::once(&args.flavors, &meta)?;
                let list;
                syn::parenthesized!(list in meta.input);
                let names = Punctuated::<Ident, Token![,]>::parse_terminated(&list)?;
                let mut flavors = Vec::new();
                for name in &names {
                    let Some(named) = Flavor::named(&name.to_string()) else {
                        return Err(syn::Error::new_spanned(
                            name,
                            "unknown backend; the backends are `tokio`, `smol` and `async_std`, \
                             and the flavours `tokio_multi_thread` and `tokio_current_thread`",
                        ));
                    };
                    if named.iter().any(|flavor| flavors.contains(flavor)) {
                        return Err(syn::Error::new_spanned(
                            name,
                            "this backend is already listed",
                        ));
                    }
                    flavors.extend_from_slice(named);
                }
                if flavors.is_empty() {
                    return Err(meta.error(
                        "`backends()` names no backend: list some, such as `backends(tokio, smol)`, \
                         or remove it to run on every backend",
                    ));
                }
                // The tests are always written in the same order, whatever the list's.
                args.flavors =
                    Some(Flavor::ALL.into_iter().filter(|f| flavors.contains(f)).collect());
            } else {
                return Err(meta.error(
                    "unknown option of `#[loopbridge::test]`; the options are `backends(...)`, \
                     `timeout = \"...\"`, `start_paused = true` and `crate = \"...\"`",
                ));
            }
            Ok(())
        });
        parser.parse2(tokens)?;
        Ok(args)
    }
}

/// Parses `"500ms"`, `"5s"`, `"2m"` or `"2min"` into milliseconds.
fn parse_timeout(text: &str) -> Result<u64, String> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let millis_per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" | "min" => 60_000,
        "" => return Err(format!("`{text}` has no unit")),
        _ => return Err(format!("`{text}` is not a timeout")),
    };
    if number.is_empty() {
        return Err(format!("`{text}` does not start with a number"));
    }
    let number: u64 = number.parse().map_err(|_| format!("`{text}` is too long"))?;
    match number.checked_mul(millis_per_unit) {
        Some(0) => Err("a zero timeout would fail every test".to_owned()),
        Some(millis) => Ok(millis),
        None => Err(format!("`{text}` is too long")),
    }
}

#[cfg(test)]
mod tests;
