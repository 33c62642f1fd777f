//! [`LoopBackend`]: what a runtime adapter provides, and the neutral operations built on it.

use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

use crate::task::{BlockingJob, TaskFuture};
use crate::time::{Sleep, Timeout};
use crate::{BackendKind, BlockOnError, JoinHandle};

/// A handle to one running event loop of some runtime: the interface every adapter implements,
/// and the one an application implements for an executor loopbridge does not ship (a GUI main
/// loop, a game engine, another runtime) to give it the whole facade through
/// `loopbridge::Bridge::from_backend`.
///
/// # What a backend must provide
///
/// Five required methods, as few as hyper's `rt` traits ask of a runtime, because each is
/// something only the runtime can do:
///
/// | method | why only the runtime can do it |
/// | --- | --- |
/// | [`kind`](Self::kind) | names it ([`BackendKind::Other`] for a backend loopbridge does not ship) |
/// | [`spawn_task`](Self::spawn_task) | puts a future on its executor |
/// | [`spawn_blocking_job`](Self::spawn_blocking_job) | runs a closure where blocking is allowed |
/// | [`try_block_on_until`](Self::try_block_on_until) | drives a future from a thread outside it, inside its context (its IO and timers) |
/// | [`timer_at`](Self::timer_at) | a timer on its clock |
///
/// Everything user-facing is provided on top of them — [`spawn`](Self::spawn),
/// [`spawn_blocking`](Self::spawn_blocking), [`sleep`](Self::sleep),
/// [`timeout`](Self::timeout), [`block_on`](Self::block_on) — so the semantics (detach on
/// drop, abort, panics reported with their payload, timers that never fire early) are the
/// same on every backend: [`TaskFuture`] and [`BlockingJob`] carry them, and a backend only
/// has to run them. Every provided method may be overridden where the runtime can do the
/// same for less, as long as the semantics stay these:
/// [`try_block_on_plain_thread`](Self::try_block_on_plain_thread) to skip checks a plain
/// thread does not need (the tokio and smol adapters do), and [`spawn`](Self::spawn), which
/// the tokio adapter overrides to hand out tokio's own `JoinHandle`, wrapped (with this
/// crate's `tokio` feature), whose semantics already are these. Everything is generic:
/// nothing on the spawn path is boxed.
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
/// use loopbridge_core::{BackendKind, BlockOnError, JoinHandle, LoopBackend};
/// use loopbridge_core::unstable::park;
/// use loopbridge_core::task::{BlockingJob, TaskFuture};
///
/// #[derive(Clone, Debug)]
/// struct ThreadPerTask;
///
/// impl LoopBackend for ThreadPerTask {
///     type Timer = JoinHandle<()>; // a job that sleeps until the deadline
///     fn kind(&self) -> BackendKind { BackendKind::Other("thread-per-task") }
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
///         park::wait_with_deadline(future, deadline)
///     }
///     fn timer_at(&self, deadline: Instant) -> Self::Timer {
///         self.spawn_blocking(move || std::thread::sleep(deadline.saturating_duration_since(Instant::now())))
///     }
/// }
///
/// let backend = ThreadPerTask;
/// assert_eq!(backend.kind().name(), "thread-per-task");
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
    fn kind(&self) -> BackendKind;

    /// Runs `task` on the event loop, detached: the backend drops its own native handle.
    fn spawn_task<F>(&self, task: TaskFuture<F>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Runs `job` on the backend's blocking pool, detached. The job must run even though no
    /// native handle is kept, and should see this backend as ambient (see [`crate::context`]).
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
    fn try_block_on<F: Future>(&self, future: F) -> Result<F::Output, BlockOnError> {
        self.try_block_on_until(future, None)
    }

    /// [`try_block_on_until`](Self::try_block_on_until) for a caller the `loopbridge` facade
    /// has found on a plain thread — no loopbridge marker, no other runtime's context — where
    /// an adapter's checks for its worker threads would find nothing. Override it to skip
    /// them; the default runs them anyway.
    ///
    /// # Errors
    ///
    /// As [`try_block_on_until`](Self::try_block_on_until). Called from a thread that is not
    /// plain, an override may block a worker.
    fn try_block_on_plain_thread<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        self.try_block_on_until(future, deadline)
    }

    /// A timer that completes at `deadline`, which is in the future. It must work when created
    /// and polled from any thread, inside or outside this runtime.
    fn timer_at(&self, deadline: Instant) -> Self::Timer;

    /// The runtime's clock: what its timers measure deadlines against, and what every deadline
    /// loopbridge computes for it starts from. Provided: the wall clock, `Instant::now()`. A
    /// runtime whose time can stand still overrides it (tokio's adapter reads tokio's clock,
    /// which a paused tokio runtime freezes and advances).
    fn now(&self) -> Instant {
        Instant::now()
    }

    /// Spawns `future` and returns its [`JoinHandle`].
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
    #[track_caller]
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        match self.try_block_on(future) {
            Ok(output) => output,
            Err(err) => panic!("{err}"),
        }
    }

    /// Sleeps for `duration` with the normalized semantics of [`crate::time::Sleep`].
    fn sleep(&self, duration: Duration) -> Sleep<Self::Timer> {
        Sleep::new(duration, || self.now(), |deadline| self.timer_at(deadline))
    }

    /// Sleeps until `deadline`.
    fn sleep_until(&self, deadline: Instant) -> Sleep<Self::Timer> {
        Sleep::until(deadline, self.now(), |deadline| self.timer_at(deadline))
    }

    /// Runs `future` with a deadline of `duration`; see [`crate::time::Timeout`].
    fn timeout<F: Future>(&self, duration: Duration, future: F) -> Timeout<F, Self::Timer> {
        Timeout::new(future, self.sleep(duration))
    }
}
