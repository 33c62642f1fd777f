//! [`BlockingJob`]: the wrapper every backend runs on its blocking pool in place of the closure.

use std::fmt;

use super::{JoinHandle, Promise};

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
    job: F,
    promise: Promise<T>,
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
        let (promise, handle) = Promise::new();
        (BlockingJob { job: f, promise }, handle)
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
    pub fn run(self) {
        self.promise.run(self.job);
    }
}

impl<F, T> fmt::Debug for BlockingJob<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingJob").finish_non_exhaustive()
    }
}
