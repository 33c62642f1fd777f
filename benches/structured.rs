//! Structured concurrency, side by side with what an application uses natively:
//!
//! - `join_set_100`: spawn 100 trivial tasks into a set and join them all, as a task on the
//!   runtime. Native: tokio's `JoinSet` on tokio; a `FuturesUnordered` of the runtime's own
//!   handles on smol (`async_executor::Task`) and async-std (`JoinHandle`), which is what smol
//!   and async-std users write without a `JoinSet`. Ids `{flavour}/{implementation}`.
//!   On tokio multi-thread, two more rows split the difference: a `FuturesUnordered` of
//!   loopbridge `JoinHandle`s and one of tokio's, both on the native runtime.
//! - `cancellation_token`: make a token and a child, wait on the child, cancel the parent, and
//!   see the waiter complete — loopbridge's token against tokio-util's, on a plain thread.
//!
//! ```text
//! cargo bench -p loopbridge-benches --bench structured
//! ```

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use loopbridge::Runner;
use loopbridge_benches::join_set::{loopbridge_rounds, tokio_rounds, unordered_rounds};
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
    targets = join_set, cancellation_token
}
criterion_main!(benches);
