//! [`Lifecycle`]: the shared state that lets a runtime loopbridge started be shut down cleanly.
//!
//! Every backend value of such a runtime holds the same `Arc<Lifecycle>`. It answers the
//! questions a shutdown must answer identically on every backend:
//!
//! 1. Is the runtime still accepting work? After [`close`](Lifecycle::close), a spawn resolves
//!    its handle as cancelled at once (the task is dropped, never queued), a blocking job is
//!    dropped the same way, and `block_on` reports `is_shut_down()`.
//! 2. How many tasks did the shutdown cancel? [`TrackedTask`] counts a task as cancelled if its
//!    future is dropped unfinished after the close. A lifecycle with an abort registry (5) also
//!    counts the live tasks, from spawn until the future is dropped, for its shutdown to wait
//!    for; a runtime that drops its own tasks at shutdown needs no such count.
//! 3. How many blocking jobs are still running? [`track_job`](Lifecycle::track_job) counts them.
//! 4. Who is blocked in a `block_on` of this runtime? [`until_closed`](Lifecycle::until_closed)
//!    wraps the future of a `block_on`; `close` wakes every such caller, which then returns
//!    `is_shut_down()` instead of waiting forever for a future the dead runtime cannot finish.
//! 5. For a runtime with no shutdown of its own (async-std), which tasks to abort:
//!    [`with_abort_registry`](Lifecycle::with_abort_registry) keeps an [`AbortHandle`] per
//!    pending task, and `close` aborts them all.
//!
//! The counters are plain atomics, and a spawn touches none of them without a registry. A task
//! takes the registry's lock only once it returns `Pending`: one that completes in its first
//! poll never does.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, PoisonError};
use std::task::{Context, Poll, Waker};

use pin_project_lite::pin_project;

use crate::BlockOnError;
// std's types, or loom's under `cfg(loom)`: see `sync.rs`.
use crate::sync::{AtomicBool, AtomicUsize, Mutex, MutexGuard, Ordering, fence};
use crate::task::{AbortHandle, TaskFuture};

/// Shutdown state shared by every backend value of one runtime; see the [module docs](self).
///
/// # Examples
///
/// ```
/// use loopbridge_core::lifecycle::Lifecycle;
/// use loopbridge_core::task::TaskFuture;
///
/// let lifecycle = Lifecycle::new();
/// let (task, _handle) = TaskFuture::new(async {});
/// let tracked = lifecycle.track_task(task).expect("open");
/// assert!(lifecycle.close());
/// drop(tracked); // dropped unfinished after the close: counted as cancelled
/// assert_eq!(lifecycle.cancelled_tasks(), 1);
/// ```
pub struct Lifecycle {
    closed: AtomicBool,
    live_tasks: AtomicUsize,
    cancelled_tasks: AtomicUsize,
    running_jobs: AtomicUsize,
    registry: Option<Mutex<Slab<AbortHandle>>>,
    /// Wakers of `block_on` callers whose future was pending, woken by `close`.
    blocked: Mutex<Slab<Waker>>,
}

/// Values indexed by a slot number that stays valid until removed: slots are reused through a
/// free list, so inserting and removing is an index, not a hash. Holds the abort handles of
/// the live tasks and the wakers of the blocked `block_on` callers.
struct Slab<T> {
    slots: Vec<Option<T>>,
    free: Vec<usize>,
}

impl<T> Slab<T> {
    const fn new() -> Self {
        Slab { slots: Vec::new(), free: Vec::new() }
    }

    fn insert(&mut self, value: T) -> usize {
        match self.free.pop() {
            Some(index) => {
                self.slots[index] = Some(value);
                index
            }
            None => {
                self.slots.push(Some(value));
                self.slots.len() - 1
            }
        }
    }

    fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        self.slots.get_mut(index)?.as_mut()
    }

    fn remove(&mut self, index: usize) -> Option<T> {
        let value = self.slots.get_mut(index)?.take();
        if value.is_some() {
            self.free.push(index);
        }
        value
    }

    /// Every value, leaving the slab empty (slots handed out before are then simply gone).
    fn take_all(&mut self) -> Vec<T> {
        self.free.clear();
        std::mem::take(&mut self.slots).into_iter().flatten().collect()
    }
}

impl Lifecycle {
    /// A lifecycle for a runtime that cancels its own tasks when shut down (tokio, an owned
    /// async-executor).
    ///
    /// # Examples
    ///
    /// ```
    /// let lifecycle = loopbridge_core::lifecycle::Lifecycle::new();
    /// assert!(!lifecycle.is_closed());
    /// ```
    pub fn new() -> Arc<Self> {
        Arc::new(Lifecycle::with(None))
    }

    /// A lifecycle that also counts live tasks and keeps an abort handle per pending task, for
    /// runtimes that cannot be shut down (async-std): [`close`](Self::close) aborts them.
    ///
    /// # Examples
    ///
    /// ```
    /// let lifecycle = loopbridge_core::lifecycle::Lifecycle::with_abort_registry();
    /// assert_eq!(lifecycle.live_tasks(), 0);
    /// ```
    pub fn with_abort_registry() -> Arc<Self> {
        Arc::new(Lifecycle::with(Some(Mutex::new(Slab::new()))))
    }

    fn with(registry: Option<Mutex<Slab<AbortHandle>>>) -> Self {
        Lifecycle {
            closed: AtomicBool::new(false),
            live_tasks: AtomicUsize::new(0),
            cancelled_tasks: AtomicUsize::new(0),
            running_jobs: AtomicUsize::new(0),
            registry,
            blocked: Mutex::new(Slab::new()),
        }
    }

    /// A number that identifies this runtime while it exists (for thread markers).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = loopbridge_core::lifecycle::Lifecycle::new();
    /// let b = loopbridge_core::lifecycle::Lifecycle::new();
    /// assert_ne!(a.id(), b.id());
    /// ```
    pub fn id(self: &Arc<Self>) -> usize {
        Arc::as_ptr(self) as usize
    }

    /// Stops accepting work and, with a registry, aborts every live task. Returns whether this
    /// call was the one that closed it.
    ///
    /// # Examples
    ///
    /// ```
    /// let lifecycle = loopbridge_core::lifecycle::Lifecycle::new();
    /// assert!(lifecycle.close());
    /// assert!(!lifecycle.close()); // idempotent
    /// ```
    pub fn close(&self) -> bool {
        if self.closed.swap(true, Ordering::AcqRel) {
            return false;
        }
        // Pairs with the fence in `track_job`'s wrapper: a shutdown sets the flag and then
        // reads the running-job count, a starting job raises the count and then reads the
        // flag. Without a SeqCst fence on both sides both may read the old value (loom found
        // it), and a job would start after the shutdown saw none running.
        fence(Ordering::SeqCst);
        let blocked = lock(&self.blocked).take_all();
        for waker in blocked {
            waker.wake();
        }
        if let Some(registry) = &self.registry {
            let tasks = lock(registry).take_all();
            self.cancelled_tasks.fetch_add(tasks.len(), Ordering::AcqRel);
            // Outside the lock: an abort wakes the task, which may run (and re-enter) at once.
            for handle in tasks {
                handle.abort();
            }
        }
        true
    }

    /// Whether [`close`](Self::close) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// let lifecycle = loopbridge_core::lifecycle::Lifecycle::new();
    /// lifecycle.close();
    /// assert!(lifecycle.is_closed());
    /// ```
    #[inline]
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Tasks spawned and not yet finished or dropped, counted by a lifecycle
    /// [`with_abort_registry`](Self::with_abort_registry) (whose shutdown waits for them);
    /// always 0 for one without, whose runtime drops its own tasks at shutdown.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::lifecycle::Lifecycle;
    /// use loopbridge_core::task::TaskFuture;
    ///
    /// let lifecycle = Lifecycle::with_abort_registry();
    /// let (task, _handle) = TaskFuture::new(async {});
    /// let tracked = lifecycle.track_task(task).expect("open");
    /// assert_eq!(lifecycle.live_tasks(), 1);
    /// drop(tracked);
    /// assert_eq!(lifecycle.live_tasks(), 0);
    /// ```
    pub fn live_tasks(&self) -> usize {
        self.live_tasks.load(Ordering::Acquire)
    }

    /// Tasks that were cancelled because of the close.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(loopbridge_core::lifecycle::Lifecycle::new().cancelled_tasks(), 0);
    /// ```
    pub fn cancelled_tasks(&self) -> usize {
        self.cancelled_tasks.load(Ordering::Acquire)
    }

    /// Blocking jobs running now.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(loopbridge_core::lifecycle::Lifecycle::new().running_jobs(), 0);
    /// ```
    pub fn running_jobs(&self) -> usize {
        self.running_jobs.load(Ordering::Acquire)
    }

    /// Wraps `task` for spawning, or returns `None` after the close — the caller then drops
    /// the task, which resolves its handle as cancelled.
    ///
    /// # Examples
    ///
    /// See [`Lifecycle`].
    pub fn track_task<F>(self: &Arc<Self>, task: TaskFuture<F>) -> Option<TrackedTask<F>>
    where
        F: Future,
        F::Output: Send + 'static,
    {
        let mut tracked = TrackedTask {
            task,
            guard: LiveGuard {
                lifecycle: Arc::clone(self),
                with_registry: self.registry.is_some(),
                slot: None,
                done: false,
            },
        };
        if tracked.guard.with_registry {
            // Counted before the check, which pairs with the fence in `close` (as a blocking
            // job does): a shutdown that waits for `live_tasks` to reach zero either sees this
            // task or this spawn sees the close and is refused.
            self.live_tasks.fetch_add(1, Ordering::AcqRel);
            fence(Ordering::SeqCst);
        }
        // A runtime without a registry cancels its own tasks at shutdown: one that slips past
        // this check is dropped by it (counted cancelled), or refused by the runtime. With a
        // registry, a task that slips past it registers or cancels itself at its first poll
        // (see `TrackedTask`).
        if self.is_closed() {
            tracked.guard.done = true; // refused, not cancelled by the shutdown
            return None;
        }
        Some(tracked)
    }

    /// Records `handle` for `close` to abort, or returns `None` if the lifecycle is closed (the
    /// task must then cancel itself: `close` has or will have taken the registry without it).
    fn register(&self, registry: &Mutex<Slab<AbortHandle>>, handle: AbortHandle) -> Option<usize> {
        let mut registry = lock(registry);
        // Checked under the registry's lock, which `close` takes after setting the flag: the
        // task is either registered before the close takes the registry (and then aborted and
        // counted by it) or it sees the close here — never both, never neither (loom:
        // `model_checks.rs`).
        (!self.is_closed()).then(|| registry.insert(handle))
    }

    /// Wraps the future of a `block_on` so that it completes with `Err(shut_down)` as soon as
    /// the lifecycle closes, instead of waiting for a future the stopped runtime can no longer
    /// finish. A future that is ready at its first poll never touches the lifecycle's lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::lifecycle::Lifecycle;
    ///
    /// let lifecycle = Lifecycle::new();
    /// let blocked = lifecycle.until_closed(std::future::pending::<()>());
    /// let closer = std::sync::Arc::clone(&lifecycle);
    /// std::thread::spawn(move || closer.close());
    /// let result = loopbridge_core::park::wait(blocked);
    /// assert!(result.unwrap_err().is_shut_down());
    /// ```
    pub fn until_closed<F: Future>(&self, future: F) -> UntilClosed<'_, F> {
        // Borrowed, not counted: the wrapper lives in the `block_on` frame of a caller that
        // holds the lifecycle anyway.
        UntilClosed { future, lifecycle: self, slot: None }
    }

    /// Wraps a blocking job so that it is counted while it runs, or returns `None` after the
    /// close (the caller drops the job, resolving its handle as cancelled).
    ///
    /// A job still queued when the lifecycle closes is dropped unrun when a thread takes it,
    /// whatever the pool does with its queue at shutdown: tokio's blocking threads, for one,
    /// keep taking queued jobs after the shutdown while they are busy. So every backend
    /// cancels the jobs that had not started, and none starts after its runner shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// let lifecycle = loopbridge_core::lifecycle::Lifecycle::new();
    /// let job = lifecycle.track_job(|| ()).expect("open");
    /// job();
    /// assert_eq!(lifecycle.running_jobs(), 0);
    /// ```
    pub fn track_job<J: FnOnce()>(self: &Arc<Self>, job: J) -> Option<impl FnOnce() + use<J>> {
        if self.is_closed() {
            return None;
        }
        let lifecycle = Arc::clone(self);
        Some(move || {
            // Counted before the check: a close that comes after the check sees this job as
            // running (and a shutdown waits for it); one that came before drops it here.
            lifecycle.running_jobs.fetch_add(1, Ordering::AcqRel);
            // Pairs with the fence in `close`: see there.
            fence(Ordering::SeqCst);
            let _done = JobGuard(&lifecycle);
            if lifecycle.is_closed() {
                drop(job);
                return;
            }
            job();
        })
    }
}

/// What an owned runtime's shutdown did; adapters return it and the facade reports it.
///
/// # Examples
///
/// ```
/// let outcome = loopbridge_core::lifecycle::ShutdownOutcome::default();
/// assert!(!outcome.completed_in_time);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShutdownOutcome {
    /// Tasks the shutdown cancelled (their destructors ran or are running).
    pub tasks_cancelled: usize,
    /// Blocking jobs still running when the shutdown returned; they finish on their own.
    pub blocking_still_running: usize,
    /// Whether everything stopped and every thread was joined within the timeout. Always false
    /// for a shutdown started from the runtime's own threads, which cannot wait for themselves.
    pub completed_in_time: bool,
}

impl ShutdownOutcome {
    /// The outcome as read from `lifecycle` now; `joined` says whether every thread the runtime
    /// started has been joined.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::lifecycle::{Lifecycle, ShutdownOutcome};
    /// let lifecycle = Lifecycle::new();
    /// lifecycle.close();
    /// assert!(ShutdownOutcome::read(&lifecycle, true).completed_in_time);
    /// ```
    pub fn read(lifecycle: &Lifecycle, joined: bool) -> Self {
        let blocking_still_running = lifecycle.running_jobs();
        ShutdownOutcome {
            tasks_cancelled: lifecycle.cancelled_tasks(),
            blocking_still_running,
            completed_in_time: joined && blocking_still_running == 0,
        }
    }

    /// Accounts for `running` blocking jobs that a pool reports as still running.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::lifecycle::{Lifecycle, ShutdownOutcome};
    /// let outcome = ShutdownOutcome::read(&Lifecycle::new(), true).with_still_running(2);
    /// assert_eq!(outcome.blocking_still_running, 2);
    /// assert!(!outcome.completed_in_time);
    /// ```
    #[must_use]
    pub fn with_still_running(mut self, running: usize) -> Self {
        self.blocking_still_running = self.blocking_still_running.max(running);
        self.completed_in_time &= self.blocking_still_running == 0;
        self
    }
}

struct JobGuard<'a>(&'a Lifecycle);

impl Drop for JobGuard<'_> {
    fn drop(&mut self) {
        self.0.running_jobs.fetch_sub(1, Ordering::AcqRel);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Only slab operations run under these locks; a poisoned one still holds a valid slab.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

struct LiveGuard {
    lifecycle: Arc<Lifecycle>,
    /// The lifecycle has an abort registry (read once, not at every poll).
    with_registry: bool,
    /// The task's slot in the registry, once it registered (at its first `Pending`).
    slot: Option<usize>,
    /// The task finished, was refused, or was aborted by the close (which counted it).
    done: bool,
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        let lifecycle = &self.lifecycle;
        if let (Some(slot), Some(registry)) = (self.slot, &lifecycle.registry) {
            let removed = lock(registry).remove(slot);
            drop(removed); // outside the lock: the last handle may drop the task's cell
        }
        // A registered task was aborted, and counted, by the close; any other task dropped
        // unfinished after it was cancelled by the shutdown.
        if !self.done && self.slot.is_none() && lifecycle.is_closed() {
            lifecycle.cancelled_tasks.fetch_add(1, Ordering::AcqRel);
        }
        if self.with_registry {
            lifecycle.live_tasks.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

pin_project! {
    /// A `block_on` future that gives up when its runtime shuts down; see
    /// [`Lifecycle::until_closed`].
    ///
    /// # Examples
    ///
    /// See [`Lifecycle::until_closed`], which makes one and waits for it.
    pub struct UntilClosed<'a, F> {
        #[pin]
        future: F,
        lifecycle: &'a Lifecycle,
        slot: Option<usize>,
    }

    impl<F> PinnedDrop for UntilClosed<'_, F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(slot) = this.slot.take() {
                let removed = lock(&this.lifecycle.blocked).remove(slot);
                drop(removed);
            }
        }
    }
}

impl<F: Future> Future for UntilClosed<'_, F> {
    type Output = Result<F::Output, BlockOnError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // Checked before polling: after the close the runtime's timers and IO may be gone, and
        // polling futures that use them could panic.
        if this.lifecycle.is_closed() {
            return Poll::Ready(Err(BlockOnError::shut_down()));
        }
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        // `park::spin_then` polls again by itself and then hands over to a `block_on` that
        // polls with its own waker: the spin's waker needs no registration (and a future that
        // completes during the spin never takes the lock).
        if crate::park::is_spin_waker(cx.waker()) {
            return Poll::Pending;
        }
        let mut blocked = lock(&this.lifecycle.blocked);
        match *this.slot {
            Some(slot) => match blocked.get_mut(slot) {
                Some(known) if known.will_wake(cx.waker()) => {}
                Some(known) => *known = cx.waker().clone(),
                None => {} // taken by the close: the check below answers
            },
            None => *this.slot = Some(blocked.insert(cx.waker().clone())),
        }
        drop(blocked);
        // A close between the check above and the registration would have missed our waker.
        if this.lifecycle.is_closed() {
            return Poll::Ready(Err(BlockOnError::shut_down()));
        }
        Poll::Pending
    }
}

impl<F> fmt::Debug for UntilClosed<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UntilClosed").field("lifecycle", &self.lifecycle).finish_non_exhaustive()
    }
}

pin_project! {
    /// A [`TaskFuture`] counted by a [`Lifecycle`]; what a runner's backend spawns.
    ///
    /// # Examples
    ///
    /// See [`Lifecycle`].
    pub struct TrackedTask<F: Future> {
        #[pin]
        task: TaskFuture<F>,
        // Declared after `task`, so it drops after the user's future: a shutdown that waits
        // for `live_tasks` to reach zero has seen every destructor run.
        guard: LiveGuard,
    }
}

impl<F> Future for TrackedTask<F>
where
    F: Future,
    F::Output: Send + 'static,
{
    type Output = ();

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        if this.guard.with_registry {
            return poll_registered(this.task, this.guard, cx);
        }
        let poll = this.task.poll(cx);
        if poll.is_ready() {
            this.guard.done = true;
        }
        poll
    }
}

/// [`TrackedTask::poll`] with an abort registry. A task is registered only once it returns
/// `Pending`: one that completes in its first poll never takes the registry's lock. Until then
/// the close cannot abort it, so it checks the flag itself and cancels (its guard counts it).
#[inline(never)]
fn poll_registered<F>(
    mut task: Pin<&mut TaskFuture<F>>,
    guard: &mut LiveGuard,
    cx: &mut Context<'_>,
) -> Poll<()>
where
    F: Future,
    F::Output: Send + 'static,
{
    if guard.slot.is_none() && guard.lifecycle.is_closed() {
        return task.cancel();
    }
    let poll = task.as_mut().poll(cx);
    if poll.is_ready() {
        guard.done = true;
        return poll;
    }
    if guard.slot.is_none() {
        if let Some(registry) = &guard.lifecycle.registry {
            guard.slot = guard.lifecycle.register(registry, task.abort_handle());
            if guard.slot.is_none() {
                return task.cancel();
            }
        }
    }
    Poll::Pending
}

impl<F: Future> fmt::Debug for TrackedTask<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrackedTask").field("done", &self.guard.done).finish()
    }
}

impl fmt::Debug for Lifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lifecycle")
            .field("closed", &self.is_closed())
            .field("live_tasks", &self.live_tasks())
            .field("running_jobs", &self.running_jobs())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll_once<F: Future>(fut: Pin<&mut F>) -> Poll<F::Output> {
        fut.poll(&mut Context::from_waker(std::task::Waker::noop()))
    }

    #[test]
    fn finished_tasks_are_not_counted_as_cancelled() {
        let lifecycle = Lifecycle::new();
        let (task, _handle) = TaskFuture::new(async {});
        let mut tracked = Box::pin(lifecycle.track_task(task).unwrap());
        assert!(poll_once(tracked.as_mut()).is_ready());
        lifecycle.close();
        drop(tracked);
        assert_eq!((lifecycle.live_tasks(), lifecycle.cancelled_tasks()), (0, 0));
    }

    #[test]
    fn closed_lifecycle_refuses_tasks_and_jobs() {
        let lifecycle = Lifecycle::new();
        lifecycle.close();
        let (task, handle) = TaskFuture::new(async { 1 });
        assert!(lifecycle.track_task(task).is_none());
        assert!(handle.is_finished(), "a refused task resolves its handle at once");
        assert!(lifecycle.track_job(|| ()).is_none());
        assert_eq!((lifecycle.live_tasks(), lifecycle.cancelled_tasks()), (0, 0));
    }

    #[test]
    fn a_job_queued_before_the_close_is_dropped_when_it_would_start() {
        let lifecycle = Lifecycle::new();
        let ran = std::sync::Arc::new(AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&ran);
        let job = lifecycle.track_job(move || flag.store(true, Ordering::SeqCst)).unwrap();
        lifecycle.close();
        job();
        assert!(!ran.load(Ordering::SeqCst), "a job queued before the close started after it");
        assert_eq!(lifecycle.running_jobs(), 0);
    }

    #[test]
    fn registry_reuses_freed_slots_and_aborts_every_live_task() {
        let lifecycle = Lifecycle::with_abort_registry();
        // A task registers at its first `Pending`.
        let track = |tracked: &mut Vec<_>| {
            let (task, _handle) = TaskFuture::new(std::future::pending::<()>());
            let mut task = Box::pin(lifecycle.track_task(task).unwrap());
            assert!(poll_once(task.as_mut()).is_pending());
            tracked.push(task);
        };
        let mut tracked = Vec::new();
        for _ in 0..3 {
            track(&mut tracked);
        }
        drop(tracked.remove(1));
        track(&mut tracked);
        let slots = lock(lifecycle.registry.as_ref().unwrap()).slots.len();
        assert_eq!(slots, 3, "the freed slot was reused");
        lifecycle.close();
        assert_eq!(lifecycle.cancelled_tasks(), 3);
        for task in &mut tracked {
            assert!(poll_once(task.as_mut()).is_ready(), "every live task was aborted");
        }
        drop(tracked);
        assert_eq!(lifecycle.live_tasks(), 0);
    }

    #[test]
    fn a_task_done_in_its_first_poll_never_registers() {
        let lifecycle = Lifecycle::with_abort_registry();
        let (task, handle) = TaskFuture::new(async { 1 });
        let mut tracked = Box::pin(lifecycle.track_task(task).unwrap());
        assert!(poll_once(tracked.as_mut()).is_ready());
        assert!(lock(lifecycle.registry.as_ref().unwrap()).slots.is_empty());
        assert!(handle.is_finished());
        drop(tracked);
        assert_eq!(lifecycle.live_tasks(), 0);
    }

    #[test]
    fn an_unpolled_task_cancels_itself_after_the_close_and_is_counted_once() {
        let lifecycle = Lifecycle::with_abort_registry();
        let polled = std::sync::Arc::new(AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&polled);
        let (task, handle) = TaskFuture::new(async move { flag.store(true, Ordering::SeqCst) });
        let mut tracked = Box::pin(lifecycle.track_task(task).unwrap());
        lifecycle.close();
        assert_eq!(lifecycle.cancelled_tasks(), 0, "the close could not see it");
        assert!(poll_once(tracked.as_mut()).is_ready());
        assert!(!polled.load(Ordering::SeqCst), "the future was polled after the close");
        assert!(handle.is_finished());
        drop(tracked);
        assert_eq!((lifecycle.live_tasks(), lifecycle.cancelled_tasks()), (0, 1));
    }

    #[test]
    fn registry_aborts_live_tasks_on_close() {
        let lifecycle = Lifecycle::with_abort_registry();
        let (task, handle) = TaskFuture::new(std::future::pending::<()>());
        let mut tracked = Box::pin(lifecycle.track_task(task).unwrap());
        assert!(poll_once(tracked.as_mut()).is_pending());
        lifecycle.close();
        assert!(poll_once(tracked.as_mut()).is_ready(), "the abort reached the task");
        assert!(handle.is_finished());
        assert_eq!(lifecycle.cancelled_tasks(), 1);
        drop(tracked);
        assert_eq!(lifecycle.live_tasks(), 0);
    }
}
