//! [`SmolBackend`]: the `LoopBackend` implementation over a loopbridge-owned async-executor.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Weak};
use std::time::Instant;

use async_executor::Executor;
use loopbridge_core::context::{self, Ambient, EnterGuard, ThreadRole};
use loopbridge_core::lifecycle::Lifecycle;
use loopbridge_core::park;
use loopbridge_core::pool::BlockingPool;
use loopbridge_core::task::{BlockingJob, TaskFuture};
use loopbridge_core::{BackendKind, BlockOnError, LoopBackend};

use crate::blocking_region;

thread_local! {
    /// The executor the current thread works for (the typed half of the ambient marker).
    static CURRENT: RefCell<Option<SmolBackend>> = const { RefCell::new(None) };
}

/// What every backend clone of one executor shares: one reference count per clone.
pub(crate) struct Shared {
    /// Held weakly: the [`SmolExecutor`](crate::SmolExecutor) owns the executor.
    pub(crate) executor: Weak<Executor<'static>>,
    pub(crate) lifecycle: Arc<Lifecycle>,
    pub(crate) pool: BlockingPool,
    pub(crate) thread_name: String,
    /// Closed by `shutdown`: replacement workers started by a handoff stop with the others.
    pub(crate) stopped: async_channel::Receiver<()>,
}

/// A [`LoopBackend`] that spawns onto one loopbridge-owned smol executor.
///
/// Cheap to clone (one reference count). It holds the executor weakly: the
/// [`SmolExecutor`](crate::SmolExecutor) owns it, so a shutdown really drops it — cancelling
/// the tasks still pending — even while backend clones live on; those then refuse new work.
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
    pub(crate) shared: Arc<Shared>,
}

impl SmolBackend {
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

    /// The shutdown state shared by every clone.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::RunnerConfig;
    /// let executor = loopbridge_smol::SmolExecutor::start(&RunnerConfig::default()).unwrap();
    /// assert!(!executor.backend().lifecycle().is_closed());
    /// ```
    pub fn lifecycle(&self) -> &Arc<Lifecycle> {
        &self.shared.lifecycle
    }

    /// [`try_block_on_until`](LoopBackend::try_block_on_until) for a caller that is known to
    /// run on a plain thread — no loopbridge marker, no other runtime's context (the
    /// `loopbridge` facade checks this once for all backends) — where the checks for worker
    /// threads would find nothing.
    ///
    /// # Errors
    ///
    /// [`BlockOnError::is_shut_down`] and [`BlockOnError::is_timed_out`], as
    /// `try_block_on_until`. Called from a thread that is not plain, it may block a worker.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::RunnerConfig;
    /// let executor = loopbridge_smol::SmolExecutor::start(&RunnerConfig::default()).unwrap();
    /// let backend = executor.backend();
    /// assert_eq!(backend.try_block_on_plain_thread(async { 1 }, None).unwrap(), 1);
    /// ```
    pub fn try_block_on_plain_thread<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        if self.shared.lifecycle.is_closed() {
            return Err(BlockOnError::shut_down());
        }
        self.run_here(future, deadline)
    }

    /// Runs `future` on this thread, marked as this executor's `block_on` thread.
    fn run_here<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        let _context = self.enter(ThreadRole::BlockOn);
        // A shutdown answers this caller even if its future could never finish.
        park::block_on_until(self.shared.lifecycle.until_closed(future), deadline, |future| {
            park::spin_then(future, |future| async_io::block_on(future))
        })?
    }

    /// Marks the current thread as working for this executor in `role`, until the guard drops.
    pub(crate) fn enter(&self, role: ThreadRole) -> SmolEnterGuard {
        let previous = CURRENT.with(|c| c.replace(Some(self.clone())));
        let ambient =
            Ambient::new(BackendKind::Smol, role).with_runtime(self.shared.lifecycle.id());
        SmolEnterGuard { previous, _marker: context::enter(ambient) }
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
        // A smol `Task` cancels on drop; detaching gives the loopbridge semantics. After a
        // shutdown the task is refused (or the executor is gone) and dropped here, which
        // resolves its handle as cancelled.
        let Some(tracked) = self.shared.lifecycle.track_task(task) else { return };
        if let Some(executor) = self.shared.executor.upgrade() {
            executor.spawn(tracked).detach();
        }
    }

    fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let backend = self.clone();
        let run = move || {
            let _context = backend.enter(ThreadRole::Blocking);
            job.run();
        };
        // Refused after shutdown: dropping `run` drops the job, resolving it as cancelled.
        if let Some(run) = self.shared.lifecycle.track_job(run) {
            self.shared.pool.spawn(run);
        }
    }

    fn try_block_on_until<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        if self.shared.lifecycle.is_closed() {
            return Err(BlockOnError::shut_down());
        }
        blocking_region(|| {
            context::check_not_worker(None)?;
            self.run_here(future, deadline)
        })?
    }

    fn timer_at(&self, deadline: Instant) -> Self::Timer {
        async_io::Timer::at(deadline)
    }
}

impl fmt::Debug for SmolBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmolBackend")
            .field("thread_name", &self.shared.thread_name)
            .field("lifecycle", &self.shared.lifecycle)
            .finish_non_exhaustive()
    }
}
