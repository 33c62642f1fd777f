//! Structured concurrency, side by side with what an application uses natively:
//!
//! - `join_set_100`: spawn 100 trivial tasks into a set and join them all, as a task on the
//!   runtime. Native: tokio's `JoinSet` on tokio; a `FuturesUnordered` of the runtime's own
//!   handles on smol (`async_executor::Task`) and async-std (`JoinHandle`), which is what smol
//!   and async-std users write without a `JoinSet`. Ids `{flavour}/{implementation}`.
//!   On tokio multi-thread, two more rows split the difference: a `FuturesUnordered` of
//!   loopbridge `JoinHandle`s and one of tokio's, both on the native runtime.
//! - `try_join_next_10k`: spawn 10,000 tasks into a set, let them all finish, then time only
//!   draining the set with `try_join_next` (a task's cooperative budget does not stop it).
//!   Native as for `join_set_100`, the `FuturesUnordered` polled once per result.
//! - `cancellation_token`: make a token and a child, wait on the child, cancel the parent, and
//!   see the waiter complete — loopbridge's token against tokio-util's, on a plain thread.
//!   `tree_cancel`: cancel the root of a tree of 10,000 tokens (100 children of the root, 99
//!   grandchildren each) whose middle tokens have been half dropped; `child_churn`: make a
//!   child of a long-lived token and drop it.
//!
//! ```text
//! cargo bench -p loopbridge-benches --bench structured
//! ```

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use loopbridge::Runner;
use loopbridge_benches::join_set::{
    counted, loopbridge_drains, loopbridge_rounds, tokio_drains, tokio_rounds, unordered_drains,
    unordered_rounds,
};
use loopbridge_benches::{Flavour, SmolPool, TokioCt, bench, tokio_mt, trivial};

fn on_runner(runner: &Runner, iters: u64) -> Duration {
    runner.block_on(runner.spawn(loopbridge_rounds(iters))).expect("the measured loop")
}

fn join_set(c: &mut Criterion) {
    let mut group = c.benchmark_group("join_set_100");
    for flavour in Flavour::ALL {
        let runner = flavour.runner();
        bench(&mut group, flavour.name(), "loopbridge", |iters| on_runner(&runner, iters));
        match flavour {
            Flavour::TokioMt => {
                let rt = tokio_mt();
                // Where the difference is: the set, or the handles in it.
                bench(&mut group, flavour.name(), "unordered_loopbridge_handles", |iters| {
                    let body = unordered_rounds(iters, || loopbridge::spawn(trivial()));
                    rt.block_on(rt.spawn(body)).expect("the measured loop")
                });
                bench(&mut group, flavour.name(), "unordered_native_handles", |iters| {
                    let body = unordered_rounds(iters, || tokio::spawn(trivial()));
                    rt.block_on(rt.spawn(body)).expect("the measured loop")
                });
                bench(&mut group, flavour.name(), "native", |iters| {
                    rt.block_on(rt.spawn(tokio_rounds(iters))).expect("the measured loop")
                });
            }
            Flavour::TokioCt => {
                let ct = TokioCt::start();
                bench(&mut group, flavour.name(), "native", |iters| {
                    let handle = ct.handle();
                    handle.block_on(handle.spawn(tokio_rounds(iters))).expect("the measured loop")
                });
            }
            Flavour::Smol => {
                let pool = SmolPool::start(2);
                bench(&mut group, flavour.name(), "native", |iters| {
                    let executor = pool.executor().clone();
                    let inner = executor.clone();
                    let body = unordered_rounds(iters, move || inner.spawn(trivial()));
                    async_io::block_on(executor.spawn(body))
                });
            }
            Flavour::AsyncStd => {
                bench(&mut group, flavour.name(), "native", |iters| {
                    let body = unordered_rounds(iters, || async_std::task::spawn(trivial()));
                    async_std::task::block_on(async_std::task::spawn(body))
                });
            }
        }
        runner.shutdown(Duration::from_secs(5));
    }
    group.finish();
}

fn try_join_next(c: &mut Criterion) {
    let mut group = c.benchmark_group("try_join_next_10k");
    group.sample_size(10);
    for flavour in Flavour::ALL {
        let runner = flavour.runner();
        bench(&mut group, flavour.name(), "loopbridge", |iters| {
            runner.block_on(runner.spawn(loopbridge_drains(iters))).expect("the measured loop")
        });
        match flavour {
            Flavour::TokioMt => {
                let rt = tokio_mt();
                bench(&mut group, flavour.name(), "native", |iters| {
                    rt.block_on(rt.spawn(tokio_drains(iters))).expect("the measured loop")
                });
            }
            Flavour::TokioCt => {
                let ct = TokioCt::start();
                bench(&mut group, flavour.name(), "native", |iters| {
                    let handle = ct.handle();
                    handle.block_on(handle.spawn(tokio_drains(iters))).expect("the measured loop")
                });
            }
            Flavour::Smol => {
                let pool = SmolPool::start(2);
                bench(&mut group, flavour.name(), "native", |iters| {
                    let executor = pool.executor().clone();
                    let inner = executor.clone();
                    let body =
                        unordered_drains(iters, move |finished| inner.spawn(counted(finished)));
                    async_io::block_on(executor.spawn(body))
                });
            }
            Flavour::AsyncStd => {
                bench(&mut group, flavour.name(), "native", |iters| {
                    let body = unordered_drains(iters, |finished| {
                        async_std::task::spawn(counted(finished))
                    });
                    async_std::task::block_on(async_std::task::spawn(body))
                });
            }
        }
        runner.shutdown(Duration::from_secs(5));
    }
    group.finish();
}

/// What the token rows do with either token.
trait Token: Sized {
    fn root() -> Self;
    fn child(&self) -> Self;
    fn cancel(&self);
    fn is_cancelled(&self) -> bool;
}

impl Token for loopbridge::CancellationToken {
    fn root() -> Self {
        Self::new()
    }
    fn child(&self) -> Self {
        self.child_token()
    }
    fn cancel(&self) {
        loopbridge::CancellationToken::cancel(self);
    }
    fn is_cancelled(&self) -> bool {
        loopbridge::CancellationToken::is_cancelled(self)
    }
}

impl Token for tokio_util::sync::CancellationToken {
    fn root() -> Self {
        Self::new()
    }
    fn child(&self) -> Self {
        self.child_token()
    }
    fn cancel(&self) {
        tokio_util::sync::CancellationToken::cancel(self);
    }
    fn is_cancelled(&self) -> bool {
        tokio_util::sync::CancellationToken::is_cancelled(self)
    }
}

/// A root with 100 children of 99 children each (10,000 tokens), every other child dropped:
/// the root, the children kept, the grandchildren.
fn tree<T: Token>() -> (T, Vec<T>, Vec<T>) {
    let root = T::root();
    let (mut middles, mut leaves) = (Vec::new(), Vec::new());
    for i in 0..100 {
        let middle = root.child();
        leaves.extend((0..99).map(|_| middle.child()));
        if i % 2 == 0 {
            middles.push(middle);
        }
    }
    (root, middles, leaves)
}

fn token_tree<T: Token>(c: &mut Criterion, implementation: &str) {
    let mut group = c.benchmark_group("cancellation_token");
    group.bench_function(BenchmarkId::new("tree_cancel", implementation), |b| {
        b.iter_batched(
            tree::<T>,
            |(root, middles, leaves)| {
                root.cancel();
                assert!(leaves.iter().all(T::is_cancelled), "a grandchild missed the cancel");
                (root, middles, leaves) // dropped outside the measurement
            },
            BatchSize::LargeInput,
        );
    });
    let parent = T::root();
    group.bench_function(BenchmarkId::new("child_churn", implementation), |b| {
        b.iter(|| drop(std::hint::black_box(parent.child())));
    });
    group.finish();
}

fn token_trees(c: &mut Criterion) {
    token_tree::<loopbridge::CancellationToken>(c, "loopbridge");
    token_tree::<tokio_util::sync::CancellationToken>(c, "tokio_util");
}

/// Polls `future` once with a waker that does nothing; it must be ready.
fn ready<F: Future>(future: F) {
    let poll = pin!(future).poll(&mut Context::from_waker(Waker::noop()));
    assert!(matches!(poll, Poll::Ready(_)), "the waiter completes once its token is cancelled");
}

fn cancellation_token(c: &mut Criterion) {
    let mut group = c.benchmark_group("cancellation_token");
    group.bench_function(BenchmarkId::new("plain_thread", "loopbridge"), |b| {
        b.iter(|| {
            let parent = loopbridge::CancellationToken::new();
            let child = parent.child_token();
            let mut waiter = pin!(child.cancelled());
            let pending = waiter.as_mut().poll(&mut Context::from_waker(Waker::noop()));
            assert!(pending.is_pending());
            parent.cancel();
            ready(waiter);
        });
    });
    group.bench_function(BenchmarkId::new("plain_thread", "tokio_util"), |b| {
        b.iter(|| {
            let parent = tokio_util::sync::CancellationToken::new();
            let child = parent.child_token();
            let mut waiter = pin!(child.cancelled());
            let pending = waiter.as_mut().poll(&mut Context::from_waker(Waker::noop()));
            assert!(pending.is_pending());
            parent.cancel();
            ready(waiter);
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = loopbridge_benches::criterion();
    targets = join_set, try_join_next, cancellation_token, token_trees
}
criterion_main!(benches);
