//! [`SmolBackend`]: the `LoopBackend` implementation over a loopbridge-owned async-executor.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::thread;
use std::time::Instant;

use async_executor::Executor;
use loopbridge_core::task::{BlockingJob, TaskFuture};
use loopbridge_core::unstable::context::{self, BackendGuard, Marker, ThreadRole};
use loopbridge_core::unstable::lifecycle::{self, Lifecycle};
use loopbridge_core::unstable::pool::BlockingPool;
use loopbridge_core::unstable::{block_on, spin};
use loopbridge_core::{BackendKind, BlockOnError, LoopBackend};

use crate::blocking_region;

thread_local! {
    /// The executor the current thread works for (the typed half of the ambient marker).
    static CURRENT: RefCell<Option<SmolBackend>> = const { RefCell::new(None) };
}

/// What every backend clone of one executor shares: one reference count per clone.
pub(crate) struct Shared {
    /// Held weakly: the [`SmolRuntime`](crate::SmolRuntime) owns the executor.
    pub(crate) executor: Weak<Executor<'static>>,
    pub(crate) lifecycle: Arc<Lifecycle>,
    pub(crate) pool: BlockingPool,
    pub(crate) thread_name: String,
    /// Closed by `shutdown`: replacement workers started by a blocking region stop with the
    /// others.
    pub(crate) stopped: async_channel::Receiver<()>,
    /// The replacement workers started by blocking regions, joined by `shutdown` (finished
    /// ones are joined by the next region, so the list stays as long as the regions open now);
    /// `None` once `shutdown` took them.
    pub(crate) replacements: Mutex<Option<Vec<thread::JoinHandle<()>>>>,
}

impl Shared {
    /// Keeps `thread` for `shutdown` to join, and joins the replacements that have finished —
    /// or `thread` itself, if `shutdown` has taken the list already (it stops at once then:
    /// the stop channel is closed before the list is taken).
    pub(crate) fn keep_replacement(&self, thread: thread::JoinHandle<()>) {
        let finished = {
            let mut replacements = self.replacements.lock().unwrap_or_else(PoisonError::into_inner);
            match replacements.as_mut() {
                Some(replacements) => {
                    let (finished, running) = replacements.drain(..).partition(|t| t.is_finished());
                    *replacements = running;
                    replacements.push(thread);
                    finished
                }
                None => vec![thread],
            }
        };
        join_all(finished);
    }

    /// The replacement workers started so far, for `shutdown` to join; later ones join
    /// themselves (see [`keep_replacement`](Self::keep_replacement)).
    pub(crate) fn take_replacements(&self) -> Vec<thread::JoinHandle<()>> {
        let mut replacements = self.replacements.lock().unwrap_or_else(PoisonError::into_inner);
        replacements.take().unwrap_or_default()
    }
}

/// Joins `threads`; a thread that panicked has nothing left to clean up.
pub(crate) fn join_all(threads: Vec<thread::JoinHandle<()>>) {
    for thread in threads {
        let _ = thread.join();
    }
}

/// A [`LoopBackend`] that spawns onto one loopbridge-owned smol executor.
///
/// Cheap to clone (one reference count). It holds the executor weakly: the
/// [`SmolRuntime`](crate::SmolRuntime) owns it, so a shutdown really drops it — cancelling
/// the tasks still pending — even while backend clones live on; those then refuse new work.
///
/// # Examples
///
/// ```
/// use loopbridge_core::{LoopBackend, RunnerConfig};
///
/// let runtime = loopbridge_smol::SmolRuntime::start(&RunnerConfig::default()).unwrap();
/// let backend = runtime.backend();
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
        context::backend_in(&CURRENT)
    }

    /// The shutdown state shared by every clone; always `Some` (every smol executor is one
    /// loopbridge started), an `Option` as on every adapter.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::RunnerConfig;
    /// let runtime = loopbridge_smol::SmolRuntime::start(&RunnerConfig::default()).unwrap();
    /// assert!(!runtime.backend().lifecycle().unwrap().is_closed());
    /// ```
    pub fn lifecycle(&self) -> Option<&Arc<Lifecycle>> {
        Some(&self.shared.lifecycle)
    }

    /// Marks the current thread as working for this executor in `role`, until the guard drops.
    pub(crate) fn enter(&self, role: ThreadRole) -> BackendGuard<SmolBackend> {
        let marker = Marker::new(BackendKind::Smol, role).with_runtime(self.shared.lifecycle.id());
        context::enter_backend(&CURRENT, self.clone(), marker)
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
        let Some(tracked) = lifecycle::track_task(self.lifecycle(), task) else { return };
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
        let enter = move || backend.enter(ThreadRole::Blocking);
        // Refused after shutdown: dropping the job resolves it as cancelled.
        if let Some(run) = lifecycle::track_blocking(self.lifecycle(), job, enter) {
            self.shared.pool.spawn(run);
        }
    }

    fn try_block_on_until<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        // Checked first, so that a closed runner starts no replacement worker.
        if self.shared.lifecycle.is_closed() {
            return Err(BlockOnError::shut_down());
        }
        blocking_region(|| {
            context::check_not_worker(None)?;
            self.try_block_on_plain_thread(future, deadline)
        })?
    }

    /// Skips the checks for worker threads: runs `future` here, marked as this executor's
    /// `block_on` thread.
    fn try_block_on_plain_thread<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        let _context = self.enter(ThreadRole::BlockOn);
        block_on::run(self.lifecycle(), future, deadline, |future| {
            spin::spin_then(future, |future| async_io::block_on(future))
        })
    }

    /// The runtime's clock, which loopbridge can pause.
    #[inline]
    fn now(&self) -> Instant {
        self.shared.lifecycle.clock().now()
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
