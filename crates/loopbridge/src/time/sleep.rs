//! [`sleep`] and [`sleep_until`], and their future, [`Sleep`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use loopbridge_core::LoopBackend;
use pin_project_lite::pin_project;

use crate::backends::AnyTimer;
use crate::runtime::ambient::with_current;

pin_project! {
    /// Completes after a duration; returned by [`sleep`](crate::sleep).
    ///
    /// Never completes early; `Duration::ZERO` is exactly one yield; a deadline too far to
    /// represent (`Duration::MAX`) never fires and never panics; once complete, it is ready
    /// at once if polled again. The timer belongs to the runtime that was current when the
    /// `Sleep` was made, and works when polled anywhere.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let sleep = loopbridge::sleep(Duration::MAX);
    /// assert_eq!(sleep.deadline(), None); // never fires
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Sleep {
        #[pin]
        inner: loopbridge_core::time::Sleep<AnyTimer>,
    }
}

impl Sleep {
    pub(crate) fn new(inner: loopbridge_core::time::Sleep<AnyTimer>) -> Self {
        Sleep { inner }
    }

    /// When the sleep completes, or `None` if it never does. A zero sleep's deadline is the
    /// moment it is asked ([`now`](crate::time::now)): it completes after one yield.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// assert!(loopbridge::sleep(Duration::ZERO).deadline().is_some());
    /// assert!(loopbridge::sleep(Duration::MAX).deadline().is_none());
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        self.inner.deadline().or_else(|| self.inner.is_yield_once().then(crate::time::now))
    }

    /// Whether the sleep is over: it completed, or its deadline has come on the clock of the
    /// runtime running the caller ([`now`](crate::time::now)) — tokio's `Sleep::is_elapsed`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// loopbridge::block_on(async {
    ///     let sleep = loopbridge::sleep(Duration::from_millis(2));
    ///     assert!(!sleep.is_elapsed());
    ///     std::thread::sleep(Duration::from_millis(3));
    ///     assert!(sleep.is_elapsed()); // due, though never polled
    /// });
    /// ```
    pub fn is_elapsed(&self) -> bool {
        self.inner.is_elapsed() || self.deadline().is_some_and(|d| d <= crate::time::now())
    }

    /// Makes the sleep complete at `deadline` instead, whether or not it has completed —
    /// tokio's `Sleep::reset`: a sleep can be reused (in a `select!` loop, say) without being
    /// made again. The new timer is the current runtime's, as [`sleep`]'s is; a deadline that
    /// has passed completes after one yield.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loopbridge::time::{Instant, sleep};
    ///
    /// loopbridge::block_on(async {
    ///     let mut sleep = std::pin::pin!(sleep(Duration::from_secs(3600)));
    ///     let soon = Instant::now() + Duration::from_millis(2);
    ///     sleep.as_mut().reset(soon);
    ///     sleep.as_mut().await;
    ///     assert!(Instant::now() >= soon);
    ///     sleep.as_mut().reset(Instant::now()); // again, at once
    ///     sleep.await;
    /// });
    /// ```
    #[track_caller]
    pub fn reset(self: Pin<&mut Self>, deadline: impl Into<Instant>) {
        let deadline = deadline.into();
        let inner = self.project().inner;
        with_current(|b| inner.reset(deadline, b.now(), |deadline| b.timer_at(deadline)));
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().inner.poll(cx)
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep").field("deadline", &self.deadline()).finish()
    }
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
#[inline]
pub fn sleep(duration: Duration) -> Sleep {
    if duration.is_zero() {
        return Sleep::new(loopbridge_core::time::Sleep::yield_once()); // no runtime needed
    }
    with_current(|b| {
        Sleep::new(loopbridge_core::time::Sleep::new(duration, || b.now(), |d| b.timer_at(d)))
    })
}

/// Waits until `deadline` (a `std::time::Instant` or a [`time::Instant`](crate::time::Instant))
/// on the clock of the current runtime; a deadline that has passed completes after one yield.
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
pub fn sleep_until(deadline: impl Into<Instant>) -> Sleep {
    let deadline = deadline.into();
    with_current(|b| {
        Sleep::new(loopbridge_core::time::Sleep::until(deadline, b.now(), |d| b.timer_at(d)))
    })
}
