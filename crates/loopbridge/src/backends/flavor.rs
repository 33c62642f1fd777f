//! [`Flavor`]: the runtime flavours loopbridge can start, one per `#[loopbridge::test]` test.

use loopbridge_core::BackendKind;

/// A runtime flavour loopbridge can start: what `#[loopbridge::test]` runs each test on, and
/// what a test function may take as its one argument to know where it runs.
///
/// # Examples
///
/// ```
/// use loopbridge::{BackendKind, Flavor};
///
/// // The flavours of this build: tokio's two with the default features.
/// for flavor in Flavor::COMPILED_IN {
///     assert!(BackendKind::ALL.contains(&flavor.kind()));
/// }
/// assert_eq!(Flavor::TokioCurrentThread.kind(), BackendKind::Tokio);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Flavor {
    /// A tokio multi-thread runtime.
    TokioMultiThread,
    /// A tokio current-thread runtime (one driver thread).
    TokioCurrentThread,
    /// A loopbridge-owned smol executor.
    Smol,
    /// async-std's global runtime.
    AsyncStd,
}

impl Flavor {
    /// The flavours compiled into this build, in the order tokio, smol, async-std.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge::Flavor;
    ///
    /// # #[cfg(feature = "tokio")]
    /// assert!(Flavor::COMPILED_IN.contains(&Flavor::TokioCurrentThread));
    /// for flavor in Flavor::COMPILED_IN {
    ///     println!("{flavor:?} runs on {}", flavor.kind());
    /// }
    /// ```
    pub const COMPILED_IN: &'static [Flavor] = &[
        #[cfg(feature = "tokio")]
        Flavor::TokioMultiThread,
        #[cfg(feature = "tokio")]
        Flavor::TokioCurrentThread,
        #[cfg(feature = "smol")]
        Flavor::Smol,
        #[cfg(feature = "async-std")]
        Flavor::AsyncStd,
    ];

    /// The backend the flavour runs on.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge::{BackendKind, Flavor};
    ///
    /// assert_eq!(Flavor::TokioMultiThread.kind(), BackendKind::Tokio);
    /// assert_eq!(Flavor::Smol.kind(), BackendKind::Smol);
    /// ```
    pub fn kind(self) -> BackendKind {
        match self {
            Flavor::TokioMultiThread | Flavor::TokioCurrentThread => BackendKind::Tokio,
            Flavor::Smol => BackendKind::Smol,
            Flavor::AsyncStd => BackendKind::AsyncStd,
        }
    }
}
