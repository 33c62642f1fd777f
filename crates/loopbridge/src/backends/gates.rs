//! The gates of `#[loopbridge::test]`: each expands to its input when its backend is compiled
//! in and to nothing otherwise, so the facade's features decide which flavours' tests exist,
//! never `#[cfg]`s evaluated in the user's crate. Reached as `__private::if_tokio!` & co.;
//! `if_no_backend!` keeps its input only when no backend is compiled in.
//!
//! Two macros do the work; the table below gives each backend one of them. (A macro that
//! defines the gates would be neater, but an exported macro defined by a macro cannot be
//! re-exported by path from its own crate.)

/// Keeps its input: the gate of a compiled-in backend.
#[doc(hidden)]
#[macro_export]
macro_rules! __loopbridge_keep {
    ($($item:tt)*) => { $($item)* };
}

/// Drops its input: the gate of a backend that is not compiled in.
#[doc(hidden)]
#[macro_export]
macro_rules! __loopbridge_drop {
    ($($item:tt)*) => {};
}

#[cfg(not(feature = "async-std"))]
pub use crate::__loopbridge_drop as if_async_std;
#[cfg(not(feature = "smol"))]
pub use crate::__loopbridge_drop as if_smol;
#[cfg(not(feature = "tokio"))]
pub use crate::__loopbridge_drop as if_tokio;
#[cfg(feature = "async-std")]
pub use crate::__loopbridge_keep as if_async_std;
#[cfg(feature = "smol")]
pub use crate::__loopbridge_keep as if_smol;
#[cfg(feature = "tokio")]
pub use crate::__loopbridge_keep as if_tokio;
// The inverse gate: the failing test that a `#[loopbridge::test]` becomes when no backend is
// compiled in, so that a build without one fails loudly instead of passing with 0 tests.
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub use crate::__loopbridge_drop as if_no_backend;
#[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
pub use crate::__loopbridge_keep as if_no_backend;
