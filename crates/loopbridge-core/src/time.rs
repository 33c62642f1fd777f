//! Timer semantics shared by every backend, on top of each backend's raw timer.
//!
//! A backend only provides "wake me at this instant" ([`LoopBackend::sleep_until`]).
//! This module adds what must be identical everywhere:
//!
//! - [`Sleep`]: `Duration::ZERO` is exactly one yield (tokio natively sleeps a whole
//!   millisecond); a deadline that cannot be represented (`Duration::MAX`) never fires and never
//!   panics; otherwise the backend timer, which never fires early. Once complete it stays
//!   complete: polled again, it is ready at once (tokio's sleep is; a spent async-io timer is
//!   pending forever).
//! - [`Timeout`]: polls the inner future *before* the timer, so a ready future always wins.
//! - [`YieldNow`]: one trip through the scheduler.
//! - [`Interval`]: a periodic timer that never ticks early, with tokio's missed-tick policies
//!   ([`MissedTickBehavior`]).
//!
//! [`LoopBackend::sleep_until`]: crate::LoopBackend::sleep_until
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use loopbridge_core::time::{Sleep, Timeout};
//!
//! // A timer that never fires (no backend timer is even created):
//! let never: Sleep<std::future::Ready<()>> = Sleep::new(Duration::MAX, |_| unreachable!());
//! // A ready future beats any deadline, even a zero one:
//! let ready = Timeout::new(async { 7 }, never);
//! # let mut ready = std::pin::pin!(ready);
//! # let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! # use std::future::Future;
//! assert_eq!(ready.as_mut().poll(&mut cx), std::task::Poll::Ready(Ok(7)));
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use pin_project_lite::pin_project;

use crate::Elapsed;

mod interval;

pub use interval::{Interval, MISSED_TICK_TOLERANCE, MissedTickBehavior};

/// Yields once to the executor, then completes.
///
/// # Examples
///
/// ```
/// # use std::future::Future;
/// let mut y = std::pin::pin!(loopbridge_core::time::YieldNow::new());
/// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// assert!(y.as_mut().poll(&mut cx).is_pending());
/// assert!(y.as_mut().poll(&mut cx).is_ready());
/// ```
#[derive(Debug, Default)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct YieldNow {
    yielded: bool,
}

impl YieldNow {
    /// A future that is pending once.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = loopbridge_core::time::YieldNow::new();
    /// ```
    pub const fn new() -> Self {
        YieldNow { yielded: false }
    }
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

pin_project! {
    /// A normalized sleep around a backend timer `T` (whose output is ignored). See the [module docs](self).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loopbridge_core::time::Sleep;
    ///
    /// let sleep = Sleep::new(Duration::ZERO, |_| std::future::ready(()));
    /// assert!(sleep.deadline().is_some());
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Sleep<T> {
        #[pin]
        inner: SleepInner<T>,
        deadline: Option<Instant>,
    }
}

pin_project! {
    #[project = SleepProj]
    enum SleepInner<T> {
        Yield { yield_now: YieldNow },
        Timer { #[pin] timer: T },
        // The timer is made at the first poll (see `Sleep::deferred`).
        Deferred { timer_at: fn(Instant) -> T },
        // The timer has fired and is dropped: a spent timer is ready again on tokio but
        // pending forever on async-io, and a completed sleep must stay complete everywhere.
        Elapsed,
        Never,
    }
}

impl<T: Future> Sleep<T> {
    /// A sleep of `duration`; `timer_at` makes the backend timer for a deadline and is only
    /// called for a non-zero, representable deadline.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let s = loopbridge_core::time::Sleep::new(Duration::MAX, |_| std::future::ready(()));
    /// assert_eq!(s.deadline(), None); // never fires
    /// ```
    pub fn new(duration: Duration, timer_at: impl FnOnce(Instant) -> T) -> Self {
        if duration.is_zero() {
            // One yield, like the runtimes' `yield_now`: no clock read (see `deadline`).
            return Sleep {
                inner: SleepInner::Yield { yield_now: YieldNow::new() },
                deadline: None,
            };
        }
        match Instant::now().checked_add(duration) {
            Some(deadline) => Sleep::until(deadline, timer_at),
            None => Sleep { inner: SleepInner::Never, deadline: None },
        }
    }

    /// A sleep until `deadline`; one in the past completes after one yield.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = loopbridge_core::time::Sleep::until(std::time::Instant::now(), |_| std::future::ready(()));
    /// assert!(s.deadline().is_some());
    /// ```
    pub fn until(deadline: Instant, timer_at: impl FnOnce(Instant) -> T) -> Self {
        let inner = if deadline <= Instant::now() {
            SleepInner::Yield { yield_now: YieldNow::new() }
        } else {
            SleepInner::Timer { timer: timer_at(deadline) }
        };
        Sleep { inner, deadline: Some(deadline) }
    }

    /// Like [`new`](Self::new), but the backend timer is made only when the sleep is first
    /// polled — by `timer_at`, a plain function, so that the sleep holds no backend. This is
    /// what a timeout wants: its future is polled first and usually completes before the timer
    /// is needed, and then no timer is ever registered (tokio's own `timeout` does the same).
    /// The deadline is still fixed now.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loopbridge_core::time::Sleep;
    ///
    /// fn never_called(_: std::time::Instant) -> std::future::Ready<()> { unreachable!() }
    /// let sleep = Sleep::deferred(Duration::from_secs(1), never_called);
    /// assert!(sleep.deadline().is_some());
    /// drop(sleep); // never polled: no timer was made
    /// ```
    pub fn deferred(duration: Duration, timer_at: fn(Instant) -> T) -> Self {
        if duration.is_zero() {
            return Sleep::new(duration, timer_at);
        }
        match Instant::now().checked_add(duration) {
            Some(deadline) => {
                Sleep { inner: SleepInner::Deferred { timer_at }, deadline: Some(deadline) }
            }
            None => Sleep { inner: SleepInner::Never, deadline: None },
        }
    }
}

impl<T> Sleep<T> {
    /// When the sleep completes; `None` if it never does. A zero sleep completes after one
    /// yield: its deadline is the moment it is asked (it reads no clock when made).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// let s = loopbridge_core::time::Sleep::new(Duration::MAX, |_| std::future::ready(()));
    /// assert!(s.deadline().is_none());
    /// let zero = loopbridge_core::time::Sleep::new(Duration::ZERO, |_| std::future::ready(()));
    /// assert!(zero.deadline().is_some());
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        match (&self.inner, self.deadline) {
            (SleepInner::Yield { .. }, None) => Some(Instant::now()),
            (_, deadline) => deadline,
        }
    }
}

impl<T: Future> Future for Sleep<T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        if let SleepProj::Deferred { timer_at } = this.inner.as_mut().project() {
            // A deadline passed meanwhile makes a timer that fires at once: never early.
            let timer = match *this.deadline {
                Some(deadline) => SleepInner::Timer { timer: timer_at(deadline) },
                None => SleepInner::Never,
            };
            this.inner.set(timer);
        }
        match this.inner.as_mut().project() {
            SleepProj::Yield { yield_now } => Pin::new(yield_now).poll(cx),
            SleepProj::Timer { timer } => {
                ready!(timer.poll(cx));
                this.inner.set(SleepInner::Elapsed);
                Poll::Ready(())
            }
            SleepProj::Elapsed => Poll::Ready(()),
            SleepProj::Never | SleepProj::Deferred { .. } => Poll::Pending,
        }
    }
}

impl<T> fmt::Debug for Sleep<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep").field("deadline", &self.deadline()).finish()
    }
}

pin_project! {
    /// Runs a future with a deadline; see [`Timeout::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loopbridge_core::time::{Sleep, Timeout};
    ///
    /// let t = Timeout::new(std::future::pending::<()>(), Sleep::new(Duration::ZERO, |_| std::future::ready(())));
    /// # let mut t = std::pin::pin!(t);
    /// # let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// # use std::future::Future;
    /// # assert!(t.as_mut().poll(&mut cx).is_pending());
    /// # assert!(t.as_mut().poll(&mut cx).is_ready());
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<F, T> {
        #[pin]
        future: F,
        #[pin]
        sleep: Sleep<T>,
    }
}

impl<F: Future, T: Future> Timeout<F, T> {
    /// Completes with `Ok(output)` if `future` completes first, `Err(Elapsed)` if `sleep` does.
    /// The future is always polled first, so a ready future wins even a zero deadline.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use loopbridge_core::time::{Sleep, Timeout};
    /// let _ = Timeout::new(async {}, Sleep::new(Duration::from_secs(1), |_| std::future::ready(())));
    /// ```
    pub fn new(future: F, sleep: Sleep<T>) -> Self {
        Timeout { future, sleep }
    }

    /// The inner future, which is dropped when the timeout is.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use loopbridge_core::time::{Sleep, Timeout};
    /// let t = Timeout::new(std::future::ready(3), Sleep::new(Duration::MAX, |_| std::future::ready(())));
    /// let _inner: &std::future::Ready<i32> = t.get_ref();
    /// ```
    pub fn get_ref(&self) -> &F {
        &self.future
    }
}

impl<F: Future, T: Future> Future for Timeout<F, T> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        this.sleep.poll(cx).map(|()| Err(Elapsed::new()))
    }
}

impl<F, T> fmt::Debug for Timeout<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout").field("sleep", &self.sleep).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
