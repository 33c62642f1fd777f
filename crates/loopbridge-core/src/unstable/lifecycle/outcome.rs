//! [`ShutdownOutcome`]: what an owned runtime's shutdown did.

/// What an owned runtime's shutdown did; adapters return it and the facade reports it.
///
/// # Examples
///
/// ```
/// let outcome = loopbridge_core::unstable::lifecycle::ShutdownOutcome::default();
/// assert!(!outcome.completed_in_time);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShutdownOutcome {
    /// Tasks the shutdown cancelled (their destructors ran, and their handles are resolved).
    pub tasks_cancelled: usize,
    /// Blocking jobs still running when the shutdown returned; they finish on their own.
    pub blocking_still_running: usize,
    /// Whether everything stopped and every thread was joined within the timeout. Always false
    /// for a shutdown started from the runtime's own threads, which cannot wait for themselves.
    pub completed_in_time: bool,
}

impl ShutdownOutcome {
    /// Made by [`Lifecycle::outcome`](super::Lifecycle::outcome).
    pub(super) fn new(tasks_cancelled: usize, blocking_still_running: usize, joined: bool) -> Self {
        ShutdownOutcome {
            tasks_cancelled,
            blocking_still_running,
            completed_in_time: joined && blocking_still_running == 0,
        }
    }
}
