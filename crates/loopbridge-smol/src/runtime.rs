//! [`SmolRuntime`]: an async-executor owned by loopbridge, on named threads.
//!
//! The start and shutdown protocol is documented on [`SmolRuntime`].

use std::fmt;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use async_executor::Executor;
use loopbridge_core::local::LocalScope;
use loopbridge_core::unstable::context::{self, ThreadRole};
use loopbridge_core::unstable::lifecycle::{Lifecycle, ShutdownOutcome};
use loopbridge_core::unstable::pool::BlockingPool;
use loopbridge_core::{Error, RunnerConfig};

use crate::SmolBackend;
use crate::backend::{Shared, join_all};

/// An executor with its own worker threads and blocking pool.
///
/// # Protocol
///
/// 1. `worker_threads` named threads each run the executor until the stop channel closes,
///    marked as workers of this executor in [`loopbridge_core::unstable::context`]. `to_thread` jobs run
///    on a pool of at most `max_blocking_threads` named threads. The only worker of a
///    one-thread executor also drives the local tasks its tasks spawn
///    ([`loopbridge_core::local`]), and cancels those still pending when it stops. A worker
///    that blocks ([`blocking_region`](crate::blocking_region)) gets a replacement worker,
///    which the runtime keeps.
/// 2. The executor is owned here; backends hold it weakly, so that the shutdown can drop it.
/// 3. [`shutdown`](SmolRuntime::shutdown) closes the [`Lifecycle`] (later spawns resolve
///    cancelled, `block_on` reports `is_shut_down()`) and the stop channel, joins the workers
///    and their replacements (each leaves the executor at its next turn: this waits only for
///    the polls in progress), and drops the executor, which cancels the tasks still pending
///    and runs their destructors. So every handle of a pending task is resolved when it
///    returns, whatever the timeout. It then shuts the blocking pool down with the timeout,
///    and reports.
/// 4. From one of its own workers (a task of the runtime), the shutdown cannot wait for that
///    worker: the tasks are cancelled when the calling task's poll returns.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge_core::{LoopBackend, RunnerConfig};
///
/// let runtime = loopbridge_smol::SmolRuntime::start(&RunnerConfig::default()).unwrap();
/// let backend = runtime.backend();
/// backend.block_on(backend.sleep(Duration::from_millis(1)));
/// let pending = backend.spawn(std::future::pending::<()>());
/// let outcome = runtime.shutdown(Duration::ZERO);
/// assert_eq!(outcome.tasks_cancelled, 1);
/// assert!(pending.is_finished()); // resolved before `shutdown` returned
/// ```
pub struct SmolRuntime {
    executor: Arc<Executor<'static>>,
    backend: SmolBackend,
    stop: async_channel::Sender<()>,
    workers: Vec<thread::JoinHandle<()>>,
}

impl SmolRuntime {
    /// Starts an executor with `config.worker_threads` named worker threads.
    ///
    /// # Errors
    ///
    /// [`Error::io`] if a thread cannot be started; the ones already started are stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loopbridge_core::{BackendKind, LoopBackend, RunnerConfig};
    /// use loopbridge_smol::SmolRuntime;
    ///
    /// let config = RunnerConfig::default().with_worker_threads(2).with_thread_name("db");
    /// let runtime = SmolRuntime::start(&config).unwrap();
    /// assert!(runtime.is_alive());
    /// let backend = runtime.backend();
    /// assert_eq!(backend.kind(), BackendKind::Smol);
    /// // Tasks run on the named workers, `to_thread` jobs on the named blocking pool.
    /// let name = || std::thread::current().name().map(str::to_owned).unwrap();
    /// let worker = backend.block_on(backend.spawn(async move { name() })).unwrap();
    /// let job = backend.block_on(backend.spawn_blocking(name)).unwrap();
    /// assert!(worker == "db-0" || worker == "db-1", "{worker}");
    /// assert!(job.starts_with("db-blocking-"), "{job}");
    /// runtime.shutdown(Duration::from_secs(1));
    /// ```
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
            replacements: Mutex::new(Some(Vec::new())),
        });
        let backend = SmolBackend { shared };
        let mut this = SmolRuntime { executor, backend, stop, workers: Vec::new() };
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
    /// See [`SmolRuntime`].
    pub fn backend(&self) -> SmolBackend {
        self.backend.clone()
    }

    /// Whether it accepts work and all its workers are alive.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::RunnerConfig;
    /// let runtime = loopbridge_smol::SmolRuntime::start(&RunnerConfig::default()).unwrap();
    /// assert!(runtime.is_alive());
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
    /// The timeout bounds only the wait for `to_thread` jobs: pending tasks are cancelled
    /// whatever it is.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    /// use loopbridge_core::{LoopBackend, RunnerConfig};
    ///
    /// let runtime = loopbridge_smol::SmolRuntime::start(&RunnerConfig::default()).unwrap();
    /// let backend = runtime.backend();
    /// let (started, is_started) = mpsc::channel();
    /// let (release, released) = mpsc::channel::<()>();
    /// let job = backend.spawn_blocking(move || {
    ///     started.send(()).unwrap();
    ///     let _ = released.recv(); // blocks until `release` is dropped
    /// });
    /// is_started.recv().unwrap();
    /// let pending = backend.spawn(std::future::pending::<()>());
    ///
    /// let outcome = runtime.shutdown(Duration::ZERO);
    /// assert_eq!(outcome.tasks_cancelled, 1);
    /// assert!(pending.is_finished());
    /// assert_eq!(outcome.blocking_still_running, 1); // not waited for past the timeout
    /// assert!(!outcome.completed_in_time);
    ///
    /// drop(release); // the job then finishes on its own
    /// assert!(loopbridge_core::unstable::park::wait(job).is_ok());
    /// ```
    pub fn shutdown(self, timeout: Duration) -> ShutdownOutcome {
        let deadline = Instant::now() + timeout;
        let SmolRuntime { executor, backend, stop, workers } = self;
        let shared = &backend.shared;
        shared.lifecycle.close();
        stop.close();
        let current = thread::current().id();
        let (own, others): (Vec<_>, Vec<_>) = workers
            .into_iter()
            .chain(shared.take_replacements())
            .partition(|thread| thread.thread().id() == current);
        join_all(others);
        // The last strong reference unless the calling thread is a worker still inside `run`:
        // dropping it cancels the pending tasks and runs their destructors (here, or when that
        // worker leaves).
        drop(executor);
        let on_worker = !own.is_empty();
        if !on_worker {
            // A spawn that held the executor for a moment may have dropped it instead.
            shared.lifecycle.wait_for_tasks();
        }
        let pool = shared.pool.shutdown(deadline.saturating_duration_since(Instant::now()));
        let inside = context::is_inside(shared.lifecycle.id());
        shared.lifecycle.outcome(!inside, pool.still_running)
    }
}

impl fmt::Debug for SmolRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmolRuntime")
            .field("workers", &self.workers.len())
            .field("backend", &self.backend)
            .finish()
    }
}
