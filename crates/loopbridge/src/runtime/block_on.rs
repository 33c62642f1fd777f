//! [`block_on`] and [`try_block_on`]: sync code running async code on the current runtime, or
//! the global runner.

use std::future::Future;

use loopbridge_core::BlockOnError;

/// Runs `future` to completion on the calling thread and returns its output.
///
/// From sync code (a plain thread, or a [`to_thread`](crate::to_thread) job) the future runs inside the global
/// runner's context (or the ambient runtime's), so timers, IO and tasks it creates stay valid
/// for later calls. It needs neither `Send` nor `'static`.
///
/// # Panics
///
/// - where [`try_block_on`] returns an error: on a thread that drives a single-thread executor
///   (a tokio current-thread runtime, a `LocalSet`) or an executor worker loopbridge cannot
///   hand off, blocking could deadlock, so it panics at once with a message saying what to do
///   instead (`.await`, or [`to_thread`](crate::to_thread)) — it never hangs;
/// - if `future` panics, with that panic, unchanged;
/// - if the global runner is needed (outside any runtime) and cannot start: no backend
///   feature is enabled, `LOOPBRIDGE_BACKEND` names a backend that is unknown or not compiled
///   in, or its threads cannot start (see [`Bridge::global`](crate::Bridge::global)).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// fn main() {
///     let out = loopbridge::block_on(async {
///         loopbridge::sleep(Duration::from_millis(10)).await;
///         loopbridge::spawn(async { "done" }).await.unwrap()
///     });
///     assert_eq!(out, "done");
/// }
/// ```
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    match try_block_on(future) {
        Ok(output) => output,
        Err(err) => panic!("{err}"),
    }
}

/// Like [`block_on`], but returns an error instead of panicking where blocking the calling
/// thread could deadlock.
///
/// # Errors
///
/// [`BlockOnError::is_in_async_context`]: the calling thread drives an executor that the
/// future might need (see [`block_on`]).
///
/// # Panics
///
/// If `future` panics, with that panic; as [`block_on`] if the global runner cannot start.
///
/// # Examples
///
/// ```
/// assert_eq!(loopbridge::try_block_on(async { 1 }).unwrap(), 1);
/// ```
#[track_caller]
pub fn try_block_on<F: Future>(future: F) -> Result<F::Output, BlockOnError> {
    crate::runtime::ambient::try_block_on(future)
}
