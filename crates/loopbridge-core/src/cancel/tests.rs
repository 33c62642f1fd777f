use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;

use super::*;
use crate::park;

struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_cancel_wakes_every_waiter_of_the_tree_once() {
    let root = CancellationToken::new();
    let child = root.child_token();
    let grandchild = child.child_token();
    let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(Arc::clone(&counter));
    let mut cx = Context::from_waker(&waker);
    let mut waits: Vec<_> = [&root, &child, &grandchild, &grandchild]
        .into_iter()
        .map(|t| Box::pin(t.cancelled()))
        .collect();
    for wait in &mut waits {
        assert!(wait.as_mut().poll(&mut cx).is_pending());
        assert!(wait.as_mut().poll(&mut cx).is_pending(), "a second poll registers nothing new");
    }
    root.cancel();
    assert_eq!(counter.0.load(Ordering::SeqCst), 4);
    for wait in &mut waits {
        assert_eq!(wait.as_mut().poll(&mut cx), Poll::Ready(()));
    }
}

#[test]
fn cancelling_a_child_leaves_the_parent_and_siblings_alone() {
    let root = CancellationToken::new();
    let (a, b) = (root.child_token(), root.child_token());
    a.cancel();
    assert!(a.is_cancelled() && !b.is_cancelled() && !root.is_cancelled());
}

#[test]
fn a_dropped_waiter_leaves_nothing_behind_and_dead_children_are_pruned() {
    let root = CancellationToken::new();
    for _ in 0..1000 {
        let child = root.child_token();
        let mut wait = Box::pin(child.cancelled());
        assert!(wait.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
    }
    let inner = lock(&root.node.inner);
    assert!(inner.children.len() <= 64, "{} children kept", inner.children.len());
    assert!(inner.waiters.is_empty());
}

#[test]
fn a_deep_tree_cancels_without_recursion() {
    let root = CancellationToken::new();
    let mut leaf = root.clone();
    let mut chain = Vec::new();
    for _ in 0..100_000 {
        leaf = leaf.child_token();
        chain.push(leaf.clone());
    }
    root.cancel();
    assert!(chain.iter().all(CancellationToken::is_cancelled));
}

#[test]
fn run_until_cancelled_prefers_the_cancel_and_a_waiter_on_another_thread_wakes() {
    let token = CancellationToken::new();
    let waiter = token.clone();
    let worker =
        thread::spawn(move || park::wait(waiter.run_until_cancelled(std::future::pending::<()>())));
    thread::yield_now();
    token.cancel();
    assert_eq!(worker.join().unwrap(), None);
    assert_eq!(park::wait(token.run_until_cancelled(async { 1 })), None, "checked first");
}
