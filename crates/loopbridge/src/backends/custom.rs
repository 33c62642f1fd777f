//! [`CustomBackend`]: an application's own [`LoopBackend`] — a GUI main loop, a game engine, a
//! runtime loopbridge does not ship — type-erased, so that one `Bridge` type serves it too.
//!
//! The facade needs three things from a backend that its adapters give it and a foreign one
//! cannot: a value it can store without knowing the type, a way to find the backend from
//! inside its own tasks, and a refusal of `block_on` on its executor's threads. So:
//!
//! 1. The backend goes behind [`Erased`], whose methods take boxed futures and closures: one
//!    allocation per spawn, the price of not knowing the type (the adapters pay none).
//! 2. Every task, blocking job and `block_on` of the backend marks its thread (the ambient
//!    marker, kind [`BackendKind::Other`] or whatever the backend reports, and this backend as
//!    the thread's typed backend), so free functions called there use it.
//! 3. A task's thread is marked a single-threaded worker: loopbridge cannot know whether
//!    blocking it would starve the executor, so `block_on` there is refused, as on any
//!    executor where it could deadlock. Its blocking jobs and plain threads block freely.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use loopbridge_core::task::{BlockingJob, TaskFuture};
use loopbridge_core::unstable::context::{self, BackendGuard, Marker, ThreadRole};
use loopbridge_core::unstable::lifecycle::Lifecycle;
use loopbridge_core::{BackendKind, BlockOnError, LoopBackend};
use pin_project_lite::pin_project;

type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

thread_local! {
    /// The custom backend the current thread works for, set with the ambient marker.
    static CURRENT: RefCell<Option<CustomBackend>> = const { RefCell::new(None) };
}

/// What the facade asks of a backend it does not know the type of.
trait Erased: Send + Sync + fmt::Debug + 'static {
    fn kind(&self) -> BackendKind;
    fn spawn(&self, task: BoxFuture);
    fn spawn_blocking(&self, job: Box<dyn FnOnce() + Send + 'static>);
    fn try_block_on_until(
        &self,
        future: Pin<&mut (dyn Future<Output = ()> + '_)>,
        deadline: Option<Instant>,
    ) -> Result<(), BlockOnError>;
    fn timer_at(&self, deadline: Instant) -> BoxFuture;
    fn now(&self) -> Instant;
}

impl<B: LoopBackend> Erased for B {
    fn kind(&self) -> BackendKind {
        LoopBackend::kind(self)
    }

    fn spawn(&self, task: BoxFuture) {
        // The outer `TaskFuture` (the user's handle) is inside: this one only carries it.
        drop(LoopBackend::spawn(self, task));
    }

    fn spawn_blocking(&self, job: Box<dyn FnOnce() + Send + 'static>) {
        drop(LoopBackend::spawn_blocking(self, job));
    }

    fn try_block_on_until(
        &self,
        future: Pin<&mut (dyn Future<Output = ()> + '_)>,
        deadline: Option<Instant>,
    ) -> Result<(), BlockOnError> {
        LoopBackend::try_block_on_until(self, future, deadline)
    }

    fn timer_at(&self, deadline: Instant) -> BoxFuture {
        let timer = LoopBackend::timer_at(self, deadline);
        Box::pin(async move {
            timer.await;
        })
    }

    fn now(&self) -> Instant {
        LoopBackend::now(self)
    }
}

/// An application's own backend, as the facade holds it: one reference count per clone.
#[derive(Clone, Debug)]
pub(crate) struct CustomBackend {
    inner: Arc<dyn Erased>,
}

impl CustomBackend {
    pub(crate) fn new<B: LoopBackend>(backend: B) -> Self {
        // Its `now` may be a clock of its own: `time::now()` must ask it from now on.
        loopbridge_core::unstable::clock::note_other_clock();
        CustomBackend { inner: Arc::new(backend) }
    }

    /// The custom backend the calling thread works for, if any.
    pub(crate) fn try_current() -> Option<Self> {
        context::backend_in(&CURRENT)
    }

    /// Never a loopbridge lifecycle: the application owns this backend's shutdown.
    pub(crate) fn lifecycle(&self) -> Option<&Arc<Lifecycle>> {
        None
    }

    /// Marks the current thread as working for this backend in `role`.
    fn enter(&self, role: ThreadRole) -> BackendGuard<CustomBackend> {
        let id = Arc::as_ptr(&self.inner).cast::<()>().addr();
        let marker = Marker::new(self.inner.kind(), role).with_runtime(id);
        context::enter_backend(&CURRENT, self.clone(), marker)
    }
}

pin_project! {
    /// A task of a custom backend: marks the thread around each poll (the backend's threads
    /// are not loopbridge's to mark for good).
    struct InCustom<F> {
        #[pin]
        task: F,
        backend: CustomBackend,
    }
}

impl<F: Future> Future for InCustom<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _context = this.backend.enter(ThreadRole::Worker { single_threaded: true });
        this.task.poll(cx)
    }
}

/// A custom backend's timer, `Sync` like every loopbridge timer: the mutex is never locked,
/// only reached through `&mut` (`Mutex::get_mut`), which proves no one else holds it.
pub(crate) struct CustomTimer(Mutex<BoxFuture>);

impl Future for CustomTimer {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let timer = self.get_mut().0.get_mut().unwrap_or_else(PoisonError::into_inner);
        timer.as_mut().poll(cx)
    }
}

impl LoopBackend for CustomBackend {
    type Timer = CustomTimer;

    fn kind(&self) -> BackendKind {
        self.inner.kind()
    }

    fn spawn_task<F>(&self, task: TaskFuture<F>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(Box::pin(InCustom { task, backend: self.clone() }));
    }

    fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let backend = self.clone();
        self.inner.spawn_blocking(Box::new(move || {
            let _context = backend.enter(ThreadRole::Blocking);
            job.run();
        }));
    }

    fn try_block_on_until<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        context::check_not_worker(None)?;
        self.try_block_on_plain_thread(future, deadline)
    }

    fn try_block_on_plain_thread<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        let _context = self.enter(ThreadRole::BlockOn);
        let mut output = None;
        let blocked = {
            let future = pin!(async {
                output = Some(future.await);
            });
            self.inner.try_block_on_until(future, deadline)
        };
        blocked?;
        match output {
            Some(output) => Ok(output),
            None => panic!(
                "the custom backend {:?} returned from `try_block_on_until` with `Ok` before \
                 its future completed: a `LoopBackend` must drive the future to completion",
                self.inner
            ),
        }
    }

    fn timer_at(&self, deadline: Instant) -> Self::Timer {
        CustomTimer(Mutex::new(self.inner.timer_at(deadline)))
    }

    fn now(&self) -> Instant {
        self.inner.now()
    }
}
