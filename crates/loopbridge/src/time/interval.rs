//! [`Interval`]: a periodic timer, returned by [`interval`] and [`interval_at`].
//!
//! The schedule and the missed-tick policies are [`loopbridge_core::time::Interval`]'s, on the
//! timers of the runtime that was current when the interval was made: the same ticks on every
//! backend. tokio's own `Interval` is not used: it needs a tokio context and rounds to whole
//! milliseconds.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_core::Stream;

use crate::backends::AnyBackend;

pub use loopbridge_core::time::MissedTickBehavior;

/// Ticks every `period`, starting now: the first [`tick`](Interval::tick) completes at once.
///
/// Made with the current runtime's timers (or the global runner's), like [`sleep`](crate::sleep);
/// it can be polled anywhere.
///
/// # Panics
///
/// If `period` is zero (as tokio's `interval`); as [`sleep`](crate::sleep) if the global runner
/// cannot start.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// loopbridge::block_on(async {
///     let start = Instant::now();
///     let mut interval = loopbridge::interval(Duration::from_millis(10));
///     interval.tick().await; // at once
///     interval.tick().await; // 10 ms after `start`, never earlier
///     interval.tick().await; // 20 ms after `start`
///     assert!(start.elapsed() >= Duration::from_millis(20));
/// });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    crate::Bridge::current().interval(period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
///
/// As [`interval`].
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// let start = Instant::now() + Duration::from_millis(5);
/// let mut interval = loopbridge::interval_at(start, Duration::from_millis(5));
/// let first = loopbridge::block_on(interval.tick());
/// assert_eq!(first, start); // the instant the tick was due
/// assert!(Instant::now() >= start);
/// ```
#[track_caller]
pub fn interval_at(start: impl Into<Instant>, period: Duration) -> Interval {
    crate::Bridge::current().interval_at(start.into(), period)
}

/// A periodic timer: [`tick`](Self::tick) completes once per period, and never before the tick
/// is due. Returned by [`interval`], [`interval_at`] and
/// [`Bridge::interval`](crate::Bridge::interval).
///
/// Tick `n` is due at `start + n × period`. A tick taken more than 5 ms after it was due (the
/// code awaiting it was busy) is *missed*, and the [`MissedTickBehavior`] decides when the next
/// ones are due: `Burst` (the default) catches up at once, `Delay` starts over a period after
/// the late tick, `Skip` moves to the next tick of the original schedule — tokio's three
/// policies, with tokio's meaning, on every backend.
///
/// It is also a [`Stream`] of the ticks' due instants, which never ends.
///
/// # Cancel safety
///
/// [`tick`](Self::tick) is cancel safe: dropping its future before it completes loses no tick.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge::MissedTickBehavior;
///
/// loopbridge::block_on(async {
///     let mut heartbeat = loopbridge::interval(Duration::from_millis(5));
///     heartbeat.set_missed_tick_behavior(MissedTickBehavior::Skip);
///     for _ in 0..3 {
///         let due = heartbeat.tick().await;
///         println!("beat due at {due:?}");
///     }
/// });
/// ```
pub struct Interval {
    inner: loopbridge_core::time::Interval<AnyBackend>,
}

impl Interval {
    #[track_caller]
    pub(crate) fn new(backend: AnyBackend, start: Instant, period: Duration) -> Self {
        Interval { inner: loopbridge_core::time::Interval::new(backend, start, period) }
    }

    /// Completes when the next tick is due, with the instant it was due.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a tick is only consumed when this future completes.
    ///
    /// # Examples
    ///
    /// See [`interval`].
    pub async fn tick(&mut self) -> Instant {
        std::future::poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Completes the tick if it is due (returning the instant it was due) and schedules the
    /// next; otherwise arranges for `cx` to be woken when it is due.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let mut interval = loopbridge::interval(Duration::from_secs(60));
    /// let first = loopbridge::block_on(std::future::poll_fn(|cx| interval.poll_tick(cx)));
    /// assert!(first <= std::time::Instant::now());
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        self.inner.poll_tick(cx)
    }

    /// Makes the next tick due one period from now, then one every period after it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let period = Duration::from_millis(5);
    /// let mut interval = loopbridge::interval(period);
    /// let before = Instant::now();
    /// interval.reset(); // no immediate first tick
    /// let due = loopbridge::block_on(interval.tick());
    /// assert!(due >= before + period && Instant::now() >= due);
    /// ```
    pub fn reset(&mut self) {
        self.inner.reset_after(self.inner.period());
    }

    /// Makes the next tick due now, then one every period after it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let mut interval = loopbridge::interval(Duration::from_secs(60));
    /// loopbridge::block_on(interval.tick()); // the first tick
    /// interval.reset_immediately();
    /// loopbridge::block_on(interval.tick()); // at once, not in a minute
    /// ```
    pub fn reset_immediately(&mut self) {
        self.inner.reset_after(Duration::ZERO);
    }

    /// Makes the next tick due at `deadline`, then one every period after it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let mut interval = loopbridge::interval(Duration::from_secs(60));
    /// let soon = Instant::now() + Duration::from_millis(2);
    /// interval.reset_at(soon);
    /// assert_eq!(loopbridge::block_on(interval.tick()), soon);
    /// ```
    pub fn reset_at(&mut self, deadline: impl Into<Instant>) {
        self.inner.reset_at(deadline.into());
    }

    /// Makes the next tick due `after` from now (on the interval's runtime clock), the ones
    /// after it a period apart — tokio's `Interval::reset_after`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let mut interval = loopbridge::interval(Duration::from_secs(60));
    /// let before = Instant::now();
    /// interval.reset_after(Duration::from_millis(2));
    /// assert!(loopbridge::block_on(interval.tick()) >= before + Duration::from_millis(2));
    /// ```
    pub fn reset_after(&mut self, after: Duration) {
        self.inner.reset_after(after);
    }

    /// The time between two ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// assert_eq!(loopbridge::interval(Duration::from_secs(1)).period(), Duration::from_secs(1));
    /// ```
    pub fn period(&self) -> Duration {
        self.inner.period()
    }

    /// The policy for missed ticks; [`MissedTickBehavior::Burst`] unless set.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// use loopbridge::MissedTickBehavior;
    ///
    /// let interval = loopbridge::interval(Duration::from_secs(1));
    /// assert_eq!(interval.missed_tick_behavior(), MissedTickBehavior::Burst);
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.inner.missed_tick_behavior()
    }

    /// Sets the policy for missed ticks; it applies from the next missed tick on.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// use loopbridge::MissedTickBehavior;
    ///
    /// let mut interval = loopbridge::interval(Duration::from_secs(1));
    /// interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    /// assert_eq!(interval.missed_tick_behavior(), MissedTickBehavior::Delay);
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.inner.set_missed_tick_behavior(behavior);
    }
}

impl Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

impl fmt::Debug for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}
