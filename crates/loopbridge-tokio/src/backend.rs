//! [`TokioBackend`]: the `LoopBackend` implementation over a tokio `Handle`.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use loopbridge_core::task::{BlockingJob, TaskFuture};
use loopbridge_core::unstable::clock;
use loopbridge_core::unstable::context::{self, BackendGuard, Marker, ThreadRole};
use loopbridge_core::unstable::lifecycle::{self, Lifecycle};
use loopbridge_core::unstable::{block_on, spin};
use loopbridge_core::{BackendKind, BlockOnError, JoinHandle, LoopBackend};
use tokio::runtime::Handle;

use crate::blocking_region;

thread_local! {
    /// The backend the current thread works for, set together with the ambient marker: a
    /// thread of a runtime loopbridge started, or one inside a loopbridge `block_on`. The
    /// marker is authoritative there, so the ambient runtime does not depend on which tokio
    /// context user code may have entered on top.
    static CURRENT: RefCell<Option<TokioBackend>> = const { RefCell::new(None) };
}

/// A [`LoopBackend`] that runs everything on one tokio runtime.
///
/// Cheap to clone (a tokio [`Handle`] and, for runtimes loopbridge started, the shared
/// [`Lifecycle`] that refuses work after their shutdown).
///
/// # Examples
///
/// ```
/// use loopbridge_core::LoopBackend;
/// use loopbridge_tokio::TokioBackend;
///
/// let rt = tokio::runtime::Builder::new_multi_thread().enable_time().build().unwrap();
/// let backend = TokioBackend::new(rt.handle().clone());
/// assert_eq!(backend.block_on(backend.spawn_blocking(|| 2 + 2)).unwrap(), 4);
/// assert!(backend.lifecycle().is_none()); // the application's runtime, not loopbridge's
/// ```
#[derive(Clone, Debug)]
pub struct TokioBackend {
    handle: Handle,
    lifecycle: Option<Arc<Lifecycle>>,
}

impl TokioBackend {
    /// A backend over `handle`, a runtime loopbridge does not own (its shutdown is the
    /// application's). The runtime must have its timer enabled for timers to work.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loopbridge_core::{BackendKind, LoopBackend};
    /// use loopbridge_tokio::TokioBackend;
    ///
    /// let rt = tokio::runtime::Builder::new_multi_thread()
    ///     .worker_threads(1)
    ///     .thread_name("app-worker")
    ///     .enable_time()
    ///     .build()
    ///     .unwrap();
    /// let backend = TokioBackend::new(rt.handle().clone());
    /// assert_eq!(backend.kind(), BackendKind::Tokio);
    /// assert!(backend.lifecycle().is_none()); // loopbridge does not own (or shut down) `rt`
    /// // Its tasks run on `rt`'s threads, and its timers on `rt`'s timer.
    /// let task = backend.spawn(async {
    ///     tokio::time::sleep(Duration::from_millis(1)).await;
    ///     std::thread::current().name().map(str::to_owned)
    /// });
    /// assert_eq!(backend.block_on(task).unwrap().as_deref(), Some("app-worker"));
    /// ```
    pub fn new(handle: Handle) -> Self {
        TokioBackend { handle, lifecycle: None }
    }

    pub(crate) fn owned(handle: Handle, lifecycle: Arc<Lifecycle>) -> Self {
        TokioBackend { handle, lifecycle: Some(lifecycle) }
    }

    /// The backend of the tokio runtime the calling thread is inside, if any — with its
    /// lifecycle when the runtime is one loopbridge started. On a thread loopbridge marked (a
    /// thread of its runtime, or one inside its `block_on`) that is the marked runtime, even
    /// where user code entered another tokio runtime's context on top.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(loopbridge_tokio::TokioBackend::try_current().is_none());
    /// ```
    pub fn try_current() -> Option<Self> {
        context::backend_in(&CURRENT).or_else(|| Handle::try_current().ok().map(TokioBackend::new))
    }

    /// The underlying tokio handle.
    ///
    /// # Examples
    ///
    /// ```
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let backend = loopbridge_tokio::TokioBackend::new(rt.handle().clone());
    /// let _guard = backend.handle().enter(); // tokio APIs now work on this thread
    /// ```
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// The lifecycle of a runtime loopbridge started; `None` for the application's own.
    pub fn lifecycle(&self) -> Option<&Arc<Lifecycle>> {
        self.lifecycle.as_ref()
    }

    /// Marks the current thread as working for this backend in `role` until the guard drops.
    pub(crate) fn enter(self, role: ThreadRole) -> BackendGuard<TokioBackend> {
        let runtime = self.lifecycle.as_ref().map_or(0, Lifecycle::id);
        let marker = Marker::new(BackendKind::Tokio, role).with_runtime(runtime);
        context::enter_backend(&CURRENT, self, marker)
    }
}

impl LoopBackend for TokioBackend {
    // tokio's `Sleep` is `!Unpin`; boxing it keeps every backend's timer `Unpin` for the
    // facade, and costs nothing next to the timer wheel's own work.
    type Timer = Pin<Box<tokio::time::Sleep>>;

    fn kind(&self) -> BackendKind {
        BackendKind::Tokio
    }

    fn spawn_task<F>(&self, task: TaskFuture<F>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // Dropping tokio's handle detaches; the result reaches the user through `task`. A task
        // refused after shutdown is dropped here, which resolves its handle as cancelled.
        if let Some(tracked) = lifecycle::track_task(self.lifecycle(), task) {
            drop(self.handle.spawn(tracked));
        }
    }

    /// Hands the user tokio's own `JoinHandle`: its semantics are loopbridge's (see
    /// [`NativeTask`](lifecycle::NativeTask)), so the task needs no second cell beside tokio's
    /// — one allocation and one state machine per spawn, as with `tokio::spawn`.
    fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // On a paused clock, loopbridge's own handle: tokio's abort schedules the task's end
        // without a waker, which the clock could not count as work.
        if clock::any_ever_paused() && self.lifecycle().is_some_and(|l| l.clock().is_paused()) {
            let (task, handle) = TaskFuture::new(future);
            self.spawn_task(task);
            return handle;
        }
        match lifecycle::track_native(self.lifecycle(), future) {
            Ok(task) => JoinHandle::from_tokio(self.handle.spawn(task)),
            Err(future) => {
                // Refused after the shutdown: dropping the task resolves its handle cancelled.
                let (task, handle) = TaskFuture::new(future);
                drop(task);
                handle
            }
        }
    }

    fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let backend = self.clone();
        let enter = move || backend.enter(ThreadRole::Blocking);
        if let Some(run) = lifecycle::track_blocking(self.lifecycle(), job, enter) {
            drop(self.handle.spawn_blocking(run));
        }
    }

    fn try_block_on_until<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        if self.lifecycle.as_ref().is_some_and(|l| l.is_closed()) {
            return Err(BlockOnError::shut_down());
        }
        // tokio's own workers are handled by `blocking_region` (block_in_place or refusal).
        context::check_not_worker(Some(BackendKind::Tokio))?;
        blocking_region(|| self.try_block_on_plain_thread(future, deadline))?
    }

    /// Skips the checks for worker threads (and tokio's second `Handle::try_current`): runs
    /// `future` here, marked as this runtime's `block_on` thread, in its context.
    fn try_block_on_plain_thread<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        let _role = self.clone().enter(ThreadRole::BlockOn);
        let _runtime = self.handle.enter();
        // This thread polls the future itself first (and, with a deadline, throughout); only
        // a future still pending after the spin goes to `Handle::block_on`, which parks.
        block_on::run(self.lifecycle(), future, deadline, |future| {
            spin::spin_then(future, |future| self.handle.block_on(future))
        })
    }

    /// A runtime loopbridge started: its own clock, which loopbridge can pause. One the
    /// application started: tokio's clock, which a runtime paused with tokio's `pause` (or
    /// `start_paused`) freezes and advances — read from that runtime's own threads, where
    /// loopbridge's deadlines are made (elsewhere tokio's clock is the wall clock; entering the
    /// runtime for every read would cost every sleep a context switch-in).
    #[inline]
    fn now(&self) -> Instant {
        match &self.lifecycle {
            Some(lifecycle) => lifecycle.clock().now(),
            None => tokio::time::Instant::now().into_std(),
        }
    }

    fn timer_at(&self, deadline: Instant) -> Self::Timer {
        // tokio timers must be created inside a runtime context; entering our own makes
        // `sleep` work from any thread, and under any other executor.
        let _context = self.handle.enter();
        Box::pin(tokio::time::sleep_until(deadline.into()))
    }
}
