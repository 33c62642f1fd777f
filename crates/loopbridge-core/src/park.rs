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
//! use loopbridge_core::park;
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
use crate::local::{Drive, LocalScope};

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
/// assert_eq!(loopbridge_core::park::wait(async { "done" }), "done");
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
/// See the [module docs](self).
pub fn wait_until<F: Future>(future: F, deadline: Instant) -> Option<F::Output> {
    poll_until(future, Some(deadline))
}

/// What every adapter's `block_on` does with an optional caller deadline: without one, run
/// `future` with the runtime's own `native_block_on`; with one, wait with [`wait_until`] (the
/// runtime's threads drive its IO and timers, this thread only waits on its own clock, so the
/// deadline holds even when they are all busy).
///
/// Either way the calling thread drives its local tasks meanwhile: `future` runs inside a
/// [`LocalScope`], so `spawn_local` works in it, and the local tasks still pending when it
/// completes (or times out, or panics) are cancelled here. See [`crate::local`].
///
/// # Errors
///
/// [`BlockOnError::is_timed_out`] when the deadline passed first; the future is dropped.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use loopbridge_core::park;
///
/// let quick = park::block_on_until(async { 1 }, None, park::wait);
/// assert_eq!(quick.unwrap(), 1);
/// let deadline = Some(Instant::now() + Duration::from_millis(1));
/// let stuck = park::block_on_until(std::future::pending::<()>(), deadline, park::wait);
/// assert!(stuck.unwrap_err().is_timed_out());
/// ```
pub fn block_on_until<F: Future>(
    future: F,
    deadline: Option<Instant>,
    native_block_on: impl FnOnce(Drive<F>) -> F::Output,
) -> Result<F::Output, BlockOnError> {
    let scope = LocalScope::enter();
    let future = scope.drive(future);
    match deadline {
        None => Ok(native_block_on(future)),
        Some(deadline) => wait_until(future, deadline).ok_or_else(BlockOnError::timed_out),
    }
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
