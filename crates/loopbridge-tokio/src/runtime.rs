//! [`TokioRuntime`]: a tokio runtime owned by loopbridge.
//!
//! The start and shutdown protocol is documented on [`TokioRuntime`].

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use std::sync::Arc;

use loopbridge_core::context::{self, Ambient, ThreadRole};
use loopbridge_core::lifecycle::{Lifecycle, ShutdownOutcome};
use loopbridge_core::local::LocalScope;
use loopbridge_core::{BackendKind, Error, RunnerConfig};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::oneshot;

use crate::TokioBackend;
use crate::backend::enter_backend;

/// A tokio runtime started by loopbridge.
///
/// # Protocol
///
/// 1. A multi-thread runtime is built with `worker_threads` workers, IO and time enabled, and named
///    threads, each marked as a tokio worker in [`loopbridge_core::context`].
/// 2. A current-thread runtime cannot run tasks unless some thread sits in `Runtime::block_on`,
///    so one named driver thread does exactly that, parked on a stop signal, for the runtime's
///    whole life; every other thread reaches it through its `Handle`. The driver thread also
///    drives the local tasks its tasks spawn ([`loopbridge_core::local`]), and cancels those
///    still pending when it stops.
/// 3. [`shutdown`](TokioRuntime::shutdown) closes the [`Lifecycle`] (later spawns resolve
///    cancelled, `block_on` reports `is_shut_down()`), cancels pending tasks (their destructors
///    run), waits up to the timeout for blocking jobs and joins the runtime's threads — from a
///    helper thread, because tokio refuses a blocking shutdown inside any async context.
/// 4. Called from one of the runtime's own threads, it cannot wait for itself: it starts the
///    shutdown in the background and returns.
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
/// let outcome = runtime.shutdown(Duration::from_secs(1));
/// assert!(outcome.completed_in_time);
/// ```
pub struct TokioRuntime {
    backend: TokioBackend,
    lifecycle: Arc<Lifecycle>,
    name: String,
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
        let lifecycle = Lifecycle::new();
        let name = config.thread_name.clone();
        let counter = AtomicUsize::new(0);
        // A current-thread runtime only starts blocking-pool threads; a multi-thread one
        // starts workers and blocking threads, which `block_in_place` may swap anyway.
        let role = if single_threaded {
            ThreadRole::Blocking
        } else {
            ThreadRole::Worker { single_threaded: false }
        };
        let thread_lifecycle = Arc::clone(&lifecycle);
        builder
            // IO too: clients and connections made on the runner (reqwest, hyper, tokio::net)
            // need its driver.
            .enable_io()
            .enable_time()
            .max_blocking_threads(config.max_blocking_threads)
            .thread_name_fn(move || format!("{name}-{}", counter.fetch_add(1, Ordering::Relaxed)))
            .on_thread_start(move || {
                // tokio starts its threads inside the runtime's context, so the handle is this
                // runtime's. The marker lives as long as the thread: no scope to restore.
                match tokio::runtime::Handle::try_current() {
                    Ok(handle) => {
                        let backend = TokioBackend::owned(handle, Arc::clone(&thread_lifecycle));
                        std::mem::forget(enter_backend(backend, role));
                    }
                    // Not expected; the marker alone still keeps the thread from joining itself.
                    Err(_) => std::mem::forget(context::enter(
                        Ambient::new(BackendKind::Tokio, role).with_runtime(thread_lifecycle.id()),
                    )),
                }
            });
        let runtime = builder.build().map_err(|e| Error::io("build a tokio runtime", e))?;
        let backend = TokioBackend::owned(runtime.handle().clone(), Arc::clone(&lifecycle));
        let flavour = if single_threaded {
            let (stop, stopped) = oneshot::channel::<Duration>();
            let driver_lifecycle = Arc::clone(&lifecycle);
            let driver = thread::Builder::new()
                .name(format!("{}-driver", config.thread_name))
                .spawn(move || drive_current_thread(runtime, &driver_lifecycle, stopped))
                .map_err(|e| Error::io("start the tokio driver thread", e))?;
            Flavour::Current { stop, driver }
        } else {
            Flavour::Multi(runtime)
        };
        Ok(TokioRuntime { backend, lifecycle, name: config.thread_name.clone(), flavour })
    }

    /// A backend that spawns onto this runtime.
    ///
    /// # Examples
    ///
    /// See [`TokioRuntime`].
    pub fn backend(&self) -> TokioBackend {
        self.backend.clone()
    }

    /// Whether the runtime's threads are still serving (a current-thread runtime's driver
    /// thread can only stop through `shutdown`, or if it died).
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::RunnerConfig;
    /// let runtime = loopbridge_tokio::TokioRuntime::start(&RunnerConfig::default()).unwrap();
    /// assert!(runtime.is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        !self.lifecycle.is_closed()
            && match &self.flavour {
                Flavour::Multi(_) => true,
                Flavour::Current { driver, .. } => !driver.is_finished(),
            }
    }

    /// Shuts the runtime down as described in the protocol above and reports what happened.
    /// Works from any thread: on the runtime's own threads it starts the shutdown and returns
    /// without waiting (it cannot wait for itself), with `completed_in_time == false`.
    ///
    /// # Examples
    ///
    /// See [`TokioRuntime`].
    pub fn shutdown(self, timeout: Duration) -> ShutdownOutcome {
        let TokioRuntime { lifecycle, name, flavour, .. } = self;
        lifecycle.close();
        let inside = context::is_inside(lifecycle.id());
        let joined = match flavour {
            Flavour::Multi(runtime) if inside => {
                runtime.shutdown_background();
                false
            }
            Flavour::Multi(runtime) => {
                // tokio refuses a blocking shutdown inside any async context; a helper thread of
                // our own is never one.
                let helper = thread::Builder::new()
                    .name(format!("{name}-shutdown"))
                    .spawn(move || runtime.shutdown_timeout(timeout));
                match helper {
                    Ok(helper) => helper.join().is_ok(),
                    Err(_) => false,
                }
            }
            Flavour::Current { stop, driver } => {
                // The driver may already be gone if its thread died; nothing to stop then.
                let _ = stop.send(timeout);
                !inside && driver.join().is_ok()
            }
        };
        ShutdownOutcome::read(&lifecycle, joined)
    }
}

fn drive_current_thread(
    runtime: Runtime,
    lifecycle: &Arc<Lifecycle>,
    stopped: oneshot::Receiver<Duration>,
) {
    let backend = TokioBackend::owned(runtime.handle().clone(), Arc::clone(lifecycle));
    let _role = enter_backend(backend, ThreadRole::Worker { single_threaded: true });
    // The runtime's tasks all run on this thread, so their local tasks can run here too.
    let scope = LocalScope::enter();
    let timeout = runtime.block_on(scope.drive(stopped)).unwrap_or(Duration::ZERO);
    // Local tasks still pending are cancelled here, on their thread, before the runtime goes.
    drop(scope);
    runtime.shutdown_timeout(timeout);
}

impl fmt::Debug for TokioRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flavour = match self.flavour {
            Flavour::Multi(_) => "multi-thread",
            Flavour::Current { .. } => "current-thread",
        };
        f.debug_struct("TokioRuntime")
            .field("flavour", &flavour)
            .field("lifecycle", &self.lifecycle)
            .finish_non_exhaustive()
    }
}
