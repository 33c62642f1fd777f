//! [`Lifecycle`]: the shared state that lets a runtime loopbridge started be shut down cleanly.
//!
//! Every backend value of such a runtime holds the same `Arc<Lifecycle>`. It answers the
//! questions a shutdown must answer identically on every backend:
//!
//! 1. Is the runtime still accepting work? After [`close`](Lifecycle::close), a spawn resolves
//!    its handle as cancelled at once (the task is dropped, never queued), a blocking job is
//!    dropped the same way, and `block_on` reports `is_shut_down()`.
//! 2. Which tasks are still alive, and how many did the shutdown cancel? [`track_task`] wraps
//!    every task in a [`TrackedTask`], counted from spawn until its future is dropped, and
//!    counted as cancelled if that drop comes unfinished after the close.
//!    [`wait_for_tasks`](Lifecycle::wait_for_tasks) waits until none is left: a shutdown
//!    returns only once every pending task's handle is resolved.
//! 3. How many blocking jobs are still running? [`track_job`] counts them.
//! 4. Who is blocked in a `block_on` of this runtime? [`UntilClosed`] wraps the future of a
//!    `block_on`; `close` wakes every such caller, which then returns `is_shut_down()` instead
//!    of waiting forever for a future the dead runtime cannot finish.
//! 5. Which resources must learn of the close at once? [`Lifecycle::watch`] registers an
//!    [`OnClose`] (a socket on a reactor that outlives the runtime), which `close` tells.
//! 6. For a runtime with no shutdown of its own (async-std), which tasks to abort:
//!    [`with_abort_registry`](Lifecycle::with_abort_registry) keeps an
//!    [`AbortHandle`] per pending task, and `close` aborts them all.
//!
//! [`track_task`] and [`track_job`] take an `Option<&Arc<Lifecycle>>`: a backend value that
//! is not a loopbridge runtime (tokio's ambient runtime, async-std's global one) passes `None`
//! and gets the same types, untracked, so an adapter has one spawn path.
//!
//! The counters are plain atomics. A task takes the registry's lock only once it returns
//! `Pending`: one that completes in its first poll never does.

mod close_watch;
mod job;
mod native_task;
mod outcome;
mod tracked_task;
mod until_closed;

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::{Arc, PoisonError};
use std::task::Waker;

use slab::Slab;

// std's types, or loom's under `cfg(loom)`: see `sync.rs`.
use crate::sync::{AtomicBool, AtomicUsize, Condvar, Mutex, MutexGuard, Ordering, fence};
use crate::task::AbortHandle;
use crate::unstable::clock::Clock;

pub use close_watch::{CloseWatch, OnClose};
pub use job::{track_blocking, track_job};
pub use native_task::{NativeTask, track_native};
pub use outcome::ShutdownOutcome;
pub use tracked_task::{TrackedTask, track_task};
pub use until_closed::UntilClosed;

/// Shutdown state shared by every backend value of one runtime; see the [module docs](self).
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
/// assert!(lifecycle.close());
/// drop(tracked); // dropped unfinished after the close: counted as cancelled
/// assert_eq!(lifecycle.cancelled_tasks(), 1);
/// lifecycle.wait_for_tasks(); // none left: returns at once
/// ```
pub struct Lifecycle {
    closed: AtomicBool,
    live_tasks: AtomicUsize,
    cancelled_tasks: AtomicUsize,
    running_jobs: AtomicUsize,
    registry: Option<Mutex<Slab<AbortHandle>>>,
    /// Wakers of `block_on` callers whose future was pending, woken by `close`.
    blocked: Mutex<Slab<Waker>>,
    /// Resources told by `close` ([`Lifecycle::watch`]).
    watchers: Mutex<Slab<std::sync::Weak<dyn OnClose>>>,
    /// Signalled when the last live task is dropped after the close; its mutex guards nothing
    /// but the wait itself (the count is an atomic), so that no signal can fall between a
    /// waiter's check and its sleep.
    drained: (Mutex<()>, Condvar),
    /// The runtime's clock, which can be paused (see [`clock`](crate::unstable::clock)).
    clock: Arc<Clock>,
}

impl Lifecycle {
    /// A lifecycle for a runtime that cancels its own tasks when shut down (tokio, an owned
    /// async-executor).
    ///
    /// # Examples
    ///
    /// ```
    /// let lifecycle = loopbridge_core::unstable::lifecycle::Lifecycle::new();
    /// assert!(!lifecycle.is_closed());
    /// ```
    pub fn new() -> Arc<Self> {
        Arc::new(Lifecycle::with(None))
    }

    /// A lifecycle that also keeps an abort handle per pending task, for runtimes that cannot
    /// be shut down (async-std): [`close`](Self::close) aborts them.
    ///
    /// # Examples
    ///
    /// ```
    /// let lifecycle = loopbridge_core::unstable::lifecycle::Lifecycle::with_abort_registry();
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
            watchers: Mutex::new(Slab::new()),
            drained: (Mutex::new(()), Condvar::new()),
            clock: Clock::new(),
        }
    }

    /// The runtime's clock: the wall clock until paused (see
    /// [`clock`](crate::unstable::clock)).
    ///
    /// # Examples
    ///
    /// ```
    /// let lifecycle = loopbridge_core::unstable::lifecycle::Lifecycle::new();
    /// assert!(!lifecycle.clock().is_paused());
    /// ```
    #[inline]
    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    /// A number that identifies this runtime while it exists (for thread markers).
    ///
    /// # Examples
    ///
    /// ```
    /// let a = loopbridge_core::unstable::lifecycle::Lifecycle::new();
    /// let b = loopbridge_core::unstable::lifecycle::Lifecycle::new();
    /// assert_ne!(a.id(), b.id());
    /// ```
    pub fn id(self: &Arc<Self>) -> usize {
        Arc::as_ptr(self) as usize
    }

    /// Stops accepting work, answers every blocked `block_on` caller and, with a registry,
    /// aborts every live task. Returns whether this call was the one that closed it.
    ///
    /// # Examples
    ///
    /// ```
    /// let lifecycle = loopbridge_core::unstable::lifecycle::Lifecycle::new();
    /// assert!(lifecycle.close());
    /// assert!(!lifecycle.close()); // idempotent
    /// ```
    pub fn close(&self) -> bool {
        if self.closed.swap(true, Ordering::AcqRel) {
            return false;
        }
        // Pairs with the fences after each count goes up (a job starting, a task spawned) or
        // down (a task dropped): a shutdown sets the flag and then reads a count, the other
        // side changes the count and then reads the flag. Without a SeqCst fence on both
        // sides both may read the old value (loom found it): a job would start after the
        // shutdown saw none running, or the last task's drop would not signal a waiter.
        fence(Ordering::SeqCst);
        let blocked = std::mem::take(&mut *lock(&self.blocked));
        for (_, waker) in blocked {
            waker.wake();
        }
        self.tell_watchers();
        if let Some(registry) = &self.registry {
            let tasks = std::mem::take(&mut *lock(registry));
            self.cancelled_tasks.fetch_add(tasks.len(), Ordering::AcqRel);
            // Outside the lock: an abort wakes the task, which may run (and re-enter) at once.
            for (_, handle) in tasks {
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
    /// let lifecycle = loopbridge_core::unstable::lifecycle::Lifecycle::new();
    /// lifecycle.close();
    /// assert!(lifecycle.is_closed());
    /// ```
    #[inline]
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Waits until every task spawned on this runtime has been dropped — finished, or
    /// cancelled by the shutdown — so that every [`JoinHandle`](crate::JoinHandle) of them is
    /// resolved. Call it after [`close`](Self::close), once the runtime has been told to drop
    /// its tasks, and never from one of those tasks (it would wait for itself).
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::unstable::lifecycle::{self, Lifecycle};
    /// use loopbridge_core::task::TaskFuture;
    ///
    /// let lifecycle = Lifecycle::new();
    /// let (task, handle) = TaskFuture::new(std::future::pending::<()>());
    /// let tracked = lifecycle::track_task(Some(&lifecycle), task).expect("open");
    /// lifecycle.close();
    /// let executor = std::thread::spawn(move || drop(tracked)); // the runtime drops it
    /// lifecycle.wait_for_tasks();
    /// assert!(handle.is_finished());
    /// # executor.join().unwrap();
    /// ```
    pub fn wait_for_tasks(&self) {
        let (mutex, drained) = &self.drained;
        let mut guard = lock(mutex);
        while self.live_tasks() > 0 {
            guard = drained.wait(guard).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Tasks spawned and not yet finished or dropped.
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
    /// assert_eq!(loopbridge_core::unstable::lifecycle::Lifecycle::new().cancelled_tasks(), 0);
    /// ```
    pub fn cancelled_tasks(&self) -> usize {
        self.cancelled_tasks.load(Ordering::Acquire)
    }

    /// Blocking jobs running now.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(loopbridge_core::unstable::lifecycle::Lifecycle::new().running_jobs(), 0);
    /// ```
    pub fn running_jobs(&self) -> usize {
        self.running_jobs.load(Ordering::Acquire)
    }

    /// The outcome of a shutdown as read now: `joined` says whether every thread the runtime
    /// started has been joined, `pool_still_running` how many jobs its pool reports running.
    ///
    /// # Examples
    ///
    /// ```
    /// let lifecycle = loopbridge_core::unstable::lifecycle::Lifecycle::new();
    /// lifecycle.close();
    /// assert!(lifecycle.outcome(true, 0).completed_in_time);
    /// assert!(!lifecycle.outcome(true, 1).completed_in_time);
    /// ```
    pub fn outcome(&self, joined: bool, pool_still_running: usize) -> ShutdownOutcome {
        ShutdownOutcome::new(
            self.cancelled_tasks(),
            self.running_jobs().max(pool_still_running),
            joined,
        )
    }

    /// Counts a new task; returns `false` (and counts nothing) after the close.
    fn admit_task(&self) -> bool {
        // Counted before the check, which pairs with the fence in `close`: a shutdown that
        // waits for `live_tasks` to reach zero either sees this task or this spawn sees the
        // close and is refused.
        self.live_tasks.fetch_add(1, Ordering::AcqRel);
        fence(Ordering::SeqCst);
        if self.is_closed() {
            self.task_dropped(true); // refused, not cancelled by the shutdown
            return false;
        }
        true
    }

    /// Uncounts a task whose future was dropped — as cancelled by the shutdown if it was
    /// dropped unfinished after the close, unless `counted` (it finished, or the close counted
    /// it when it aborted it); the last one after the close wakes
    /// [`wait_for_tasks`](Self::wait_for_tasks).
    fn task_dropped(&self, counted: bool) {
        if !counted && self.is_closed() {
            self.cancelled_tasks.fetch_add(1, Ordering::AcqRel);
        }
        if self.live_tasks.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        // Pairs with the fence in `close` (see there).
        fence(Ordering::SeqCst);
        if self.is_closed() {
            let (mutex, drained) = &self.drained;
            drop(lock(mutex));
            drained.notify_all();
        }
    }

    /// Records `handle` for `close` to abort, or returns `None` if the lifecycle is closed (the
    /// task must then cancel itself: `close` has or will have taken the registry without it).
    fn register(&self, handle: AbortHandle) -> Option<usize> {
        let mut registry = lock(self.registry.as_ref()?);
        // Checked under the registry's lock, which `close` takes after setting the flag: the
        // task is either registered before the close takes the registry (and then aborted and
        // counted by it) or it sees the close here — never both, never neither (loom:
        // `model_checks/lifecycle.rs`).
        (!self.is_closed()).then(|| registry.insert(handle))
    }

    fn unregister(&self, slot: usize) {
        if let Some(registry) = &self.registry {
            let removed = lock(registry).try_remove(slot);
            drop(removed); // outside the lock: the last handle may drop the task's cell
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Only slab operations run under these locks; a poisoned one still holds a valid slab.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
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
