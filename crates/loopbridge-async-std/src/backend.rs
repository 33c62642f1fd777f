//! [`AsyncStdBackend`]: the `LoopBackend` implementation over async-std's global runtime.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use loopbridge_core::task::{BlockingJob, TaskFuture};
use loopbridge_core::unstable::block_on;
use loopbridge_core::unstable::context::{self, BackendGuard, Marker, ThreadRole};
use loopbridge_core::unstable::lifecycle::{self, Lifecycle};
use loopbridge_core::unstable::pool::BlockingPool;
use loopbridge_core::{BackendKind, BlockOnError, LoopBackend};
use pin_project_lite::pin_project;

thread_local! {
    /// The typed half of the ambient marker: the backend the current thread works for. Set for
    /// the duration of a scope by `enter` (a `block_on`, a blocking job); on async-std's own
    /// threads, left behind by the last runner task polled there (see [`InRunner`]). It is
    /// therefore trusted only while the marker names the same runtime.
    static CURRENT: RefCell<Option<AsyncStdBackend>> = const { RefCell::new(None) };
}

/// A runner's part of a backend: its lifecycle (with an abort registry, since async-std cannot
/// cancel tasks itself) and its blocking pool.
pub(crate) struct RunnerParts {
    pub(crate) lifecycle: Arc<Lifecycle>,
    pub(crate) pool: BlockingPool,
}

/// A [`LoopBackend`] over async-std's global runtime.
///
/// [`AsyncStdBackend::new`] is the plain global runtime; an
/// [`AsyncStdRuntime`](crate::AsyncStdRuntime)'s backend also tracks its tasks and jobs for its
/// shutdown.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge_core::LoopBackend;
///
/// let backend = loopbridge_async_std::AsyncStdBackend::new();
/// backend.block_on(backend.sleep(Duration::from_millis(1)));
/// ```
#[derive(Clone, Default)]
pub struct AsyncStdBackend {
    runner: Option<Arc<RunnerParts>>,
}

impl AsyncStdBackend {
    /// The backend of async-std's global runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = loopbridge_async_std::AsyncStdBackend::new();
    /// ```
    pub const fn new() -> Self {
        AsyncStdBackend { runner: None }
    }

    pub(crate) fn for_runner(parts: Arc<RunnerParts>) -> Self {
        AsyncStdBackend { runner: Some(parts) }
    }

    /// The backend if the calling thread is running an async-std task, or is inside a loopbridge
    /// async-std `block_on` or `to_thread` job — the runner's own when it is one of its tasks.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(loopbridge_async_std::AsyncStdBackend::try_current().is_none());
    /// ```
    pub fn try_current() -> Option<Self> {
        let Some(marker) = context::current().filter(|a| a.kind() == BackendKind::AsyncStd) else {
            return async_std::task::try_current().is_some().then(AsyncStdBackend::new);
        };
        let runtime = marker.runtime().unwrap_or(0);
        let typed = context::backend_in(&CURRENT).filter(|backend| backend.runtime_id() == runtime);
        Some(typed.unwrap_or_default())
    }

    /// The runner's lifecycle; `None` for the plain global runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(loopbridge_async_std::AsyncStdBackend::new().lifecycle().is_none());
    /// ```
    pub fn lifecycle(&self) -> Option<&Arc<Lifecycle>> {
        self.runner.as_ref().map(|parts| &parts.lifecycle)
    }

    /// The id the ambient marker gives this backend's runtime: its lifecycle's, 0 for the
    /// global runtime.
    fn runtime_id(&self) -> usize {
        self.lifecycle().map_or(0, Lifecycle::id)
    }

    pub(crate) fn enter(&self, role: ThreadRole) -> BackendGuard<AsyncStdBackend> {
        let marker = Marker::new(BackendKind::AsyncStd, role).with_runtime(self.runtime_id());
        context::enter_backend(&CURRENT, self.clone(), marker)
    }
}

pin_project! {
    /// A runner's task: async-std threads are not loopbridge's to mark, so the task marks the
    /// thread around each of its polls, making the runner ambient inside it.
    struct InRunner<F> {
        #[pin]
        inner: F,
        backend: AsyncStdBackend,
        // The runner's id in the marker.
        runtime: usize,
    }
}

impl<F> InRunner<F> {
    fn new(inner: F, backend: AsyncStdBackend) -> Self {
        let runtime = backend.runtime_id();
        InRunner { inner, backend, runtime }
    }
}

impl<F: Future> Future for InRunner<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        // The marker is set for this poll only; the typed backend is left on the thread after
        // it (the marker says when to trust it), so a thread that polls one runner's tasks in
        // a row sets it once: a poll costs two thread-local writes and one read.
        leave_on_thread(this.backend);
        let role = ThreadRole::Worker { single_threaded: false };
        let _marker =
            context::enter(Marker::new(BackendKind::AsyncStd, role).with_runtime(*this.runtime));
        this.inner.poll(cx)
    }
}

/// Makes `backend` the thread's typed backend unless it is already (see [`CURRENT`]).
#[inline]
fn leave_on_thread(backend: &AsyncStdBackend) {
    let replaced = CURRENT.try_with(|current| {
        let mut current = current.try_borrow_mut().ok()?;
        let same = match (current.as_ref().and_then(|b| b.runner.as_ref()), &backend.runner) {
            (Some(current), Some(ours)) => Arc::ptr_eq(current, ours),
            _ => false,
        };
        if same { None } else { current.replace(backend.clone()) }
    });
    drop(replaced); // outside the borrow: it may be the last reference to another runner
}

/// Refuses to block a thread that is running an async-std task (other than a loopbridge
/// `block_on` or `to_thread` job): async-std would let the nested `block_on` run and then hang
/// whenever the future needs the blocked thread.
///
/// # Errors
///
/// [`BlockOnError::in_async_context`] inside an async-std task.
///
/// # Examples
///
/// ```
/// assert!(loopbridge_async_std::check_blocking().is_ok());
/// let inside = async_std::task::block_on(async_std::task::spawn(async {
///     loopbridge_async_std::check_blocking()
/// }));
/// assert!(inside.unwrap_err().is_in_async_context());
/// ```
pub fn check_blocking() -> Result<(), BlockOnError> {
    let allowed_role = matches!(
        context::current().map(Marker::role),
        Some(ThreadRole::Blocking | ThreadRole::BlockOn)
    );
    if !allowed_role && async_std::task::try_current().is_some() {
        return Err(BlockOnError::in_async_context("an async-std task"));
    }
    Ok(())
}

impl LoopBackend for AsyncStdBackend {
    type Timer = async_io::Timer;

    fn kind(&self) -> BackendKind {
        BackendKind::AsyncStd
    }

    fn spawn_task<F>(&self, task: TaskFuture<F>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // async-std detaches on drop already. A runner's task refused after its shutdown is
        // dropped here, which resolves its handle as cancelled.
        match &self.runner {
            Some(parts) => {
                if let Some(tracked) = lifecycle::track_task(Some(&parts.lifecycle), task) {
                    drop(async_std::task::spawn(InRunner::new(tracked, self.clone())));
                }
            }
            None => drop(async_std::task::spawn(task)),
        }
    }

    fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let backend = self.clone();
        let enter = move || backend.enter(ThreadRole::Blocking);
        let Some(run) = lifecycle::track_blocking(self.lifecycle(), job, enter) else { return };
        match &self.runner {
            Some(parts) => parts.pool.spawn(run),
            None => drop(async_std::task::spawn_blocking(run)),
        }
    }

    fn try_block_on_until<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        if self.lifecycle().is_some_and(|l| l.is_closed()) {
            return Err(BlockOnError::shut_down());
        }
        context::check_not_worker(None)?;
        check_blocking()?;
        let _context = self.enter(ThreadRole::BlockOn);
        block_on::run(self.lifecycle(), future, deadline, async_std::task::block_on)
    }

    /// A runner's clock, which loopbridge can pause; the wall clock for async-std's global
    /// runtime.
    #[inline]
    fn now(&self) -> Instant {
        self.lifecycle().map_or_else(Instant::now, |lifecycle| lifecycle.clock().now())
    }

    fn timer_at(&self, deadline: Instant) -> Self::Timer {
        async_io::Timer::at(deadline)
    }
}

impl fmt::Debug for AsyncStdBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncStdBackend").field("lifecycle", &self.lifecycle()).finish()
    }
}
