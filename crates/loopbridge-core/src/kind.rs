//! [`BackendKind`]: the name of a runtime backend.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// Which async runtime a backend drives.
///
/// The set is `#[non_exhaustive]`: more runtimes may be added without a breaking change.
///
/// # Examples
///
/// ```
/// use loopbridge_core::BackendKind;
///
/// let kind: BackendKind = "smol".parse().unwrap();
/// assert_eq!(kind, BackendKind::Smol);
/// assert_eq!(kind.to_string(), "smol");
/// assert_eq!(kind.feature(), "smol");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BackendKind {
    /// [tokio](https://docs.rs/tokio), multi-thread or current-thread flavour.
    Tokio,
    /// loopbridge's own [async-executor](https://docs.rs/async-executor) on named threads, with
    /// [async-io](https://docs.rs/async-io) timers and the [blocking](https://docs.rs/blocking)
    /// pool: the crates [smol](https://docs.rs/smol) is made of.
    Smol,
    /// [async-std](https://docs.rs/async-std) — legacy: discontinued upstream
    /// (RUSTSEC-2025-0052), kept working for existing users.
    AsyncStd,
}

impl BackendKind {
    /// Every kind, in loopbridge's build-time priority order (tokio, then smol, then async-std).
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::BackendKind;
    ///
    /// assert_eq!(BackendKind::ALL[0], BackendKind::Tokio);
    /// ```
    pub const ALL: [BackendKind; 3] =
        [BackendKind::Tokio, BackendKind::Smol, BackendKind::AsyncStd];

    /// The lower-case name, as accepted by [`FromStr`] and the `LOOPBRIDGE_BACKEND` variable.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::BackendKind;
    ///
    /// assert_eq!(BackendKind::AsyncStd.name(), "async-std");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            BackendKind::Tokio => "tokio",
            BackendKind::Smol => "smol",
            BackendKind::AsyncStd => "async-std",
        }
    }

    /// The cargo feature of the `loopbridge` crate that compiles this backend in.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::BackendKind;
    ///
    /// assert_eq!(BackendKind::Tokio.feature(), "tokio");
    /// ```
    pub const fn feature(self) -> &'static str {
        self.name()
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BackendKind {
    type Err = Error;

    /// Parses `tokio`, `smol`, `async-std` (also `async_std`, `asyncstd`), ignoring ASCII case
    /// and surrounding white space.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim().to_ascii_lowercase();
        match name.as_str() {
            "tokio" => Ok(BackendKind::Tokio),
            "smol" => Ok(BackendKind::Smol),
            "async-std" | "async_std" | "asyncstd" => Ok(BackendKind::AsyncStd),
            _ => Err(Error::unknown_backend(s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in BackendKind::ALL {
            assert_eq!(kind.name().parse::<BackendKind>().unwrap(), kind);
        }
        assert_eq!(" Async_Std ".parse::<BackendKind>().unwrap(), BackendKind::AsyncStd);
    }

    #[test]
    fn unknown_name_is_a_helpful_error() {
        let err = "tokyo".parse::<BackendKind>().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("tokyo") && msg.contains("smol"), "{msg}");
    }
}
