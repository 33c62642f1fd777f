//! [`SmolBackend`]: the `LoopBackend` implementation over an `async_executor::Executor`.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use async_executor::Executor;
use loopbridge_core::context::{self, Ambient, EnterGuard, ThreadRole};
use loopbridge_core::task::{BlockingJob, TaskFuture};
use loopbridge_core::{BackendKind, BlockOnError, LoopBackend};

thread_local! {
    /// The executor the current thread works for (the typed half of the ambient marker).
    static CURRENT: RefCell<Option<SmolBackend>> = const { RefCell::new(None) };
}

/// A [`LoopBackend`] that spawns onto one loopbridge-owned smol executor.
///
/// Cheap to clone (a reference count). Obtain one from [`SmolExecutor::backend`]
/// or, on a thread of such an executor, from [`SmolBackend::try_current`].
///
/// [`SmolExecutor::backend`]: crate::SmolExecutor::backend
///
/// # Examples
///
/// ```
/// use loopbridge_core::{LoopBackend, RunnerConfig};
///
/// let executor = loopbridge_smol::SmolExecutor::start(&RunnerConfig::default()).unwrap();
/// let backend = executor.backend();
/// let inner = backend.block_on(async {
///     // Inside `block_on`, the executor is ambient.
///     loopbridge_smol::SmolBackend::try_current().is_some()
/// });
/// assert!(inner);
/// ```
#[derive(Clone)]
pub struct SmolBackend {
    pub(crate) executor: Arc<Executor<'static>>,
}

impl SmolBackend {
    pub(crate) fn new(executor: Arc<Executor<'static>>) -> Self {
        SmolBackend { executor }
    }

    /// The backend whose executor the calling thread works for: one of its workers, a thread
    /// inside its `block_on`, or one running its `to_thread` jobs.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(loopbridge_smol::SmolBackend::try_current().is_none());
    /// ```
    pub fn try_current() -> Option<Self> {
        CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
    }

    /// Marks the current thread as working for this executor in `role`, until the guard drops.
    pub(crate) fn enter(&self, role: ThreadRole) -> SmolEnterGuard {
        let previous = CURRENT.with(|c| c.replace(Some(self.clone())));
        SmolEnterGuard { previous, _marker: context::enter(Ambient::new(BackendKind::Smol, role)) }
    }
}

/// Restores the previous typed context and marker.
pub(crate) struct SmolEnterGuard {
    previous: Option<SmolBackend>,
    _marker: EnterGuard,
}

impl Drop for SmolEnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|c| c.replace(previous));
    }
}

impl LoopBackend for SmolBackend {
    type Timer = async_io::Timer;

    fn kind(&self) -> BackendKind {
        BackendKind::Smol
    }

    fn spawn_task<F>(&self, task: TaskFuture<F>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // A smol `Task` cancels on drop; detaching gives the loopbridge semantics. A task
        // spawned on a closed executor is dropped by it, which resolves its handle as cancelled.
        self.executor.spawn(task).detach();
    }

    fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let backend = self.clone();
        // Detached, a queued `unblock` job still runs (only dropping its `Task` cancels it).
        blocking::unblock(move || {
            let _context = backend.enter(ThreadRole::Blocking);
            job.run();
        })
        .detach();
    }

    fn try_block_on<F: Future>(&self, future: F) -> Result<F::Output, BlockOnError> {
        context::check_not_worker(None)?;
        let _context = self.enter(ThreadRole::BlockOn);
        Ok(async_io::block_on(future))
    }

    fn timer_at(&self, deadline: Instant) -> Self::Timer {
        async_io::Timer::at(deadline)
    }
}

impl fmt::Debug for SmolBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmolBackend").finish_non_exhaustive()
    }
}
