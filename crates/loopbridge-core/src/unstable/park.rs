//! Waiting for a future on the calling thread, optionally with a deadline, with no runtime.
//!
//! The thread parks between wake-ups and is woken by the future's waker or, at the deadline, by
//! its own clock. Because nothing here depends on an executor making progress, a deadline is
//! kept even when the runtime the future waits on is busy or stuck: this is what the
//! caller-side deadline of `block_on` and the test watchdog are built on.
//!
//! # Examples
//!
//! ```
//! use std::time::{Duration, Instant};
//! use loopbridge_core::unstable::park;
//!
//! assert_eq!(park::wait(async { 5 }), 5);
//! let gave_up = park::wait_until(std::future::pending::<()>(), Instant::now() + Duration::from_millis(5));
//! assert!(gave_up.is_none());
//! ```

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Instant;

use crate::BlockOnError;

struct Unparker(Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` on this thread until it completes.
///
/// # Examples
///
/// ```
/// assert_eq!(loopbridge_core::unstable::park::wait(async { "done" }), "done");
/// ```
pub fn wait<F: Future>(future: F) -> F::Output {
    match poll_until(future, None) {
        Some(output) => output,
        None => unreachable!("a wait without a deadline only returns with the output"),
    }
}

/// Polls `future` on this thread until it completes (`Some`) or `deadline` passes (`None`; the
/// future is dropped).
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use loopbridge_core::unstable::park;
///
/// let soon = Instant::now() + Duration::from_secs(5);
/// assert_eq!(park::wait_until(async { 5 }, soon), Some(5));
/// let gave_up = park::wait_until(std::future::pending::<()>(), Instant::now());
/// assert!(gave_up.is_none());
/// ```
pub fn wait_until<F: Future>(future: F, deadline: Instant) -> Option<F::Output> {
    poll_until(future, Some(deadline))
}

/// What a backend with no `block_on` of its own does in
/// [`LoopBackend::try_block_on_until`](crate::LoopBackend::try_block_on_until): waits for
/// `future` on this thread until it completes or the `deadline`, if any, passes.
///
/// # Errors
///
/// [`BlockOnError::is_timed_out`] when the deadline passed first; the future is dropped.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use loopbridge_core::unstable::park;
///
/// assert_eq!(park::wait_with_deadline(async { 1 }, None).unwrap(), 1);
/// let soon = Some(Instant::now() + Duration::from_millis(1));
/// let late = park::wait_with_deadline(std::future::pending::<()>(), soon);
/// assert!(late.unwrap_err().is_timed_out());
/// ```
pub fn wait_with_deadline<F: Future>(
    future: F,
    deadline: Option<Instant>,
) -> Result<F::Output, BlockOnError> {
    poll_until(future, deadline).ok_or_else(BlockOnError::timed_out)
}

fn poll_until<F: Future>(future: F, deadline: Option<Instant>) -> Option<F::Output> {
    let waker = Waker::from(Arc::new(Unparker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
        match deadline {
            None => thread::park(),
            Some(deadline) => {
                let now = Instant::now();
                if now >= deadline {
                    return None;
                }
                thread::park_timeout(deadline - now);
            }
        }
    }
}
