//! Local tasks: `!Send` futures that run on the thread that spawned them, for as long as that
//! thread drives them.
//!
//! A thread *drives local tasks* while it is inside a [`LocalScope`]: every loopbridge
//! `block_on` enters one (through [`block_on::run`](crate::unstable::block_on::run), which
//! every adapter's `block_on` goes through), and so does the only thread of a one-thread
//! runner, for its whole life. [`try_spawn_local`] then queues a task on that thread's scope;
//! anywhere else it returns a [`SpawnLocalError`] — it never hands out a handle to a task that
//! nothing would ever run.
//!
//! A local task is the same [`TaskFuture`](crate::task::TaskFuture) every backend spawns, so
//! its [`JoinHandle`] behaves exactly like a spawned task's: dropping it detaches, `abort`
//! cancels at the next await point, a panic comes back as a [`JoinError`](crate::JoinError)
//! with its payload. Only the executor differs: a small run queue per scope, in this module,
//! the same for every backend.
//!
//! # Protocol
//!
//! 1. [`LocalScope::enter`] marks the thread (a thread-local id, restored on exit, so scopes
//!    nest: the innermost one receives new local tasks). It allocates nothing: the executor is
//!    created by the first [`try_spawn_local`] of the scope.
//! 2. The thread polls its main future through [`LocalScope::drive`]. Each poll of the
//!    [`Drive`] polls the main future first; if that is pending, it runs the local tasks that
//!    are ready, in the order they became ready (FIFO), at most [`BUDGET`] of them, and asks
//!    to be polled again if more are waiting, so neither side starves the other.
//! 3. A local task's waker only pushes the task's id onto the scope's ready queue and wakes the
//!    `Drive`; it never holds the task itself. The futures stay in a `!Send` map owned by the
//!    scope's thread, so no waker on another thread can ever poll or drop one.
//! 4. Dropping the [`LocalScope`] (when its `block_on` returns, its runner stops, or a panic
//!    unwinds through it) drops every local task still pending, on this thread, in spawn
//!    order: their destructors run here and their handles resolve `Err(cancelled)`. Wakers
//!    that fire later find the queue closed and do nothing.
//!
//! A task spawned right before the main future completes may therefore never be polled: local
//! tasks live exactly as long as the `block_on` (or runner) that drives them.
//!
//! # Cost
//!
//! For code that never spawns a local task: entering and leaving a scope are one access each
//! to a thread-local `Cell` without a destructor, as cheap as reading the [`context`] marker
//! (measured: 5 ns for both, against 2.5 ns for one `context::current()`, on a loaded 2-vCPU
//! VM); a `block_on` whose future completes at its first poll pays nothing else. A `Drive`
//! whose main future is pending also looks at the scope's frame once per poll and keeps a
//! clone of its waker there: one `Vec` push per waiting `block_on` (the stack's buffer is
//! reused), nothing next to the parking that waiting costs. A scope with local tasks
//! allocates its executor once, and per task the boxed `TaskFuture`, its waker and the
//! handle's cell.
//!
//! [`context`]: crate::context
//!
//! # Examples
//!
//! ```
//! use std::cell::RefCell;
//! use std::rc::Rc;
//! use loopbridge_core::local::{self, LocalScope};
//!
//! let log = Rc::new(RefCell::new(Vec::new()));
//! let scope = LocalScope::enter();
//! let out = loopbridge_core::unstable::park::wait(scope.drive({
//!     let log = Rc::clone(&log);
//!     async move {
//!         let task = local::try_spawn_local(async move {
//!             log.borrow_mut().push("local"); // an `Rc`: this task is `!Send`
//!             7
//!         });
//!         task.unwrap().await.unwrap()
//!     }
//! }));
//! drop(scope);
//! assert_eq!((out, log.borrow().as_slice()), (7, ["local"].as_slice()));
//!
//! // Outside any scope there is no one to run a local task.
//! assert!(local::try_spawn_local(async {}).is_err());
//! ```

mod error;
mod executor;
mod slot;

#[cfg(test)]
mod tests;

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

pub use error::SpawnLocalError;
pub use executor::BUDGET;

use crate::JoinHandle;

/// This thread drives local tasks until the scope is dropped; see the [module docs](self).
///
/// It is `!Send`: a scope belongs to the thread that entered it.
///
/// # Examples
///
/// A local task lives as long as its scope: one still pending when the scope is dropped is
/// cancelled there.
///
/// ```
/// use loopbridge_core::local::{self, LocalScope};
///
/// let scope = LocalScope::enter();
/// let task = local::try_spawn_local(async { "never polled" }).unwrap();
/// assert!(!task.is_finished()); // nothing has driven the scope yet
/// drop(scope);
/// assert!(loopbridge_core::unstable::park::wait(task).unwrap_err().is_cancelled());
/// ```
#[must_use = "local tasks are cancelled when the scope is dropped"]
pub struct LocalScope {
    /// The scope this one shadows, restored on drop.
    previous: u64,
    _not_send: PhantomData<*const ()>,
}

impl LocalScope {
    /// Enters a scope on this thread: from now on [`try_spawn_local`] queues tasks here, until
    /// the scope is dropped. Nothing is allocated until the first local task.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::local::{self, LocalScope};
    ///
    /// assert!(!local::is_driven());
    /// let scope = LocalScope::enter();
    /// assert!(local::is_driven());
    /// drop(scope);
    /// assert!(!local::is_driven());
    /// ```
    pub fn enter() -> Self {
        LocalScope { previous: slot::enter(), _not_send: PhantomData }
    }

    /// Wraps the thread's main future so that polling it also runs this scope's ready local
    /// tasks. Poll the [`Drive`] on this thread only, while the scope is entered.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::local::{self, LocalScope};
    /// use loopbridge_core::unstable::park;
    ///
    /// let scope = LocalScope::enter();
    /// // The main future waits for a local task: the `Drive` runs it in the meantime.
    /// let task = local::try_spawn_local(async { std::rc::Rc::new("ran") }).unwrap();
    /// assert_eq!(*park::wait(scope.drive(task)).unwrap(), "ran");
    ///
    /// // The main future is polled first: one that is ready at once leaves the local tasks
    /// // for a later `drive`.
    /// let other = local::try_spawn_local(async {}).unwrap();
    /// assert_eq!(park::wait(scope.drive(async { 1 })), 1);
    /// assert!(!other.is_finished());
    /// ```
    pub fn drive<F: Future>(&self, future: F) -> Drive<F> {
        Drive { future, _not_send: PhantomData }
    }
}

impl Drop for LocalScope {
    fn drop(&mut self) {
        slot::exit(self.previous);
    }
}

impl fmt::Debug for LocalScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalScope").finish_non_exhaustive()
    }
}

pin_project! {
    /// A thread's main future, polled together with its scope's local tasks; made by
    /// [`LocalScope::drive`]. Its output is the main future's.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    /// use std::task::Poll;
    /// use loopbridge_core::local::{self, Drive, LocalScope};
    ///
    /// let scope = LocalScope::enter();
    /// let done = Rc::new(Cell::new(false));
    /// let flag = Rc::clone(&done);
    /// let _task = local::try_spawn_local(async move { flag.set(true) }).unwrap();
    /// // A main future that does not await the local task, but waits for its effect: while
    /// // it is pending, the `Drive` runs the local tasks that are ready.
    /// let main = std::future::poll_fn(|cx| {
    ///     if done.get() {
    ///         return Poll::Ready("main");
    ///     }
    ///     cx.waker().wake_by_ref();
    ///     Poll::Pending
    /// });
    /// let drive: Drive<_> = scope.drive(main);
    /// assert_eq!(loopbridge_core::unstable::park::wait(drive), "main");
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Drive<F> {
        #[pin]
        future: F,
        _not_send: PhantomData<*const ()>,
    }
}

impl<F: Future> Future for Drive<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // The main future first: a `block_on` of a ready future never touches the scope.
        if let Poll::Ready(output) = self.project().future.poll(cx) {
            return Poll::Ready(output);
        }
        if let Some(executor) = slot::executor_or_remember(cx.waker()) {
            if executor.run_ready(cx.waker()) {
                // More tasks are ready than one poll may run: come back after the main future
                // (and, through the native `block_on`, the runtime's IO and timers) had a turn.
                cx.waker().wake_by_ref();
            }
        }
        Poll::Pending
    }
}

impl<F> fmt::Debug for Drive<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drive").finish_non_exhaustive()
    }
}

/// Spawns `future` as a local task of the innermost [`LocalScope`] entered on this thread and
/// returns its [`JoinHandle`]; see the [module docs](self).
///
/// The task runs on this thread, after the current poll, whenever the scope's thread polls its
/// main future; it is cancelled (its destructor runs here) when the scope ends.
///
/// # Errors
///
/// [`SpawnLocalError`] when no scope is entered on this thread; `future` is dropped unpolled.
///
/// # Examples
///
/// ```
/// let scope = loopbridge_core::local::LocalScope::enter();
/// let handle = loopbridge_core::local::try_spawn_local(async { std::rc::Rc::new(5) }).unwrap();
/// let value = loopbridge_core::unstable::park::wait(scope.drive(handle)).unwrap();
/// assert_eq!(*value, 5);
/// ```
pub fn try_spawn_local<F>(future: F) -> Result<JoinHandle<F::Output>, SpawnLocalError>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let executor = slot::executor_for_spawn();
    match executor {
        // Outside the slot's borrow: `spawn` runs no user code, but keeps the borrow short.
        Some(executor) => Ok(executor.spawn(future)),
        None => Err(SpawnLocalError::here()),
    }
}

/// Whether this thread is inside a [`LocalScope`], so that [`try_spawn_local`] would succeed.
///
/// # Examples
///
/// ```
/// assert!(!loopbridge_core::local::is_driven());
/// ```
pub fn is_driven() -> bool {
    slot::is_driven()
}
