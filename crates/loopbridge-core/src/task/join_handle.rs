//! [`JoinHandle`]: the backend-neutral handle to a spawned task.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::cell::Cell;
use super::{AbortHandle, Id, JoinError};

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
    repr: Repr<T>,
}

enum Repr<T> {
    /// The cell shared with a [`TaskFuture`](super::TaskFuture) or a blocking job.
    Cell(Arc<Cell<T>>),
    /// tokio's own handle, whose semantics are these (see [`JoinHandle::from_tokio`]): no
    /// second allocation and no second state machine beside tokio's.
    #[cfg(feature = "tokio")]
    Tokio(tokio::task::JoinHandle<T>),
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(cell: Arc<Cell<T>>) -> Self {
        JoinHandle { repr: Repr::Cell(cell) }
    }

    /// The handle of a task spawned on tokio wrapped in a [`NativeTask`](crate::lifecycle::NativeTask),
    /// which gives tokio's own handle loopbridge's semantics: tokio already detaches on drop,
    /// reports a panic with its payload, catches a panicking destructor on abort and cancels
    /// on shutdown; the wrapper adds the one missing rule (a destructor that panics after the
    /// future's last poll fails the task). For the tokio adapter.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::JoinHandle;
    /// use loopbridge_core::unstable::{lifecycle, park};
    ///
    /// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let task = lifecycle::track_native(None, async { 7 }).ok().unwrap();
    /// let handle = JoinHandle::from_tokio(rt.spawn(task));
    /// assert_eq!(rt.block_on(handle).unwrap(), 7);
    /// ```
    #[cfg(feature = "tokio")]
    pub fn from_tokio(handle: tokio::task::JoinHandle<T>) -> Self {
        JoinHandle { repr: Repr::Tokio(handle) }
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
        match &self.repr {
            Repr::Cell(cell) => cell.abort(),
            #[cfg(feature = "tokio")]
            Repr::Tokio(handle) => handle.abort(),
        }
    }

    /// The id of the task: what [`task::id`](super::id) returns inside it, and what its
    /// [`JoinError`] carries.
    ///
    /// # Examples
    ///
    /// ```
    /// let (_a, a) = loopbridge_core::task::TaskFuture::new(async {});
    /// let (_b, b) = loopbridge_core::task::TaskFuture::new(async {});
    /// assert_ne!(a.id(), b.id());
    /// ```
    pub fn id(&self) -> Id {
        match &self.repr {
            Repr::Cell(cell) => cell.id(),
            #[cfg(feature = "tokio")]
            Repr::Tokio(handle) => Id::from_tokio(handle.id()),
        }
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
        match &self.repr {
            Repr::Cell(cell) => cell.is_finished(),
            #[cfg(feature = "tokio")]
            Repr::Tokio(handle) => handle.is_finished(),
        }
    }
}

impl<T: Send + 'static> JoinHandle<T> {
    /// A handle that aborts this task (or tells whether it finished) without owning its
    /// result: it can be cloned, and outlive the `JoinHandle`.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::task::TaskFuture;
    /// use loopbridge_core::unstable::park;
    ///
    /// let (task, handle) = TaskFuture::new(std::future::pending::<()>());
    /// let abort = handle.abort_handle();
    /// abort.abort();
    /// park::wait(task); // its next poll carries the abort out
    /// assert!(abort.is_finished());
    /// assert!(park::wait(handle).unwrap_err().is_cancelled());
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        match &self.repr {
            Repr::Cell(cell) => AbortHandle::new(Arc::clone(cell)),
            #[cfg(feature = "tokio")]
            Repr::Tokio(handle) => AbortHandle::from_tokio(handle.abort_handle()),
        }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().repr {
            Repr::Cell(cell) => match cell.poll_result(cx.waker()) {
                Some(result) => Poll::Ready(result),
                None => Poll::Pending,
            },
            #[cfg(feature = "tokio")]
            Repr::Tokio(handle) => Pin::new(handle).poll(cx).map_err(JoinError::from_tokio),
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}
