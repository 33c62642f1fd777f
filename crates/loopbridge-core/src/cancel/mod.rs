//! [`CancellationToken`]: cooperative cancellation that needs no runtime.
//!
//! A token is a node in a tree. [`cancel`](CancellationToken::cancel) cancels the node and
//! every node below it — never one above — and wakes every future waiting on any of them.
//! It has the API of tokio-util's token, but is runtime-neutral: a few atomics and one lock
//! per node, so it works under every backend and with none, and puts no tokio in the tree of
//! a smol or async-std user. It is also faster: making a child, waiting on it and cancelling
//! the parent took 0.69× tokio-util's time (0.93× in a later run; `docs/performance.md`,
//! *Structured concurrency*), measured before the tree took tokio-util's shape (1, 6).
//!
//! # Protocol
//!
//! 1. A token is a handle on a node: clones share one `Arc<Handle>`, so `clone` is one atomic
//!    increment, and the handle's destructor, run when the last clone drops, takes the node out
//!    of the tree (6). A second allocation per token buys this: the node's own `Arc` is also
//!    held by the tree's links, so its count cannot tell when the last token is gone.
//! 2. Each node has a `cancelled` flag, written only under the node's lock and never cleared,
//!    so `is_cancelled` is one atomic load. Under the lock are the wakers of the futures waiting
//!    on it, its parent and its children (both strong: the tree keeps alive exactly its live
//!    nodes), and its index in the parent's list.
//! 3. Locks are taken parent before child, never the reverse (tokio-util's order: a node is
//!    always younger than its parent, so this is creation order and cannot deadlock). Whoever
//!    needs a node's parent locks the node to read it, try-locks the parent and, if it is busy,
//!    unlocks the node, locks the parent, relocks the node and checks the parent is still its.
//! 4. A child is added under the parent's lock after checking the parent's flag there: a child
//!    made from a cancelled parent starts cancelled (and outside the tree), and one made while
//!    the parent is being cancelled is cancelled with it.
//! 5. `cancel` holds the node's lock throughout and empties its list one child at a time: the
//!    child is locked and detached, its own children are cancelled at once if they have none,
//!    or else adopted by the node and met again later in the same loop; then the child's flag
//!    is set and its wakers taken. No recursion, at most three locks, whatever the depth. The
//!    node's own flag is set last, so when `cancel` returns, or a second `cancel` finds the
//!    flag, every token below is cancelled — except a descendant's flag found set while an
//!    ancestor's `cancel` is still running: what that descendant handed up is finished by the
//!    ancestor's `cancel` before it returns (as in tokio-util). The wakers are woken once the
//!    lock is released: a waker is foreign code.
//! 6. When a node's last handle drops, with the node and its parent locked (3), its children
//!    move to the parent and it leaves the parent's list: every token stays reachable from
//!    every live ancestor, whatever is dropped in between. A node with no parent (a root, or one
//!    cut loose by an ancestor's cancel) makes its children roots: nothing can cancel them
//!    through it any more. Either way it ends with no links: a dropped middle token is freed
//!    at once, and freeing a node never recurses, however deep the tree.
//! 7. A waiting future checks the flag, and registers its waker only under the lock after
//!    checking the flag again there: a cancel either finds the waker or the future finds the
//!    flag (loom: `model_checks/cancel.rs`, with the races of 4 and 6).
//!
//! # Examples
//!
//! ```
//! use loopbridge_core::cancel::CancellationToken;
//!
//! let parent = CancellationToken::new();
//! let child = parent.child_token();
//! child.cancel(); // down, never up
//! assert!(child.is_cancelled() && !parent.is_cancelled());
//! let other = parent.child_token();
//! parent.cancel();
//! assert!(other.is_cancelled());
//! assert!(parent.child_token().is_cancelled()); // a child of a cancelled token starts so
//! ```

mod drop_guard;
mod drop_guard_ref;
mod tree;
mod wait;

#[cfg(test)]
mod tests;

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Poll, Waker};

// std's `Arc`, or loom's under `cfg(loom)`: see `sync.rs`.
use crate::sync::CountedArc;
use tree::Node;

pub use drop_guard::DropGuard;
pub use drop_guard_ref::DropGuardRef;
pub use wait::{Cancelled, WaitForCancellationFuture, WaitForCancellationFutureOwned};

/// A token for cooperative cancellation, shared by cloning; see the [module docs](self).
///
/// Clones are the same token; [`child_token`](Self::child_token) makes a new one below it.
/// Cancelling is idempotent and synchronous: when [`cancel`](Self::cancel) returns, the token
/// and every child are cancelled and every waiting future has been woken. Dropping a token
/// never cuts its children off: they stay below its parent.
///
/// # Examples
///
/// ```
/// use loopbridge_core::cancel::CancellationToken;
/// use loopbridge_core::unstable::park;
///
/// let token = CancellationToken::new();
/// let waiter = token.clone();
/// let worker = std::thread::spawn(move || park::wait(waiter.cancelled_owned()));
/// token.cancel();
/// worker.join().unwrap(); // woken by the cancel
///
/// let root = CancellationToken::new();
/// let grandchild = root.child_token().child_token(); // the child is dropped at once
/// root.cancel();
/// assert!(grandchild.is_cancelled()); // reached through the child's place in the tree
/// ```
#[derive(Clone)]
pub struct CancellationToken {
    handle: CountedArc<Handle>,
}

/// Shared by a token and its clones: the `Arc`'s count is the node's number of handles, and
/// the destructor runs when the last one drops.
struct Handle(Arc<Node>);

impl Drop for Handle {
    fn drop(&mut self) {
        self.0.detach();
    }
}

impl CancellationToken {
    /// A new token, not cancelled, with no parent.
    ///
    /// # Examples
    ///
    /// ```
    /// let token = loopbridge_core::cancel::CancellationToken::new();
    /// assert!(!token.is_cancelled());
    /// ```
    pub fn new() -> Self {
        CancellationToken::from_node(Node::root(false))
    }

    fn from_node(node: Arc<Node>) -> Self {
        CancellationToken { handle: CountedArc::new(Handle(node)) }
    }

    fn node(&self) -> &Arc<Node> {
        &self.handle.0
    }

    /// A new token below this one: cancelled when this one is (at once, if it already is),
    /// while cancelling it leaves this one alone. It stays below this token's nearest live
    /// ancestor-or-self even if this token is dropped first.
    ///
    /// # Examples
    ///
    /// ```
    /// let request = loopbridge_core::cancel::CancellationToken::new();
    /// let (upload, download) = (request.child_token(), request.child_token());
    /// upload.cancel();
    /// assert!(!download.is_cancelled() && !request.is_cancelled());
    /// request.cancel();
    /// assert!(download.is_cancelled());
    /// ```
    pub fn child_token(&self) -> CancellationToken {
        CancellationToken::from_node(self.node().child())
    }

    /// Cancels this token and every token below it, and wakes every future waiting on them.
    ///
    /// # Examples
    ///
    /// ```
    /// let token = loopbridge_core::cancel::CancellationToken::new();
    /// token.cancel();
    /// token.cancel(); // idempotent
    /// assert!(token.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        self.node().cancel();
    }

    /// Whether the token has been cancelled: one atomic load.
    pub fn is_cancelled(&self) -> bool {
        self.node().is_cancelled()
    }

    /// A future that completes once the token is cancelled (at once if it already is). It is
    /// cancel-safe: dropping it loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::cancel::CancellationToken;
    /// use loopbridge_core::unstable::park;
    ///
    /// let token = CancellationToken::new();
    /// token.cancel();
    /// park::wait(token.cancelled());
    /// ```
    pub fn cancelled(&self) -> WaitForCancellationFuture<'_> {
        Cancelled::new(self)
    }

    /// [`cancelled`](Self::cancelled), owning the token: a future that is `'static`, to move
    /// into a task.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::cancel::CancellationToken;
    /// use loopbridge_core::unstable::park;
    ///
    /// let token = CancellationToken::new();
    /// let stop = token.clone().cancelled_owned();
    /// let worker = std::thread::spawn(move || park::wait(stop));
    /// token.cancel();
    /// worker.join().unwrap();
    /// ```
    pub fn cancelled_owned(self) -> WaitForCancellationFutureOwned {
        Cancelled::new(self)
    }

    /// Runs `future` until it completes (`Some(output)`) or the token is cancelled (`None`;
    /// the future is dropped). Cancellation is checked first at every poll.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::cancel::CancellationToken;
    /// use loopbridge_core::unstable::park;
    ///
    /// let token = CancellationToken::new();
    /// assert_eq!(park::wait(token.run_until_cancelled(async { 7 })), Some(7));
    /// token.cancel();
    /// assert_eq!(park::wait(token.run_until_cancelled(async { 7 })), None);
    /// ```
    pub async fn run_until_cancelled<F: Future>(&self, future: F) -> Option<F::Output> {
        let mut future = pin!(future);
        let mut cancelled = pin!(self.cancelled());
        std::future::poll_fn(|cx| {
            if cancelled.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            future.as_mut().poll(cx).map(Some)
        })
        .await
    }

    /// [`run_until_cancelled`](Self::run_until_cancelled), owning the token: the future is
    /// `'static` when `future` is, to move into a task.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::cancel::CancellationToken;
    /// use loopbridge_core::unstable::park;
    ///
    /// let token = CancellationToken::new();
    /// let run = token.clone().run_until_cancelled_owned(std::future::pending::<()>());
    /// let worker = std::thread::spawn(move || park::wait(run)); // 'static: can move
    /// token.cancel();
    /// assert_eq!(worker.join().unwrap(), None);
    /// ```
    pub async fn run_until_cancelled_owned<F: Future>(self, future: F) -> Option<F::Output> {
        self.run_until_cancelled(future).await
    }

    /// A guard that cancels the token when dropped, unless [disarmed](DropGuard::disarm).
    ///
    /// # Examples
    ///
    /// ```
    /// let token = loopbridge_core::cancel::CancellationToken::new();
    /// let guard = token.clone().drop_guard();
    /// drop(guard);
    /// assert!(token.is_cancelled());
    /// ```
    pub fn drop_guard(self) -> DropGuard {
        DropGuard::new(self)
    }

    /// A guard that borrows the token and cancels it when dropped, unless
    /// [disarmed](DropGuardRef::disarm): [`drop_guard`](Self::drop_guard) without a clone.
    ///
    /// # Examples
    ///
    /// ```
    /// let token = loopbridge_core::cancel::CancellationToken::new();
    /// {
    ///     let _guard = token.drop_guard_ref();
    /// } // dropped here
    /// assert!(token.is_cancelled());
    /// ```
    pub fn drop_guard_ref(&self) -> DropGuardRef<'_> {
        DropGuardRef::new(self)
    }

    /// Registers `waker` to be woken by the cancel, in `slot` (kept by the waiting future), or
    /// returns `true` if the token is cancelled already.
    fn register(&self, slot: &mut Option<usize>, waker: &Waker) -> bool {
        if self.is_cancelled() {
            return true;
        }
        let mut inner = self.node().lock();
        // Checked again under the lock, under which a cancel sets the flag and takes the
        // waiters.
        if self.is_cancelled() {
            return true;
        }
        match slot.and_then(|slot| inner.waiters.get_mut(slot)) {
            Some(known) if known.will_wake(waker) => {}
            Some(known) => known.clone_from(waker),
            None => *slot = Some(inner.waiters.insert(waker.clone())),
        }
        false
    }

    /// Forgets the waker in `slot`, for a waiting future dropped before the cancel.
    fn unregister(&self, slot: Option<usize>) {
        if let Some(slot) = slot {
            // After a cancel the slab is empty: the slot is simply gone.
            let removed = self.node().lock().waiters.try_remove(slot);
            drop(removed); // outside the lock: a waker's destructor is foreign code
        }
    }
}

impl Default for CancellationToken {
    fn default() -> Self {
        CancellationToken::new()
    }
}

impl fmt::Debug for CancellationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancellationToken").field("is_cancelled", &self.is_cancelled()).finish()
    }
}
