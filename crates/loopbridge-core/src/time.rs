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
//! let never: Sleep<std::future::Ready<()>> = Sleep::new(Duration::MAX, std::time::Instant::now, |_| unreachable!());
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
    /// let sleep = Sleep::new(Duration::from_secs(1), std::time::Instant::now, |_| std::future::ready(()));
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
    /// let now = std::time::Instant::now;
    /// let s = loopbridge_core::time::Sleep::new(Duration::MAX, now, |_| std::future::ready(()));
    /// assert_eq!(s.deadline(), None); // never fires
    /// ```
    pub fn new(
        duration: Duration,
        now: impl FnOnce() -> Instant,
        timer_at: impl FnOnce(Instant) -> T,
    ) -> Self {
        if duration.is_zero() {
            // One yield, like the runtimes' `yield_now`: no clock read (see `deadline`).
            return Sleep::yield_once();
        }
        let now = now();
        match now.checked_add(duration) {
            Some(deadline) => Sleep::until(deadline, now, timer_at),
            None => Sleep { inner: SleepInner::Never, deadline: None },
        }
    }

    /// A sleep of `Duration::ZERO`: one yield, no timer, no clock read.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = loopbridge_core::time::Sleep::<std::future::Ready<()>>::yield_once();
    /// assert!(s.deadline().is_none() && !s.is_elapsed());
    /// ```
    #[inline]
    pub fn yield_once() -> Self {
        Sleep { inner: SleepInner::Yield { yield_now: YieldNow::new() }, deadline: None }
    }

    /// A sleep until `deadline` on a clock that reads `now`; one not after `now` completes after
    /// one yield.
    ///
    /// # Examples
    ///
    /// ```
    /// let now = std::time::Instant::now();
    /// let s = loopbridge_core::time::Sleep::until(now, now, |_| std::future::ready(()));
    /// assert!(s.deadline().is_some());
    /// ```
    pub fn until(deadline: Instant, now: Instant, timer_at: impl FnOnce(Instant) -> T) -> Self {
        Sleep { inner: SleepInner::at(deadline, now, timer_at), deadline: Some(deadline) }
    }

    /// Makes the sleep complete at `deadline` instead (on a clock that reads `now`), whether
    /// or not it has completed already — tokio's `Sleep::reset`. A deadline not after `now`
    /// completes after one yield.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use loopbridge_core::time::Sleep;
    ///
    /// let mut sleep = std::pin::pin!(Sleep::new(Duration::MAX, Instant::now, |_| std::future::pending::<()>()));
    /// let later = Instant::now() + Duration::from_secs(5);
    /// sleep.as_mut().reset(later, Instant::now(), |_| std::future::pending());
    /// assert_eq!(sleep.deadline(), Some(later));
    /// ```
    pub fn reset(
        self: Pin<&mut Self>,
        deadline: Instant,
        now: Instant,
        timer_at: impl FnOnce(Instant) -> T,
    ) {
        let mut this = self.project();
        this.inner.set(SleepInner::at(deadline, now, timer_at));
        *this.deadline = Some(deadline);
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
    /// let sleep = Sleep::deferred(Duration::from_secs(1), std::time::Instant::now(), never_called);
    /// assert!(sleep.deadline().is_some());
    /// drop(sleep); // never polled: no timer was made
    /// ```
    #[inline]
    pub fn deferred(duration: Duration, now: Instant, timer_at: fn(Instant) -> T) -> Self {
        if duration.is_zero() {
            return Sleep::yield_once();
        }
        match now.checked_add(duration) {
            Some(deadline) => {
                Sleep { inner: SleepInner::Deferred { timer_at }, deadline: Some(deadline) }
            }
            None => Sleep { inner: SleepInner::Never, deadline: None },
        }
    }
}

impl<T> Sleep<T> {
    /// [`deferred`](Self::deferred) to a `deadline`: the timer is made at the first poll (one
    /// for a deadline passed by then fires at once — never early).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use loopbridge_core::time::Sleep;
    ///
    /// fn never_called(_: Instant) -> std::future::Ready<()> { unreachable!() }
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(Sleep::deferred_until(deadline, never_called).deadline(), Some(deadline));
    /// ```
    pub fn deferred_until(deadline: Instant, timer_at: fn(Instant) -> T) -> Self {
        Sleep { inner: SleepInner::Deferred { timer_at }, deadline: Some(deadline) }
    }

    /// When the sleep completes; `None` if it never does — or if it is a zero sleep, one yield,
    /// which reads no clock when made (the caller knows its clock: the deadline is "now").
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::{Duration, Instant};
    /// let s = loopbridge_core::time::Sleep::new(Duration::MAX, Instant::now, |_| std::future::ready(()));
    /// assert!(s.deadline().is_none());
    /// let zero = loopbridge_core::time::Sleep::new(Duration::ZERO, Instant::now, |_| std::future::ready(()));
    /// assert!(zero.deadline().is_none() && zero.is_yield_once());
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Whether this is a zero sleep not yet reset: one yield, with no deadline of its own.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = loopbridge_core::time::Sleep::<std::future::Ready<()>>::yield_once();
    /// assert!(s.is_yield_once());
    /// ```
    pub fn is_yield_once(&self) -> bool {
        matches!(self.inner, SleepInner::Yield { .. }) && self.deadline.is_none()
    }

    /// Whether the sleep has completed (been polled to its end) — tokio's `Sleep::is_elapsed`
    /// answers once the deadline has passed; the facade adds that check with its clock.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::future::Future;
    /// # use std::time::Instant;
    /// let now = Instant::now();
    /// let mut s = std::pin::pin!(loopbridge_core::time::Sleep::until(now, now, |_| std::future::ready(())));
    /// assert!(!s.is_elapsed());
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// while s.as_mut().poll(&mut cx).is_pending() {}
    /// assert!(s.is_elapsed());
    /// ```
    pub fn is_elapsed(&self) -> bool {
        matches!(self.inner, SleepInner::Elapsed)
    }
}

impl<T> SleepInner<T> {
    /// A timer for `deadline`, or one yield where it is not after `now`.
    fn at(deadline: Instant, now: Instant, timer_at: impl FnOnce(Instant) -> T) -> Self {
        if deadline <= now {
            SleepInner::Yield { yield_now: YieldNow::new() }
        } else {
            SleepInner::Timer { timer: timer_at(deadline) }
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
            SleepProj::Yield { yield_now } => {
                ready!(Pin::new(yield_now).poll(cx));
                this.inner.set(SleepInner::Elapsed);
                Poll::Ready(())
            }
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
    /// let t = Timeout::new(std::future::pending::<()>(), Sleep::new(Duration::ZERO, std::time::Instant::now, |_| std::future::ready(())));
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
    /// let _ = Timeout::new(async {}, Sleep::new(Duration::from_secs(1), std::time::Instant::now, |_| std::future::ready(())));
    /// ```
    #[inline]
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
    /// let t = Timeout::new(std::future::ready(3), Sleep::new(Duration::MAX, std::time::Instant::now, |_| std::future::ready(())));
    /// let _inner: &std::future::Ready<i32> = t.get_ref();
    /// ```
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// The inner future, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::{Duration, Instant};
    /// # use loopbridge_core::time::{Sleep, Timeout};
    /// let mut t = Timeout::new(std::future::ready(3), Sleep::new(Duration::MAX, Instant::now, |_| std::future::ready(())));
    /// let _inner: &mut std::future::Ready<i32> = t.get_mut();
    /// ```
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.future
    }

    /// The inner future, out of the timeout (whose timer is dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::{Duration, Instant};
    /// # use loopbridge_core::time::{Sleep, Timeout};
    /// let t = Timeout::new(std::future::ready(3), Sleep::new(Duration::MAX, Instant::now, |_| std::future::ready(())));
    /// let _inner: std::future::Ready<i32> = t.into_inner();
    /// ```
    pub fn into_inner(self) -> F {
        self.future
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
