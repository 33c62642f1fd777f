//! [`TokioBackend`]: the `LoopBackend` implementation over a tokio `Handle`.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use loopbridge_core::context::{self, Ambient, EnterGuard, ThreadRole};
use loopbridge_core::lifecycle::Lifecycle;
use loopbridge_core::park;
use loopbridge_core::task::{BlockingJob, TaskFuture};
use loopbridge_core::{BackendKind, BlockOnError, LoopBackend};
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
    /// See [`TokioBackend`].
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
        if let Ok(Some(backend)) = CURRENT.try_with(|c| c.borrow().clone()) {
            return Some(backend);
        }
        Handle::try_current().ok().map(TokioBackend::new)
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
    ///
    /// # Examples
    ///
    /// ```
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// assert!(loopbridge_tokio::TokioBackend::new(rt.handle().clone()).lifecycle().is_none());
    /// ```
    pub fn lifecycle(&self) -> Option<&Arc<Lifecycle>> {
        self.lifecycle.as_ref()
    }

    /// Marks the current thread as working for this backend in `role` until the guard drops.
    pub(crate) fn enter(&self, role: ThreadRole) -> TokioEnterGuard {
        enter_backend(self.clone(), role)
    }
}

/// Marks the thread as working for `backend` in `role` until the guard drops.
pub(crate) fn enter_backend(backend: TokioBackend, role: ThreadRole) -> TokioEnterGuard {
    let runtime = backend.lifecycle.as_ref().map_or(0, Lifecycle::id);
    let previous = CURRENT.with(|c| c.replace(Some(backend)));
    TokioEnterGuard {
        previous,
        _marker: context::enter(Ambient::new(BackendKind::Tokio, role).with_runtime(runtime)),
    }
}

/// Restores the previous backend and marker when dropped.
pub(crate) struct TokioEnterGuard {
    previous: Option<TokioBackend>,
    _marker: EnterGuard,
}

impl Drop for TokioEnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|c| c.replace(previous));
    }
}

impl TokioBackend {
    /// [`try_block_on_until`](LoopBackend::try_block_on_until) for a caller that is known to
    /// run on a plain thread — no loopbridge marker, no tokio context, no other runtime's task
    /// (the `loopbridge` facade checks this once for all backends) — where the checks for
    /// worker threads would find nothing.
    ///
    /// # Errors
    ///
    /// [`BlockOnError::is_shut_down`] and [`BlockOnError::is_timed_out`], as
    /// `try_block_on_until`. Called from a thread that is not plain, it may block a worker.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = tokio::runtime::Builder::new_multi_thread().build().unwrap();
    /// let backend = loopbridge_tokio::TokioBackend::new(rt.handle().clone());
    /// assert_eq!(backend.try_block_on_plain_thread(async { 1 }, None).unwrap(), 1);
    /// ```
    pub fn try_block_on_plain_thread<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        if self.lifecycle.as_ref().is_some_and(|l| l.is_closed()) {
            return Err(BlockOnError::shut_down());
        }
        self.run_here(future, deadline)
    }

    /// Runs `future` on this thread, marked as this runtime's `block_on` thread.
    fn run_here<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        let _role = self.enter(ThreadRole::BlockOn);
        match &self.lifecycle {
            // A shutdown answers this caller even if its future could never finish.
            Some(lifecycle) => self.wait(lifecycle.until_closed(future), deadline)?,
            None => self.wait(future, deadline),
        }
    }

    /// Runs `future` here in this runtime's context, until `deadline` if there is one.
    fn wait<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        // This thread polls the future itself first (and, with a deadline, throughout), inside
        // the runtime's context; only a future still pending after `spin_then`'s spin goes to
        // `Handle::block_on`, which parks the thread.
        let _runtime = self.handle.enter();
        park::block_on_until(future, deadline, |future| {
            park::spin_then(future, |future| self.handle.block_on(future))
        })
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
        match &self.lifecycle {
            Some(lifecycle) => {
                if let Some(tracked) = lifecycle.track_task(task) {
                    drop(self.handle.spawn(tracked));
                }
            }
            None => drop(self.handle.spawn(task)),
        }
    }

    fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let backend = self.clone();
        let run = move || {
            let _role = enter_backend(backend, ThreadRole::Blocking);
            job.run();
        };
        match &self.lifecycle {
            Some(lifecycle) => {
                if let Some(run) = lifecycle.track_job(run) {
                    drop(self.handle.spawn_blocking(run));
                }
            }
            None => drop(self.handle.spawn_blocking(run)),
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
        blocking_region(|| self.run_here(future, deadline))?
    }

    fn timer_at(&self, deadline: Instant) -> Self::Timer {
        // tokio timers must be created inside a runtime context; entering our own makes
        // `sleep` work from any thread, and under any other executor.
        let _context = self.handle.enter();
        Box::pin(tokio::time::sleep_until(deadline.into()))
    }
}
