//! [`AsyncStdRuntime`]: a loopbridge runtime over async-std's global executor.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use loopbridge_core::unstable::context;
use loopbridge_core::unstable::lifecycle::{Lifecycle, ShutdownOutcome};
use loopbridge_core::unstable::pool::BlockingPool;
use loopbridge_core::{Error, RunnerConfig};

use crate::AsyncStdBackend;
use crate::backend::RunnerParts;

/// Tasks on async-std's global runtime, tracked so that they can be shut down.
///
/// # Protocol
///
/// 1. Tasks run on async-std's global runtime (its threads are shared by the whole process and
///    never stop; `worker_threads` does not apply). Each is registered with an abort handle.
///    `to_thread` jobs run on a pool of at most `max_blocking_threads` named threads.
/// 2. [`shutdown`](AsyncStdRuntime::shutdown) closes the [`Lifecycle`], which refuses new work and
///    aborts every registered task; it waits until those tasks are dropped (their destructors
///    run on async-std's threads, which take aborted tasks at once), so every handle is
///    resolved when it returns, whatever the timeout. It then shuts the pool down with the
///    timeout, and reports. Called from an async-std task (of this runner or any other), it does
///    not wait: the tasks are dropped as async-std's threads get to them.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge_core::{LoopBackend, RunnerConfig};
///
/// let runner = loopbridge_async_std::AsyncStdRuntime::start(&RunnerConfig::default()).unwrap();
/// let backend = runner.backend();
/// drop(backend.spawn(std::future::pending::<()>()));
/// let outcome = runner.shutdown(Duration::from_secs(1));
/// assert_eq!(outcome.tasks_cancelled, 1);
/// ```
pub struct AsyncStdRuntime {
    backend: AsyncStdBackend,
    parts: Arc<RunnerParts>,
}

impl AsyncStdRuntime {
    /// Starts a runner: creates its blocking pool; the executor is async-std's.
    ///
    /// # Errors
    ///
    /// None today (the pool starts its threads on demand); the `Result` keeps the signature of
    /// the other backends' runtimes.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loopbridge_core::{BackendKind, LoopBackend, RunnerConfig};
    /// use loopbridge_async_std::AsyncStdRuntime;
    ///
    /// let config = RunnerConfig::default().with_max_blocking_threads(2).with_thread_name("io");
    /// let runner = AsyncStdRuntime::start(&config).unwrap();
    /// assert!(runner.is_alive());
    /// let backend = runner.backend();
    /// assert_eq!(backend.kind(), BackendKind::AsyncStd);
    /// // `to_thread` jobs run on the runner's own pool, on threads named after `thread_name`;
    /// // tasks run on async-std's global executor.
    /// let job = backend.spawn_blocking(|| std::thread::current().name().map(str::to_owned));
    /// let name = backend.block_on(job).unwrap().unwrap();
    /// assert!(name.starts_with("io-blocking-"), "{name}");
    /// assert_eq!(backend.block_on(backend.spawn(async { 1 + 1 })).unwrap(), 2);
    /// runner.shutdown(Duration::from_secs(1));
    /// ```
    pub fn start(config: &RunnerConfig) -> Result<Self, Error> {
        let parts = Arc::new(RunnerParts {
            lifecycle: Lifecycle::with_abort_registry(),
            pool: BlockingPool::new(config.thread_name.clone(), config.max_blocking_threads),
        });
        Ok(AsyncStdRuntime { backend: AsyncStdBackend::for_runner(Arc::clone(&parts)), parts })
    }

    /// A backend that spawns this runner's tasks.
    ///
    /// # Examples
    ///
    /// See [`AsyncStdRuntime`].
    pub fn backend(&self) -> AsyncStdBackend {
        self.backend.clone()
    }

    /// Whether it accepts work (async-std's own threads never stop).
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::RunnerConfig;
    /// let runner = loopbridge_async_std::AsyncStdRuntime::start(&RunnerConfig::default()).unwrap();
    /// assert!(runner.is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        !self.parts.lifecycle.is_closed()
    }

    /// Shuts the runner down as described in the protocol above and reports what happened.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc::{self, TryRecvError};
    /// use std::time::Duration;
    /// use loopbridge_core::{LoopBackend, RunnerConfig};
    /// use loopbridge_async_std::AsyncStdRuntime;
    ///
    /// let runner = AsyncStdRuntime::start(&RunnerConfig::default()).unwrap();
    /// let backend = runner.backend();
    /// let (tx, rx) = mpsc::channel::<()>();
    /// let task = backend.spawn(async move {
    ///     let _tx = tx; // dropped with the task's future
    ///     std::future::pending::<()>().await
    /// });
    ///
    /// let outcome = runner.shutdown(Duration::ZERO);
    /// assert_eq!(outcome.tasks_cancelled, 1);
    /// assert!(task.is_finished());
    /// // The task's future was dropped, its destructors run, before `shutdown` returned.
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
    pub fn shutdown(self, timeout: Duration) -> ShutdownOutcome {
        let lifecycle = &self.parts.lifecycle;
        lifecycle.close();
        // The aborts are carried out by async-std's threads, which every async-std task shares:
        // a thread polling one (of this runner or any other) is one of them, and waiting here
        // could leave the aborted tasks without a thread to drop them.
        if crate::check_blocking().is_ok() {
            lifecycle.wait_for_tasks();
        }
        let pool = self.parts.pool.shutdown(timeout);
        let inside = context::is_inside(lifecycle.id());
        lifecycle.outcome(!inside, pool.still_running)
    }
}

impl fmt::Debug for AsyncStdRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncStdRuntime").field("backend", &self.backend).finish()
    }
}
