//! [`SmolExecutor`]: an async-executor owned by loopbridge, on named threads.
//!
//! The start and shutdown protocol is documented on [`SmolExecutor`].

use std::fmt;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use async_executor::Executor;
use loopbridge_core::context::{self, ThreadRole};
use loopbridge_core::lifecycle::{Lifecycle, ShutdownOutcome};
use loopbridge_core::local::LocalScope;
use loopbridge_core::pool::BlockingPool;
use loopbridge_core::{Error, RunnerConfig};

use crate::SmolBackend;
use crate::backend::Shared;

/// An executor with its own worker threads and blocking pool.
///
/// # Protocol
///
/// 1. `worker_threads` named threads each run the executor until the stop channel closes,
///    marked as workers of this executor in [`loopbridge_core::context`]. `to_thread` jobs run
///    on a pool of at most `max_blocking_threads` named threads. The only worker of a
///    one-thread executor also drives the local tasks its tasks spawn
///    ([`loopbridge_core::local`]), and cancels those still pending when it stops.
/// 2. The executor is owned here; backends hold it weakly, so that the shutdown can drop it.
/// 3. [`shutdown`](SmolExecutor::shutdown) closes the [`Lifecycle`] (later spawns resolve
///    cancelled, `block_on` reports `is_shut_down()`), closes the stop channel, joins the
///    workers (never itself, and not past the timeout), and drops the executor, which cancels
///    the tasks still pending and runs their destructors. It then shuts the blocking pool down
///    with what is left of the timeout, and reports.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge_core::{LoopBackend, RunnerConfig};
///
/// let executor = loopbridge_smol::SmolExecutor::start(&RunnerConfig::default()).unwrap();
/// let backend = executor.backend();
/// backend.block_on(backend.sleep(Duration::from_millis(1)));
/// assert!(executor.shutdown(Duration::from_secs(1)).completed_in_time);
/// ```
pub struct SmolExecutor {
    executor: Arc<Executor<'static>>,
    backend: SmolBackend,
    stop: async_channel::Sender<()>,
    workers: Vec<thread::JoinHandle<()>>,
}

impl SmolExecutor {
    /// Starts an executor with `config.worker_threads` named worker threads.
    ///
    /// # Errors
    ///
    /// [`Error::io`] if a thread cannot be started; the ones already started are stopped.
    ///
    /// # Examples
    ///
    /// See [`SmolExecutor`].
    pub fn start(config: &RunnerConfig) -> Result<Self, Error> {
        let executor = Arc::new(Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let single_threaded = config.worker_threads <= 1;
        let shared = Arc::new(Shared {
            executor: Arc::downgrade(&executor),
            lifecycle: Lifecycle::new(),
            pool: BlockingPool::new(config.thread_name.clone(), config.max_blocking_threads),
            thread_name: config.thread_name.clone(),
            stopped: stopped.clone(),
        });
        let backend = SmolBackend { shared };
        let mut this = SmolExecutor { executor, backend, stop, workers: Vec::new() };
        for index in 0..config.worker_threads.max(1) {
            let (backend, executor, stopped) =
                (this.backend.clone(), Arc::clone(&this.executor), stopped.clone());
            let worker = thread::Builder::new()
                .name(format!("{}-{index}", config.thread_name))
                .spawn(move || {
                    let _context = backend.enter(ThreadRole::Worker { single_threaded });
                    let run = executor.run(async {
                        // Returns when every sender is gone: `shutdown` or drop.
                        let _ = stopped.recv().await;
                    });
                    if single_threaded {
                        // Every task runs on this thread: their local tasks can run here too,
                        // and those still pending are cancelled here when the worker stops.
                        let scope = LocalScope::enter();
                        async_io::block_on(scope.drive(run));
                    } else {
                        async_io::block_on(run);
                    }
                });
            match worker {
                Ok(worker) => this.workers.push(worker),
                Err(e) => {
                    this.shutdown(Duration::ZERO);
                    return Err(Error::io("start a smol worker thread", e));
                }
            }
        }
        Ok(this)
    }

    /// A backend that spawns onto this executor.
    ///
    /// # Examples
    ///
    /// See [`SmolExecutor`].
    pub fn backend(&self) -> SmolBackend {
        self.backend.clone()
    }

    /// Whether it accepts work and all its workers are alive.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::RunnerConfig;
    /// let executor = loopbridge_smol::SmolExecutor::start(&RunnerConfig::default()).unwrap();
    /// assert!(executor.is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        !self.backend.shared.lifecycle.is_closed()
            && self.workers.iter().all(|worker| !worker.is_finished())
    }

    /// Shuts the executor down as described in the protocol above and reports what happened.
    /// Works from any thread, including the executor's own (it never joins itself).
    ///
    /// # Examples
    ///
    /// See [`SmolExecutor`].
    pub fn shutdown(self, timeout: Duration) -> ShutdownOutcome {
        let deadline = Instant::now() + timeout;
        let SmolExecutor { executor, backend, stop, workers } = self;
        let lifecycle = &backend.shared.lifecycle;
        lifecycle.close();
        stop.close();
        let current = thread::current().id();
        let mut joined = true;
        for worker in workers {
            if worker.thread().id() == current {
                joined = false; // we are this worker: it exits once our task returns
                continue;
            }
            while !worker.is_finished() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(1));
            }
            if worker.is_finished() {
                let _ = worker.join();
            } else {
                joined = false; // stuck in a task past the timeout: left to finish
            }
        }
        // The last strong reference unless a worker is still inside `run`: dropping it cancels
        // the pending tasks and runs their destructors (here, or when that worker leaves).
        drop(executor);
        let pool = backend.shared.pool.shutdown(deadline.saturating_duration_since(Instant::now()));
        let inside = context::is_inside(lifecycle.id());
        ShutdownOutcome::read(lifecycle, joined && !inside).with_still_running(pool.still_running)
    }
}

impl fmt::Debug for SmolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmolExecutor")
            .field("workers", &self.workers.len())
            .field("backend", &self.backend)
            .finish()
    }
}
