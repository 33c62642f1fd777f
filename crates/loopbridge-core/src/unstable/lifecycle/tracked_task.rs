//! [`TrackedTask`]: a task counted by its runtime's [`Lifecycle`] from spawn until it is
//! dropped.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::Lifecycle;
use crate::task::TaskFuture;
use crate::unstable::clock::{self, TaskWork};

/// Wraps `task` for spawning on the runtime `lifecycle` belongs to, or returns `None` after
/// the close — the caller then drops the task, which resolves its handle as cancelled.
/// Without a lifecycle (a runtime loopbridge did not start) the task is wrapped untracked.
///
/// # Examples
///
/// ```
/// use loopbridge_core::unstable::lifecycle::{self, Lifecycle};
/// use loopbridge_core::task::TaskFuture;
///
/// let lifecycle = Lifecycle::new();
/// let (task, _handle) = TaskFuture::new(async {});
/// let tracked = lifecycle::track_task(Some(&lifecycle), task).expect("open");
/// assert_eq!(lifecycle.live_tasks(), 1);
/// drop(tracked);
/// let (task, _handle) = TaskFuture::new(async {});
/// assert!(lifecycle::track_task(None, task).is_some()); // untracked: never refused
/// ```
pub fn track_task<F>(
    lifecycle: Option<&Arc<Lifecycle>>,
    task: TaskFuture<F>,
) -> Option<TrackedTask<F>>
where
    F: Future,
    F::Output: Send + 'static,
{
    let guard = match lifecycle {
        None => None,
        // A task that slips past this check is dropped by the runtime's shutdown (counted
        // cancelled), or, with a registry, registers or cancels itself at its first poll.
        Some(lifecycle) => Some(LiveGuard::admit(lifecycle)?),
    };
    let work = TaskWork::spawned(lifecycle.map(|l| l.clock()));
    Some(TrackedTask { task, guard, work })
}

pin_project! {
    /// A [`TaskFuture`] counted by a [`Lifecycle`]; what every backend spawns (made by
    /// [`track_task`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// use loopbridge_core::unstable::lifecycle::{self, Lifecycle};
    /// use loopbridge_core::task::TaskFuture;
    ///
    /// let lifecycle = Lifecycle::new();
    /// let (task, handle) = TaskFuture::new(async { 6 * 7 });
    /// let mut tracked = Box::pin(lifecycle::track_task(Some(&lifecycle), task).expect("open"));
    /// // An executor polls it like any future of output `()`; the result goes to the handle.
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(tracked.as_mut().poll(&mut cx), Poll::Ready(()));
    /// assert_eq!(lifecycle.live_tasks(), 1); // counted until it is dropped, not until it ends
    /// drop(tracked);
    /// assert_eq!(lifecycle.live_tasks(), 0);
    /// assert_eq!(loopbridge_core::unstable::park::wait(handle).unwrap(), 42);
    /// ```
    pub struct TrackedTask<F: Future> {
        #[pin]
        task: TaskFuture<F>,
        // Declared after `task`, so it drops after the user's future: a shutdown that waits
        // for `live_tasks` to reach zero has seen every destructor run.
        guard: Option<LiveGuard>,
        // The task's share of its runtime's work while the clock is paused.
        work: TaskWork,
    }
}

/// Counts one task as live in its [`Lifecycle`] until dropped.
struct LiveGuard {
    lifecycle: Arc<Lifecycle>,
    /// The lifecycle has an abort registry (read once, not at every poll).
    with_registry: bool,
    /// The task's slot in the registry, once it registered (at its first `Pending`).
    slot: Option<usize>,
    /// The task finished, or was aborted by the close (which counted it).
    done: bool,
}

impl LiveGuard {
    /// Counts a new task, or returns `None` after the close.
    fn admit(lifecycle: &Arc<Lifecycle>) -> Option<Self> {
        lifecycle.admit_task().then(|| LiveGuard {
            lifecycle: Arc::clone(lifecycle),
            with_registry: lifecycle.registry.is_some(),
            slot: None,
            done: false,
        })
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        let lifecycle = &self.lifecycle;
        if let Some(slot) = self.slot {
            lifecycle.unregister(slot);
        }
        // A registered task was aborted, and counted, by the close; any other task dropped
        // unfinished after it was cancelled by the shutdown.
        lifecycle.task_dropped(self.done || self.slot.is_some());
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
        let Some(guard) = this.guard else { return this.task.poll(cx) };
        // The poll of a counted task; with a clock paused somewhere in the process, counted as
        // its runtime's work while its clock is paused.
        let live = |task: Pin<&mut TaskFuture<F>>, guard: &mut LiveGuard, cx: &mut Context<'_>| {
            if guard.with_registry {
                return poll_registered(task, guard, cx);
            }
            let poll = task.poll(cx);
            if poll.is_ready() {
                guard.done = true;
            }
            poll
        };
        if !clock::any_ever_paused() {
            let polled = live(this.task, guard, cx);
            // The first pause of the process may have come in this very poll.
            if clock::any_ever_paused() {
                guard.lifecycle.clock().uncounted_poll_ended(cx.waker());
            }
            return polled;
        }
        let clock = Arc::clone(guard.lifecycle.clock());
        this.work.poll_on(&clock, cx, |cx| live(this.task, guard, cx))
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
        guard.slot = guard.lifecycle.register(task.abort_handle());
        if guard.slot.is_none() {
            return task.cancel();
        }
    }
    Poll::Pending
}

impl<F: Future> fmt::Debug for TrackedTask<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrackedTask")
            .field("tracked", &self.guard.is_some())
            .field("done", &self.guard.as_ref().is_some_and(|g| g.done))
            .finish()
    }
}
