//! The free functions: each uses the ambient runtime if there is one, else the global runner.

use std::future::Future;
use std::time::{Duration, Instant};

use loopbridge_core::{BackendKind, BlockOnError, JoinHandle, LoopBackend};

use crate::ambient::with_current;
use crate::backends::{self, AnyTimer};
use crate::time::{Sleep, Timeout, YieldNow};
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
/// (including [`block_on`]) use the same runtime. With the `tracing` feature, `f` runs inside
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

/// Runs `future` to completion on the calling thread and returns its output.
///
/// From sync code (a plain thread, or a [`to_thread`] job) the future runs inside the global
/// runner's context (or the ambient runtime's), so timers, IO and tasks it creates stay valid
/// for later calls. It needs neither `Send` nor `'static`.
///
/// # Panics
///
/// - where [`try_block_on`] returns an error: on a thread that drives a single-thread executor
///   (a tokio current-thread runtime, a `LocalSet`) or an executor worker loopbridge cannot
///   hand off, blocking could deadlock, so it panics at once with a message saying what to do
///   instead (`.await`, or [`to_thread`]) — it never hangs;
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
    crate::ambient::try_block_on(future)
}

/// Waits for `duration`; see [`Sleep`] for the exact semantics.
///
/// The timer is made by the current runtime (or the global runner) and works wherever the
/// returned future is polled.
///
/// # Cancel safety
///
/// Dropping the [`Sleep`] cancels its timer; it can be polled again after an abandoned
/// `select!` branch, and keeps its deadline.
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
/// use std::time::{Duration, Instant};
///
/// let start = Instant::now();
/// loopbridge::block_on(loopbridge::sleep(Duration::from_millis(5)));
/// assert!(start.elapsed() >= Duration::from_millis(5)); // never early
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    Sleep::new(loopbridge_core::time::Sleep::new(duration, |deadline| {
        with_current(|b| b.timer_at(deadline))
    }))
}

/// Waits until `deadline`; a deadline in the past completes after one yield.
///
/// # Panics
///
/// As [`sleep`].
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// loopbridge::block_on(loopbridge::sleep_until(Instant::now() + Duration::from_millis(1)));
/// ```
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(loopbridge_core::time::Sleep::until(deadline, |deadline| {
        with_current(|b| b.timer_at(deadline))
    }))
}

/// Runs `future` with a deadline of `duration`: `Ok(output)` if it completes in time, else
/// `Err(Elapsed)`. The future is polled before the timer, so a ready future always wins.
///
/// The deadline is fixed when `timeout` is called; the timer itself is made only if the future
/// is still pending at the first poll, by the runtime current there (the ambient one, else the
/// global runner) — so a future that completes at once costs no timer at all.
///
/// # Cancel safety
///
/// Dropping the [`Timeout`] drops `future`: it is as cancel safe as `future` is.
///
/// # Panics
///
/// The first poll at which `future` is pending panics as [`sleep`] does, where the timer
/// cannot be made.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let late = loopbridge::block_on(loopbridge::timeout(
///     Duration::from_millis(5),
///     loopbridge::sleep(Duration::from_secs(60)),
/// ));
/// assert!(late.is_err());
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    let sleep = loopbridge_core::time::Sleep::deferred(duration, current_timer_at);
    Timeout::new(loopbridge_core::time::Timeout::new(future, sleep))
}

/// A timer of the current runtime; made when a [`timeout`]'s future is first pending.
fn current_timer_at(deadline: Instant) -> AnyTimer {
    with_current(|b| b.timer_at(deadline))
}

/// Yields once to the executor, letting other tasks run.
///
/// # Examples
///
/// ```
/// loopbridge::block_on(loopbridge::yield_now());
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow::new()
}

/// The backend of the runtime the calling thread is inside, or `None` on a plain thread.
///
/// One thread-local read for runtimes loopbridge started; tokio's and async-std's own
/// detection otherwise.
///
/// # Examples
///
/// ```
/// assert_eq!(loopbridge::current(), None);
/// let inside = loopbridge::block_on(async { loopbridge::current() });
/// assert_eq!(inside, Some(loopbridge::Bridge::global().kind()));
/// ```
#[inline]
pub fn current() -> Option<BackendKind> {
    backends::ambient_kind()
}

/// Whether the calling thread is polling futures for a runtime loopbridge knows (a worker, a
/// thread inside `block_on`), as opposed to a plain thread or a [`to_thread`] job.
///
/// # Examples
///
/// ```
/// assert!(!loopbridge::in_async_context());
/// assert!(loopbridge::block_on(async { loopbridge::in_async_context() }));
/// assert!(!loopbridge::block_on(loopbridge::to_thread(loopbridge::in_async_context)).unwrap());
/// ```
#[inline]
pub fn in_async_context() -> bool {
    backends::in_async_context()
}
