//! [`Bridge`]: a cheap handle to one running event loop.

use std::future::Future;
use std::time::{Duration, Instant};

use loopbridge_core::{BackendKind, BlockOnError, JoinHandle, LoopBackend};

use crate::backends::AnyBackend;
use crate::runtime::ambient;
use crate::time::Interval;
use crate::time::{Sleep, Timeout};
use crate::trace::SpanContext;

/// A handle to one running event loop: the ambient runtime, the global runner, a runtime
/// loopbridge started, or an application's own ([`from_backend`](Bridge::from_backend)).
/// Cheap to clone, `Send` and `Sync`: store it in a struct and use it from any thread.
///
/// Every method has the same semantics on every backend (see the crate docs).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let bridge = loopbridge::Bridge::current(); // no runtime here: the global runner
/// let answer = bridge.block_on(async {
///     let task = bridge.spawn(async { 6 * 7 });
///     bridge.sleep(Duration::from_millis(1)).await;
///     task.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
#[derive(Clone, Debug)]
pub struct Bridge {
    backend: AnyBackend,
}

impl Bridge {
    pub(crate) fn new(backend: AnyBackend) -> Self {
        Bridge { backend }
    }

    /// A bridge to an event loop loopbridge does not ship — a GUI main loop, a game engine,
    /// another runtime — through its [`LoopBackend`] implementation: the whole facade then
    /// works on it, with the same semantics as on every backend. Free functions called in
    /// its tasks, blocking jobs and `block_on` calls use it; `block_on` on its executor's
    /// threads is refused (loopbridge cannot know whether blocking them is safe), as on any
    /// executor where it could deadlock. Its shutdown is the application's.
    ///
    /// A backend loopbridge ships ([`loopbridge_tokio::TokioBackend`] over an application's
    /// tokio runtime, for one) keeps its own fast paths.
    ///
    /// [`loopbridge_tokio::TokioBackend`]: https://docs.rs/loopbridge-tokio
    ///
    /// # Examples
    ///
    /// With a backend from the [`rt`](crate::rt) example (`examples/custom_backend.rs` has a
    /// complete one over a single-thread event loop):
    ///
    /// ```
    /// # use std::time::{Duration, Instant};
    /// # use loopbridge::{BackendKind, BlockOnError, Bridge, JoinHandle};
    /// # use loopbridge::rt::{BlockingJob, LoopBackend, TaskFuture, park};
    /// # #[derive(Clone, Debug)]
    /// # struct ThreadPerTask;
    /// # impl LoopBackend for ThreadPerTask {
    /// #     type Timer = JoinHandle<()>;
    /// #     fn kind(&self) -> BackendKind { BackendKind::Other("thread-per-task") }
    /// #     fn spawn_task<F>(&self, task: TaskFuture<F>)
    /// #     where F: Future + Send + 'static, F::Output: Send + 'static {
    /// #         std::thread::spawn(move || park::wait(task));
    /// #     }
    /// #     fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    /// #     where F: FnOnce() -> T + Send + 'static, T: Send + 'static {
    /// #         std::thread::spawn(move || job.run());
    /// #     }
    /// #     fn try_block_on_until<F: Future>(&self, future: F, deadline: Option<Instant>)
    /// #         -> Result<F::Output, BlockOnError> {
    /// #         park::wait_with_deadline(future, deadline)
    /// #     }
    /// #     fn timer_at(&self, deadline: Instant) -> Self::Timer {
    /// #         self.spawn_blocking(move || std::thread::sleep(deadline.saturating_duration_since(Instant::now())))
    /// #     }
    /// # }
    /// let bridge = Bridge::from_backend(ThreadPerTask);
    /// assert_eq!(bridge.kind(), BackendKind::Other("thread-per-task"));
    /// let answer = bridge.block_on(async {
    ///     // Inside the backend's tasks, the free functions use it.
    ///     let task = loopbridge::spawn(async { loopbridge::current() });
    ///     loopbridge::sleep(Duration::from_millis(1)).await;
    ///     task.await.unwrap()
    /// });
    /// assert_eq!(answer, Some(BackendKind::Other("thread-per-task")));
    /// ```
    pub fn from_backend<B: LoopBackend>(backend: B) -> Bridge {
        Bridge::new(AnyBackend::from_backend(backend))
    }

    pub(crate) fn backend(&self) -> &AnyBackend {
        &self.backend
    }

    /// The runtime the calling thread is inside, if its backend is compiled in; otherwise the
    /// global runner (started on first use).
    ///
    /// # Panics
    ///
    /// If the global runner is needed and cannot start: no backend feature is enabled,
    /// `LOOPBRIDGE_BACKEND` names a backend that is unknown or not compiled in, or its threads
    /// cannot start (in a child process after `fork()`, smol and async-std cannot).
    ///
    /// # Examples
    ///
    /// ```
    /// let bridge = loopbridge::Bridge::current();
    /// assert_eq!(bridge.kind(), loopbridge::Bridge::global().kind());
    /// ```
    #[track_caller]
    pub fn current() -> Bridge {
        Bridge { backend: ambient::with_current(AnyBackend::clone) }
    }

    /// The global runner, started on first use with the backend chosen as described in
    /// [`set_default_backend`](crate::set_default_backend).
    ///
    /// # Panics
    ///
    /// If the global runner is needed and cannot start: no backend feature is enabled,
    /// `LOOPBRIDGE_BACKEND` names a backend that is unknown or not compiled in, or its threads
    /// cannot start (in a child process after `fork()`, smol and async-std cannot).
    ///
    /// # Examples
    ///
    /// ```
    /// let global = loopbridge::Bridge::global();
    /// assert_eq!(global.block_on(async { 1 + 1 }), 2);
    /// ```
    #[track_caller]
    pub fn global() -> Bridge {
        Bridge { backend: ambient::with_global(AnyBackend::clone) }
    }

    /// The backend of this loop.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "tokio")]
    /// assert_eq!(loopbridge::Bridge::global().kind(), loopbridge::BackendKind::Tokio);
    /// ```
    pub fn kind(&self) -> BackendKind {
        self.backend.kind()
    }

    /// Spawns `future` on this loop; see [`spawn`](crate::spawn).
    ///
    /// # Examples
    ///
    /// ```
    /// let bridge = loopbridge::Bridge::global();
    /// let handle = bridge.spawn(async { "hi" });
    /// assert_eq!(bridge.block_on(handle).unwrap(), "hi");
    /// ```
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.backend.spawn(future)
    }

    /// Runs `f` on this loop's blocking pool; see [`to_thread`](crate::to_thread).
    ///
    /// # Examples
    ///
    /// ```
    /// let bridge = loopbridge::Bridge::global();
    /// let handle = bridge.to_thread(|| std::thread::current().name().map(str::to_owned));
    /// assert!(bridge.block_on(handle).is_ok());
    /// ```
    #[doc(alias = "spawn_blocking")]
    #[doc(alias = "unblock")]
    pub fn to_thread<F, T>(&self, f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let span = SpanContext::capture();
        self.backend.spawn_blocking(move || span.in_scope(f))
    }

    /// Runs `future` to completion on the calling thread, inside this loop's context; see
    /// [`block_on`](crate::block_on).
    ///
    /// # Panics
    ///
    /// Where [`try_block_on`](Self::try_block_on) returns an error, with its message; and if
    /// `future` panics, with that panic.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(loopbridge::Bridge::global().block_on(async { 3 }), 3);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match self.try_block_on(future) {
            Ok(output) => output,
            Err(err) => panic!("{err}"),
        }
    }

    /// Like [`block_on`](Self::block_on), but returns an error instead of panicking.
    ///
    /// # Errors
    ///
    /// [`BlockOnError::is_in_async_context`] where blocking the calling thread could deadlock:
    /// it drives a single-thread executor, a `LocalSet`, or a worker loopbridge cannot hand off.
    ///
    /// # Examples
    ///
    /// ```
    /// let out = loopbridge::Bridge::global().try_block_on(async { 3 });
    /// assert_eq!(out.unwrap(), 3);
    /// ```
    pub fn try_block_on<F: Future>(&self, future: F) -> Result<F::Output, BlockOnError> {
        self.backend.try_block_on(future)
    }

    /// Like [`try_block_on`](Self::try_block_on), but gives up when `timeout` passes, even if
    /// the loop is busy or blocked: the calling thread waits on its own clock, and the future
    /// is dropped.
    ///
    /// # Errors
    ///
    /// As [`try_block_on`](Self::try_block_on), plus [`BlockOnError::is_timed_out`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let bridge = loopbridge::Bridge::global();
    /// let quick = bridge.try_block_on_timeout(async { 7 }, Duration::from_secs(1));
    /// assert_eq!(quick.unwrap(), 7);
    /// let stuck = bridge.try_block_on_timeout(std::future::pending::<()>(), Duration::from_millis(5));
    /// assert!(stuck.unwrap_err().is_timed_out());
    /// ```
    pub fn try_block_on_timeout<F: Future>(
        &self,
        future: F,
        timeout: Duration,
    ) -> Result<F::Output, BlockOnError> {
        let deadline = Instant::now().checked_add(timeout);
        match deadline {
            Some(deadline) => self.backend.try_block_on_until(future, Some(deadline)),
            None => self.backend.try_block_on(future),
        }
    }

    /// Sleeps for `duration` on this loop's timer; see [`sleep`](crate::sleep).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// let bridge = loopbridge::Bridge::global();
    /// bridge.block_on(bridge.sleep(Duration::from_millis(1)));
    /// ```
    pub fn sleep(&self, duration: Duration) -> Sleep {
        Sleep::new(self.backend.sleep(duration))
    }

    /// Sleeps until `deadline` on this loop's timer; see [`sleep_until`](crate::sleep_until).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::{Duration, Instant};
    /// let bridge = loopbridge::Bridge::global();
    /// bridge.block_on(bridge.sleep_until(Instant::now() + Duration::from_millis(1)));
    /// ```
    pub fn sleep_until(&self, deadline: impl Into<Instant>) -> Sleep {
        Sleep::new(self.backend.sleep_until(deadline.into()))
    }

    /// A periodic timer on this loop's timers, its first tick at once; see
    /// [`interval`](crate::interval).
    ///
    /// # Panics
    ///
    /// If `period` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// let bridge = loopbridge::Bridge::global();
    /// let mut interval = bridge.interval(Duration::from_millis(1));
    /// bridge.block_on(async {
    ///     interval.tick().await;
    ///     interval.tick().await;
    /// });
    /// ```
    #[track_caller]
    pub fn interval(&self, period: Duration) -> Interval {
        self.interval_at(self.backend.now(), period)
    }

    /// A periodic timer on this loop's timers, its first tick at `start`; see
    /// [`interval_at`](crate::interval_at).
    ///
    /// # Panics
    ///
    /// If `period` is zero.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::{Duration, Instant};
    /// let bridge = loopbridge::Bridge::global();
    /// let start = Instant::now() + Duration::from_millis(1);
    /// let mut interval = bridge.interval_at(start, Duration::from_millis(1));
    /// assert_eq!(bridge.block_on(interval.tick()), start);
    /// ```
    #[track_caller]
    pub fn interval_at(&self, start: impl Into<Instant>, period: Duration) -> Interval {
        let start = start.into();
        Interval::new(self.backend.clone(), start, period)
    }

    /// Runs `future` with a deadline on this loop's timer; see [`timeout`](crate::timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// let bridge = loopbridge::Bridge::global();
    /// let out = bridge.block_on(bridge.timeout(Duration::from_millis(1), std::future::pending::<()>()));
    /// assert!(out.is_err());
    /// ```
    pub fn timeout<F: Future>(&self, duration: Duration, future: F) -> Timeout<F> {
        Timeout::new(self.backend.timeout(duration, future))
    }
}
