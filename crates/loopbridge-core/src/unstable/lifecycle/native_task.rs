//! [`NativeTask`]: what a backend spawns when its own `JoinHandle` already has loopbridge's
//! semantics (tokio), instead of a [`TrackedTask`](super::TrackedTask) and a second handle.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::mem;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::Lifecycle;
use crate::context;
use crate::task::{Stage, StageProj, drop_future};
use crate::unstable::clock;

/// Wraps `future` for spawning on a runtime whose own task handle the caller hands to the user
/// (through [`JoinHandle::from_tokio`](crate::JoinHandle::from_tokio)), counted by `lifecycle`
/// as [`track_task`](super::track_task) counts; gives `future` back after the close, for the
/// caller to resolve its handle as cancelled. The lifecycle must not keep an abort registry
/// (that needs loopbridge's own handle): the runtime must cancel its tasks itself.
///
/// # Errors
///
/// `Err(future)` when the lifecycle is closed: the runtime is shut down and refuses work.
///
/// # Examples
///
/// ```
/// use loopbridge_core::unstable::lifecycle::{self, Lifecycle};
///
/// let lifecycle = Lifecycle::new();
/// let task = lifecycle::track_native(Some(&lifecycle), async { 1 }).ok().unwrap();
/// assert_eq!(lifecycle.live_tasks(), 1);
/// assert_eq!(loopbridge_core::unstable::park::wait(task), 1); // the output passes through
/// lifecycle.close();
/// assert!(lifecycle::track_native(Some(&lifecycle), async { 2 }).is_err()); // refused
/// ```
pub fn track_native<F: Future>(
    lifecycle: Option<&Arc<Lifecycle>>,
    future: F,
) -> Result<NativeTask<F>, F> {
    let guard = match lifecycle {
        None => None,
        Some(lifecycle) if lifecycle.admit_task() => {
            debug_assert!(
                lifecycle.registry.is_none(),
                "a lifecycle with an abort registry needs `track_task`"
            );
            Some(NativeGuard { lifecycle: Arc::clone(lifecycle), done: false })
        }
        Some(_) => return Err(future),
    };
    Ok(NativeTask { stage: Stage::Running { future }, guard })
}

pin_project! {
    /// A future counted by a [`Lifecycle`], whose output passes through to the runtime's own
    /// handle (made by [`track_native`]).
    ///
    /// tokio's `JoinHandle` already detaches on drop, reports a panic with its payload, catches
    /// a panic of the future's destructor on abort and cancels on shutdown. The one rule it
    /// lacks is added here: the future is dropped as soon as it is ready, and a panic of its
    /// destructor then becomes the task's panic (tokio would ignore it and report the value).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::panic::{AssertUnwindSafe, catch_unwind};
    /// use loopbridge_core::unstable::{lifecycle, park};
    ///
    /// struct PanicsOnDrop;
    /// impl Drop for PanicsOnDrop {
    ///     fn drop(&mut self) { panic!("in a destructor") }
    /// }
    ///
    /// let state = PanicsOnDrop;
    /// let task = lifecycle::track_native(None, async move { let _state = &state; 1 }).ok().unwrap();
    /// // The runtime polling it sees the destructor's panic, not the value: the task failed,
    /// // as on every backend.
    /// assert!(catch_unwind(AssertUnwindSafe(|| park::wait(task))).is_err());
    /// ```
    pub struct NativeTask<F> {
        #[pin]
        stage: Stage<F>,
        guard: Option<NativeGuard>,
    }

    impl<F> PinnedDrop for NativeTask<F> {
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            // The user's future first: a shutdown that waits for `live_tasks` to reach zero
            // has seen every destructor run. The runtime catches a panic from it (the guard,
            // a field, then drops during the unwind).
            this.stage.set(Stage::Done);
            if let Some(guard) = this.guard.take() {
                release(guard);
            }
        }
    }
}

/// Counts a native task as live in its [`Lifecycle`] until dropped: two words, so the task
/// tokio allocates grows by little.
struct NativeGuard {
    lifecycle: Arc<Lifecycle>,
    /// The task finished (or panicked): not cancelled by a later close.
    done: bool,
}

impl Drop for NativeGuard {
    fn drop(&mut self) {
        self.lifecycle.task_dropped(self.done);
    }
}

thread_local! {
    /// Guards of tasks dropped by this worker during its runtime's shutdown, dropped when the
    /// thread exits (see [`release`]).
    static AT_THREAD_EXIT: RefCell<Vec<NativeGuard>> = const { RefCell::new(Vec::new()) };
}

/// Uncounts a dropped task — at once, except on a worker of its runtime during the shutdown.
///
/// There, the runtime resolves the task's handle only *after* dropping this future (tokio's
/// `cancel_task` drops the future, then stores the output, then wakes the handle), and a
/// shutdown that returned when the count reached zero could leave that handle unresolved for
/// an instant. A worker that is shutting down exits once it has cancelled its tasks, so the
/// guard is kept until this thread's exit: then every handle this worker resolved is resolved.
fn release(guard: NativeGuard) {
    if !(guard.lifecycle.is_closed() && context::is_worker_of(guard.lifecycle.id())) {
        return drop(guard);
    }
    // During the thread's own exit (the list already destroyed) `try_with` drops the closure
    // uncalled, and the guard with it: the runtime is past resolving anything on this thread.
    // Nothing else borrows the list while a guard is pushed.
    let _ = AT_THREAD_EXIT.try_with(move |list| list.borrow_mut().push(guard));
}

impl<F: Future> Future for NativeTask<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let polled = poll_stage(this.stage, this.guard, cx);
        if clock::any_ever_paused() {
            uncounted_poll_ended(this.guard.as_ref(), cx.waker());
        }
        polled
    }
}

/// A native task's poll has ended in a process where a clock was paused: native tasks are not
/// counted as work (a paused tokio runtime spawns with loopbridge's own handle, see the tokio
/// adapter), but one that paused its clock in this poll lets it jump now if nothing works.
#[cold]
#[inline(never)]
fn uncounted_poll_ended(guard: Option<&NativeGuard>, waker: &std::task::Waker) {
    if let Some(guard) = guard {
        guard.lifecycle.clock().uncounted_poll_ended(waker);
    }
}

/// [`NativeTask::poll`]: polls the future, and drops it as soon as it is ready.
#[inline]
fn poll_stage<F: Future>(
    mut stage: Pin<&mut Stage<F>>,
    guard: &mut Option<NativeGuard>,
    cx: &mut Context<'_>,
) -> Poll<F::Output> {
    let StageProj::Running { future } = stage.as_mut().project() else {
        panic!("`NativeTask` polled after it completed");
    };
    // A task that panics counts as finished too: only `Pending` undoes this.
    if let Some(guard) = guard.as_mut() {
        guard.done = true;
    }
    // A future with no destructor needs neither catch below (`needs_drop` is a constant: the
    // other branch is compiled out; ~16 instructions per task on tokio).
    let catch = mem::needs_drop::<F>();
    // Caught to drop the future before the panic goes on to the runtime, which reports it:
    // tokio drops a panicking future *while* the panic unwinds, where a destructor that panics
    // too would abort the process.
    let polled = if catch {
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => {
                // A second panic, from the destructor, is dropped: the first is the one.
                let _ = drop_future(stage);
                resume_unwind(payload)
            }
        }
    } else {
        future.poll(cx)
    };
    let Poll::Ready(value) = polled else {
        if let Some(guard) = guard {
            guard.done = false;
        }
        return Poll::Pending;
    };
    if !catch {
        stage.set(Stage::Done);
    } else if let Some(Ok(destructor_panic)) = drop_future(stage) {
        resume_unwind(destructor_panic.into_panic());
    }
    Poll::Ready(value)
}

impl<F> fmt::Debug for NativeTask<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeTask")
            .field("running", &matches!(self.stage, Stage::Running { .. }))
            .field("tracked", &self.guard.is_some())
            .finish()
    }
}
