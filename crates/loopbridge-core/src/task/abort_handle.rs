//! [`AbortHandle`]: a type-erased right to abort one task.

use std::fmt;
use std::sync::Arc;

use super::cell::Cell;

/// Aborts a task without knowing its output type: what a runner keeps to cancel the tasks of
/// a runtime that has no shutdown of its own (async-std).
///
/// # Examples
///
/// ```
/// use loopbridge_core::task::TaskFuture;
///
/// let (task, handle) = TaskFuture::new(std::future::pending::<()>());
/// let abort = task.abort_handle();
/// abort.abort();
/// # let mut task = std::pin::pin!(task);
/// # let _ = std::future::Future::poll(task.as_mut(), &mut std::task::Context::from_waker(std::task::Waker::noop()));
/// assert!(handle.is_finished());
/// ```
#[derive(Clone)]
pub struct AbortHandle {
    cell: Arc<dyn Abort>,
}

pub(crate) trait Abort: Send + Sync {
    fn abort(&self);
}

impl<T: Send> Abort for Cell<T> {
    fn abort(&self) {
        Cell::abort(self);
    }
}

impl AbortHandle {
    pub(crate) fn new<T: Send + 'static>(cell: Arc<Cell<T>>) -> Self {
        AbortHandle { cell }
    }

    /// Requests cancellation, exactly like [`JoinHandle::abort`](super::JoinHandle::abort).
    ///
    /// # Examples
    ///
    /// See [`AbortHandle`].
    pub fn abort(&self) {
        self.cell.abort();
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle").finish_non_exhaustive()
    }
}
