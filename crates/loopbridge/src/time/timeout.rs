//! [`timeout`] and its future, [`Timeout`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use loopbridge_core::{Elapsed, LoopBackend};
use pin_project_lite::pin_project;

use crate::backends::AnyTimer;
use crate::runtime::ambient::with_current;

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
/// The first poll at which `future` is pending panics as [`sleep`](crate::sleep) does, where the timer
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
#[inline]
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    let sleep = if duration.is_zero() {
        loopbridge_core::time::Sleep::yield_once() // no clock to read
    } else {
        loopbridge_core::time::Sleep::deferred(duration, crate::time::now(), current_timer_at)
    };
    Timeout::new(loopbridge_core::time::Timeout::new(future, sleep))
}

/// Runs `future` until `deadline` (a `std::time::Instant` or a
/// [`time::Instant`](crate::time::Instant)) on the clock of the current runtime: `Ok(output)` if
/// it completes first, else `Err(Elapsed)` — tokio's `timeout_at`. As [`timeout`], the future
/// is polled before the timer, and the timer is made only if the future is pending.
///
/// # Panics
///
/// As [`timeout`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge::time::{Instant, timeout_at};
///
/// let late = loopbridge::block_on(async {
///     let deadline = Instant::now() + Duration::from_millis(5);
///     timeout_at(deadline, std::future::pending::<()>()).await
/// });
/// assert!(late.is_err());
/// ```
#[inline]
pub fn timeout_at<F: Future>(deadline: impl Into<Instant>, future: F) -> Timeout<F> {
    let deadline = deadline.into();
    let sleep = loopbridge_core::time::Sleep::deferred_until(deadline, current_timer_at);
    Timeout::new(loopbridge_core::time::Timeout::new(future, sleep))
}

/// A timer of the current runtime; made when a [`timeout`]'s future is first pending.
fn current_timer_at(deadline: Instant) -> AnyTimer {
    with_current(|b| b.timer_at(deadline))
}

pin_project! {
    /// A future with a deadline; returned by [`timeout`](crate::timeout).
    ///
    /// Completes with `Ok(output)` if the future completes first, else `Err(Elapsed)`. The
    /// inner future is polled before the timer, so a ready future always wins.
    ///
    /// # Cancel safety
    ///
    /// When the deadline passes, the inner future is dropped with the `Timeout`, as with
    /// tokio's `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let out = loopbridge::block_on(loopbridge::timeout(Duration::ZERO, async { 1 }));
    /// assert_eq!(out, Ok(1));
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<F> {
        #[pin]
        inner: loopbridge_core::time::Timeout<F, AnyTimer>,
    }
}

impl<F: Future> Timeout<F> {
    pub(crate) fn new(inner: loopbridge_core::time::Timeout<F, AnyTimer>) -> Self {
        Timeout { inner }
    }

    /// The inner future.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// let t = loopbridge::timeout(Duration::MAX, std::future::ready(5));
    /// let _inner: &std::future::Ready<i32> = t.get_ref();
    /// ```
    pub fn get_ref(&self) -> &F {
        self.inner.get_ref()
    }

    /// The inner future, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// let mut t = loopbridge::timeout(Duration::MAX, std::future::ready(5));
    /// let _inner: &mut std::future::Ready<i32> = t.get_mut();
    /// ```
    pub fn get_mut(&mut self) -> &mut F {
        self.inner.get_mut()
    }

    /// The inner future, out of the timeout (its timer is dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// let t = loopbridge::timeout(Duration::MAX, std::future::ready(5));
    /// assert_eq!(loopbridge::block_on(t.into_inner()), 5);
    /// ```
    pub fn into_inner(self) -> F {
        self.inner.into_inner()
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().inner.poll(cx)
    }
}

impl<F> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout").finish_non_exhaustive()
    }
}
