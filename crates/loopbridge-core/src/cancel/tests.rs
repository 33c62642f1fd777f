use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;

use super::tree::live;
use super::*;
use crate::park;

/// The depth of the deep trees: a million, far past what a recursive drop or cancel could take
/// on a test thread's stack; a thousand under Miri (`cargo xtask miri`), which runs every step
/// a thousand times slower and checks the memory, not the stack.
const DEEP: usize = if cfg!(miri) { 1_000 } else { 1_000_000 };

/// How many random trees and concurrent rounds to try: fewer under Miri, for the same reason.
const ROUNDS: u64 = if cfg!(miri) { 3 } else { 200 };

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
fn a_dropped_waiter_leaves_nothing_behind_and_dead_children_leave_at_once() {
    let root = CancellationToken::new();
    for _ in 0..1000 {
        let child = root.child_token();
        let mut wait = Box::pin(child.cancelled());
        assert!(wait.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
    }
    assert_eq!(root.children_consistent(), (0, true));
    let inner = root.node().lock();
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

/// The case tokio-util's re-attachment exists for: a middle token dropped at once.
#[test]
fn a_grandchild_of_a_dropped_child_is_cancelled_with_the_root() {
    let root = CancellationToken::new();
    let grandchild = root.child_token().child_token(); // the child is dropped at once
    assert!(grandchild.has_parent(&root), "moved up to the root");
    root.cancel();
    assert!(grandchild.is_cancelled());
}

#[test]
fn a_waiter_on_a_grandchild_is_woken_after_its_parent_is_dropped() {
    let root = CancellationToken::new();
    let child = root.child_token();
    let grandchild = child.child_token();
    let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(Arc::clone(&counter));
    let mut wait = Box::pin(grandchild.cancelled());
    assert!(wait.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
    drop(child);
    root.cancel();
    assert_eq!(counter.0.load(Ordering::SeqCst), 1);
    assert!(wait.as_mut().poll(&mut Context::from_waker(&waker)).is_ready());
}

#[test]
fn a_deep_chain_with_every_middle_dropped_is_cancelled_from_the_root() {
    for drop_order in 0..3 {
        let root = CancellationToken::new();
        let mut middles = vec![root.child_token()];
        for _ in 1..DEEP.min(1_000) {
            let next = middles.last().map(CancellationToken::child_token);
            middles.extend(next);
        }
        let leaf = middles.last().map(CancellationToken::child_token).expect("a chain");
        match drop_order {
            0 => drop(middles),                    // nearest the root first
            1 => while middles.pop().is_some() {}, // nearest the leaf first
            _ => {
                // Every other one, then the rest: middles whose parent left before them.
                let (even, odd): (Vec<_>, Vec<_>) =
                    middles.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
                drop(even);
                drop(odd);
            }
        }
        assert_eq!(root.children_consistent(), (1, true));
        assert!(leaf.has_parent(&root));
        root.cancel();
        assert!(leaf.is_cancelled(), "drop order {drop_order}");
    }
}

#[test]
fn a_child_of_a_cancelled_parent_starts_cancelled_and_outside_the_tree() {
    let root = CancellationToken::new();
    let child = root.child_token();
    child.cancel();
    let grandchild = child.child_token();
    assert!(grandchild.is_cancelled() && !root.is_cancelled());
    assert_eq!(child.children_consistent(), (0, true), "not linked below `child`");
    root.cancel();
    assert!(root.child_token().is_cancelled());
    assert_eq!(root.children_consistent(), (0, true));
}

#[test]
fn dropping_a_root_leaves_its_children_alive_and_cancellable() {
    let root = CancellationToken::new();
    let child = root.child_token();
    let grandchild = child.child_token();
    drop(root);
    assert!(!child.is_cancelled());
    child.cancel();
    assert!(grandchild.is_cancelled());
}

/// A cancelled child stays in its parent's list until its last handle drops (as in
/// tokio-util), then leaves it.
#[test]
fn a_cancelled_child_leaves_its_parent_when_dropped() {
    let root = CancellationToken::new();
    let children: Vec<_> = (0..100).map(|_| root.child_token()).collect();
    children.iter().for_each(CancellationToken::cancel);
    assert_eq!(root.children_consistent(), (100, true));
    drop(children);
    assert_eq!(root.children_consistent(), (0, true));
    assert!(!root.is_cancelled());
}

/// The chain a loop builds by replacing its handle: each step frees the node it replaces.
#[test]
fn a_million_deep_chain_built_by_replacing_the_handle_keeps_two_nodes() {
    let before = live::on_this_thread();
    let root = CancellationToken::new();
    let mut token = root.clone();
    for _ in 0..DEEP {
        token = token.child_token();
    }
    assert_eq!(live::on_this_thread() - before, 2, "the root and the last child");
    assert!(token.has_parent(&root));
    root.cancel();
    assert!(token.is_cancelled());
    drop((root, token));
    assert_eq!(live::on_this_thread() - before, 0);
}

/// Freeing a node never recurses: a recursive drop would overflow the test thread's stack.
#[test]
fn a_million_deep_tree_of_live_handles_drops_without_recursion() {
    let before = live::on_this_thread();
    for order in ["root first", "leaf first", "cancelled, then root first"] {
        let mut chain = vec![CancellationToken::new()];
        for _ in 0..DEEP {
            let next = chain.last().map(CancellationToken::child_token);
            chain.extend(next);
        }
        assert_eq!(live::on_this_thread() - before, DEEP as isize + 1, "{order}");
        match order {
            "leaf first" => while chain.pop().is_some() {},
            "root first" => drop(chain),
            _ => {
                chain[0].cancel();
                assert!(chain.iter().all(CancellationToken::is_cancelled));
                drop(chain);
            }
        }
        assert_eq!(live::on_this_thread() - before, 0, "{order}: every node freed");
    }
}

/// A small deterministic generator (xorshift64): proptest is not a dependency of the core.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// Random trees; tokens dropped and cancelled in random orders. After each step, a token is
/// cancelled exactly when a token cancelled earlier was its ancestor-or-self when both were
/// made, whatever was dropped in between; and dropped tokens' nodes are freed at once.
#[test]
fn random_drops_and_cancels_keep_every_descendant_reachable() {
    const NODES: usize = 48;
    for seed in 1..=ROUNDS * 3 / 2 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let before = live::on_this_thread();
        let parents: Vec<usize> =
            (0..NODES).map(|i| if i == 0 { 0 } else { rng.below(i) }).collect();
        let is_below = |mut node: usize, ancestor: usize| loop {
            if node == ancestor {
                return true;
            }
            if node == 0 {
                return false;
            }
            node = parents[node];
        };
        let mut tokens: Vec<Option<CancellationToken>> = vec![Some(CancellationToken::new())];
        for i in 1..NODES {
            let child = tokens[parents[i]].as_ref().map(CancellationToken::child_token);
            tokens.push(child);
        }
        let mut order: Vec<usize> = (0..NODES).collect();
        rng.shuffle(&mut order);
        let mut cancelled_at: Vec<usize> = Vec::new();
        for (step, &node) in order.iter().enumerate() {
            // Mostly drops, sometimes a cancel of a live token first.
            if rng.below(5) == 0 {
                let live: Vec<usize> = (0..NODES).filter(|&i| tokens[i].is_some()).collect();
                let target = live[rng.below(live.len())];
                tokens[target].as_ref().map(CancellationToken::cancel);
                cancelled_at.push(target);
            }
            tokens[node] = None;
            for (i, token) in tokens.iter().enumerate() {
                if let Some(token) = token {
                    let expected = cancelled_at.iter().any(|&c| is_below(i, c));
                    assert_eq!(token.is_cancelled(), expected, "seed {seed} step {step} node {i}");
                }
            }
            let alive = tokens.iter().flatten().count() as isize;
            assert_eq!(live::on_this_thread() - before, alive, "seed {seed} step {step}");
            // And a cancel of any live token now reaches all its live original descendants.
            if step == NODES / 2 {
                let survivors: Vec<usize> = (0..NODES).filter(|&i| tokens[i].is_some()).collect();
                let target = survivors[rng.below(survivors.len())];
                tokens[target].as_ref().map(CancellationToken::cancel);
                cancelled_at.push(target);
                for &i in &survivors {
                    if is_below(i, target) {
                        assert!(tokens[i].as_ref().is_some_and(CancellationToken::is_cancelled));
                    }
                }
            }
        }
        assert_eq!(live::on_this_thread() - before, 0, "seed {seed}");
    }
}

/// Four chains of 25 middles and a leaf below `root`: the middles in a random order, and the
/// leaves.
fn chains(
    root: &CancellationToken,
    rng: &mut Rng,
) -> (Vec<CancellationToken>, Vec<CancellationToken>) {
    let mut middles = Vec::new();
    let mut leaves = Vec::new();
    for _ in 0..4 {
        let mut token = root.child_token();
        for _ in 0..25 {
            let next = token.child_token();
            middles.push(std::mem::replace(&mut token, next));
        }
        leaves.push(token);
    }
    rng.shuffle(&mut middles);
    (middles, leaves)
}

/// Threads drop the middles of chains while another makes children below the leaves and
/// another cancels the root: every leaf and every new child ends cancelled.
#[test]
fn threads_cancelling_while_others_drop_middles_leave_every_leaf_cancelled() {
    for round in 0..ROUNDS {
        let mut rng = Rng(round + 1);
        let root = CancellationToken::new();
        let (mut middles, leaves) = chains(&root, &mut rng);
        let second_half = middles.split_off(middles.len() / 2);
        let start = Arc::new(std::sync::Barrier::new(5));
        let dropper = |mut middles: Vec<CancellationToken>, start: Arc<std::sync::Barrier>| {
            thread::spawn(move || {
                start.wait();
                while middles.pop().is_some() {}
            })
        };
        let droppers =
            [dropper(middles, Arc::clone(&start)), dropper(second_half, Arc::clone(&start))];
        let maker = {
            let (leaves, start) = (leaves.clone(), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                leaves.iter().map(CancellationToken::child_token).collect::<Vec<_>>()
            })
        };
        let canceller = {
            let (root, start) = (root.clone(), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                root.cancel();
            })
        };
        start.wait();
        // This thread makes children below the root meanwhile: they are cancelled too.
        let made_here: Vec<_> = (0..10).map(|_| root.child_token()).collect();
        droppers.into_iter().for_each(|d| d.join().expect("a dropping thread"));
        let made = maker.join().expect("the thread making children");
        canceller.join().expect("the cancelling thread");
        assert!(root.is_cancelled());
        for token in leaves.iter().chain(&made).chain(&made_here) {
            assert!(token.is_cancelled(), "round {round}");
        }
        assert_eq!(root.children_consistent(), (0, true), "a cancel empties the list");
    }
}

/// Threads drop middles concurrently, with no cancel: the tree ends with every leaf right
/// below the root, every link consistent, and a later cancel reaches them.
#[test]
fn concurrent_drops_of_middles_leave_a_consistent_tree() {
    for round in 0..ROUNDS {
        let mut rng = Rng(round + 7);
        let root = CancellationToken::new();
        let (mut middles, leaves) = chains(&root, &mut rng);
        let second_half = middles.split_off(middles.len() / 2);
        let other = thread::spawn(move || while middles.pop().is_some() {});
        drop(second_half);
        other.join().expect("the dropping thread");
        assert_eq!(root.children_consistent(), (4, true), "round {round}");
        assert!(leaves.iter().all(|leaf| leaf.has_parent(&root)));
        root.cancel();
        assert!(leaves.iter().all(CancellationToken::is_cancelled));
    }
}

#[test]
fn run_until_cancelled_owned_completes_or_gives_none() {
    let token = CancellationToken::new();
    assert_eq!(park::wait(token.clone().run_until_cancelled_owned(async { 3 })), Some(3));
    let waiter = token.clone();
    let worker = thread::spawn(move || {
        park::wait(waiter.run_until_cancelled_owned(std::future::pending::<()>()))
    });
    token.cancel();
    assert_eq!(worker.join().unwrap(), None);
}

#[test]
fn drop_guards_cancel_unless_disarmed_and_show_their_token() {
    let token = CancellationToken::new();
    let guard = token.clone().drop_guard();
    assert!(!guard.token().is_cancelled());
    let token = guard.disarm();
    assert!(!token.is_cancelled());

    let guard = token.drop_guard_ref();
    assert!(std::ptr::eq(guard.token(), &token));
    assert!(std::ptr::eq(guard.disarm(), &token));
    assert!(!token.is_cancelled());

    let child = token.child_token();
    drop(child.drop_guard_ref());
    assert!(child.is_cancelled() && !token.is_cancelled());
    drop(token.clone().drop_guard());
    assert!(token.is_cancelled());
}
