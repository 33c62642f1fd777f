//! [`AbortHandle`]: a type-erased right to abort one task.

use std::fmt;
use std::sync::Arc;

use super::Id;
use super::cell::Cell;

/// Aborts a task without knowing its output type: what a `JoinSet` hands out for each task it
/// spawns, and what a runner keeps to cancel the tasks of a runtime that has no shutdown of
/// its own (async-std). Cheap to clone, `Send` and `Sync`.
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
    repr: Repr,
}

#[derive(Clone)]
enum Repr {
    Cell(Arc<dyn Abort>),
    #[cfg(feature = "tokio")]
    Tokio(tokio::task::AbortHandle),
}

pub(crate) trait Abort: Send + Sync {
    fn abort(&self);
    fn is_finished(&self) -> bool;
    fn id(&self) -> Id;
}

impl<T: Send> Abort for Cell<T> {
    fn abort(&self) {
        Cell::abort(self);
    }

    fn id(&self) -> Id {
        Cell::id(self)
    }

    fn is_finished(&self) -> bool {
        Cell::is_finished(self)
    }
}

impl AbortHandle {
    pub(crate) fn new<T: Send + 'static>(cell: Arc<Cell<T>>) -> Self {
        AbortHandle { repr: Repr::Cell(cell) }
    }

    #[cfg(feature = "tokio")]
    pub(crate) fn from_tokio(handle: tokio::task::AbortHandle) -> Self {
        AbortHandle { repr: Repr::Tokio(handle) }
    }

    /// Requests cancellation, exactly like [`JoinHandle::abort`](super::JoinHandle::abort).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// use loopbridge_core::unstable::park;
    /// use loopbridge_core::task::TaskFuture;
    ///
    /// let mut cx = Context::from_waker(Waker::noop());
    ///
    /// // Requested before the task ran: its next poll cancels it instead of running it.
    /// let (task, handle) = TaskFuture::new(async { 1 });
    /// let abort = task.abort_handle();
    /// abort.abort();
    /// assert_eq!(std::pin::pin!(task).poll(&mut cx), Poll::Ready(()));
    /// assert!(park::wait(handle).unwrap_err().is_cancelled());
    ///
    /// // Too late once the task has finished: its result stays.
    /// let (task, handle) = TaskFuture::new(async { 2 });
    /// let abort = task.abort_handle();
    /// assert_eq!(std::pin::pin!(task).poll(&mut cx), Poll::Ready(()));
    /// abort.abort();
    /// assert_eq!(park::wait(handle).unwrap(), 2);
    /// ```
    pub fn abort(&self) {
        match &self.repr {
            Repr::Cell(cell) => cell.abort(),
            #[cfg(feature = "tokio")]
            Repr::Tokio(handle) => handle.abort(),
        }
    }

    /// Whether the task has finished — completed, panicked or been cancelled — exactly like
    /// [`JoinHandle::is_finished`](super::JoinHandle::is_finished).
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::task::TaskFuture;
    /// use loopbridge_core::unstable::park;
    ///
    /// let (task, handle) = TaskFuture::new(async { 3 });
    /// let abort = handle.abort_handle();
    /// assert!(!abort.is_finished());
    /// park::wait(task);
    /// assert!(abort.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        match &self.repr {
            Repr::Cell(cell) => cell.is_finished(),
            #[cfg(feature = "tokio")]
            Repr::Tokio(handle) => handle.is_finished(),
        }
    }
}

impl AbortHandle {
    /// The id of the task, the same as its [`JoinHandle::id`](super::JoinHandle::id).
    ///
    /// # Examples
    ///
    /// ```
    /// let (_task, handle) = loopbridge_core::task::TaskFuture::new(async {});
    /// assert_eq!(handle.abort_handle().id(), handle.id());
    /// ```
    pub fn id(&self) -> Id {
        match &self.repr {
            Repr::Cell(cell) => cell.id(),
            #[cfg(feature = "tokio")]
            Repr::Tokio(handle) => Id::from_tokio(handle.id()),
        }
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle").field("id", &self.id()).finish_non_exhaustive()
    }
}
