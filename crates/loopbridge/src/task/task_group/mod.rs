//! [`task_group`]: a scope for tasks — Python anyio's task group, Rust-shaped. Nothing started
//! in it outlives it, and its first failure cancels everything else in it.
//!
//! # Protocol
//!
//! 1. The group's future polls the body and joins its children (a [`JoinSet`] under the
//!    group's lock). [`TaskGroup::spawn`] spawns on the runtime the group runs on, then adds
//!    the handle to the set and wakes the group's future, which joins it too.
//! 2. The first failure — the body or a child returning `Err(e)` or panicking — is recorded,
//!    cancels the group's token, drops the body and aborts every child. The group keeps
//!    joining until every child has stopped (their destructors have run), then returns that
//!    `Err(e)` or resumes that panic. Later failures are dropped.
//! 3. Once the group has failed or returned, or its future was dropped, it no longer accepts
//!    children: a spawn then drops the future without running it. A child checks this at its
//!    first poll, so one that raced the failure does not run either.
//! 4. Dropping the group's future aborts every child and cancels the token: the children stop
//!    at their next await point, on their own threads.
//! 5. Every child and the body carry a [`Hold`](hold::Hold) on the group, dropped with their
//!    future; a group created while one of them is being polled is *nested* in it, and each of
//!    its own holds keeps that hold alive. The group returns only once no hold is alive, so a
//!    grandchild aborted by a failure two levels up has run its destructor before the outer
//!    group returns.
//! 6. [`TaskGroup::cancel`] closes the group as a failure would (token, children, no new
//!    spawns) but records no failure and leaves the body running: the group returns what the
//!    body returns. A deadline ([`task_group_with_timeout`]) that passes first closes it and
//!    drops the body: the group returns `Elapsed` once everything in it has stopped.

mod group;
mod hold;

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Waker;
use std::time::Duration;

use loopbridge_core::Elapsed;
use loopbridge_core::cancel::CancellationToken;

use crate::{Bridge, JoinSet};
use group::{Child, Group};
use hold::{Hold, Holds};

/// Runs `body` with a [`TaskGroup`] to spawn children into, and returns once the body and
/// every child have ended: `Ok` with the body's value if nothing failed; otherwise the first
/// failure — the `Err` of the body or a child, or its panic, resumed — after every other child
/// has been cancelled and has stopped. Dropping the returned future cancels everything in the
/// group. The four rules:
///
/// 1. Nothing spawned into the group outlives it: it returns after the body and every child —
///    and after every child of every group nested in them, however deep, whose destructors
///    have run.
/// 2. The first failure cancels the body and every other child (at their next await; their
///    destructors run) before the group returns it; later failures are dropped.
/// 3. Dropping the group's future aborts every child and cancels [`TaskGroup::token`].
/// 4. A spawn into a group that has failed, been cancelled or returned never runs.
///
/// # Errors
///
/// The first `Err` of the body or of a child, once every child has stopped.
///
/// # Panics
///
/// Resumes the first panic of the body or of a child, once every child has stopped.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let result: Result<(), String> = loopbridge::block_on(loopbridge::task_group(|group| async move {
///     group.spawn(async { Err("the first failure".to_owned()) });
///     let token = group.token();
///     group.spawn(async move {
///         token.cancelled().await; // cancelled by the failure
///         Ok(())
///     });
///     loopbridge::sleep(Duration::from_secs(3600)).await; // cut short by the failure too
///     Ok(())
/// }));
/// assert_eq!(result.unwrap_err(), "the first failure");
/// ```
pub async fn task_group<T, E, F, Fut>(body: F) -> Result<T, E>
where
    F: FnOnce(TaskGroup<E>) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Send + 'static,
{
    match Group::new(body, None).await {
        Ok(output) => output,
        Err(_) => unreachable!("a group without a deadline never elapses"),
    }
}

/// [`task_group`] with a deadline — Python anyio's `fail_after` around a task group: if the
/// group has not returned `timeout` after the call, it is closed as by a failure (the token is
/// cancelled, every child aborted, the body dropped) and, once everything in it has stopped,
/// returns `Err(Elapsed)` — never before the deadline. A failure first is returned as
/// [`task_group`] returns it (`Ok(Err(e))`, or the panic resumed).
///
/// # Errors
///
/// [`Elapsed`] if the deadline passed first.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// let start = Instant::now();
/// let outcome = loopbridge::block_on(loopbridge::task::task_group_with_timeout(
///     Duration::from_millis(20),
///     |group| async move {
///         group.spawn(std::future::pending::<Result<(), String>>()); // stopped at the deadline
///         std::future::pending::<Result<(), String>>().await
///     },
/// ));
/// assert!(outcome.is_err()); // Elapsed
/// assert!(start.elapsed() >= Duration::from_millis(20));
/// ```
pub async fn task_group_with_timeout<T, E, F, Fut>(
    timeout: Duration,
    body: F,
) -> Result<Result<T, E>, Elapsed>
where
    F: FnOnce(TaskGroup<E>) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Send + 'static,
{
    let deadline = crate::time::now().checked_add(timeout);
    Group::new(body, deadline.map(crate::sleep_until)).await
}

/// The handle to a [`task_group`]: spawns children into it. `Clone + Send + Sync`: a clone
/// can go to another task or thread, and its children still belong to the group.
///
/// # Examples
///
/// ```
/// use loopbridge::TaskGroup;
///
/// let done = loopbridge::block_on(loopbridge::task_group(|group: TaskGroup<String>| async move {
///     let from_a_thread = group.clone();
///     loopbridge::to_thread(move || from_a_thread.spawn(async { Ok(()) })).await.unwrap();
///     Ok("the child spawned from a thread was joined too")
/// }));
/// assert!(done.is_ok());
/// ```
pub struct TaskGroup<E> {
    shared: Arc<Shared<E>>,
}

struct Shared<E> {
    /// The runtime the group runs on, where its children go.
    bridge: Bridge,
    token: CancellationToken,
    /// Accepting children: neither failed, nor cancelled, nor returned, nor dropped.
    live: AtomicBool,
    /// The holds of the body and the children (and, through them, of nested groups).
    holds: Arc<Holds>,
    /// The hold the group was created under: each of its own holds keeps it alive.
    outer: Option<Arc<Hold>>,
    state: Mutex<State<E>>,
}

struct State<E> {
    children: JoinSet<Result<(), E>>,
    failure: Option<Failure<E>>,
    /// Cancelled by [`TaskGroup::cancel`]: the children's results no longer count.
    cancelled: bool,
    /// The group's future, to wake when a child is added or the group is cancelled.
    waker: Option<Waker>,
}

enum Failure<E> {
    Err(E),
    Panic(Box<dyn Any + Send>),
}

impl<E: Send + 'static> TaskGroup<E> {
    /// Spawns `future` into the group, on the runtime the group runs on. If the group has
    /// failed, been cancelled or ended, the future is dropped without running.
    ///
    /// # Examples
    ///
    /// ```
    /// let total = loopbridge::block_on(loopbridge::task_group(|group| async move {
    ///     let sum = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    ///     for n in 1..=4 {
    ///         let sum = sum.clone();
    ///         group.spawn(async move {
    ///             sum.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
    ///             Ok::<(), std::io::Error>(())
    ///         });
    ///     }
    ///     Ok(sum)
    /// }));
    /// // The group returned after every child: all four additions are in.
    /// assert_eq!(total.unwrap().load(std::sync::atomic::Ordering::SeqCst), 10);
    /// ```
    pub fn spawn<F>(&self, future: F)
    where
        F: Future<Output = Result<(), E>> + Send + 'static,
    {
        if !self.shared.is_live() {
            return;
        }
        let hold = Hold::new(&self.shared.holds, self.shared.outer.clone());
        let gate = Arc::clone(&self.shared);
        let handle = self.shared.bridge.spawn(Child::new(future, hold, gate));
        let mut state = self.shared.lock();
        if !self.shared.is_live() {
            handle.abort(); // its first poll, if not past it, is its last
        }
        state.children.insert_handle(handle);
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<E> TaskGroup<E> {
    /// A child of the group's token: cancelled when the group fails, is cancelled or is
    /// dropped, so children can notice cooperatively; cancelling it does not cancel the group.
    ///
    /// # Examples
    ///
    /// ```
    /// let result = loopbridge::block_on(loopbridge::task_group(|group| async move {
    ///     let token = group.token();
    ///     token.cancel(); // down, never up: the group goes on
    ///     group.spawn(async { Ok::<(), String>(()) });
    ///     Ok(token.is_cancelled())
    /// }));
    /// assert_eq!(result, Ok(true));
    /// ```
    pub fn token(&self) -> CancellationToken {
        self.shared.token.child_token()
    }

    /// Cancels the group cleanly, from inside it or from anywhere a clone went — anyio's
    /// `cancel_scope.cancel()`: the group's token is cancelled, every child is aborted (its
    /// destructors run before the group returns) and later spawns never run. It is not a
    /// failure: the children's results no longer count (a panic still does), and the group
    /// returns what the body returns. The body is not interrupted — it sees
    /// [`token`](Self::token) cancelled and ends when it chooses. A no-op once the group has
    /// failed or returned.
    ///
    /// # Examples
    ///
    /// ```
    /// let value = loopbridge::block_on(loopbridge::task_group(|group| async move {
    ///     for _ in 0..3 {
    ///         group.spawn(std::future::pending::<Result<(), String>>()); // never end alone
    ///     }
    ///     group.cancel();
    ///     group.token().cancelled().await;
    ///     Ok("the body's value")
    /// }));
    /// assert_eq!(value, Ok("the body's value"));
    /// ```
    pub fn cancel(&self) {
        let mut state = self.shared.lock();
        if !self.shared.is_live() {
            return;
        }
        state.cancelled = true;
        self.shared.close(&mut state);
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Whether the group no longer accepts children: it failed, was cancelled, returned, or
    /// its future was dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let closed = loopbridge::block_on(loopbridge::task_group(|group| async move {
    ///     group.cancel();
    ///     Ok::<_, String>(group.is_closed())
    /// }));
    /// assert_eq!(closed, Ok(true));
    /// ```
    pub fn is_closed(&self) -> bool {
        !self.shared.is_live()
    }
}

impl<E> Shared<E> {
    fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    fn lock(&self) -> MutexGuard<'_, State<E>> {
        // No user code runs under the lock; a poisoned one still holds a consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops accepting children, cancels the token and aborts every child.
    fn close(&self, state: &mut State<E>) {
        self.live.store(false, Ordering::Release);
        self.token.cancel();
        state.children.abort_all();
    }
}

impl<E> State<E> {
    /// Records the first failure (a later one is returned, to be dropped outside the lock).
    fn fail(&mut self, failure: Failure<E>) -> Option<Failure<E>> {
        if self.failure.is_some() {
            return Some(failure);
        }
        self.failure = Some(failure);
        None
    }
}

impl<E> Clone for TaskGroup<E> {
    fn clone(&self) -> Self {
        TaskGroup { shared: Arc::clone(&self.shared) }
    }
}

impl<E> fmt::Debug for TaskGroup<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroup")
            .field("live", &self.shared.is_live())
            .field("children", &self.shared.lock().children.len())
            .finish()
    }
}
