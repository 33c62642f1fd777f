//! [`TokioRuntime`]: a tokio runtime owned by loopbridge.
//!
//! The start and shutdown protocol is documented on [`TokioRuntime`].

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use std::sync::Arc;

use loopbridge_core::local::LocalScope;
use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
use loopbridge_core::unstable::lifecycle::{Lifecycle, ShutdownOutcome};
use loopbridge_core::{BackendKind, Error, RunnerConfig};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::oneshot;

use crate::TokioBackend;

/// A tokio runtime started by loopbridge.
///
/// # Protocol
///
/// 1. A multi-thread runtime is built with `worker_threads` workers, IO and time enabled, and named
///    threads, each marked as a tokio worker in [`loopbridge_core::unstable::context`].
/// 2. A current-thread runtime cannot run tasks unless some thread sits in `Runtime::block_on`,
///    so one named driver thread does exactly that, parked on a stop signal, for the runtime's
///    whole life; every other thread reaches it through its `Handle`. The driver thread also
///    drives the local tasks its tasks spawn ([`loopbridge_core::local`]), and cancels those
///    still pending when it stops.
/// 3. [`shutdown`](TokioRuntime::shutdown) closes the [`Lifecycle`] (later spawns resolve
///    cancelled, `block_on` reports `is_shut_down()`), cancels pending tasks (their destructors
///    run) and waits until every one is dropped, so every handle is resolved when it returns,
///    whatever the timeout; it waits up to the timeout for blocking jobs and joins the
///    runtime's threads — from a helper thread, because tokio refuses a blocking shutdown
///    inside any async context.
/// 4. Called from one of the runtime's own threads, it cannot wait for itself: it starts the
///    shutdown in the background and returns; called from one of its tasks, the tasks are
///    cancelled once the calling task's poll returns.
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
    driver: Driver,
}

enum Driver {
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
    /// ```
    /// use std::time::Duration;
    /// use loopbridge_core::{LoopBackend, RunnerConfig};
    /// use loopbridge_tokio::TokioRuntime;
    ///
    /// // 1 worker: current-thread (tasks run on one driver thread); more: multi-thread.
    /// for n in [1, 2] {
    ///     let config = RunnerConfig::default().with_worker_threads(n).with_thread_name("db");
    ///     let runtime = TokioRuntime::start(&config).unwrap();
    ///     assert!(runtime.is_alive());
    ///     let backend = runtime.backend();
    ///     let task = backend.spawn(async { std::thread::current().name().map(str::to_owned) });
    ///     let thread = backend.block_on(task).unwrap().unwrap();
    ///     assert!(thread.starts_with("db-"), "{thread}"); // named after `thread_name`
    ///     assert!(runtime.shutdown(Duration::from_secs(1)).completed_in_time);
    /// }
    /// ```
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
                        std::mem::forget(backend.enter(role));
                    }
                    // Not expected; the marker alone still keeps the thread from joining itself.
                    Err(_) => std::mem::forget(context::enter(
                        Marker::new(BackendKind::Tokio, role).with_runtime(thread_lifecycle.id()),
                    )),
                }
            });
        let runtime = builder.build().map_err(|e| Error::io("build a tokio runtime", e))?;
        let backend = TokioBackend::owned(runtime.handle().clone(), Arc::clone(&lifecycle));
        let driver = if single_threaded {
            let (stop, stopped) = oneshot::channel::<Duration>();
            let driver_lifecycle = Arc::clone(&lifecycle);
            let driver = thread::Builder::new()
                .name(format!("{}-driver", config.thread_name))
                .spawn(move || drive_current_thread(runtime, &driver_lifecycle, stopped))
                .map_err(|e| Error::io("start the tokio driver thread", e))?;
            Driver::Current { stop, driver }
        } else {
            Driver::Multi(runtime)
        };
        Ok(TokioRuntime { backend, lifecycle, name: config.thread_name.clone(), driver })
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
            && match &self.driver {
                Driver::Multi(_) => true,
                Driver::Current { driver, .. } => !driver.is_finished(),
            }
    }

    /// Shuts the runtime down as described in the protocol above and reports what happened.
    /// Works from any thread: on the runtime's own threads it starts the shutdown and returns
    /// without waiting (it cannot wait for itself), with `completed_in_time == false`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loopbridge_core::{LoopBackend, RunnerConfig};
    ///
    /// let runtime = loopbridge_tokio::TokioRuntime::start(&RunnerConfig::default()).unwrap();
    /// let backend = runtime.backend();
    /// let pending = backend.spawn(std::future::pending::<()>());
    /// let outcome = runtime.shutdown(Duration::ZERO);
    /// assert_eq!(outcome.tasks_cancelled, 1);
    /// assert!(pending.is_finished()); // cancelled and resolved before `shutdown` returned
    ///
    /// // The backend outlives the runtime, but refuses work: a late task resolves cancelled,
    /// // and `block_on` reports the shutdown.
    /// let late = backend.spawn(async { 1 });
    /// assert!(loopbridge_core::unstable::park::wait(late).unwrap_err().is_cancelled());
    /// assert!(backend.try_block_on(async {}).unwrap_err().is_shut_down());
    /// ```
    pub fn shutdown(self, timeout: Duration) -> ShutdownOutcome {
        let TokioRuntime { lifecycle, name, driver, .. } = self;
        lifecycle.close();
        let inside = context::is_inside(lifecycle.id());
        let joined = match driver {
            Driver::Multi(runtime) if inside => {
                runtime.shutdown_background();
                false
            }
            Driver::Multi(runtime) => {
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
            Driver::Current { stop, driver } => {
                // The driver may already be gone if its thread died; nothing to stop then.
                let _ = stop.send(timeout);
                !inside && driver.join().is_ok()
            }
        };
        // tokio's workers drop the tasks as they stop, whatever the timeout (which bounds only
        // the wait for blocking jobs): wait for the last one, unless this thread is a worker
        // and so holds one up itself.
        if !context::is_worker_of(lifecycle.id()) {
            lifecycle.wait_for_tasks();
        }
        lifecycle.outcome(joined, 0)
    }
}

fn drive_current_thread(
    runtime: Runtime,
    lifecycle: &Arc<Lifecycle>,
    stopped: oneshot::Receiver<Duration>,
) {
    let backend = TokioBackend::owned(runtime.handle().clone(), Arc::clone(lifecycle));
    let _role = backend.enter(ThreadRole::Worker { single_threaded: true });
    // The runtime's tasks all run on this thread, so their local tasks can run here too.
    let scope = LocalScope::enter();
    let timeout = runtime.block_on(scope.drive(stopped)).unwrap_or(Duration::ZERO);
    // Local tasks still pending are cancelled here, on their thread, before the runtime goes.
    drop(scope);
    runtime.shutdown_timeout(timeout);
}

impl fmt::Debug for TokioRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flavour = match self.driver {
            Driver::Multi(_) => "multi-thread",
            Driver::Current { .. } => "current-thread",
        };
        f.debug_struct("TokioRuntime")
            .field("flavour", &flavour)
            .field("lifecycle", &self.lifecycle)
            .finish_non_exhaustive()
    }
}
