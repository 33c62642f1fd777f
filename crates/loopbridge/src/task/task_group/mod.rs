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

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use loopbridge_core::cancel::CancellationToken;
use pin_project_lite::pin_project;

use crate::{Bridge, JoinSet};

/// Runs `body` with a [`TaskGroup`] to spawn children into, and returns once the body and
/// every child have ended: `Ok` with the body's value if nothing failed; otherwise the first
/// failure — the `Err` of the body or a child, or its panic, resumed — after every other child
/// has been cancelled and has stopped. Dropping the returned future cancels everything in the
/// group. The four rules:
///
/// 1. Nothing spawned into the group outlives it: it returns after the body and every child.
/// 2. The first failure cancels the body and every other child (at their next await; their
///    destructors run) before the group returns it; later failures are dropped.
/// 3. Dropping the group's future aborts every child and cancels [`TaskGroup::token`].
/// 4. A spawn into a group that has failed or returned never runs.
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
    let shared = Arc::new(Shared {
        bridge: crate::Bridge::current(),
        token: CancellationToken::new(),
        live: AtomicBool::new(true),
        state: Mutex::new(State { children: JoinSet::new(), failure: None, waker: None }),
    });
    let body = body(TaskGroup { shared: Arc::clone(&shared) });
    Group { body: Some(body), output: None, shared }.await
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
    /// Accepting children: neither failed, nor returned, nor dropped.
    live: AtomicBool,
    state: Mutex<State<E>>,
}

struct State<E> {
    children: JoinSet<Result<(), E>>,
    failure: Option<Failure<E>>,
    /// The group's future, to wake when a child is added.
    waker: Option<Waker>,
}

enum Failure<E> {
    Err(E),
    Panic(Box<dyn Any + Send>),
}

impl<E: Send + 'static> TaskGroup<E> {
    /// Spawns `future` into the group, on the runtime the group runs on. If the group has
    /// failed or ended, the future is dropped without running.
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
        let gate = Arc::clone(&self.shared);
        let handle = self.shared.bridge.spawn(async move {
            // A child that raced the group's failure or end never runs (rule 3).
            if !gate.is_live() {
                return Ok(());
            }
            future.await
        });
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

    /// A child of the group's token: cancelled when the group fails or is dropped, so children
    /// can notice cooperatively; cancelling it does not cancel the group.
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

pin_project! {
    /// The future of a [`task_group`].
    struct Group<T, E, Fut> {
        #[pin]
        body: Option<Fut>,
        output: Option<T>,
        shared: Arc<Shared<E>>,
    }

    impl<T, E, Fut> PinnedDrop for Group<T, E, Fut> {
        fn drop(this: Pin<&mut Self>) {
            // Rule 4; harmless after the group returned (no child is left then).
            let shared = &this.shared;
            let mut state = shared.lock();
            shared.close(&mut state);
        }
    }
}

impl<T, E, Fut> Future for Group<T, E, Fut>
where
    Fut: Future<Output = Result<T, E>>,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let mut late = Vec::new();
        if let Some(body) = this.body.as_mut().as_pin_mut() {
            let failure = match panic::catch_unwind(AssertUnwindSafe(|| body.poll(cx))) {
                Ok(Poll::Pending) => None,
                Ok(Poll::Ready(Ok(output))) => {
                    *this.output = Some(output);
                    None
                }
                Ok(Poll::Ready(Err(err))) => Some(Failure::Err(err)),
                Err(payload) => Some(Failure::Panic(payload)),
            };
            if this.output.is_some() || failure.is_some() {
                this.body.set(None);
            }
            if let Some(failure) = failure {
                let mut state = this.shared.lock();
                late.extend(state.fail(failure));
                this.shared.close(&mut state);
            }
        }
        let mut state = this.shared.lock();
        let drained = loop {
            let failure = match state.children.poll_join_next(cx) {
                Poll::Ready(None) => break true,
                Poll::Pending => break false,
                Poll::Ready(Some(Ok(Ok(())))) => continue,
                Poll::Ready(Some(Ok(Err(err)))) => Failure::Err(err),
                Poll::Ready(Some(Err(err))) => match err.try_into_panic() {
                    Ok(payload) => Failure::Panic(payload),
                    Err(_) => continue, // aborted by the group's own failure or drop
                },
            };
            late.extend(state.fail(failure));
            this.shared.close(&mut state);
            if this.body.is_some() {
                drop(state);
                this.body.set(None); // the body's destructors run outside the lock
                state = this.shared.lock();
            }
        };
        if !drained || this.body.is_some() {
            state.waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        // Done: the body has ended and every child has stopped.
        this.shared.live.store(false, Ordering::Release);
        let failure = state.failure.take();
        drop(state);
        drop(late);
        match failure {
            None => match this.output.take() {
                Some(output) => Poll::Ready(Ok(output)),
                None => unreachable!("the body ended without a failure, so it gave its output"),
            },
            Some(Failure::Err(err)) => Poll::Ready(Err(err)),
            Some(Failure::Panic(payload)) => panic::resume_unwind(payload),
        }
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
