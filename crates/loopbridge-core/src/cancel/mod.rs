//! [`CancellationToken`]: cooperative cancellation that needs no runtime.
//!
//! A token is a node in a tree. [`cancel`](CancellationToken::cancel) cancels the node and
//! every node below it — never one above — and wakes every future waiting on any of them.
//! It has the API of tokio-util's token, but is runtime-neutral: a few atomics and one lock
//! per node, so it works under every backend and with none, and puts no tokio in the tree of
//! a smol or async-std user. It is also faster: making a child, waiting on it and cancelling
//! the parent took 0.69× tokio-util's time (0.93× in a later run; `docs/performance.md`,
//! *Structured concurrency*).
//!
//! # Protocol
//!
//! 1. Each node has a `cancelled` flag, set once and never cleared, and, under its lock, the
//!    wakers of the futures waiting on it and weak references to its children.
//! 2. `cancel` sets the flag, then takes the wakers and children under the lock, and outside it
//!    wakes the wakers and cancels the children (iteratively: a deep tree cannot overflow the
//!    stack).
//! 3. A waiting future checks the flag, and registers its waker only under the lock after
//!    checking the flag again there: a cancel either finds the waker or the future finds the
//!    flag (loom: `model_checks/cancel.rs`).
//! 4. A child is added under the parent's lock after checking the parent's flag there: a child
//!    made from a cancelled parent starts cancelled, and one made while the parent is being
//!    cancelled is cancelled with it. Children are held weakly; dead ones are pruned when the
//!    list would grow, so a long-lived parent of many short-lived children stays small.
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
mod wait;

#[cfg(test)]
mod tests;

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, PoisonError, Weak};
use std::task::{Poll, Waker};

use slab::Slab;

// std's types, or loom's under `cfg(loom)`: see `sync.rs`.
use crate::sync::{AtomicBool, Mutex, MutexGuard, Ordering};

pub use drop_guard::DropGuard;
pub use wait::{Cancelled, WaitForCancellationFuture, WaitForCancellationFutureOwned};

/// A token for cooperative cancellation, shared by cloning; see the [module docs](self).
///
/// Clones are the same token; [`child_token`](Self::child_token) makes a new one below it.
/// Cancelling is idempotent and synchronous: when [`cancel`](Self::cancel) returns, the token
/// and every child are cancelled and every waiting future has been woken.
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
/// ```
#[derive(Clone)]
pub struct CancellationToken {
    node: Arc<Node>,
}

struct Node {
    cancelled: AtomicBool,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Wakers of the futures waiting for this node to be cancelled.
    waiters: Slab<Waker>,
    children: Vec<Weak<Node>>,
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
        CancellationToken { node: Arc::new(Node::new(false)) }
    }

    /// A new token below this one: cancelled when this one is (at once, if it already is),
    /// while cancelling it leaves this one alone.
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
        let mut inner = lock(&self.node.inner);
        if self.is_cancelled() {
            return CancellationToken { node: Arc::new(Node::new(true)) };
        }
        let child = Arc::new(Node::new(false));
        if inner.children.len() == inner.children.capacity() {
            inner.children.retain(|child| child.strong_count() > 0);
        }
        inner.children.push(Arc::downgrade(&child));
        CancellationToken { node: child }
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
        let mut pending = vec![Arc::clone(&self.node)];
        while let Some(node) = pending.pop() {
            if node.cancelled.swap(true, Ordering::AcqRel) {
                continue;
            }
            let Inner { waiters, children } = std::mem::take(&mut *lock(&node.inner));
            for (_, waker) in waiters {
                waker.wake();
            }
            pending.extend(children.iter().filter_map(Weak::upgrade));
        }
    }

    /// Whether the token has been cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.node.cancelled.load(Ordering::Acquire)
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

    /// Registers `waker` to be woken by the cancel, in `slot` (kept by the waiting future), or
    /// returns `true` if the token is cancelled already.
    fn register(&self, slot: &mut Option<usize>, waker: &Waker) -> bool {
        if self.is_cancelled() {
            return true;
        }
        let mut inner = lock(&self.node.inner);
        // Checked again under the lock, which `cancel` takes after setting the flag.
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
            let removed = lock(&self.node.inner).waiters.try_remove(slot);
            drop(removed); // outside the lock: a waker's destructor is foreign code
        }
    }
}

impl Node {
    fn new(cancelled: bool) -> Self {
        Node { cancelled: AtomicBool::new(cancelled), inner: Mutex::new(Inner::default()) }
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

fn lock(mutex: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // Only slab and vector operations run under the lock; a poisoned one is still consistent.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
