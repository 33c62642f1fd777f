//! [`TokioRuntime`]: a tokio runtime owned by loopbridge.
//!
//! The start and shutdown protocol is documented on [`TokioRuntime`].

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use loopbridge_core::context::{self, Ambient, ThreadRole};
use loopbridge_core::{BackendKind, Error, RunnerConfig};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::oneshot;

use crate::TokioBackend;

/// A tokio runtime started by loopbridge.
///
/// # Protocol
///
/// 1. A multi-thread runtime is built with `worker_threads` workers, time enabled, and named
///    threads, each marked as a tokio worker in [`loopbridge_core::context`].
/// 2. A current-thread runtime cannot run tasks unless some thread sits in `Runtime::block_on`,
///    so one named driver thread does exactly that, parked on a stop signal, for the runtime's
///    whole life; every other thread reaches it through its `Handle`.
/// 3. [`shutdown`](TokioRuntime::shutdown) stops accepting work (tokio drops newly spawned
///    futures, which resolves their handles as cancelled), cancels pending tasks (their
///    destructors run), waits up to the timeout for blocking jobs and joins the driver thread.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge_core::{LoopBackend, RunnerConfig};
///
/// let config = RunnerConfig::default().with_worker_threads(1); // current-thread flavour
/// let runtime = loopbridge_tokio::TokioRuntime::start(&config).unwrap();
/// let backend = runtime.backend();
/// backend.block_on(backend.sleep(Duration::from_millis(1)));
/// runtime.shutdown(Duration::from_secs(1));
/// ```
pub struct TokioRuntime {
    backend: TokioBackend,
    flavour: Flavour,
}

enum Flavour {
    Multi(Runtime),
    Current { stop: oneshot::Sender<Duration>, driver: thread::JoinHandle<()> },
}

impl TokioRuntime {
    /// Builds and starts a runtime: multi-thread for `worker_threads > 1`, else current-thread.
    ///
    /// # Errors
    ///
    /// [`Error::io`] if the runtime or its threads cannot be created.
    ///
    /// # Examples
    ///
    /// See [`TokioRuntime`].
    pub fn start(config: &RunnerConfig) -> Result<Self, Error> {
        let single_threaded = config.worker_threads <= 1;
        let mut builder = if single_threaded {
            Builder::new_current_thread()
        } else {
            Builder::new_multi_thread()
        };
        if !single_threaded {
            builder.worker_threads(config.worker_threads);
        }
        let name = config.thread_name.clone();
        let counter = AtomicUsize::new(0);
        // A current-thread runtime only starts blocking-pool threads; a multi-thread one
        // starts workers and blocking threads, which `block_in_place` may swap anyway.
        let role = if single_threaded {
            ThreadRole::Blocking
        } else {
            ThreadRole::Worker { single_threaded: false }
        };
        builder
            .enable_time()
            .max_blocking_threads(config.max_blocking_threads)
            .thread_name_fn(move || format!("{name}-{}", counter.fetch_add(1, Ordering::Relaxed)))
            .on_thread_start(move || {
                // The marker lives as long as the thread: there is no scope to restore.
                std::mem::forget(context::enter(Ambient::new(BackendKind::Tokio, role)));
            });
        let runtime = builder.build().map_err(|e| Error::io("build a tokio runtime", e))?;
        let backend = TokioBackend::new(runtime.handle().clone());
        let flavour = if single_threaded {
            let (stop, stopped) = oneshot::channel::<Duration>();
            let driver = thread::Builder::new()
                .name(format!("{}-driver", config.thread_name))
                .spawn(move || drive_current_thread(runtime, stopped))
                .map_err(|e| Error::io("start the tokio driver thread", e))?;
            Flavour::Current { stop, driver }
        } else {
            Flavour::Multi(runtime)
        };
        Ok(TokioRuntime { backend, flavour })
    }

    /// A backend that spawns onto this runtime.
    ///
    /// # Examples
    ///
    /// See [`TokioRuntime`].
    pub fn backend(&self) -> TokioBackend {
        self.backend.clone()
    }

    /// Shuts the runtime down: pending tasks are cancelled, running blocking jobs get up to
    /// `timeout` to finish, and the threads are joined (blocking jobs still running after the
    /// timeout are left to finish on their own).
    ///
    /// Must not be called from inside this runtime's own tasks (tokio forbids dropping a
    /// runtime there).
    ///
    /// # Examples
    ///
    /// See [`TokioRuntime`].
    pub fn shutdown(self, timeout: Duration) {
        match self.flavour {
            Flavour::Multi(runtime) => runtime.shutdown_timeout(timeout),
            Flavour::Current { stop, driver } => {
                // The driver may already be gone if its thread died; nothing to stop then.
                let _ = stop.send(timeout);
                let _ = driver.join();
            }
        }
    }
}

fn drive_current_thread(runtime: Runtime, stopped: oneshot::Receiver<Duration>) {
    let _role = context::enter(Ambient::new(
        BackendKind::Tokio,
        ThreadRole::Worker { single_threaded: true },
    ));
    let timeout = runtime.block_on(stopped).unwrap_or(Duration::ZERO);
    runtime.shutdown_timeout(timeout);
}

impl fmt::Debug for TokioRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flavour = match self.flavour {
            Flavour::Multi(_) => "multi-thread",
            Flavour::Current { .. } => "current-thread",
        };
        f.debug_struct("TokioRuntime").field("flavour", &flavour).finish_non_exhaustive()
    }
}
