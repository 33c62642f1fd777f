//! The tree under [`CancellationToken`](super::CancellationToken): its nodes and the three
//! operations that change it — a child added, a node cancelled with everything below it, and a
//! node taken out when its last handle drops. The protocol is in the [module docs](super); the
//! algorithm and its lock order are tokio-util's (`tree_node.rs`), with this crate's lock-free
//! `cancelled` flag and slab of wakers.
//!
//! # Lock order
//!
//! A parent is locked before its child, never the other way. Every node is younger than its
//! parent — a child is made from a live parent, and when a node leaves, its children move to
//! its own parent, older still — so this is creation order, and no cycle of waits can form.
//! Siblings are never locked together.

use std::mem;
use std::sync::{Arc, PoisonError};
use std::task::Waker;

use slab::Slab;

// std's types, or loom's under `cfg(loom)`: see `sync.rs`.
use crate::sync::{AtomicBool, Mutex, MutexGuard, Ordering};

/// One token and its clones, and the tokens made below it.
pub(super) struct Node {
    /// Set once, under `inner`'s lock, and never cleared: `is_cancelled` reads it without it.
    cancelled: AtomicBool,
    inner: Mutex<Inner>,
}

/// A node's links and waiters, under its lock.
pub(super) struct Inner {
    /// Strong: a node with handles keeps the path to its ancestors alive. `None` for a root,
    /// a node cut loose by an ancestor's cancel, and a node with no handles left.
    parent: Option<Arc<Node>>,
    /// This node's index in `parent`'s `children`, so that leaving costs O(1).
    parent_idx: usize,
    /// Strong: a child whose handles are gone leaves this list at once (see `detach`), so it
    /// holds only live or leaving nodes.
    children: Vec<Arc<Node>>,
    /// Wakers of the futures waiting for this node to be cancelled.
    pub(super) waiters: Slab<Waker>,
}

/// The waiters taken from cancelled nodes, to be woken once no lock is held: a waker is
/// foreign code and may come back to this tree.
type Wakeups = Vec<Slab<Waker>>;

impl Node {
    /// A node with no parent: a new root, or a child of a cancelled token (which starts
    /// cancelled and needs no link to anything).
    pub(super) fn root(cancelled: bool) -> Arc<Node> {
        Arc::new(Node::new(cancelled, None, 0))
    }

    fn new(cancelled: bool, parent: Option<Arc<Node>>, parent_idx: usize) -> Node {
        #[cfg(test)]
        live::created();
        let inner = Inner { parent, parent_idx, children: Vec::new(), waiters: Slab::new() };
        Node { cancelled: AtomicBool::new(cancelled), inner: Mutex::new(inner) }
    }

    /// Whether the node is cancelled: one atomic load.
    pub(super) fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Inner> {
        // Only slab and vector operations run under the lock, and each leaves the node
        // consistent: a poisoned one is still usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The lock if it is free now. Never under loom, which reports a deadlock that is not
    /// there when a `try_lock` fails (tokio-rs/loom#376): the models then always take the
    /// slow path of `with_locked_node_and_parent`, whose interleavings include every outcome
    /// of the fast one.
    fn try_lock(&self) -> Option<MutexGuard<'_, Inner>> {
        #[cfg(not(all(test, loom)))]
        return match self.inner.try_lock() {
            Ok(inner) => Some(inner),
            Err(std::sync::TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        };
        #[cfg(all(test, loom))]
        None
    }

    /// A new child of this node; cancelled already, and outside the tree, if this one is.
    pub(super) fn child(self: &Arc<Self>) -> Arc<Node> {
        // The flag never goes back to false: a cancelled parent needs no lock.
        if self.is_cancelled() {
            return Node::root(true);
        }
        let mut inner = self.lock();
        // Checked again under the lock, which a cancel holds from start to flag: the child is
        // either in the list before the cancel takes it, or sees the flag.
        if self.is_cancelled() {
            return Node::root(true);
        }
        let child = Arc::new(Node::new(false, Some(Arc::clone(self)), inner.children.len()));
        inner.children.push(Arc::clone(&child));
        child
    }

    /// Cancels this node and every node below it, then wakes their waiters.
    ///
    /// Iterative, holding at most three locks (this node, a child, a grandchild) in tree order:
    /// each child is detached and cancelled after its own children are either cancelled (those
    /// without children) or adopted by this node, which handles them later in the same loop.
    pub(super) fn cancel(self: &Arc<Self>) {
        // The node's own flag is set last, under its lock: once it reads true, the subtree is
        // done (or being finished by the cancel of an ancestor, which set it).
        if self.is_cancelled() {
            return;
        }
        let mut wakeups = Wakeups::new();
        {
            let mut node = self.lock();
            if self.is_cancelled() {
                return;
            }
            while let Some(child) = node.children.pop() {
                let mut locked_child = child.lock();
                locked_child.cut_loose();
                // A child cancelled on its own has no children left: detaching it is enough.
                if child.is_cancelled() {
                    continue;
                }
                while let Some(grandchild) = locked_child.children.pop() {
                    let mut locked_grandchild = grandchild.lock();
                    locked_grandchild.cut_loose();
                    if grandchild.is_cancelled() {
                        continue;
                    }
                    if locked_grandchild.children.is_empty() {
                        grandchild.mark_cancelled(&mut locked_grandchild, &mut wakeups);
                    } else {
                        // Adopted rather than descended into: the loop stays flat however
                        // deep the tree, and the lock order holds (this node is older).
                        locked_grandchild.parent = Some(Arc::clone(self));
                        locked_grandchild.parent_idx = node.children.len();
                        drop(locked_grandchild);
                        node.children.push(grandchild);
                    }
                }
                child.mark_cancelled(&mut locked_child, &mut wakeups);
            }
            self.mark_cancelled(&mut node, &mut wakeups);
        }
        for waiters in wakeups {
            for (_, waker) in waiters {
                waker.wake();
            }
        }
    }

    /// Sets the flag of a locked node whose children are gone, and takes its waiters.
    fn mark_cancelled(&self, inner: &mut Inner, wakeups: &mut Wakeups) {
        self.cancelled.store(true, Ordering::Release);
        // Empty already; this frees the capacity: a cancelled node never has children again.
        inner.children = Vec::new();
        if !inner.waiters.is_empty() {
            wakeups.push(mem::take(&mut inner.waiters));
        }
    }

    /// Takes the node out of the tree; called once, when its last handle drops.
    ///
    /// With a parent, its children move to the parent and it leaves the parent's list: every
    /// node below stays reachable from every live ancestor. Without one (a root, or a node cut
    /// loose by an ancestor's cancel), nothing can cancel its children through it any more:
    /// they become roots. Either way the node ends with no links, so freeing it never recurses
    /// and it keeps nothing alive: a chain of dropped middle tokens costs nothing.
    pub(super) fn detach(self: &Arc<Self>) {
        with_locked_node_and_parent(self, |mut node, parent| match parent {
            Some(mut parent) => {
                move_children_to_parent(&mut node, &mut parent);
                remove_child(&mut parent, node);
            }
            None => disconnect_children(&mut node),
        });
    }
}

/// Locks `node` and, if it has one, its parent, in tree order, and runs `f` with both.
///
/// The parent can only be read under the node's lock, which must not be held while waiting
/// for the parent's. So the parent is tried first; if it is busy, the node is unlocked, the
/// parent locked, the node locked again, and the parent checked to be still its parent (a
/// concurrent cancel or detach may have changed it). Each retry means the parent changed, which
/// only ever moves a node closer to its root, so the loop ends.
fn with_locked_node_and_parent<R>(
    node: &Arc<Node>,
    f: impl FnOnce(MutexGuard<'_, Inner>, Option<MutexGuard<'_, Inner>>) -> R,
) -> R {
    let mut locked_node = node.lock();
    loop {
        let Some(parent) = locked_node.parent.clone() else {
            return f(locked_node, None);
        };
        let locked_parent = match parent.try_lock() {
            Some(locked_parent) => locked_parent,
            None => {
                drop(locked_node);
                let locked_parent = parent.lock();
                locked_node = node.lock();
                locked_parent
            }
        };
        if locked_node.parent.as_ref().is_some_and(|actual| Arc::ptr_eq(actual, &parent)) {
            return f(locked_node, Some(locked_parent));
        }
    }
}

/// Moves every child of `node` to `parent`, which must be its parent, both locked.
fn move_children_to_parent(node: &mut Inner, parent: &mut Inner) {
    parent.children.reserve(node.children.len());
    for child in mem::take(&mut node.children) {
        {
            // Parent, node, child: one child at a time, in tree order.
            let mut locked_child = child.lock();
            locked_child.parent.clone_from(&node.parent);
            locked_child.parent_idx = parent.children.len();
        }
        parent.children.push(child);
    }
}

/// Removes `node` from the list of `parent`, which must be its parent, both locked.
fn remove_child(parent: &mut Inner, mut node: MutexGuard<'_, Inner>) {
    let idx = node.parent_idx;
    node.cut_loose();
    // Unlocked before the sibling moved into its place is locked: siblings have no order.
    drop(node);
    // `parent_idx` is kept right under the parent's lock by every operation that moves a node.
    drop(parent.children.swap_remove(idx));
    if let Some(moved) = parent.children.get(idx) {
        moved.lock().parent_idx = idx;
    }
    // A parent that once had many children gives the memory back as they leave.
    let len = parent.children.len();
    if 4 * len <= parent.children.capacity() {
        parent.children.shrink_to(2 * len);
    }
}

/// Makes every child of `node` a root: `node` has neither a parent nor handles left, so
/// nothing can cancel them through it.
fn disconnect_children(node: &mut Inner) {
    for child in mem::take(&mut node.children) {
        child.lock().cut_loose();
    }
}

impl Inner {
    /// Forgets the parent: the node is a root now (or leaving the tree).
    fn cut_loose(&mut self) {
        self.parent = None;
        self.parent_idx = 0;
    }
}

#[cfg(test)]
impl Drop for Node {
    fn drop(&mut self) {
        live::freed();
    }
}

/// Test-only views of the tree's shape, for the unit tests and the loom models.
#[cfg(test)]
impl super::CancellationToken {
    /// How many children the token's node has, and whether each one's `parent` and
    /// `parent_idx` point back to it.
    pub(crate) fn children_consistent(&self) -> (usize, bool) {
        let node = self.node();
        let inner = node.lock();
        let consistent = inner.children.iter().enumerate().all(|(idx, child)| {
            let child = child.lock();
            child.parent.as_ref().is_some_and(|parent| Arc::ptr_eq(parent, node))
                && child.parent_idx == idx
        });
        (inner.children.len(), consistent)
    }

    /// Whether `parent`'s node is this token's node's parent.
    pub(crate) fn has_parent(&self, parent: &super::CancellationToken) -> bool {
        let parent = parent.node();
        self.node().lock().parent.as_ref().is_some_and(|actual| Arc::ptr_eq(actual, parent))
    }
}

/// A count, per thread, of the nodes made minus the nodes freed on it: the tests that make and
/// drop a tree on one thread see how many of its nodes are alive.
#[cfg(test)]
pub(super) mod live {
    use std::cell::Cell;

    thread_local! {
        static LIVE: Cell<isize> = const { Cell::new(0) };
    }

    pub(super) fn created() {
        // `try_with`: a node may be freed while its thread's locals are being destroyed.
        let _ = LIVE.try_with(|live| live.set(live.get() + 1));
    }

    pub(super) fn freed() {
        let _ = LIVE.try_with(|live| live.set(live.get() - 1));
    }

    /// Nodes made on this thread and not yet freed on it.
    pub(in crate::cancel) fn on_this_thread() -> isize {
        LIVE.with(Cell::get)
    }
}
