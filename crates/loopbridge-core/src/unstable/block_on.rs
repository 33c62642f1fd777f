//! The skeleton every adapter's `block_on` shares: the caller's deadline, the local scope, and
//! the answer a shutdown owes a blocked caller.
//!
//! An adapter brings only what differs: how to enter its runtime's context and its runtime's
//! own `block_on`. Everything a caller can observe — `spawn_local` works inside, a deadline
//! holds even when every worker is busy, a shutdown answers `is_shut_down()` — is here, once.
//!
//! # Examples
//!
//! ```
//! use loopbridge_core::unstable::{block_on, park};
//!
//! let out = block_on::run(None, async { 40 + 2 }, None, |future| park::wait(future));
//! assert_eq!(out.unwrap(), 42);
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use crate::BlockOnError;
use crate::lifecycle::{Lifecycle, UntilClosed};
use crate::local::{Drive, LocalScope};
use crate::park::wait_until;

/// Runs `future` on the calling thread for the runtime `lifecycle` belongs to (`None`: a
/// runtime loopbridge did not start), with `native_block_on` — the runtime's own `block_on`,
/// which the caller has entered the context of — or, with a `deadline`, until it passes.
///
/// The future runs inside a [`LocalScope`], so `spawn_local` works in it, and the local tasks
/// still pending when it completes (or times out, or panics) are cancelled here. A deadline is
/// kept by this thread's own clock ([`wait_until`]): the runtime's threads drive its IO and
/// timers, so it holds even when they are all busy. A close of `lifecycle` answers the caller
/// at once, whatever the future waits for.
///
/// # Errors
///
/// - [`BlockOnError::is_shut_down`] when `lifecycle` is or becomes closed.
/// - [`BlockOnError::is_timed_out`] when the deadline passed first; the future is dropped.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use loopbridge_core::unstable::{block_on, park, lifecycle::Lifecycle};
///
/// let deadline = Some(Instant::now() + Duration::from_millis(1));
/// let stuck = block_on::run(None, std::future::pending::<()>(), deadline, park::wait);
/// assert!(stuck.unwrap_err().is_timed_out());
///
/// let lifecycle = Lifecycle::new();
/// lifecycle.close();
/// let refused = block_on::run(Some(&lifecycle), async { 1 }, None, park::wait);
/// assert!(refused.unwrap_err().is_shut_down());
/// ```
#[inline]
pub fn run<'a, F: Future>(
    lifecycle: Option<&'a Arc<Lifecycle>>,
    future: F,
    deadline: Option<Instant>,
    native_block_on: impl FnOnce(Drive<UntilClosed<'a, F>>) -> Result<F::Output, BlockOnError>,
) -> Result<F::Output, BlockOnError> {
    let lifecycle = lifecycle.map(Arc::as_ref);
    if lifecycle.is_some_and(Lifecycle::is_closed) {
        return Err(BlockOnError::shut_down());
    }
    let scope = LocalScope::enter();
    let future = scope.drive(UntilClosed::new(lifecycle, future));
    match deadline {
        None => native_block_on(future),
        Some(deadline) => {
            wait_until(future, deadline).unwrap_or_else(|| Err(BlockOnError::timed_out()))
        }
    }
}
