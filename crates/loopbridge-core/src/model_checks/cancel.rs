//! Models of the cancellation token: a cancel racing a future that starts waiting, a cancel
//! racing the creation of a child token, and the tree's re-linking when a token's last handle
//! drops racing a cancel or the creation of a child.

use loom::thread;

use super::block_on;
use crate::cancel::CancellationToken;

/// A waiter registering while another thread cancels is always woken: it registers under the
/// lock after checking the flag there, and the cancel takes the waiters under the same lock
/// after setting the flag.
#[test]
fn a_cancel_always_wakes_a_waiter() {
    loom::model(|| {
        let token = CancellationToken::new();
        let canceller = token.clone();
        let cancel = thread::spawn(move || canceller.cancel());
        block_on(token.cancelled()); // only the cancel ends it
        cancel.join().expect("the cancelling thread");
    });
}

/// A child made while its parent is being cancelled ends up cancelled: it is either added to
/// the parent before the cancel takes the children, or sees the parent's flag.
#[test]
fn a_child_made_during_a_cancel_is_cancelled() {
    loom::model(|| {
        let parent = CancellationToken::new();
        let canceller = parent.clone();
        let cancel = thread::spawn(move || canceller.cancel());
        let child = parent.child_token();
        cancel.join().expect("the cancelling thread");
        assert!(child.is_cancelled());
    });
}

/// A middle token dropped while the root is cancelled: the grandchild ends cancelled (and its
/// waiter woken) whichever comes first — the cancel detaching the middle, or the middle moving
/// the grandchild up to the root under both locks.
#[test]
fn dropping_a_middle_token_during_a_cancel_leaves_the_grandchild_cancelled() {
    loom::model(|| {
        let root = CancellationToken::new();
        let middle = root.child_token();
        let grandchild = middle.child_token();
        let dropper = thread::spawn(move || drop(middle));
        let canceller = {
            let root = root.clone();
            thread::spawn(move || root.cancel())
        };
        block_on(grandchild.cancelled()); // only the root's cancel ends it
        dropper.join().expect("the dropping thread");
        canceller.join().expect("the cancelling thread");
        assert!(grandchild.is_cancelled());
    });
}

/// A child made of a token while that token's parent drops its last handle (so the token is
/// moved up to the root at the same time as it gains a child), and a sibling made of the root
/// meanwhile: the tree stays linked, and a later cancel of the root reaches both.
#[test]
fn a_child_made_while_its_parent_moves_up_is_cancelled_with_the_root() {
    loom::model(|| {
        let root = CancellationToken::new();
        let middle = root.child_token();
        let token = middle.child_token();
        let dropper = thread::spawn(move || drop(middle)); // its last handle
        let child = token.child_token();
        let sibling = root.child_token();
        dropper.join().expect("the dropping thread");
        assert!(token.has_parent(&root));
        assert!(child.has_parent(&token));
        assert_eq!(root.children_consistent(), (2, true));
        root.cancel();
        assert!(child.is_cancelled() && sibling.is_cancelled());
    });
}

/// Two threads drop the two handles of one token, one after making a child of it: whichever
/// drops the last handle takes the node out, and the child ends below the root.
#[test]
fn the_last_of_two_handles_dropped_on_either_thread_moves_the_child_up() {
    loom::model(|| {
        let root = CancellationToken::new();
        let token = root.child_token();
        let other = token.clone();
        let maker = thread::spawn(move || {
            let child = token.child_token();
            drop(token);
            child
        });
        drop(other);
        let child = maker.join().expect("the thread making a child");
        assert!(child.has_parent(&root));
        root.cancel();
        assert!(child.is_cancelled());
    });
}
