//! [`now`] and [`Instant`]: the clock of the runtime that runs the caller.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

use loopbridge_core::LoopBackend;

use crate::runtime::ambient;

/// The current time on the clock of the runtime running the caller — the clock its timers
/// (and every loopbridge `sleep`, `timeout` and `interval` on it) measure deadlines against.
///
/// That is the wall clock, `std::time::Instant::now()`, except on a runtime whose time can
/// stand still: inside a tokio runtime paused with tokio's own `pause` (or
/// `#[tokio::test(start_paused = true)]`) it is tokio's clock, so code that measures elapsed
/// time with it sees the time the runtime's timers see. On a thread no runtime runs (and where
/// the global runner has not started) it is the wall clock; it never starts a runtime.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// loopbridge::block_on(async {
///     let start = loopbridge::time::now();
///     loopbridge::sleep(Duration::from_millis(2)).await;
///     assert!(loopbridge::time::now() - start >= Duration::from_millis(2));
/// });
/// ```
#[inline]
pub fn now() -> std::time::Instant {
    if loopbridge_core::unstable::clock::wall_clock_everywhere() {
        return unpaused_now();
    }
    ambient::with_running(|backend| backend.map_or_else(std::time::Instant::now, |b| b.now()))
}

/// [`now`] while no clock of loopbridge's was ever paused (and no application backend, with a
/// clock of its own, was made): each is the wall clock, so only a tokio runtime paused by tokio
/// itself can be elsewhere, and tokio's `Instant::now` reads the
/// clock of the runtime whose thread this is (the wall clock anywhere else, and without
/// tokio's `test-util`, nothing but the wall clock). No runtime lookup: as cheap as reading
/// the wall clock, which every timeout does.
#[inline]
pub(crate) fn unpaused_now() -> std::time::Instant {
    #[cfg(feature = "tokio")]
    return tokio::time::Instant::now().into_std();
    #[cfg(not(feature = "tokio"))]
    return std::time::Instant::now();
}

/// A moment on the clock of the runtime running the caller: tokio's `time::Instant`, on every
/// backend. [`Instant::now`] and [`elapsed`](Instant::elapsed) read [`now`], so code that
/// measures elapsed time sees the time the runtime's timers see, where
/// `std::time::Instant::now()` always reads the wall clock. It converts to and from
/// `std::time::Instant` (the same moment), which every function of [`time`](crate::time) also
/// takes.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge::time::Instant;
///
/// loopbridge::block_on(async {
///     let start = Instant::now();
///     loopbridge::time::sleep_until(start + Duration::from_millis(3)).await;
///     assert!(start.elapsed() >= Duration::from_millis(3));
///     let std: std::time::Instant = start.into();
///     assert_eq!(Instant::from_std(std), start);
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(std::time::Instant);

impl Instant {
    /// The current moment on the caller runtime's clock; see [`now`].
    ///
    /// # Examples
    ///
    /// ```
    /// let a = loopbridge::time::Instant::now();
    /// assert!(loopbridge::time::Instant::now() >= a);
    /// ```
    pub fn now() -> Instant {
        Instant(now())
    }

    /// The same moment as a `std::time::Instant`.
    ///
    /// # Examples
    ///
    /// ```
    /// let std = std::time::Instant::now();
    /// assert_eq!(loopbridge::time::Instant::from_std(std).into_std(), std);
    /// ```
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant(std)
    }

    /// This moment as a `std::time::Instant`.
    pub fn into_std(self) -> std::time::Instant {
        self.0
    }

    /// The time from `earlier` to this moment; zero if `earlier` is later (as std's and
    /// tokio's, which saturate).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// let a = loopbridge::time::Instant::now();
    /// assert_eq!((a + Duration::from_secs(1)).duration_since(a), Duration::from_secs(1));
    /// assert_eq!(a.duration_since(a + Duration::from_secs(1)), Duration::ZERO);
    /// ```
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.0.saturating_duration_since(earlier.0)
    }

    /// The time from `earlier` to this moment, `None` if `earlier` is later.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// let a = loopbridge::time::Instant::now();
    /// assert_eq!(a.checked_duration_since(a + Duration::from_secs(1)), None);
    /// ```
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.0.checked_duration_since(earlier.0)
    }

    /// The time from `earlier` to this moment, zero if `earlier` is later.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// let a = loopbridge::time::Instant::now();
    /// assert_eq!(a.saturating_duration_since(a + Duration::from_secs(1)), Duration::ZERO);
    /// ```
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.0.saturating_duration_since(earlier.0)
    }

    /// The time from this moment to [`now`]: on a paused tokio runtime, the time its clock
    /// moved, not the wall clock's.
    ///
    /// # Examples
    ///
    /// ```
    /// let start = loopbridge::time::Instant::now();
    /// assert!(start.elapsed() < std::time::Duration::from_secs(60));
    /// ```
    pub fn elapsed(&self) -> Duration {
        now().saturating_duration_since(self.0)
    }

    /// This moment plus `duration`, `None` where that cannot be represented.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// assert_eq!(loopbridge::time::Instant::now().checked_add(Duration::MAX), None);
    /// ```
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.0.checked_add(duration).map(Instant)
    }

    /// This moment minus `duration`, `None` where that cannot be represented.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// assert_eq!(loopbridge::time::Instant::now().checked_sub(Duration::MAX), None);
    /// ```
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.0.checked_sub(duration).map(Instant)
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant(std)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(instant: Instant) -> std::time::Instant {
        instant.0
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    ///
    /// Where the result cannot be represented (as std's); see [`Instant::checked_add`].
    fn add(self, duration: Duration) -> Instant {
        Instant(self.0 + duration)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, duration: Duration) {
        self.0 += duration;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    ///
    /// Where the result cannot be represented (as std's); see [`Instant::checked_sub`].
    fn sub(self, duration: Duration) -> Instant {
        Instant(self.0 - duration)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, duration: Duration) {
        self.0 -= duration;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// The time between the two moments, zero if `earlier` is later (as std's and tokio's).
    fn sub(self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}
