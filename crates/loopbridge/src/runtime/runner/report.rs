//! [`ShutdownReport`]: what a [`Runner`](super::Runner)'s shutdown did.

use loopbridge_core::unstable::lifecycle::ShutdownOutcome;

/// What a [`Runner::shutdown`](crate::Runner::shutdown) did.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let runner = loopbridge::Runner::new()?;
/// drop(runner.spawn(std::future::pending::<()>()));
/// let report = runner.shutdown(Duration::from_secs(5));
/// assert_eq!(report.tasks_cancelled(), 1);
/// assert_eq!(report.blocking_still_running(), 0);
/// # Ok::<(), loopbridge::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShutdownReport {
    outcome: ShutdownOutcome,
}

impl ShutdownReport {
    pub(super) fn new(outcome: ShutdownOutcome) -> Self {
        ShutdownReport { outcome }
    }

    pub(crate) fn nothing_to_do() -> Self {
        let mut outcome = ShutdownOutcome::default();
        outcome.completed_in_time = true;
        ShutdownReport { outcome }
    }

    /// Tasks the shutdown cancelled; their destructors ran.
    ///
    /// # Examples
    ///
    /// See [`ShutdownReport`].
    pub fn tasks_cancelled(&self) -> usize {
        self.outcome.tasks_cancelled
    }

    /// `to_thread` jobs still running when the shutdown returned; they finish on their own.
    ///
    /// # Examples
    ///
    /// See [`ShutdownReport`].
    pub fn blocking_still_running(&self) -> usize {
        self.outcome.blocking_still_running
    }

    /// Whether everything stopped and every thread was joined within the timeout. False when
    /// the shutdown was started from the runner's own threads, which cannot wait for themselves.
    ///
    /// # Examples
    ///
    /// See [`Runner`](crate::Runner).
    pub fn completed_in_time(&self) -> bool {
        self.outcome.completed_in_time
    }
}
