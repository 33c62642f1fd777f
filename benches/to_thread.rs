//! `to_thread` round trip from async code: a task hands a trivial closure to the blocking pool
//! and awaits it. Native: tokio `spawn_blocking` (both flavours), `blocking::unblock` (smol),
//! async-std `task::spawn_blocking`; loopbridge: `to_thread` on a runner of the flavour.
//!
//! ```text
//! cargo bench -p loopbridge-benches --bench to_thread
//! ```
//!
//! Every thread is kept on CPU 0 (`to_thread_pinned`): the hand-off wakes a pool thread, and
//! across CPUs of a VM that wake-up alone is bimodal (see docs/performance.md). Which CPU a
//! pool thread lands on is the pool's business, so no split placement is measured here.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use loopbridge_benches::{Flavour, SmolPool, TokioCt, cpus, time_loop, tokio_mt};

fn to_thread(c: &mut Criterion) {
    if !cpus::pin(0) {
        eprintln!(
            "to_thread_pinned: cannot pin threads to CPUs here; the threads run where they may"
        );
    }
    let tokio_mt = tokio_mt();
    let tokio_ct = TokioCt::start();
    let smol = SmolPool::start(2);
    let mut group = c.benchmark_group("to_thread_pinned");
    for (handle, flavour) in
        [(tokio_mt.handle(), Flavour::TokioMt), (tokio_ct.handle(), Flavour::TokioCt)]
    {
        group.bench_function(BenchmarkId::new(flavour.name(), "native"), |b| {
            b.iter_custom(|iters| {
                let body = time_loop(iters, || tokio::task::spawn_blocking(|| black_box(1)));
                handle.block_on(handle.spawn(body)).unwrap_or(Duration::ZERO)
            });
        });
    }
    let executor = smol.executor();
    group.bench_function(BenchmarkId::new(Flavour::Smol.name(), "native"), |b| {
        b.iter_custom(|iters| {
            async_io::block_on(
                executor.spawn(time_loop(iters, || blocking::unblock(|| black_box(1)))),
            )
        });
    });
    group.bench_function(BenchmarkId::new(Flavour::AsyncStd.name(), "native"), |b| {
        b.iter_custom(|iters| {
            async_std::task::block_on(async_std::task::spawn(time_loop(iters, || {
                async_std::task::spawn_blocking(|| black_box(1))
            })))
        });
    });
    for flavour in Flavour::ALL {
        let runner = flavour.runner();
        group.bench_function(BenchmarkId::new(flavour.name(), "loopbridge"), |b| {
            b.iter_custom(|iters| {
                let body = time_loop(iters, || loopbridge::to_thread(|| black_box(1)));
                runner.block_on(runner.spawn(body)).unwrap_or(Duration::ZERO)
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = loopbridge_benches::criterion();
    targets = to_thread
}
criterion_main!(benches);
