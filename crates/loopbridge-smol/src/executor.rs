//! [`SmolExecutor`]: an async-executor owned by loopbridge, on named threads.
//!
//! The start and shutdown protocol is documented on [`SmolExecutor`].

use std::fmt;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use async_executor::Executor;
use loopbridge_core::context::ThreadRole;
use loopbridge_core::{Error, RunnerConfig};

use crate::SmolBackend;

/// An executor with its own worker threads.
///
/// # Protocol
///
/// 1. `worker_threads` named threads each run the executor until the stop channel closes,
///    marked as workers of this executor in [`loopbridge_core::context`].
/// 2. [`shutdown`](SmolExecutor::shutdown) closes the stop channel; each worker returns from
///    `Executor::run` and is joined.
/// 3. The executor itself is dropped when the last [`SmolBackend`] clone goes; dropping it
///    cancels the tasks still pending, running their destructors, which resolves their handles
///    as cancelled.
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
/// executor.shutdown(Duration::from_secs(1));
/// ```
pub struct SmolExecutor {
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
        let backend = SmolBackend::new(Arc::new(Executor::new()));
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let single_threaded = config.worker_threads <= 1;
        let mut executor = SmolExecutor { backend, stop, workers: Vec::new() };
        for index in 0..config.worker_threads.max(1) {
            let backend = executor.backend.clone();
            let stopped = stopped.clone();
            let worker = thread::Builder::new()
                .name(format!("{}-{index}", config.thread_name))
                .spawn(move || {
                    let _context = backend.enter(ThreadRole::Worker { single_threaded });
                    async_io::block_on(backend.executor.run(async {
                        // Returns when every sender is gone: `shutdown` or drop.
                        let _ = stopped.recv().await;
                    }));
                });
            match worker {
                Ok(worker) => executor.workers.push(worker),
                Err(e) => {
                    executor.shutdown(Duration::ZERO);
                    return Err(Error::io("start a smol worker thread", e));
                }
            }
        }
        Ok(executor)
    }

    /// A backend that spawns onto this executor.
    ///
    /// # Examples
    ///
    /// See [`SmolExecutor`].
    pub fn backend(&self) -> SmolBackend {
        self.backend.clone()
    }

    /// Stops the worker threads and joins them. Tasks still pending are cancelled when the last
    /// backend clone is dropped. `_timeout` bounds the wait for blocking jobs once loopbridge
    /// runs them on a pool of its own; the shared `blocking` pool cannot be waited for.
    ///
    /// # Examples
    ///
    /// See [`SmolExecutor`].
    pub fn shutdown(mut self, _timeout: Duration) {
        self.stop.close();
        let current = thread::current().id();
        for worker in self.workers.drain(..) {
            // Never join ourselves: shutdown may be called from a worker.
            if worker.thread().id() != current {
                let _ = worker.join();
            }
        }
    }
}

impl fmt::Debug for SmolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmolExecutor").field("workers", &self.workers.len()).finish()
    }
}
