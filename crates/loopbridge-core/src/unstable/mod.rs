//! The machinery the adapter crates (loopbridge-tokio, loopbridge-smol, loopbridge-async-std)
//! and the facade share: **not a public API**. It is public only because the adapters are
//! separate crates; nothing here is a semver promise, and any of it may change in any release.
//!
//! To run loopbridge on an executor of your own, use the facade's `loopbridge::rt`, the
//! documented surface for that (it re-exports [`park`] from here).
//!
//! - [`block_on`]: the checks shared by every backend's `block_on` (may this thread block?).
//! - [`clock`]: a runtime's clock, which can be paused: virtual time that jumps to the next
//!   timer whenever the runtime has no work.
//! - [`context`]: the thread-local marker that says which loopbridge runtime the current thread
//!   belongs to, and in which role.
//! - [`lifecycle`]: what a runtime loopbridge started needs to shut down identically on every
//!   backend: task counting, the close, the wait for every handle.
//! - [`park`]: waiting for a future on the calling thread, with or without a deadline.
//! - [`pool`]: the blocking-job pool of the runtimes loopbridge starts.
//! - [`spin`]: a bounded spin before parking, for cross-thread wake-ups.

pub mod block_on;
pub mod clock;
pub mod context;
pub mod lifecycle;
pub mod park;
pub mod pool;
pub mod spin;
