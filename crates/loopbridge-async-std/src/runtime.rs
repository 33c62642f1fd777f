//! [`AsyncStdRunner`]: a loopbridge runner over async-std's global runtime.

use std::fmt;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use loopbridge_core::lifecycle::{Lifecycle, ShutdownOutcome};
use loopbridge_core::pool::BlockingPool;
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
/// 2. [`shutdown`](AsyncStdRunner::shutdown) closes the [`Lifecycle`], which refuses new work and
///    aborts every registered task; it waits, up to the timeout, for those tasks to be dropped
///    (their destructors run on async-std's threads), then shuts the pool down with what is
///    left of the timeout, and reports.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge_core::{LoopBackend, RunnerConfig};
///
/// let runner = loopbridge_async_std::AsyncStdRunner::start(&RunnerConfig::default()).unwrap();
/// let backend = runner.backend();
/// drop(backend.spawn(std::future::pending::<()>()));
/// let outcome = runner.shutdown(Duration::from_secs(1));
/// assert_eq!(outcome.tasks_cancelled, 1);
/// ```
pub struct AsyncStdRunner {
    backend: AsyncStdBackend,
    parts: Arc<RunnerParts>,
}

impl AsyncStdRunner {
    /// Starts a runner: creates its blocking pool; the executor is async-std's.
    ///
    /// # Errors
    ///
    /// None today (the pool starts its threads on demand); the `Result` keeps the signature of
    /// the other backends' runtimes.
    ///
    /// # Examples
    ///
    /// See [`AsyncStdRunner`].
    pub fn start(config: &RunnerConfig) -> Result<Self, Error> {
        let parts = Arc::new(RunnerParts {
            lifecycle: Lifecycle::with_abort_registry(),
            pool: BlockingPool::new(config.thread_name.clone(), config.max_blocking_threads),
        });
        Ok(AsyncStdRunner { backend: AsyncStdBackend::for_runner(Arc::clone(&parts)), parts })
    }

    /// A backend that spawns this runner's tasks.
    ///
    /// # Examples
    ///
    /// See [`AsyncStdRunner`].
    pub fn backend(&self) -> AsyncStdBackend {
        self.backend.clone()
    }

    /// Whether it accepts work (async-std's own threads never stop).
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::RunnerConfig;
    /// let runner = loopbridge_async_std::AsyncStdRunner::start(&RunnerConfig::default()).unwrap();
    /// assert!(runner.is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        !self.parts.lifecycle.is_closed()
    }

    /// Shuts the runner down as described in the protocol above and reports what happened.
    ///
    /// # Examples
    ///
    /// See [`AsyncStdRunner`].
    pub fn shutdown(self, timeout: Duration) -> ShutdownOutcome {
        let deadline = Instant::now() + timeout;
        let lifecycle = &self.parts.lifecycle;
        lifecycle.close();
        // The aborts are carried out by async-std's threads; wait for every task to be dropped.
        while lifecycle.live_tasks() > 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
        let tasks_done = lifecycle.live_tasks() == 0;
        let pool = self.parts.pool.shutdown(deadline.saturating_duration_since(Instant::now()));
        ShutdownOutcome::read(lifecycle, tasks_done).with_still_running(pool.still_running)
    }
}

impl fmt::Debug for AsyncStdRunner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncStdRunner").field("backend", &self.backend).finish()
    }
}
