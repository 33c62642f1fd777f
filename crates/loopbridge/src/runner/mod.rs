//! [`Runner`]: a persistent background event loop of any backend, and its builder.
//!
//! # Start and shutdown protocol
//!
//! 1. [`RunnerBuilder::build`] starts the backend's runtime on threads named after
//!    `thread_name`: a tokio runtime (multi-thread, or current-thread with one driver thread),
//!    a loopbridge-owned smol executor, or — async-std having one global runtime — a task
//!    tracker over it. `to_thread` jobs go to a pool of at most `max_blocking_threads`.
//! 2. While it runs, the runner is the ambient runtime inside its own tasks, `to_thread` jobs
//!    and `block_on` calls: free functions called there use it. State created on it (clients,
//!    pools, tasks) persists across any number of `block_on` calls from any number of threads.
//! 3. [`Runner::shutdown`] (idempotent, from any thread, the runner's own included) stops
//!    accepting work — later spawns resolve `Err(cancelled)`, `block_on` reports
//!    `is_shut_down()` — then cancels pending tasks (their destructors run), waits up to the
//!    timeout for running `to_thread` jobs, joins every thread the runner started (never
//!    itself), and returns a [`ShutdownReport`].
//! 4. Dropping a `Runner` shuts it down too: without waiting for blocking jobs, and without
//!    blocking at all when dropped in an async context.

use std::fmt;
use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use loopbridge_core::lifecycle::ShutdownOutcome;
use loopbridge_core::{BackendKind, BlockOnError, Error, JoinHandle, RunnerConfig};

use crate::select::{self, OwnedRuntime};
use crate::{Bridge, config};

/// Configures and starts a [`Runner`]; from [`Runner::builder`].
///
/// # Examples
///
/// ```
/// use loopbridge::{BackendKind, Runner};
///
/// let runner = Runner::builder()
///     .worker_threads(2)             // 1 = single-thread flavour
///     .max_blocking_threads(16)      // bound of the to_thread pool
///     .thread_name("db-loop")        // every thread it starts is named from this
///     .build()?;
/// assert_eq!(runner.block_on(async { 1 + 1 }), 2);
/// # Ok::<(), loopbridge::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct RunnerBuilder {
    backend: Option<BackendKind>,
    config: RunnerConfig,
}

impl RunnerBuilder {
    /// The backend; by default the application's choice as for the global runner
    /// ([`set_default_backend`](crate::set_default_backend), `LOOPBRIDGE_BACKEND`, then tokio,
    /// smol, async-std).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "tokio")] {
    /// let runner = loopbridge::Runner::builder().backend(loopbridge::BackendKind::Tokio).build().unwrap();
    /// assert_eq!(runner.kind(), loopbridge::BackendKind::Tokio);
    /// # }
    /// ```
    pub fn backend(mut self, kind: BackendKind) -> Self {
        self.backend = Some(kind);
        self
    }

    /// Executor threads; `1` is the single-thread flavour. Default: one per CPU. async-std runs
    /// every runner's tasks on its one global runtime, so there it has no effect.
    ///
    /// The one thread of a single-thread runner (tokio or smol) also runs the local tasks its
    /// tasks spawn with [`spawn_local`](crate::spawn_local).
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = loopbridge::Runner::builder().worker_threads(1).build()?;
    /// # // async-std has no one-thread runner: its tasks cannot spawn local tasks.
    /// # if runner.kind() != loopbridge::BackendKind::AsyncStd {
    /// let out = runner.block_on(runner.spawn(async {
    ///     let local = loopbridge::spawn_local(async {
    ///         let not_send = std::rc::Rc::new(7); // held across an `.await`: a `!Send` future
    ///         loopbridge::yield_now().await;
    ///         *not_send
    ///     });
    ///     local.await.unwrap()
    /// }));
    /// assert_eq!(out.unwrap(), 7);
    /// # }
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    pub fn worker_threads(mut self, n: usize) -> Self {
        self.config = self.config.with_worker_threads(n);
        self
    }

    /// Upper bound on the threads of the `to_thread` pool. Default: 512.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = loopbridge::Runner::builder().max_blocking_threads(4).build().unwrap();
    /// # drop(runner);
    /// ```
    pub fn max_blocking_threads(mut self, n: usize) -> Self {
        self.config = self.config.with_max_blocking_threads(n);
        self
    }

    /// Prefix of the name of every thread the runner starts. Default: `loopbridge`.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = loopbridge::Runner::builder().thread_name("db-loop").build().unwrap();
    /// let name = runner.block_on(loopbridge::to_thread(|| {
    ///     std::thread::current().name().map(str::to_owned)
    /// }));
    /// # let _ = name;
    /// ```
    pub fn thread_name(mut self, name: impl Into<String>) -> Self {
        self.config = self.config.with_thread_name(name);
        self
    }

    /// Starts the runner.
    ///
    /// # Errors
    ///
    /// The backend is not compiled in (or none is), `LOOPBRIDGE_BACKEND` is invalid, or the
    /// runtime's threads cannot start.
    ///
    /// # Examples
    ///
    /// See [`RunnerBuilder`].
    pub fn build(self) -> Result<Runner, Error> {
        self.build_with_default(crate::global::explicit_default())
    }

    /// Builds with `explicit` as the application's default backend (the global runner passes
    /// the one it holds under its lock, which `build` would otherwise take a second time).
    pub(crate) fn build_with_default(self, explicit: Option<BackendKind>) -> Result<Runner, Error> {
        let kind = match self.backend {
            Some(kind) => kind,
            None => config::preferred(explicit)?,
        };
        let (backend, runtime) = select::start(kind, &self.config)?;
        debug!(
            backend = %kind,
            worker_threads = self.config.worker_threads,
            max_blocking_threads = self.config.max_blocking_threads,
            thread_name = %self.config.thread_name,
            "runner started",
        );
        Ok(Runner {
            bridge: Bridge::from_backend(backend),
            runtime: Mutex::new(Some(runtime)),
            report: Mutex::new(None),
        })
    }
}

/// A persistent background event loop: sync code calls into it any number of times, from any
/// number of threads, and state created on it stays valid between calls. See the
/// [module docs](crate::Runner#start-and-shutdown-protocol) for its protocol.
///
/// # Start and shutdown protocol
///
/// 1. `build` starts the runtime on named threads; `to_thread` jobs go to a bounded pool.
/// 2. The runner is ambient inside its own tasks, `to_thread` jobs and `block_on` calls.
/// 3. `shutdown(timeout)`: idempotent, from any thread; stops accepting work, cancels pending
///    tasks (destructors run), waits up to `timeout` for blocking jobs, joins its threads,
///    reports.
/// 4. Dropping it shuts it down without waiting for blocking jobs or blocking an async context.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge::Runner;
///
/// let runner = Runner::builder().thread_name("db-loop").build()?;
/// // A background task created by one call...
/// let (tx, rx) = std::sync::mpsc::channel();
/// runner.block_on(async move {
///     drop(loopbridge::spawn(async move { tx.send("still here").unwrap() }));
/// });
/// // ...keeps running between calls.
/// assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), "still here");
/// let report = runner.shutdown(Duration::from_secs(5));
/// assert!(report.completed_in_time());
/// # Ok::<(), loopbridge::Error>(())
/// ```
pub struct Runner {
    bridge: Bridge,
    runtime: Mutex<Option<OwnedRuntime>>,
    report: Mutex<Option<ShutdownReport>>,
}

impl Runner {
    /// A builder with the defaults.
    ///
    /// # Examples
    ///
    /// See [`RunnerBuilder`].
    pub fn builder() -> RunnerBuilder {
        RunnerBuilder::default()
    }

    /// A runner with every default.
    ///
    /// # Errors
    ///
    /// As [`RunnerBuilder::build`].
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = loopbridge::Runner::new()?;
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    pub fn new() -> Result<Runner, Error> {
        Runner::builder().build()
    }

    /// A cheap, cloneable handle to this runner's loop, usable from any thread; it outlives the
    /// runner (operations then report shut down / cancelled).
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = loopbridge::Runner::new()?;
    /// let bridge = runner.bridge();
    /// std::thread::spawn(move || bridge.block_on(async { 1 })).join().unwrap();
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    pub fn bridge(&self) -> Bridge {
        self.bridge.clone()
    }

    /// The backend.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = loopbridge::Runner::new()?;
    /// assert_eq!(runner.kind(), runner.bridge().kind());
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    pub fn kind(&self) -> BackendKind {
        self.bridge.kind()
    }

    /// Spawns `future` on the runner; see [`spawn`](crate::spawn).
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = loopbridge::Runner::new()?;
    /// let task = runner.spawn(async { 2 });
    /// assert_eq!(runner.block_on(task).unwrap(), 2);
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.bridge.spawn(future)
    }

    /// Runs `f` on the runner's blocking pool; see [`to_thread`](crate::to_thread).
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = loopbridge::Runner::new()?;
    /// assert_eq!(runner.block_on(runner.to_thread(|| 3)).unwrap(), 3);
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    #[doc(alias = "spawn_blocking")]
    #[doc(alias = "unblock")]
    pub fn to_thread<F, T>(&self, f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.bridge.to_thread(f)
    }

    /// Runs `future` on the calling thread inside the runner's context; see
    /// [`block_on`](crate::block_on).
    ///
    /// # Panics
    ///
    /// Where [`try_block_on`](Self::try_block_on) returns an error, with its message (also after
    /// the shutdown); and with the future's own panic.
    ///
    /// # Examples
    ///
    /// See [`Runner`].
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.bridge.block_on(future)
    }

    /// Like [`block_on`](Self::block_on), returning an error instead of panicking.
    ///
    /// # Errors
    ///
    /// [`BlockOnError::is_in_async_context`] where blocking could deadlock,
    /// [`BlockOnError::is_shut_down`] after the shutdown.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let runner = loopbridge::Runner::new()?;
    /// runner.shutdown(Duration::from_secs(1));
    /// assert!(runner.try_block_on(async {}).unwrap_err().is_shut_down());
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    pub fn try_block_on<F: Future>(&self, future: F) -> Result<F::Output, BlockOnError> {
        self.bridge.try_block_on(future)
    }

    /// Like [`try_block_on`](Self::try_block_on), but gives up when `timeout` passes; see
    /// [`Bridge::try_block_on_timeout`].
    ///
    /// # Errors
    ///
    /// As [`try_block_on`](Self::try_block_on), plus [`BlockOnError::is_timed_out`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let runner = loopbridge::Runner::new()?;
    /// let err = runner
    ///     .try_block_on_timeout(std::future::pending::<()>(), Duration::from_millis(10))
    ///     .unwrap_err();
    /// assert!(err.is_timed_out());
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    pub fn try_block_on_timeout<F: Future>(
        &self,
        future: F,
        timeout: Duration,
    ) -> Result<F::Output, BlockOnError> {
        self.bridge.try_block_on_timeout(future, timeout)
    }

    /// Whether the runner still accepts work and its threads are alive.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = loopbridge::Runner::new()?;
    /// assert!(runner.is_running());
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    pub fn is_running(&self) -> bool {
        lock(&self.runtime).as_ref().is_some_and(OwnedRuntime::is_alive)
    }

    /// Shuts the runner down (see the protocol) and reports what happened. Idempotent: later
    /// calls return the first report. Works from any thread, the runner's own included.
    ///
    /// # Examples
    ///
    /// See [`Runner`].
    pub fn shutdown(&self, timeout: Duration) -> ShutdownReport {
        let deadline = Instant::now() + timeout;
        let runtime = lock(&self.runtime).take();
        match runtime {
            Some(runtime) => {
                let report = ShutdownReport { outcome: runtime.shutdown(timeout) };
                debug!(
                    backend = %self.kind(),
                    tasks_cancelled = report.tasks_cancelled(),
                    blocking_still_running = report.blocking_still_running(),
                    completed_in_time = report.completed_in_time(),
                    "runner shut down",
                );
                *lock(&self.report) = Some(report);
                report
            }
            // Already shut down, or another thread is doing it: wait for its report.
            None => loop {
                if let Some(report) = *lock(&self.report) {
                    return report;
                }
                if Instant::now() >= deadline {
                    return ShutdownReport { outcome: ShutdownOutcome::default() };
                }
                std::thread::sleep(Duration::from_millis(1));
            },
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded values are only replaced whole, so a poisoned lock still holds a valid one.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Drop for Runner {
    fn drop(&mut self) {
        if let Some(runtime) = lock(&self.runtime).take() {
            // Zero: do not wait for blocking jobs. The adapters never block an async context
            // (tokio's blocking shutdown runs on a helper thread; no thread joins itself).
            let _outcome = runtime.shutdown(Duration::ZERO);
        }
    }
}

impl fmt::Debug for Runner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runner")
            .field("kind", &self.kind())
            .field("running", &self.is_running())
            .finish()
    }
}

/// What a [`Runner::shutdown`] did.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// let runner = loopbridge::Runner::new()?;
/// drop(runner.spawn(std::future::pending::<()>()));
/// let report = runner.shutdown(Duration::from_secs(5));
/// assert_eq!(report.tasks_cancelled(), 1);
/// assert_eq!(report.blocking_still_running(), 0);
/// # Ok::<(), loopbridge::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShutdownReport {
    outcome: ShutdownOutcome,
}

impl ShutdownReport {
    pub(crate) fn nothing_to_do() -> Self {
        let mut outcome = ShutdownOutcome::default();
        outcome.completed_in_time = true;
        ShutdownReport { outcome }
    }

    /// Tasks the shutdown cancelled; their destructors ran.
    ///
    /// # Examples
    ///
    /// See [`ShutdownReport`].
    pub fn tasks_cancelled(&self) -> usize {
        self.outcome.tasks_cancelled
    }

    /// `to_thread` jobs still running when the shutdown returned; they finish on their own.
    ///
    /// # Examples
    ///
    /// See [`ShutdownReport`].
    pub fn blocking_still_running(&self) -> usize {
        self.outcome.blocking_still_running
    }

    /// Whether everything stopped and every thread was joined within the timeout. False when
    /// the shutdown was started from the runner's own threads, which cannot wait for themselves.
    ///
    /// # Examples
    ///
    /// See [`Runner`].
    pub fn completed_in_time(&self) -> bool {
        self.outcome.completed_in_time
    }
}
