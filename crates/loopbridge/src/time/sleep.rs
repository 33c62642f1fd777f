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

    /// When the sleep completes, or `None` if it never does.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// assert!(loopbridge::sleep(Duration::ZERO).deadline().is_some());
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        self.inner.deadline()
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
