//! [`Promise`]: the completing half of a [`JoinHandle`], for work that is not a spawned future.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use super::cell::Cell;
use super::{JoinError, JoinHandle};

/// The right to complete one [`JoinHandle`], for work run by something other than an executor
/// (a blocking pool, a dedicated thread).
///
/// Dropping a `Promise` without completing it resolves the handle as cancelled, so a handle
/// whose work is lost (a queue dropped at shutdown, a thread gone) never hangs.
///
/// # Examples
///
/// ```
/// use loopbridge_core::task::Promise;
///
/// let (promise, handle) = Promise::new();
/// std::thread::spawn(move || promise.run(|| 6 * 7));
/// # let handle = handle;
/// # while !handle.is_finished() { std::thread::yield_now(); }
/// assert!(handle.is_finished());
/// ```
#[must_use = "dropping a Promise resolves its handle as cancelled"]
pub struct Promise<T> {
    cell: Option<Arc<Cell<T>>>,
}

impl<T> Promise<T> {
    /// A promise and the handle it completes.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, handle) = loopbridge_core::task::Promise::<u8>::new();
    /// drop(promise);
    /// assert!(handle.is_finished()); // cancelled
    /// ```
    pub fn new() -> (Self, JoinHandle<T>) {
        let cell = Arc::new(Cell::new());
        (Promise { cell: Some(Arc::clone(&cell)) }, JoinHandle::new(cell))
    }

    /// Whether the handle asked for an abort; work that has not started should then be skipped
    /// (complete with [`JoinError::cancelled`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, handle) = loopbridge_core::task::Promise::<()>::new();
    /// handle.abort();
    /// assert!(promise.is_abort_requested());
    /// ```
    pub fn is_abort_requested(&self) -> bool {
        self.cell.as_ref().is_some_and(|cell| cell.is_abort_requested())
    }

    /// Delivers `result` to the handle.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, handle) = loopbridge_core::task::Promise::new();
    /// promise.complete(Ok(1));
    /// assert!(handle.is_finished());
    /// ```
    pub fn complete(mut self, result: Result<T, JoinError>) {
        if let Some(cell) = self.cell.take() {
            cell.complete(result);
        }
    }

    /// Runs `f` here unless an abort was requested, and delivers its value — or its panic, as a
    /// [`JoinError`] with the payload. Never panics itself.
    ///
    /// # Examples
    ///
    /// ```
    /// let (promise, handle) = loopbridge_core::task::Promise::<()>::new();
    /// promise.run(|| panic!("caught")); // does not unwind
    /// assert!(handle.is_finished());
    /// ```
    pub fn run(self, f: impl FnOnce() -> T) {
        if self.is_abort_requested() {
            self.complete(Err(JoinError::cancelled()));
            return;
        }
        let result = {
            let _id = self.cell.as_ref().map(|cell| cell.id().enter());
            catch_unwind(AssertUnwindSafe(f)).map_err(JoinError::panic)
        };
        self.complete(result);
    }
}

impl<T> Drop for Promise<T> {
    fn drop(&mut self) {
        if let Some(cell) = self.cell.take() {
            cell.complete(Err(JoinError::cancelled()));
        }
    }
}

impl<T> fmt::Debug for Promise<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Promise").field("completed", &self.cell.is_none()).finish()
    }
}
