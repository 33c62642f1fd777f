//! [`LoopBackend`]: what a runtime adapter provides, and the neutral operations built on it.

use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

use crate::task::{BlockingJob, TaskFuture};
use crate::time::{Sleep, Timeout};
use crate::{BackendKind, BlockOnError, JoinHandle};

/// A handle to one running event loop of some runtime: the interface every adapter implements.
///
/// An adapter supplies four primitives — run a [`TaskFuture`], run a [`BlockingJob`], block on
/// a future, make a timer — and inherits the user-facing operations ([`spawn`](Self::spawn),
/// [`spawn_blocking`](Self::spawn_blocking), [`sleep`](Self::sleep),
/// [`timeout`](Self::timeout), [`block_on`](Self::block_on)), whose semantics are therefore
/// the same on every backend. Everything is generic: nothing on the spawn path is boxed.
///
/// Implementations are cheap to clone (a reference count at most) and `Send + Sync`.
///
/// # Examples
///
/// A complete (if minimal) backend that runs every task, job and timer on a thread of its own,
/// and the operations it inherits:
///
/// ```
/// use std::time::{Duration, Instant};
/// use loopbridge_core::{BackendKind, BlockOnError, JoinHandle, LoopBackend, park};
/// use loopbridge_core::task::{BlockingJob, TaskFuture};
///
/// #[derive(Clone, Debug)]
/// struct ThreadPerTask;
///
/// impl LoopBackend for ThreadPerTask {
///     type Timer = JoinHandle<()>; // a job that sleeps until the deadline
///     fn kind(&self) -> BackendKind { BackendKind::Smol }
///     fn spawn_task<F>(&self, task: TaskFuture<F>)
///     where F: Future + Send + 'static, F::Output: Send + 'static {
///         std::thread::spawn(move || park::wait(task));
///     }
///     fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
///     where F: FnOnce() -> T + Send + 'static, T: Send + 'static {
///         std::thread::spawn(move || job.run());
///     }
///     fn try_block_on_until<F: Future>(&self, future: F, deadline: Option<Instant>)
///         -> Result<F::Output, BlockOnError> {
///         match deadline {
///             None => Ok(park::wait(future)),
///             Some(deadline) => park::wait_until(future, deadline).ok_or_else(BlockOnError::timed_out),
///         }
///     }
///     fn timer_at(&self, deadline: Instant) -> Self::Timer {
///         self.spawn_blocking(move || std::thread::sleep(deadline.saturating_duration_since(Instant::now())))
///     }
/// }
///
/// let backend = ThreadPerTask;
/// assert_eq!(backend.kind(), BackendKind::Smol);
/// let task = backend.spawn(async { 21 * 2 });
/// assert_eq!(backend.block_on(task).unwrap(), 42);
/// let job = backend.spawn_blocking(|| "on a thread of its own");
/// assert_eq!(backend.try_block_on(job)?.unwrap(), "on a thread of its own");
///
/// let start = Instant::now();
/// backend.block_on(backend.sleep(Duration::from_millis(5)));
/// backend.block_on(backend.sleep_until(start + Duration::from_millis(10)));
/// assert!(start.elapsed() >= Duration::from_millis(10)); // never early
/// let late = backend.block_on(backend.timeout(Duration::from_millis(5), std::future::pending::<()>()));
/// assert!(late.is_err());
/// # Ok::<(), BlockOnError>(())
/// ```
pub trait LoopBackend: Clone + Send + Sync + fmt::Debug + 'static {
    /// The backend's raw timer, as made by [`timer_at`](Self::timer_at); its output is ignored.
    type Timer: Future + Send + 'static;

    /// Which runtime this is.
    ///
    /// # Examples
    ///
    /// The [trait docs](LoopBackend) implement it and call it.
    fn kind(&self) -> BackendKind;

    /// Runs `task` on the event loop, detached: the backend drops its own native handle.
    ///
    /// # Examples
    ///
    /// The [trait docs](LoopBackend) implement it; [`spawn`](Self::spawn) calls it.
    fn spawn_task<F>(&self, task: TaskFuture<F>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Runs `job` on the backend's blocking pool, detached. The job must run even though no
    /// native handle is kept, and should see this backend as ambient (see [`crate::context`]).
    ///
    /// # Examples
    ///
    /// The [trait docs](LoopBackend) implement it; [`spawn_blocking`](Self::spawn_blocking)
    /// calls it.
    fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;

    /// Runs `future` to completion on the calling thread, inside this backend's context — or,
    /// with a `deadline`, until the deadline passes, whatever the runtime is doing (the thread
    /// waits with [`crate::park`], independent of the executor).
    ///
    /// # Errors
    ///
    /// - [`BlockOnError::is_in_async_context`] when the calling thread drives an executor this
    ///   adapter can see (its own, or one marked in [`crate::context`]) that blocking would
    ///   starve. Executors of other runtimes are checked by the `loopbridge` facade.
    /// - [`BlockOnError::is_shut_down`] when the runtime has been shut down.
    /// - [`BlockOnError::is_timed_out`] when the deadline passed first.
    ///
    /// # Examples
    ///
    /// The [trait docs](LoopBackend) implement it; [`try_block_on`](Self::try_block_on) and
    /// [`block_on`](Self::block_on) call it.
    fn try_block_on_until<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError>;

    /// [`try_block_on_until`](Self::try_block_on_until) without a deadline.
    ///
    /// # Errors
    ///
    /// As [`try_block_on_until`](Self::try_block_on_until), except the deadline.
    ///
    /// # Examples
    ///
    /// See the [trait docs](LoopBackend).
    fn try_block_on<F: Future>(&self, future: F) -> Result<F::Output, BlockOnError> {
        self.try_block_on_until(future, None)
    }

    /// A timer that completes at `deadline`, which is in the future. It must work when created
    /// and polled from any thread, inside or outside this runtime.
    ///
    /// # Examples
    ///
    /// The [trait docs](LoopBackend) implement it; [`sleep`](Self::sleep) and
    /// [`timeout`](Self::timeout) call it.
    fn timer_at(&self, deadline: Instant) -> Self::Timer;

    /// Spawns `future` and returns its [`JoinHandle`].
    ///
    /// # Examples
    ///
    /// See the [trait docs](LoopBackend).
    fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (task, handle) = TaskFuture::new(future);
        self.spawn_task(task);
        handle
    }

    /// Runs `f` on the blocking pool and returns its [`JoinHandle`]. Dropping the handle never
    /// cancels the job.
    ///
    /// # Examples
    ///
    /// See the [trait docs](LoopBackend).
    fn spawn_blocking<F, T>(&self, f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (job, handle) = BlockingJob::new(f);
        self.spawn_blocking_job(job);
        handle
    }

    /// Like [`try_block_on`](Self::try_block_on), but panics where that returns an error.
    ///
    /// # Panics
    ///
    /// With the [`BlockOnError`] message, when blocking the calling thread could deadlock.
    ///
    /// # Examples
    ///
    /// See the [trait docs](LoopBackend).
    #[track_caller]
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        match self.try_block_on(future) {
            Ok(output) => output,
            Err(err) => panic!("{err}"),
        }
    }

    /// Sleeps for `duration` with the normalized semantics of [`crate::time::Sleep`].
    ///
    /// # Examples
    ///
    /// See the [trait docs](LoopBackend).
    fn sleep(&self, duration: Duration) -> Sleep<Self::Timer> {
        Sleep::new(duration, |deadline| self.timer_at(deadline))
    }

    /// Sleeps until `deadline`.
    ///
    /// # Examples
    ///
    /// See the [trait docs](LoopBackend).
    fn sleep_until(&self, deadline: Instant) -> Sleep<Self::Timer> {
        Sleep::until(deadline, |deadline| self.timer_at(deadline))
    }

    /// Runs `future` with a deadline of `duration`; see [`crate::time::Timeout`].
    ///
    /// # Examples
    ///
    /// See the [trait docs](LoopBackend).
    fn timeout<F: Future>(&self, duration: Duration, future: F) -> Timeout<F, Self::Timer> {
        Timeout::new(future, self.sleep(duration))
    }
}

/// How to build an owned runtime: the settings every adapter understands.
///
/// # Examples
///
/// ```
/// let config = loopbridge_core::RunnerConfig::default();
/// assert!(config.worker_threads >= 1);
/// assert_eq!(config.thread_name, "loopbridge");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunnerConfig {
    /// Executor threads; 1 means the single-thread flavour.
    pub worker_threads: usize,
    /// Upper bound on threads of the blocking pool.
    pub max_blocking_threads: usize,
    /// Prefix of the names of every thread the runtime starts.
    pub thread_name: String,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            worker_threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_blocking_threads: 512,
            thread_name: "loopbridge".to_owned(),
        }
    }
}

impl RunnerConfig {
    /// Sets [`worker_threads`](Self::worker_threads), at least 1.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = loopbridge_core::RunnerConfig::default().with_worker_threads(0);
    /// assert_eq!(c.worker_threads, 1);
    /// ```
    #[must_use]
    pub fn with_worker_threads(mut self, n: usize) -> Self {
        self.worker_threads = n.max(1);
        self
    }

    /// Sets [`max_blocking_threads`](Self::max_blocking_threads), at least 1.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = loopbridge_core::RunnerConfig::default().with_max_blocking_threads(8);
    /// assert_eq!(c.max_blocking_threads, 8);
    /// ```
    #[must_use]
    pub fn with_max_blocking_threads(mut self, n: usize) -> Self {
        self.max_blocking_threads = n.max(1);
        self
    }

    /// Sets [`thread_name`](Self::thread_name).
    ///
    /// # Examples
    ///
    /// ```
    /// let c = loopbridge_core::RunnerConfig::default().with_thread_name("db-loop");
    /// assert_eq!(c.thread_name, "db-loop");
    /// ```
    #[must_use]
    pub fn with_thread_name(mut self, name: impl Into<String>) -> Self {
        self.thread_name = name.into();
        self
    }
}
