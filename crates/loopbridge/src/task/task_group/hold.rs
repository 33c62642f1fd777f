//! [`Hold`]: what keeps a group from returning — one per child still alive, one for the body —
//! and the thread-local that tells a group created inside one of them which group encloses it.
//!
//! A group nested in a child (or in the body) of another must keep that other one waiting until
//! the nested group's own children have stopped: the enclosing group joins the child, but
//! when a failure aborts the child, the nested group is dropped with it, and its children stop
//! on their own threads afterwards. So every hold also holds the hold it was created under: a
//! grandchild keeps its parent's hold alive, and with it the enclosing group's count above zero,
//! until its destructor has run — however deep the nesting.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Waker;

use futures_util::task::AtomicWaker;

/// How many holds of one group are alive, and the group's future to wake when none is.
#[derive(Default)]
pub(super) struct Holds {
    count: AtomicUsize,
    waker: AtomicWaker,
}

impl Holds {
    /// Whether no hold is alive; registers `waker` for the moment none is, otherwise.
    pub(super) fn none_alive(&self, waker: &Waker) -> bool {
        if self.count.load(Ordering::Acquire) == 0 {
            return true;
        }
        self.waker.register(waker);
        // Again after registering: the last hold may have gone in between (AtomicWaker's rule).
        self.count.load(Ordering::Acquire) == 0
    }
}

/// A reason for one group not to return yet; dropping the last clone releases it.
pub(super) struct Hold {
    holds: Arc<Holds>,
    /// The hold this one's group was created under, if any: kept until this one goes.
    _outer: Option<Arc<Hold>>,
}

impl Hold {
    pub(super) fn new(holds: &Arc<Holds>, outer: Option<Arc<Hold>>) -> Arc<Hold> {
        holds.count.fetch_add(1, Ordering::Relaxed);
        Arc::new(Hold { holds: Arc::clone(holds), _outer: outer })
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        if self.holds.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.holds.waker.wake();
        }
    }
}

thread_local! {
    /// The hold of the child or body being polled on this thread.
    static CURRENT: Cell<Option<Arc<Hold>>> = const { Cell::new(None) };
}

/// The hold under which the calling code runs: a group created here is nested in its group.
pub(super) fn current() -> Option<Arc<Hold>> {
    CURRENT
        .try_with(|current| {
            let hold = current.take();
            let copy = hold.clone();
            current.set(hold);
            copy
        })
        .ok()
        .flatten()
}

/// Runs `f` with `hold` as the current hold, moved into the thread-local and back (no
/// reference count touched per poll), restored even if `f` panics.
pub(super) fn enter<R>(hold: &mut Option<Arc<Hold>>, f: impl FnOnce() -> R) -> R {
    struct Restore<'a> {
        slot: &'a mut Option<Arc<Hold>>,
        previous: Option<Arc<Hold>>,
    }
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            let previous = self.previous.take();
            if let Ok(ours) = CURRENT.try_with(|current| current.replace(previous)) {
                *self.slot = ours;
            }
        }
    }
    let Ok(previous) = CURRENT.try_with(|current| current.replace(hold.take())) else {
        return f(); // thread-locals already destroyed: nothing can nest here
    };
    let _restore = Restore { slot: hold, previous };
    f()
}
