//! Models of the cancellation token: a cancel racing a future that starts waiting, and a cancel
//! racing the creation of a child token.

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
