//! [`TaskFuture`]: the wrapper every backend spawns in place of the user's future.

use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::cell::Cell;
use super::{AbortHandle, JoinError, JoinHandle};

pin_project! {
    /// The user's future, until it is dropped (also by [`NativeTask`](crate::lifecycle::NativeTask)).
    #[project = StageProj]
    pub(crate) enum Stage<F> {
        Running { #[pin] future: F },
        Done,
    }
}

pin_project! {
    /// A user's future wrapped with loopbridge's task semantics; what a backend spawns.
    ///
    /// Its output is `()`: the real result goes to the [`JoinHandle`] returned by
    /// [`new`](Self::new). It never panics out of `poll` or `drop`, so no executor ever sees a
    /// panic from user code (async-task aborts the process on a panicking destructor).
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::task::TaskFuture;
    ///
    /// let (task, handle) = TaskFuture::new(async { panic!("boom") });
    /// block_on(task); // the panic is caught inside the task...
    /// let err = block_on(handle).unwrap_err();
    /// assert!(err.is_panic()); // ...and reported to whoever awaits the handle.
    /// # fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    /// #     let mut fut = std::pin::pin!(fut);
    /// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// #     loop { if let std::task::Poll::Ready(v) = fut.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// ```
    #[must_use = "a TaskFuture does nothing until an executor polls it"]
    pub struct TaskFuture<F: Future> {
        #[pin]
        stage: Stage<F>,
        cell: Arc<Cell<F::Output>>,
    }

    impl<F: Future> PinnedDrop for TaskFuture<F> {
        fn drop(this: Pin<&mut Self>) {
            // Dropped by the executor before completion: shutdown, or spawned onto a runtime
            // that is gone. The handle must still resolve.
            let mut this = this.project();
            if matches!(this.stage.as_mut().project(), StageProj::Done) {
                return; // the common case: completed, the future already dropped
            }
            let _id = this.cell.id().enter(); // the destructor runs as the task, as on tokio
            if let Some(outcome) = drop_future(this.stage) {
                this.cell.complete(Err(outcome.unwrap_or_else(|()| JoinError::cancelled())));
            }
        }
    }
}

impl<F: Future> TaskFuture<F> {
    /// Wraps `future`, returning the task to spawn and the handle to give the caller.
    ///
    /// # Examples
    ///
    /// ```
    /// let (task, handle) = loopbridge_core::task::TaskFuture::new(async { 1 });
    /// # drop((task, handle));
    /// ```
    pub fn new(future: F) -> (Self, JoinHandle<F::Output>) {
        let cell = Arc::new(Cell::new());
        let task = TaskFuture { stage: Stage::Running { future }, cell: Arc::clone(&cell) };
        (task, JoinHandle::new(cell))
    }
}

impl<F> TaskFuture<F>
where
    F: Future,
    F::Output: Send + 'static,
{
    /// A handle that aborts this task, usable without knowing its output type.
    ///
    /// # Examples
    ///
    /// See [`AbortHandle`].
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle::new(Arc::clone(&self.cell))
    }
}

impl<F: Future> TaskFuture<F> {
    /// Cancels the task here, instead of polling it: drops the future and resolves the handle
    /// as cancelled (or with the panic of the future's destructor). For a wrapper that finds
    /// its runtime shut down before the runtime could abort the task.
    pub(crate) fn cancel(self: Pin<&mut Self>) -> Poll<()> {
        let this = self.project();
        abort(this.stage, this.cell)
    }
}

/// Drops the user's future in place, catching a panic from its destructor.
///
/// Returns `None` if it was already dropped, `Some(Err(()))` after a clean drop and
/// `Some(Ok(join_error))` if the destructor panicked.
pub(crate) fn drop_future<F>(mut stage: Pin<&mut Stage<F>>) -> Option<Result<JoinError, ()>> {
    if matches!(stage.as_mut().project(), StageProj::Done) {
        return None;
    }
    // `Pin::set` drops the old value in place; even if that drop unwinds, the new value is
    // written, so the future is never dropped twice.
    match catch_unwind(AssertUnwindSafe(|| stage.set(Stage::Done))) {
        Ok(()) => Some(Err(())),
        Err(payload) => Some(Ok(JoinError::panic(payload))),
    }
}

/// Carries out a requested abort: drops the future here and resolves the handle cancelled (or
/// with the panic of the future's destructor).
fn abort<F: Future>(stage: Pin<&mut Stage<F>>, cell: &Cell<F::Output>) -> Poll<()> {
    let outcome = drop_future(stage);
    cell.complete(Err(outcome.and_then(Result::ok).unwrap_or_else(JoinError::cancelled)));
    Poll::Ready(())
}

impl<F: Future> Future for TaskFuture<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let future = match this.stage.as_mut().project() {
            StageProj::Running { future } => future,
            StageProj::Done => return Poll::Ready(()),
        };
        let _id = this.cell.id().enter();
        if this.cell.is_abort_requested() {
            return abort(this.stage, this.cell);
        }
        let result = match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => {
                if this.cell.park(cx.waker()) {
                    return Poll::Pending;
                }
                return abort(this.stage, this.cell);
            }
            Ok(Poll::Ready(value)) => match drop_future(this.stage) {
                Some(Ok(destructor_panic)) => Err(destructor_panic),
                _ => Ok(value),
            },
            Err(payload) => {
                // A second panic from the destructor of a future that already panicked is
                // dropped: the first one is what the awaiter needs to see.
                let _ = drop_future(this.stage);
                Err(JoinError::panic(payload))
            }
        };
        this.cell.complete(result);
        Poll::Ready(())
    }
}

impl<F: Future> fmt::Debug for TaskFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskFuture")
            .field("running", &matches!(self.stage, Stage::Running { .. }))
            .finish()
    }
}
