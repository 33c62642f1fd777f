//! [`JoinSet`]: a set of tasks, joined in the order they complete — tokio's `JoinSet`, on every
//! backend.
//!
//! The set is a `FuturesUnordered` (futures-util) of loopbridge [`JoinHandle`]s: each handle
//! has the same semantics on every backend (detach on drop, `abort`, panics with their
//! payload), and `FuturesUnordered` polls only the handles whose task woke it, so joining N
//! tasks costs O(N), as tokio's `IdleNotifiedSet` does.

use std::fmt;
use std::future::{Future, poll_fn};
use std::panic;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use futures_util::stream::{FuturesUnordered, StreamExt};
use loopbridge_core::task::{AbortHandle, Id};
use loopbridge_core::{JoinError, JoinHandle};

use crate::Bridge;

/// A collection of tasks spawned on any backend, awaited in the order they complete.
///
/// Dropping the set aborts every task still in it (each stops at its next await point, its
/// destructors run); [`detach_all`](Self::detach_all) lets them run on instead. Identical on
/// every backend: the conformance suite runs every test on every flavour.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge::JoinSet;
///
/// let order = loopbridge::block_on(async {
///     let mut set = JoinSet::new();
///     for ms in [30, 10, 20] {
///         set.spawn(async move {
///             loopbridge::sleep(Duration::from_millis(ms)).await;
///             ms
///         });
///     }
///     let mut order = Vec::new();
///     while let Some(done) = set.join_next().await {
///         order.push(done.unwrap());
///     }
///     order
/// });
/// assert_eq!(order, [10, 20, 30]); // completion order
/// ```
pub struct JoinSet<T> {
    tasks: FuturesUnordered<Entry<T>>,
}

/// A task of the set: its handle, whose output comes with its id.
struct Entry<T> {
    handle: JoinHandle<T>,
}

impl<T> Future for Entry<T> {
    type Output = Result<(Id, T), JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let handle = &mut self.handle;
        // The id read once the task ended, and only then: no space for it in each entry.
        Pin::new(&mut *handle).poll(cx).map(|result| result.map(|output| (handle.id(), output)))
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = loopbridge::JoinSet::<u8>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> Self {
        JoinSet { tasks: FuturesUnordered::new() }
    }

    /// Tasks in the set: spawned and not yet joined (finished ones count until joined).
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether the set holds no task.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Aborts every task in the set; they stay in it until joined (as cancelled, unless they
    /// had finished already).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = loopbridge::JoinSet::new();
    /// let cancelled = loopbridge::block_on(async {
    ///     set.spawn(std::future::pending::<()>());
    ///     set.abort_all();
    ///     set.join_next().await.unwrap().unwrap_err().is_cancelled()
    /// });
    /// assert!(cancelled);
    /// ```
    pub fn abort_all(&mut self) {
        for task in self.tasks.iter() {
            task.handle.abort();
        }
    }

    /// Removes every task from the set without aborting it: they run on, detached.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = loopbridge::JoinSet::new();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// loopbridge::block_on(async { set.spawn(async move { tx.send("ran").unwrap() }) });
    /// set.detach_all();
    /// drop(set); // nothing left to abort
    /// assert_eq!(rx.recv().unwrap(), "ran");
    /// ```
    pub fn detach_all(&mut self) {
        self.tasks.clear();
    }

    /// Waits for the next task to complete and returns its result; `None` if the set is empty.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a `join_next` dropped before it completes removes no task from the set.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let mut set = loopbridge::JoinSet::new();
    /// loopbridge::block_on(async {
    ///     set.spawn(loopbridge::sleep(Duration::from_millis(20)));
    ///     // Timed out: the task stays in the set.
    ///     assert!(loopbridge::timeout(Duration::ZERO, set.join_next()).await.is_err());
    ///     assert_eq!(set.len(), 1);
    ///     assert!(set.join_next().await.unwrap().is_ok());
    ///     assert!(set.join_next().await.is_none());
    /// });
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// [`join_next`](Self::join_next), with the [`Id`] of the task that ended: beside its
    /// output, or in its [`JoinError`] ([`JoinError::id`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = loopbridge::JoinSet::new();
    /// let (spawned, joined) = loopbridge::block_on(async {
    ///     let spawned = set.spawn(async { loopbridge::task::id() }).id();
    ///     let (joined, inside) = set.join_next_with_id().await.unwrap().unwrap();
    ///     assert_eq!(joined, inside);
    ///     (spawned, joined)
    /// });
    /// assert_eq!(spawned, joined);
    /// ```
    pub async fn join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        poll_fn(|cx| self.poll_join_next_with_id(cx)).await
    }

    /// The next completed task's result if one is ready, without waiting; `None` if none is
    /// (or the set is empty).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = loopbridge::JoinSet::new();
    /// assert!(set.try_join_next().is_none());
    /// loopbridge::block_on(async {
    ///     set.spawn(async { 1 });
    ///     while set.try_join_next().is_none() {
    ///         loopbridge::yield_now().await;
    ///     }
    /// });
    /// assert!(set.is_empty());
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        Some(self.try_join_next_with_id()?.map(|(_, output)| output))
    }

    /// [`try_join_next`](Self::try_join_next), with the [`Id`] of the task that ended.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = loopbridge::JoinSet::new();
    /// loopbridge::block_on(async {
    ///     let id = set.spawn(async { 1 }).id();
    ///     loop {
    ///         match set.try_join_next_with_id() {
    ///             Some(done) => break assert_eq!(done.unwrap(), (id, 1)),
    ///             None => loopbridge::yield_now().await,
    ///         }
    ///     }
    /// });
    /// ```
    pub fn try_join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        // Outside tokio's budget: a spent one would hide the finished tasks.
        let next = poll_fn(|cx| self.poll_join_next_with_id(cx));
        match pin!(crate::backends::unconstrained(next))
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(next) => next,
            Poll::Pending => None,
        }
    }

    /// [`join_next`](Self::join_next) as a poll function, for hand-written futures: `Ready(None)`
    /// when the set is empty, `Pending` (with `cx`'s waker registered) while tasks run.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = loopbridge::JoinSet::new();
    /// let out = loopbridge::block_on(async {
    ///     set.spawn(async { 5 });
    ///     std::future::poll_fn(|cx| set.poll_join_next(cx)).await
    /// });
    /// assert_eq!(out.unwrap().unwrap(), 5);
    /// ```
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.poll_join_next_with_id(cx).map(|next| Some(next?.map(|(_, output)| output)))
    }

    /// [`poll_join_next`](Self::poll_join_next), with the [`Id`] of the task that ended.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = loopbridge::JoinSet::new();
    /// let done = loopbridge::block_on(async {
    ///     set.spawn(async { 5 });
    ///     std::future::poll_fn(|cx| set.poll_join_next_with_id(cx)).await
    /// });
    /// assert_eq!(done.unwrap().unwrap().1, 5);
    /// ```
    pub fn poll_join_next_with_id(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(Id, T), JoinError>>> {
        self.tasks.poll_next_unpin(cx)
    }

    /// Aborts every task and waits until all have stopped; the set is then empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = loopbridge::JoinSet::new();
    /// loopbridge::block_on(async {
    ///     set.spawn(std::future::pending::<()>());
    ///     set.shutdown().await;
    /// });
    /// assert!(set.is_empty());
    /// ```
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Waits for every task and returns their outputs in completion order.
    ///
    /// # Panics
    ///
    /// If a task failed: a panic is resumed with its payload, a cancellation panics with the
    /// [`JoinError`]'s message; the tasks still in the set are aborted first. To handle
    /// failures otherwise, loop over [`join_next`](Self::join_next).
    ///
    /// # Examples
    ///
    /// ```
    /// let outputs = loopbridge::block_on(async {
    ///     let set: loopbridge::JoinSet<u32> = (1..=3).map(|n| async move { n * n }).collect();
    ///     set.join_all().await
    /// });
    /// assert_eq!(outputs.iter().sum::<u32>(), 14);
    /// ```
    pub async fn join_all(mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.len());
        while let Some(next) = self.join_next().await {
            match next {
                Ok(output) => outputs.push(output),
                Err(err) => {
                    self.abort_all();
                    match err.try_into_panic() {
                        Ok(payload) => panic::resume_unwind(payload),
                        Err(err) => panic!("a task of the JoinSet failed: {err}"),
                    }
                }
            }
        }
        outputs
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// Spawns `future` as [`spawn`](crate::spawn) does (the ambient runtime, else the global
    /// runner) into the set, and returns a handle that can abort it.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = loopbridge::JoinSet::new();
    /// let cancelled = loopbridge::block_on(async {
    ///     let stuck = set.spawn(std::future::pending::<()>());
    ///     stuck.abort();
    ///     set.join_next().await.unwrap().unwrap_err().is_cancelled()
    /// });
    /// assert!(cancelled);
    /// ```
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(crate::spawn(future))
    }

    /// Spawns `future` on the runtime of `bridge` into the set.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = loopbridge::Runner::new()?;
    /// let mut set = loopbridge::JoinSet::new();
    /// set.spawn_on(async { 2 }, &runner.bridge());
    /// assert_eq!(runner.block_on(set.join_next()).unwrap().unwrap(), 2);
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    pub fn spawn_on<F>(&mut self, future: F, bridge: &Bridge) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(bridge.spawn(future))
    }

    /// Spawns a local (`!Send`) future on this thread, as [`spawn_local`](crate::spawn_local)
    /// does, into the set. Its output must be `Send`, so that the returned [`AbortHandle`] can
    /// be (docs/design.md says why).
    ///
    /// # Panics
    ///
    /// Where [`spawn_local`](crate::spawn_local) panics: outside a `block_on` and off the
    /// thread of a one-thread runner.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::rc::Rc;
    ///
    /// let len = loopbridge::block_on(async {
    ///     let mut set = loopbridge::JoinSet::new();
    ///     let shared = Rc::new(vec![1, 2, 3]); // !Send, fine on this thread
    ///     set.spawn_local(async move { shared.len() });
    ///     set.join_next().await.unwrap().unwrap()
    /// });
    /// assert_eq!(len, 3);
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(crate::spawn_local(future))
    }

    /// Runs `f` on the blocking pool, as [`to_thread`](crate::to_thread) does, into the set.
    /// Aborting it keeps it from starting; once started, it runs to its end.
    ///
    /// # Examples
    ///
    /// ```
    /// let sum = loopbridge::block_on(async {
    ///     let mut set = loopbridge::JoinSet::new();
    ///     set.spawn_blocking(|| (1..=10).sum::<u32>());
    ///     set.join_next().await.unwrap().unwrap()
    /// });
    /// assert_eq!(sum, 55);
    /// ```
    #[doc(alias = "to_thread")]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.insert(crate::to_thread(f))
    }

    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        self.insert_handle(handle);
        abort
    }

    /// Adds a task spawned elsewhere to the set (a `task_group` spawns outside its lock).
    pub(crate) fn insert_handle(&mut self, handle: JoinHandle<T>) {
        self.tasks.push(Entry { handle });
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}

impl<T, F> FromIterator<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    fn from_iter<I: IntoIterator<Item = F>>(futures: I) -> Self {
        let mut set = JoinSet::new();
        set.extend(futures);
        set
    }
}

impl<T, F> Extend<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    fn extend<I: IntoIterator<Item = F>>(&mut self, futures: I) {
        for future in futures {
            self.spawn(future);
        }
    }
}
