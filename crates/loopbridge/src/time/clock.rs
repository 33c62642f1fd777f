//! [`pause`], [`resume`], [`is_paused`] and [`advance`]: time you control, on the runtime that
//! runs the caller.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use loopbridge_core::LoopBackend;
use loopbridge_core::unstable::clock::Clock;

use crate::runtime::ambient;

/// Freezes the clock of the runtime running the caller — tokio's `time::pause`, on every
/// backend and flavour. Time then stands still except that, whenever the runtime has no work
/// (every task of it waits, none is scheduled or being polled, no `to_thread` job of it runs,
/// every `block_on` future on it waits), it jumps to the earliest timer's deadline and those
/// timers fire: sleeps, timeouts and intervals take no real time. Pausing a paused clock is a
/// no-op. [`now`](crate::time::now) and [`Instant`](crate::time::Instant) read the paused
/// time; `std::time::Instant::now()` stays the wall clock.
///
/// Pause before the tasks and timers it should govern are made (or build the runtime paused:
/// [`RunnerBuilder::start_paused`](crate::RunnerBuilder::start_paused),
/// `#[loopbridge::test(start_paused = true)]`): a timer already running keeps the wall-clock
/// deadline it was set for (never firing early on the clock), and a task woken before the pause
/// and not yet polled is not yet counted as work.
///
/// # Panics
///
/// Where no clock can be paused (see [`try_pause`]).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let runner = loopbridge::Runner::new()?;
/// runner.block_on(async {
///     loopbridge::time::pause();
///     let start = loopbridge::time::Instant::now();
///     loopbridge::sleep(Duration::from_secs(24 * 3600)).await; // a day, at once
///     assert_eq!(start.elapsed(), Duration::from_secs(24 * 3600));
/// });
/// # Ok::<(), loopbridge::Error>(())
/// ```
#[track_caller]
pub fn pause() {
    if let Err(err) = try_pause() {
        panic!("{err}");
    }
}

/// [`pause`], returning an error instead of panicking.
///
/// # Errors
///
/// [`ClockError`]: the caller runs on no runtime loopbridge started (a plain thread, a tokio
/// runtime the application started — pause that with tokio's own `pause`, which loopbridge's
/// timers follow — or an application's own backend, which has no virtual clock).
///
/// # Examples
///
/// ```
/// let err = loopbridge::time::try_pause().unwrap_err(); // a plain thread: no runtime
/// assert!(err.to_string().contains("Runner"));
/// ```
pub fn try_pause() -> Result<(), ClockError> {
    caller_clock().map(|clock| clock.pause_in_poll())
}

/// Lets the clock of the runtime running the caller run again, from where it stands (no jump);
/// timers made while it was paused go back to the runtime's timer. Resuming a running clock is
/// a no-op.
///
/// # Panics
///
/// Where no clock can be paused (see [`try_pause`]).
///
/// # Examples
///
/// ```
/// let runner = loopbridge::Runner::builder().start_paused(true).build()?;
/// runner.block_on(async {
///     assert!(loopbridge::time::is_paused());
///     loopbridge::time::resume();
///     assert!(!loopbridge::time::is_paused());
/// });
/// # Ok::<(), loopbridge::Error>(())
/// ```
#[track_caller]
pub fn resume() {
    if let Err(err) = try_resume() {
        panic!("{err}");
    }
}

/// [`resume`], returning an error instead of panicking.
///
/// # Errors
///
/// As [`try_pause`].
///
/// # Examples
///
/// ```
/// assert!(loopbridge::time::try_resume().is_err()); // a plain thread: no runtime
/// ```
pub fn try_resume() -> Result<(), ClockError> {
    caller_clock().map(|clock| clock.resume())
}

/// Whether the clock of the runtime running the caller is paused; `false` where there is none
/// loopbridge can pause.
///
/// # Examples
///
/// ```
/// assert!(!loopbridge::time::is_paused());
/// ```
pub fn is_paused() -> bool {
    caller_clock().is_ok_and(|clock| clock.is_paused())
}

/// Moves the paused clock of the runtime running the caller forward by `by`, firing the timers
/// due on the way in deadline order and letting the tasks they wake run, then yields once more
/// before it returns — tokio's `time::advance`. An advance past what an `Instant` can hold
/// (`Duration::MAX`) fires every timer the clock can reach and leaves the time at the last of
/// them, without panicking.
///
/// # Panics
///
/// Where no clock can be paused (see [`try_pause`]), or on a running clock: pause it first.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let runner = loopbridge::Runner::builder().start_paused(true).build()?;
/// runner.block_on(async {
///     let start = loopbridge::time::Instant::now();
///     loopbridge::time::advance(Duration::from_secs(90)).await;
///     assert_eq!(start.elapsed(), Duration::from_secs(90));
/// });
/// # Ok::<(), loopbridge::Error>(())
/// ```
pub async fn advance(by: Duration) {
    if let Err(err) = try_advance(by).await {
        panic!("{err}");
    }
}

/// [`advance`], returning an error instead of panicking.
///
/// # Errors
///
/// As [`try_pause`], and [`ClockError::is_running`] on a clock that is not paused.
///
/// # Examples
///
/// ```
/// let runner = loopbridge::Runner::new()?;
/// let err = runner.block_on(loopbridge::time::try_advance(std::time::Duration::from_secs(1)));
/// assert!(err.unwrap_err().is_running());
/// # Ok::<(), loopbridge::Error>(())
/// ```
pub async fn try_advance(by: Duration) -> Result<(), ClockError> {
    let clock = caller_clock()?;
    if !clock.is_paused() {
        return Err(ClockError(Why::Running));
    }
    // Past what an `Instant` can hold: every timer the clock can reach fires, and the time
    // stays at the last of them (moving it to the end of its range would leave no room for a
    // timer made after).
    let target = clock.now().checked_add(by);
    // One group of due timers at a time, yielding between them, so that the timers their
    // tasks make within the window fire in order too.
    while clock.fire_next(target) {
        crate::yield_now().await;
    }
    crate::yield_now().await;
    Ok(())
}

/// The clock of the runtime running the caller.
fn caller_clock() -> Result<Arc<Clock>, ClockError> {
    ambient::with_running(|backend| match backend {
        None => Err(ClockError(Why::NoRuntime)),
        Some(backend) => match backend.clock() {
            Some(clock) => Ok(Arc::clone(clock)),
            None if backend.kind() == loopbridge_core::BackendKind::Tokio => {
                Err(ClockError(Why::ForeignTokio))
            }
            None => Err(ClockError(Why::NoClock)),
        },
    })
}

/// Why the clock could not be paused, resumed or advanced; from [`try_pause`], [`try_resume`]
/// and [`try_advance`].
///
/// # Examples
///
/// ```
/// let err = loopbridge::time::try_pause().unwrap_err();
/// assert!(err.is_no_runtime());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockError(Why);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    NoRuntime,
    ForeignTokio,
    NoClock,
    Running,
}

impl ClockError {
    /// The caller runs on no runtime: a plain thread.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(loopbridge::time::try_resume().unwrap_err().is_no_runtime());
    /// ```
    pub fn is_no_runtime(&self) -> bool {
        self.0 == Why::NoRuntime
    }

    /// The caller runs on a runtime whose clock loopbridge cannot pause: a tokio runtime the
    /// application started, or an application's own backend.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "tokio")] {
    /// let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    /// assert!(rt.block_on(async { loopbridge::time::try_pause() }).unwrap_err().is_not_ours());
    /// # }
    /// ```
    pub fn is_not_ours(&self) -> bool {
        matches!(self.0, Why::ForeignTokio | Why::NoClock)
    }

    /// `advance` on a clock that runs: pause it first.
    ///
    /// # Examples
    ///
    /// See [`try_advance`].
    pub fn is_running(&self) -> bool {
        self.0 == Why::Running
    }
}

impl fmt::Display for ClockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Why::NoRuntime => {
                "no runtime runs the calling thread, so there is no clock to pause, resume or \
                 advance: call it inside a `Runner`, the global runner or a \
                 `#[loopbridge::test]` (or build one paused: \
                 `Runner::builder().start_paused(true)`, `#[loopbridge::test(start_paused = \
                 true)]`)"
            }
            Why::ForeignTokio => {
                "the calling thread runs on a tokio runtime loopbridge did not start, whose clock \
                 is tokio's: pause it with `tokio::time::pause()` (or \
                 `#[tokio::test(start_paused = true)]`), which loopbridge's timers follow there"
            }
            Why::NoClock => {
                "the calling thread runs on an application's own backend \
                 (`Bridge::from_backend`), which has no virtual clock: run the code to test on \
                 a `Runner` to control its time"
            }
            Why::Running => {
                "`time::advance` moves a paused clock, and this one runs: call \
                 `loopbridge::time::pause()` first"
            }
        })
    }
}

impl std::error::Error for ClockError {}
