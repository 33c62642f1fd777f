//! [`TokioBackend`]: the `LoopBackend` implementation over a tokio `Handle`.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use loopbridge_core::context::{self, Ambient, ThreadRole};
use loopbridge_core::task::{BlockingJob, TaskFuture};
use loopbridge_core::{BackendKind, BlockOnError, LoopBackend};
use tokio::runtime::Handle;

use crate::blocking_region;

/// A [`LoopBackend`] that runs everything on one tokio runtime.
///
/// Cheap to clone (a tokio [`Handle`] is a reference count).
///
/// # Examples
///
/// ```
/// use loopbridge_core::LoopBackend;
/// use loopbridge_tokio::TokioBackend;
///
/// let rt = tokio::runtime::Builder::new_multi_thread().enable_time().build().unwrap();
/// let backend = TokioBackend::new(rt.handle().clone());
/// assert_eq!(backend.block_on(backend.spawn_blocking(|| 2 + 2)).unwrap(), 4);
/// ```
#[derive(Clone, Debug)]
pub struct TokioBackend {
    handle: Handle,
}

impl TokioBackend {
    /// A backend over `handle`. The runtime must have its timer enabled for
    /// [`timer_at`](LoopBackend::timer_at) to work.
    ///
    /// # Examples
    ///
    /// See [`TokioBackend`].
    pub fn new(handle: Handle) -> Self {
        TokioBackend { handle }
    }

    /// The backend of the tokio runtime the calling thread is inside, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(loopbridge_tokio::TokioBackend::try_current().is_none());
    /// ```
    pub fn try_current() -> Option<Self> {
        Handle::try_current().ok().map(TokioBackend::new)
    }

    /// The underlying tokio handle.
    ///
    /// # Examples
    ///
    /// ```
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let backend = loopbridge_tokio::TokioBackend::new(rt.handle().clone());
    /// let _guard = backend.handle().enter(); // tokio APIs now work on this thread
    /// ```
    pub fn handle(&self) -> &Handle {
        &self.handle
    }
}

impl LoopBackend for TokioBackend {
    // tokio's `Sleep` is `!Unpin`; boxing it keeps every backend's timer `Unpin` for the
    // facade, and costs nothing next to the timer wheel's own work.
    type Timer = Pin<Box<tokio::time::Sleep>>;

    fn kind(&self) -> BackendKind {
        BackendKind::Tokio
    }

    fn spawn_task<F>(&self, task: TaskFuture<F>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // Dropping tokio's handle detaches; the result reaches the user through `task`.
        drop(self.handle.spawn(task));
    }

    fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        drop(self.handle.spawn_blocking(move || {
            let _role = context::enter(Ambient::new(BackendKind::Tokio, ThreadRole::Blocking));
            job.run();
        }));
    }

    fn try_block_on<F: Future>(&self, future: F) -> Result<F::Output, BlockOnError> {
        // tokio's own workers are handled by `blocking_region` (block_in_place or refusal).
        context::check_not_worker(Some(BackendKind::Tokio))?;
        blocking_region(|| {
            let _role = context::enter(Ambient::new(BackendKind::Tokio, ThreadRole::BlockOn));
            self.handle.block_on(future)
        })
    }

    fn timer_at(&self, deadline: Instant) -> Self::Timer {
        // tokio timers must be created inside a runtime context; entering our own makes
        // `sleep` work from any thread, and under any other executor.
        let _context = self.handle.enter();
        Box::pin(tokio::time::sleep_until(deadline.into()))
    }
}
