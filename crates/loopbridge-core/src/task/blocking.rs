//! [`BlockingJob`]: the wrapper every backend runs on its blocking pool in place of the closure.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use super::cell::Cell;
use super::{JoinError, JoinHandle};

/// A closure wrapped with loopbridge's `to_thread` semantics; what a backend runs on its
/// blocking pool.
///
/// [`run`](Self::run) never panics: a panic in the closure goes to the [`JoinHandle`]. A job
/// dropped without running (its pool was shut down) resolves its handle as cancelled. Dropping
/// the handle never cancels the job.
///
/// # Examples
///
/// ```
/// use loopbridge_core::task::BlockingJob;
///
/// let (job, handle) = BlockingJob::new(|| 6 * 7);
/// std::thread::spawn(move || job.run()).join().unwrap();
/// assert!(handle.is_finished());
/// ```
#[must_use = "a BlockingJob does nothing until it is run"]
pub struct BlockingJob<F, T> {
    job: Option<F>,
    cell: Arc<Cell<T>>,
}

impl<F, T> BlockingJob<F, T>
where
    F: FnOnce() -> T,
{
    /// Wraps `f`, returning the job to run and the handle to give the caller.
    ///
    /// # Examples
    ///
    /// ```
    /// let (job, handle) = loopbridge_core::task::BlockingJob::new(|| ());
    /// # drop((job, handle));
    /// ```
    pub fn new(f: F) -> (Self, JoinHandle<T>) {
        let cell = Arc::new(Cell::new());
        (BlockingJob { job: Some(f), cell: Arc::clone(&cell) }, JoinHandle::new(cell))
    }

    /// Runs the closure on the current thread and delivers its result, unless the handle
    /// asked for an abort before the job started.
    ///
    /// # Examples
    ///
    /// ```
    /// let (job, handle) = loopbridge_core::task::BlockingJob::new(|| panic!("caught"));
    /// job.run(); // does not panic
    /// assert!(handle.is_finished());
    /// ```
    pub fn run(mut self) {
        let Some(job) = self.job.take() else { return };
        if self.cell.is_abort_requested() {
            self.cell.complete(Err(JoinError::cancelled()));
            return;
        }
        let result = catch_unwind(AssertUnwindSafe(job)).map_err(JoinError::panic);
        self.cell.complete(result);
    }
}

impl<F, T> Drop for BlockingJob<F, T> {
    fn drop(&mut self) {
        if self.job.take().is_some() {
            self.cell.complete(Err(JoinError::cancelled()));
        }
    }
}

impl<F, T> fmt::Debug for BlockingJob<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingJob").field("ran", &self.job.is_none()).finish()
    }
}
