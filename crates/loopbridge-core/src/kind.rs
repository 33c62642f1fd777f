//! [`BackendKind`]: the name of a runtime backend.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// Which async runtime a backend drives.
///
/// The set is `#[non_exhaustive]`: more runtimes may be added without a breaking change.
/// [`Other`](BackendKind::Other) names a backend loopbridge does not ship — an application's
/// own executor, given to `loopbridge::Bridge::from_backend` — so that no such backend has to
/// claim to be tokio, smol or async-std.
///
/// # Examples
///
/// ```
/// use loopbridge_core::BackendKind;
///
/// let kind: BackendKind = "smol".parse().unwrap();
/// assert_eq!(kind, BackendKind::Smol);
/// assert_eq!(kind.to_string(), "smol");
/// assert_eq!(kind.feature(), Some("smol"));
/// assert_eq!(BackendKind::Other("gui-loop").to_string(), "gui-loop");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BackendKind {
    /// [tokio](https://docs.rs/tokio), multi-thread or current-thread flavour.
    Tokio,
    /// loopbridge's own [async-executor](https://docs.rs/async-executor) on named threads, with
    /// [async-io](https://docs.rs/async-io) timers (the crates [smol](https://docs.rs/smol) is
    /// made of) and loopbridge's own bounded blocking pool.
    Smol,
    /// [async-std](https://docs.rs/async-std) — legacy: discontinued upstream
    /// (RUSTSEC-2025-0052), kept working for existing users.
    AsyncStd,
    /// A backend loopbridge does not ship, by the name its author gives it.
    Other(&'static str),
}

impl BackendKind {
    /// Every kind loopbridge ships, in its build-time priority order (tokio, then smol, then
    /// async-std).
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

    /// The lower-case name, as accepted by [`FromStr`] and the `LOOPBRIDGE_BACKEND` variable;
    /// for [`Other`](BackendKind::Other), the name its author gave it.
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
            BackendKind::Other(name) => name,
        }
    }

    /// The cargo feature of the `loopbridge` crate that compiles this backend in; `None` for
    /// a backend loopbridge does not ship.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::BackendKind;
    ///
    /// assert_eq!(BackendKind::Tokio.feature(), Some("tokio"));
    /// assert_eq!(BackendKind::Other("gui-loop").feature(), None);
    /// ```
    pub const fn feature(self) -> Option<&'static str> {
        match self {
            BackendKind::Other(_) => None,
            shipped => Some(shipped.name()),
        }
    }

    /// Whether this is a backend loopbridge ships (one of [`ALL`](Self::ALL)).
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::BackendKind;
    ///
    /// assert!(BackendKind::Smol.is_shipped());
    /// assert!(!BackendKind::Other("gui-loop").is_shipped());
    /// ```
    pub const fn is_shipped(self) -> bool {
        !matches!(self, BackendKind::Other(_))
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
    /// and surrounding white space. Only the backends loopbridge ships have names to parse.
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
mod tests;
