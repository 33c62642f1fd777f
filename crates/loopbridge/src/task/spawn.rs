//! [`spawn`] and [`to_thread`]: a task on the current runtime (or the global runner), and a
//! blocking closure on its blocking pool.

use std::future::Future;

use loopbridge_core::{JoinHandle, LoopBackend};

use crate::runtime::ambient::with_current;
use crate::trace::SpanContext;

/// Spawns `future` as a task on the current runtime (or the global runner) and returns its
/// [`JoinHandle`].
///
/// The task runs even if the handle is dropped (it is detached); a panic inside it is caught
/// and reported by the handle as a [`JoinError`](crate::JoinError) with `is_panic()`.
///
/// # Panics
///
/// If the global runner is needed (outside any runtime) and cannot start: no backend feature is
/// enabled, `LOOPBRIDGE_BACKEND` names a backend that is unknown or not compiled in, or its
/// threads cannot start (see [`Bridge::global`](crate::Bridge::global)).
///
/// # Examples
///
/// ```
/// let answer = loopbridge::block_on(async {
///     let task = loopbridge::spawn(async { 40 + 2 });
///     task.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    with_current(|b| b.spawn(future))
}

/// Runs the blocking closure `f` on a thread of the current runtime's blocking pool (or the
/// global runner's), so that async code can call blocking code without stalling its executor.
///
/// Dropping the handle never cancels the job: a queued or running job always runs to completion.
/// [`JoinHandle::abort`] only skips a job that has not started. Inside `f`, the free functions
/// (including [`block_on`](crate::block_on)) use the same runtime. With the `tracing` feature, `f` runs inside
/// the caller's current span, under the caller's subscriber.
///
/// # Cancel safety
///
/// Dropping the handle (or an `.await` on it) never cancels the job; see above.
///
/// # Panics
///
/// If the global runner is needed (outside any runtime) and cannot start: no backend feature is
/// enabled, `LOOPBRIDGE_BACKEND` names a backend that is unknown or not compiled in, or its
/// threads cannot start (see [`Bridge::global`](crate::Bridge::global)).
///
/// # Examples
///
/// ```
/// let len = loopbridge::block_on(async {
///     loopbridge::to_thread(|| std::fs::read_dir(".").map(|d| d.count()).unwrap_or(0)).await
/// });
/// assert!(len.is_ok());
/// ```
#[doc(alias = "spawn_blocking")]
#[doc(alias = "unblock")]
#[track_caller]
pub fn to_thread<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let span = SpanContext::capture();
    with_current(|b| b.spawn_blocking(move || span.in_scope(f)))
}
