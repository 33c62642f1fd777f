//! [`JoinHandle`]: the backend-neutral handle to a spawned task.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::cell::Cell;
use super::{AbortHandle, JoinError};

/// An owned permission to await a spawned task or `to_thread` job, and to abort it.
///
/// Awaiting it gives `Ok(value)`, or a [`JoinError`] if the task panicked (with the original
/// payload) or was cancelled.
///
/// # Detach on drop
///
/// Dropping a `JoinHandle` **detaches** the task: it keeps running to completion, on every
/// backend. (smol's native `Task` cancels on drop; loopbridge normalizes to tokio's behaviour.)
/// To stop a task, call [`abort`](Self::abort).
///
/// # Cancel safety
///
/// Awaiting is cancel safe: dropping the `.await` (in a `select!`, say) loses nothing, and the
/// handle can be polled again later.
///
/// # Examples
///
/// ```
/// let (task, handle) = loopbridge_core::task::TaskFuture::new(async { "done" });
/// drop(task); // an executor that drops the task instead of running it...
/// let err = pollster_block_on(handle).unwrap_err();
/// assert!(err.is_cancelled()); // ...resolves the handle as cancelled: it never hangs.
/// # fn pollster_block_on<F: std::future::Future>(fut: F) -> F::Output {
/// #     let mut fut = std::pin::pin!(fut);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = fut.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
#[must_use = "dropping a JoinHandle detaches the task: it keeps running; `.await` it to get its \
              result, or call `abort()` to stop it"]
pub struct JoinHandle<T> {
    cell: Arc<Cell<T>>,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(cell: Arc<Cell<T>>) -> Self {
        JoinHandle { cell }
    }

    /// Requests cancellation of the task.
    ///
    /// The task stops at its next `.await` point (or before its first poll), its future is
    /// dropped on the executor, and awaiting the handle gives `Err(e)` with
    /// [`e.is_cancelled()`](JoinError::is_cancelled) — unless the task had already finished,
    /// in which case its result is kept. Idempotent.
    ///
    /// A `to_thread` job that has not started yet is skipped; one that is already running
    /// cannot be interrupted and delivers its result.
    ///
    /// # Examples
    ///
    /// ```
    /// let (task, handle) = loopbridge_core::task::TaskFuture::new(std::future::pending::<()>());
    /// handle.abort();
    /// handle.abort(); // idempotent
    /// # let mut task = std::pin::pin!(task);
    /// # let _ = task.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop()));
    /// # use std::future::Future;
    /// assert!(handle.is_finished());
    /// ```
    pub fn abort(&self) {
        self.cell.abort();
    }

    /// Whether the task has finished: completed, panicked or been cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// let (_task, handle) = loopbridge_core::task::TaskFuture::new(async {});
    /// assert!(!handle.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        self.cell.is_finished()
    }
}

impl<T: Send + 'static> JoinHandle<T> {
    /// A handle that aborts this task (or tells whether it finished) without owning its
    /// result: it can be cloned, and outlive the `JoinHandle`.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::{park, task::TaskFuture};
    ///
    /// let (task, handle) = TaskFuture::new(std::future::pending::<()>());
    /// let abort = handle.abort_handle();
    /// abort.abort();
    /// park::wait(task); // its next poll carries the abort out
    /// assert!(abort.is_finished());
    /// assert!(park::wait(handle).unwrap_err().is_cancelled());
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle::new(Arc::clone(&self.cell))
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.cell.poll_result(cx.waker()) {
            Some(result) => Poll::Ready(result),
            None => Poll::Pending,
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle").field("finished", &self.is_finished()).finish()
    }
}
