//! Time: waiting for a duration or a deadline, deadlines on futures, periodic timers — tokio's
//! `tokio::time`, on the timers of whichever runtime is current.
//!
//! Every future here takes its timer from the runtime that is current when it is made (the
//! ambient one, else the global runner) and works wherever it is polled. The semantics are
//! those of [`loopbridge_core::time`], identical on every backend: a [`Sleep`] never completes
//! early, `Duration::ZERO` is one yield and `Duration::MAX` never fires; a [`timeout`] polls its
//! future before its timer; an [`Interval`] never ticks early and handles late ticks by tokio's
//! [`MissedTickBehavior`] policies. Each of those names is also at the crate root.
//!
//! Every deadline is on the clock of the runtime that makes it: [`now`] and [`Instant`] read
//! that clock. It is the wall clock, except inside a tokio runtime paused with tokio's own
//! `pause` (or `#[tokio::test(start_paused = true)]`), where it is tokio's: `sleep`, `timeout`
//! and `interval` then follow tokio's paused time, and never wait on the wall clock.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use loopbridge::time::{interval, sleep, timeout};
//!
//! loopbridge::block_on(async {
//!     sleep(Duration::from_millis(1)).await;
//!     assert!(timeout(Duration::from_millis(1), std::future::pending::<()>()).await.is_err());
//!     let mut ticks = interval(Duration::from_millis(1));
//!     ticks.tick().await; // the first tick is at once
//! });
//! ```

mod clock;
mod instant;
mod interval;
mod sleep;
mod timeout;

pub use clock::{
    ClockError, advance, is_paused, pause, resume, try_advance, try_pause, try_resume,
};
pub(crate) use instant::unpaused_now;
pub use instant::{Instant, now};
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use loopbridge_core::Elapsed;
pub use loopbridge_core::time::YieldNow;
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Timeout, timeout, timeout_at};

/// Yields once to the executor, letting other tasks run.
///
/// # Examples
///
/// ```
/// loopbridge::block_on(loopbridge::yield_now());
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow::new()
}
