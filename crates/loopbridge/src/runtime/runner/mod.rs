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
//!    `is_shut_down()` — then cancels pending tasks (their destructors run) and returns only
//!    once every handle of them is resolved, whatever the timeout; it waits up to the timeout
//!    for running `to_thread` jobs, joins every thread the runner started (never itself), and
//!    returns a [`ShutdownReport`]. Cancelling waits for nothing but the polls in progress on
//!    the runner's workers; called from one of the runner's own tasks, it cannot wait for
//!    that poll, and the other tasks are cancelled once it returns.
//! 4. Dropping a `Runner` shuts it down as `shutdown(Duration::ZERO)` does: pending tasks are
//!    cancelled and their handles resolved before the drop returns; blocking jobs are not
//!    waited for.

mod builder;
mod report;

pub use builder::RunnerBuilder;
pub use report::ShutdownReport;

use std::fmt;
use std::future::Future;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use loopbridge_core::unstable::lifecycle::ShutdownOutcome;
use loopbridge_core::{BackendKind, BlockOnError, Error, JoinHandle};

use crate::Bridge;
use crate::backends::OwnedRuntime;

/// A persistent background event loop: sync code calls into it any number of times, from any
/// number of threads, and state created on it stays valid between calls. See the
/// [module docs](crate::Runner#start-and-shutdown-protocol) for its protocol.
///
/// # Start and shutdown protocol
///
/// 1. `build` starts the runtime on named threads; `to_thread` jobs go to a bounded pool.
/// 2. The runner is ambient inside its own tasks, `to_thread` jobs and `block_on` calls.
/// 3. `shutdown(timeout)`: idempotent, from any thread; stops accepting work, cancels pending
///    tasks (destructors run, handles resolved before it returns), waits up to `timeout` for
///    blocking jobs, joins its threads, reports.
/// 4. Dropping it shuts it down as `shutdown(Duration::ZERO)`: tasks cancelled, handles
///    resolved, blocking jobs not waited for.
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
    /// The report of the shutdown, once there is one, and the signal that it is there.
    report: (Mutex<Option<ShutdownReport>>, Condvar),
}

impl Runner {
    /// A builder with the defaults.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge::Runner;
    ///
    /// // Every setting not given keeps its default, as `Runner::new` does for all of them.
    /// let runner = Runner::builder().worker_threads(1).build()?;
    /// assert!(runner.is_running());
    /// assert_eq!(runner.block_on(async { 40 + 2 }), 42);
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
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
    /// ```
    /// let runner = loopbridge::Runner::new()?;
    /// let caller = std::thread::current().id();
    /// let (thread, ambient) = runner.block_on(async {
    ///     (std::thread::current().id(), loopbridge::current())
    /// });
    /// assert_eq!(thread, caller); // polled on the calling thread...
    /// assert_eq!(ambient, Some(runner.kind())); // ...with the runner as the ambient runtime
    ///
    /// // So free functions called inside use the runner: this task runs on it.
    /// let task = runner.block_on(async { loopbridge::spawn(async { 5 }) });
    /// assert_eq!(runner.block_on(task).unwrap(), 5);
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
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
    /// ```
    /// use std::time::Duration;
    ///
    /// let runner = loopbridge::Runner::new()?;
    /// let pending = runner.spawn(std::future::pending::<()>());
    /// // Pending tasks are cancelled whatever the timeout, which bounds only the wait for
    /// // `to_thread` jobs.
    /// let report = runner.shutdown(Duration::ZERO);
    /// assert_eq!(report.tasks_cancelled(), 1);
    /// assert!(pending.is_finished()); // resolved before `shutdown` returned
    /// assert!(!runner.is_running());
    /// assert_eq!(runner.shutdown(Duration::ZERO), report); // idempotent: the first report
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    pub fn shutdown(&self, timeout: Duration) -> ShutdownReport {
        let deadline = Instant::now() + timeout;
        let runtime = lock(&self.runtime).take();
        match runtime {
            Some(runtime) => {
                let report = ShutdownReport::new(runtime.shutdown(timeout));
                debug!(
                    backend = %self.kind(),
                    tasks_cancelled = report.tasks_cancelled(),
                    blocking_still_running = report.blocking_still_running(),
                    completed_in_time = report.completed_in_time(),
                    "runner shut down",
                );
                *lock(&self.report.0) = Some(report);
                self.report.1.notify_all();
                report
            }
            // Already shut down, or another thread is doing it: wait for its report.
            None => {
                let (slot, done) = &self.report;
                let mut report = lock(slot);
                loop {
                    if let Some(report) = *report {
                        return report;
                    }
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return ShutdownReport::new(ShutdownOutcome::default());
                    }
                    report =
                        done.wait_timeout(report, left).unwrap_or_else(PoisonError::into_inner).0;
                }
            }
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
            // Zero: do not wait for blocking jobs. The pending tasks are still cancelled and
            // their handles resolved before this returns (tokio's blocking shutdown runs on a
            // helper thread, so this works in an async context; no thread joins itself).
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
