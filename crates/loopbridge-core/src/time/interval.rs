//! [`Interval`]: a periodic timer over a backend's raw timer, with tokio's missed-tick policies.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::LoopBackend;

/// How late a tick may be delivered and still count as on time: tokio's rule, which absorbs
/// timer granularity and scheduling noise, so that [`MissedTickBehavior::Delay`] does not
/// shift the schedule by a few microseconds on every tick.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge_core::time::MISSED_TICK_TOLERANCE;
///
/// // A tick taken up to this late keeps the schedule as it was, whatever the policy.
/// assert_eq!(MISSED_TICK_TOLERANCE, Duration::from_millis(5));
/// ```
pub const MISSED_TICK_TOLERANCE: Duration = Duration::from_millis(5);

/// What an [`Interval`] does when a tick is missed: it was due more than
/// [`MISSED_TICK_TOLERANCE`] before the code awaiting it got there (the task was busy, or the
/// machine was). The same three policies, with the same meaning, as tokio's
/// `MissedTickBehavior`.
///
/// With a period of 10 ms, ticks due at 0, 10, 20, 30… ms, and the tick due at 10 ms only
/// taken at 35 ms:
///
/// | policy | the ticks that follow are due at |
/// | --- | --- |
/// | [`Burst`](Self::Burst) (default) | 20, 30 (both at once, right away), then 40, 50… |
/// | [`Delay`](Self::Delay) | 45, 55, 65… (a period after the late tick) |
/// | [`Skip`](Self::Skip) | 40, 50, 60… (the next one on the original schedule) |
///
/// # Examples
///
/// ```
/// use loopbridge_core::time::MissedTickBehavior;
///
/// assert_eq!(MissedTickBehavior::default(), MissedTickBehavior::Burst);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MissedTickBehavior {
    /// Catch up: the missed ticks complete at once, one per call, until the interval is back on
    /// its original schedule.
    #[default]
    Burst,
    /// Start over: the next tick is due one period after the late one was taken.
    Delay,
    /// Drop the missed ticks: the next tick is the next one due on the original schedule.
    Skip,
}

impl MissedTickBehavior {
    /// When the tick after a missed one (due at `due`, taken at `now`) is due; `None` past what
    /// an `Instant` can represent.
    fn next(self, due: Instant, now: Instant, period: Duration) -> Option<Instant> {
        match self {
            MissedTickBehavior::Burst => due.checked_add(period),
            MissedTickBehavior::Delay => now.checked_add(period),
            MissedTickBehavior::Skip => {
                // How far `now` is into the current period of the original schedule. The
                // remainder is at most `now - due`, so it fits a `Duration`.
                let into = (now - due).as_nanos() % period.as_nanos();
                let into = Duration::new(
                    u64::try_from(into / 1_000_000_000).unwrap_or(u64::MAX),
                    u32::try_from(into % 1_000_000_000).unwrap_or(0),
                );
                now.checked_add(period - into)
            }
        }
    }
}

/// Ticks every `period` on a backend `B`'s timers; see [`new`](Self::new).
///
/// - The first tick is due at `start` (`loopbridge::interval` passes `Instant::now()`, so it
///   completes at once); tick `n` is due at `start + n × period`.
/// - A tick never completes before it is due; [`poll_tick`](Self::poll_tick) returns the
///   instant it was due.
/// - A tick taken more than [`MISSED_TICK_TOLERANCE`] late was *missed*: what follows is the
///   [`MissedTickBehavior`]'s choice (default [`Burst`](MissedTickBehavior::Burst)).
/// - A schedule that runs past what an `Instant` can represent never ticks again, and never
///   panics.
///
/// # Examples
///
/// With a backend whose "timer" fires at once, the interval itself keeps every tick on time:
///
/// ```
/// use std::time::{Duration, Instant};
/// use loopbridge_core::time::{Interval, MissedTickBehavior};
/// # use loopbridge_core::{BackendKind, BlockOnError, LoopBackend, task::{BlockingJob, TaskFuture}};
/// # #[derive(Clone, Debug)]
/// # struct Eager;
/// # impl LoopBackend for Eager {
/// #     type Timer = std::future::Ready<()>;
/// #     fn kind(&self) -> BackendKind { BackendKind::Smol }
/// #     fn spawn_task<F>(&self, _: TaskFuture<F>) where F: Future + Send + 'static, F::Output: Send + 'static {}
/// #     fn spawn_blocking_job<F, T>(&self, _: BlockingJob<F, T>) where F: FnOnce() -> T + Send + 'static, T: Send + 'static {}
/// #     fn try_block_on_until<F: Future>(&self, f: F, _: Option<Instant>) -> Result<F::Output, BlockOnError> { Ok(loopbridge_core::unstable::park::wait(f)) }
/// #     fn timer_at(&self, _: Instant) -> Self::Timer { std::future::ready(()) }
/// # }
///
/// let tick = |interval: &mut Interval<Eager>| {
///     loopbridge_core::unstable::park::wait(std::future::poll_fn(|cx| interval.poll_tick(cx)))
/// };
/// let ms = Duration::from_millis;
/// let start = Instant::now();
/// let mut interval = Interval::new(Eager, start, ms(2));
/// assert_eq!(interval.period(), ms(2));
/// assert_eq!(tick(&mut interval), start); // the first tick is due at `start`
/// assert_eq!(tick(&mut interval), start + ms(2));
/// assert!(Instant::now() >= start + ms(2)); // never early
/// assert_eq!(interval.next_tick(), Some(start + ms(4)));
///
/// // What to do after a late tick: `Burst` (the default) catches up, `Skip` drops the missed
/// // ones, `Delay` starts the schedule over from the late tick.
/// assert_eq!(interval.missed_tick_behavior(), MissedTickBehavior::Burst);
/// interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
/// assert_eq!(interval.missed_tick_behavior(), MissedTickBehavior::Skip);
///
/// // Rescheduling: the next tick at a given instant, or after a delay from now.
/// let later = Instant::now() + ms(3);
/// interval.reset_at(later);
/// assert_eq!(tick(&mut interval), later);
/// interval.reset_after(ms(1));
/// assert!(interval.next_tick().is_some_and(|next| next > later));
/// ```
pub struct Interval<B: LoopBackend> {
    backend: B,
    period: Duration,
    /// When the next tick is due; `None`: never.
    next: Option<Instant>,
    /// The backend timer armed for `next`, made at the first poll that has to wait.
    timer: Option<B::Timer>,
    missed_tick_behavior: MissedTickBehavior,
}

impl<B: LoopBackend> Interval<B> {
    /// An interval whose first tick is due at `start`, then one every `period`, on `backend`'s
    /// timers.
    ///
    /// # Panics
    ///
    /// If `period` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use loopbridge_core::time::Interval;
    /// # use loopbridge_core::{BackendKind, BlockOnError, LoopBackend, task::{BlockingJob, TaskFuture}};
    /// # #[derive(Clone, Debug)]
    /// # struct Never;
    /// # impl LoopBackend for Never {
    /// #     type Timer = std::future::Pending<()>;
    /// #     fn kind(&self) -> BackendKind { BackendKind::Smol }
    /// #     fn spawn_task<F>(&self, _: TaskFuture<F>) where F: Future + Send + 'static, F::Output: Send + 'static {}
    /// #     fn spawn_blocking_job<F, T>(&self, _: BlockingJob<F, T>) where F: FnOnce() -> T + Send + 'static, T: Send + 'static {}
    /// #     fn try_block_on_until<F: Future>(&self, f: F, _: Option<Instant>) -> Result<F::Output, BlockOnError> { Ok(loopbridge_core::unstable::park::wait(f)) }
    /// #     fn timer_at(&self, _: Instant) -> Self::Timer { std::future::pending() }
    /// # }
    ///
    /// // `Never` (hidden): a backend whose timers never fire; only the clock makes a tick due.
    /// let start = Instant::now() + Duration::from_secs(60);
    /// let interval = Interval::new(Never, start, Duration::from_secs(1));
    /// assert_eq!(interval.next_tick(), Some(start)); // the first tick is due at `start` itself
    /// assert_eq!(interval.period(), Duration::from_secs(1));
    ///
    /// // A zero period panics.
    /// assert!(std::panic::catch_unwind(|| Interval::new(Never, start, Duration::ZERO)).is_err());
    /// ```
    #[track_caller]
    pub fn new(backend: B, start: Instant, period: Duration) -> Self {
        assert!(
            !period.is_zero(),
            "`period` must be non-zero: an interval cannot tick infinitely often"
        );
        Interval {
            backend,
            period,
            next: Some(start),
            timer: None,
            missed_tick_behavior: MissedTickBehavior::default(),
        }
    }

    /// The time between two ticks.
    ///
    /// # Examples
    ///
    /// See [`Interval`].
    pub fn period(&self) -> Duration {
        self.period
    }

    /// The policy for missed ticks.
    ///
    /// # Examples
    ///
    /// See [`Interval`].
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets the policy for missed ticks; it applies from the next missed tick on.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// use std::time::{Duration, Instant};
    /// use loopbridge_core::time::{Interval, MissedTickBehavior};
    /// # use loopbridge_core::{BackendKind, BlockOnError, LoopBackend, task::{BlockingJob, TaskFuture}};
    /// # #[derive(Clone, Debug)]
    /// # struct Never;
    /// # impl LoopBackend for Never {
    /// #     type Timer = std::future::Pending<()>;
    /// #     fn kind(&self) -> BackendKind { BackendKind::Smol }
    /// #     fn spawn_task<F>(&self, _: TaskFuture<F>) where F: Future + Send + 'static, F::Output: Send + 'static {}
    /// #     fn spawn_blocking_job<F, T>(&self, _: BlockingJob<F, T>) where F: FnOnce() -> T + Send + 'static, T: Send + 'static {}
    /// #     fn try_block_on_until<F: Future>(&self, f: F, _: Option<Instant>) -> Result<F::Output, BlockOnError> { Ok(loopbridge_core::unstable::park::wait(f)) }
    /// #     fn timer_at(&self, _: Instant) -> Self::Timer { std::future::pending() }
    /// # }
    ///
    /// // `Never` (hidden): a backend whose timers never fire.
    /// let ms = Duration::from_millis;
    /// let start = Instant::now() - ms(35); // the first tick is 35 ms late: missed
    /// let mut burst = Interval::new(Never, start, ms(10));
    /// let mut delay = Interval::new(Never, start, ms(10));
    /// delay.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ///
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let before = Instant::now();
    /// assert_eq!(burst.poll_tick(&mut cx), Poll::Ready(start));
    /// assert_eq!(delay.poll_tick(&mut cx), Poll::Ready(start));
    /// // `Burst` (the default) catches up: the next tick, `start + 10 ms`, is already due.
    /// assert_eq!(burst.next_tick(), Some(start + ms(10)));
    /// // `Delay` starts over: the next tick is a period after the late one was taken.
    /// assert!(delay.next_tick().is_some_and(|next| next >= before + ms(10)));
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// When the next tick is due; `None` if it never is.
    ///
    /// # Examples
    ///
    /// See [`Interval`].
    pub fn next_tick(&self) -> Option<Instant> {
        self.next
    }

    /// Reschedules the next tick to `deadline` (then one every period after it), whatever the
    /// missed-tick policy.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// use std::time::{Duration, Instant};
    /// use loopbridge_core::time::Interval;
    /// # use loopbridge_core::{BackendKind, BlockOnError, LoopBackend, task::{BlockingJob, TaskFuture}};
    /// # #[derive(Clone, Debug)]
    /// # struct Never;
    /// # impl LoopBackend for Never {
    /// #     type Timer = std::future::Pending<()>;
    /// #     fn kind(&self) -> BackendKind { BackendKind::Smol }
    /// #     fn spawn_task<F>(&self, _: TaskFuture<F>) where F: Future + Send + 'static, F::Output: Send + 'static {}
    /// #     fn spawn_blocking_job<F, T>(&self, _: BlockingJob<F, T>) where F: FnOnce() -> T + Send + 'static, T: Send + 'static {}
    /// #     fn try_block_on_until<F: Future>(&self, f: F, _: Option<Instant>) -> Result<F::Output, BlockOnError> { Ok(loopbridge_core::unstable::park::wait(f)) }
    /// #     fn timer_at(&self, _: Instant) -> Self::Timer { std::future::pending() }
    /// # }
    ///
    /// // `Never` (hidden): a backend whose timers never fire.
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let period = Duration::from_secs(60);
    /// let start = Instant::now();
    /// let mut interval = Interval::new(Never, start, period);
    /// assert_eq!(interval.poll_tick(&mut cx), Poll::Ready(start));
    /// assert!(interval.poll_tick(&mut cx).is_pending()); // the next one is a minute away
    ///
    /// // Moved to an instant already past: it completes at once, then ticks a period after it.
    /// let now = Instant::now();
    /// interval.reset_at(now);
    /// assert_eq!(interval.poll_tick(&mut cx), Poll::Ready(now));
    /// assert_eq!(interval.next_tick(), Some(now + period));
    /// ```
    pub fn reset_at(&mut self, deadline: Instant) {
        self.next = Some(deadline);
        self.timer = None;
    }

    /// Reschedules the next tick to `after` from now (then one every period after it), whatever
    /// the missed-tick policy; a delay too long to represent means never.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use std::time::{Duration, Instant};
    /// use loopbridge_core::time::Interval;
    /// # use loopbridge_core::{BackendKind, BlockOnError, LoopBackend, task::{BlockingJob, TaskFuture}};
    /// # #[derive(Clone, Debug)]
    /// # struct Never;
    /// # impl LoopBackend for Never {
    /// #     type Timer = std::future::Pending<()>;
    /// #     fn kind(&self) -> BackendKind { BackendKind::Smol }
    /// #     fn spawn_task<F>(&self, _: TaskFuture<F>) where F: Future + Send + 'static, F::Output: Send + 'static {}
    /// #     fn spawn_blocking_job<F, T>(&self, _: BlockingJob<F, T>) where F: FnOnce() -> T + Send + 'static, T: Send + 'static {}
    /// #     fn try_block_on_until<F: Future>(&self, f: F, _: Option<Instant>) -> Result<F::Output, BlockOnError> { Ok(loopbridge_core::unstable::park::wait(f)) }
    /// #     fn timer_at(&self, _: Instant) -> Self::Timer { std::future::pending() }
    /// # }
    ///
    /// // `Never` (hidden): a backend whose timers never fire.
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let hour = Duration::from_secs(3600);
    /// let mut interval = Interval::new(Never, Instant::now() + hour, hour);
    /// assert!(interval.poll_tick(&mut cx).is_pending());
    ///
    /// let (before, delay) = (Instant::now(), Duration::from_millis(500));
    /// interval.reset_after(delay);
    /// assert!(interval.next_tick().is_some_and(|next| next >= before + delay));
    /// interval.reset_after(Duration::ZERO); // due now
    /// assert!(interval.poll_tick(&mut cx).is_ready());
    ///
    /// // Too far to represent: it never ticks again.
    /// interval.reset_after(Duration::MAX);
    /// assert_eq!(interval.next_tick(), None);
    /// assert!(interval.poll_tick(&mut cx).is_pending());
    /// ```
    pub fn reset_after(&mut self, after: Duration) {
        self.next = self.backend.now().checked_add(after);
        self.timer = None;
    }

    /// Completes the tick if it is due, returning the instant it was due, and schedules the next
    /// one; otherwise arranges for `cx` to be woken when it is due.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// use std::time::{Duration, Instant};
    /// use loopbridge_core::time::Interval;
    /// # use loopbridge_core::{BackendKind, BlockOnError, LoopBackend, task::{BlockingJob, TaskFuture}};
    /// # #[derive(Clone, Debug)]
    /// # struct Never;
    /// # impl LoopBackend for Never {
    /// #     type Timer = std::future::Pending<()>;
    /// #     fn kind(&self) -> BackendKind { BackendKind::Smol }
    /// #     fn spawn_task<F>(&self, _: TaskFuture<F>) where F: Future + Send + 'static, F::Output: Send + 'static {}
    /// #     fn spawn_blocking_job<F, T>(&self, _: BlockingJob<F, T>) where F: FnOnce() -> T + Send + 'static, T: Send + 'static {}
    /// #     fn try_block_on_until<F: Future>(&self, f: F, _: Option<Instant>) -> Result<F::Output, BlockOnError> { Ok(loopbridge_core::unstable::park::wait(f)) }
    /// #     fn timer_at(&self, _: Instant) -> Self::Timer { std::future::pending() }
    /// # }
    ///
    /// // `Never` (hidden): a backend whose timers never fire.
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let period = Duration::from_secs(60);
    /// let start = Instant::now();
    /// let mut interval = Interval::new(Never, start, period);
    /// // Due: it completes with the instant it was due, and schedules the next tick.
    /// assert_eq!(interval.poll_tick(&mut cx), Poll::Ready(start));
    /// assert_eq!(interval.next_tick(), Some(start + period));
    /// // Not due yet: pending, with a backend timer armed to wake `cx` when it is.
    /// assert_eq!(interval.poll_tick(&mut cx), Poll::Pending);
    ///
    /// // In async code: `std::future::poll_fn(|cx| interval.poll_tick(cx)).await`.
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant>
    where
        B::Timer: Unpin,
    {
        let (due, now) = loop {
            let Some(due) = self.next else { return Poll::Pending };
            let now = self.backend.now();
            if now >= due {
                break (due, now);
            }
            let timer = match &mut self.timer {
                Some(timer) => timer,
                None => self.timer.insert(self.backend.timer_at(due)),
            };
            if Pin::new(timer).poll(cx).is_pending() {
                return Poll::Pending;
            }
            // Fired: the loop reads the clock again, so that no tick is ever early, even on a
            // timer that was.
            self.timer = None;
        };
        self.timer = None;
        let on_time = due.checked_add(MISSED_TICK_TOLERANCE).is_none_or(|limit| now <= limit);
        self.next = if on_time {
            due.checked_add(self.period)
        } else {
            self.missed_tick_behavior.next(due, now, self.period)
        };
        Poll::Ready(due)
    }
}

impl<B: LoopBackend> fmt::Debug for Interval<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interval")
            .field("period", &self.period)
            .field("next", &self.next)
            .field("missed_tick_behavior", &self.missed_tick_behavior)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
