//! Spawn + await of a trivial task from inside the runtime, and `block_on` of a ready future
//! from a plain thread: each runtime's native API and loopbridge side by side in one group, so
//! the ratio comes from one run on one machine.
//!
//! ```text
//! cargo bench -p loopbridge-benches --bench spawn
//! ```
//!
//! Both operations stay on one thread (spawn+await inside a worker, block_on of a ready
//! future), so they are stable unpinned; see docs/performance.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn spawn_and_await(c: &mut Criterion) {
    // Every measured loop runs as a task on a worker of a 2-worker runtime, native and
    // loopbridge alike, so both sides spawn from the same kind of thread.
    let mut group = c.benchmark_group("spawn_await_in_runtime");

    let tokio_mt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    group.bench_function(BenchmarkId::new("tokio_mt", "native"), |b| {
        b.iter_custom(|iters| {
            tokio_mt
                .block_on(tokio_mt.spawn(async move {
                    let start = Instant::now();
                    for _ in 0..iters {
                        black_box(tokio::spawn(async { black_box(1) }).await.ok());
                    }
                    start.elapsed()
                }))
                .unwrap_or(Duration::ZERO)
        });
    });
    group.bench_function(BenchmarkId::new("tokio_mt", "loopbridge"), |b| {
        b.iter_custom(|iters| {
            tokio_mt
                .block_on(tokio_mt.spawn(async move {
                    let start = Instant::now();
                    for _ in 0..iters {
                        black_box(loopbridge::spawn(async { black_box(1) }).await.ok());
                    }
                    start.elapsed()
                }))
                .unwrap_or(Duration::ZERO)
        });
    });

    let executor = std::sync::Arc::new(async_executor::Executor::new());
    let (stop, stopped) = async_channel::bounded::<()>(1);
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (executor, stopped) = (executor.clone(), stopped.clone());
            std::thread::spawn(move || async_io::block_on(executor.run(stopped.recv())))
        })
        .collect();
    group.bench_function(BenchmarkId::new("smol", "native"), |b| {
        b.iter_custom(|iters| {
            let inner = executor.clone();
            async_io::block_on(executor.spawn(async move {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(inner.spawn(async { black_box(1) }).await);
                }
                start.elapsed()
            }))
        });
    });
    let runtime = loopbridge::__private::TestRuntime::start(loopbridge::__private::Flavor::Smol);
    let bridge = runtime.bridge().clone();
    group.bench_function(BenchmarkId::new("smol", "loopbridge"), |b| {
        b.iter_custom(|iters| {
            let task = bridge.spawn(async move {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(loopbridge::spawn(async { black_box(1) }).await.ok());
                }
                start.elapsed()
            });
            bridge.block_on(task).unwrap_or(Duration::ZERO)
        });
    });
    group.finish();
    stop.close();
    for worker in workers {
        let _ = worker.join();
    }
}

fn block_on_ready(c: &mut Criterion) {
    let mut group = c.benchmark_group("block_on_ready_from_plain_thread");
    let tokio_mt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let handle = tokio_mt.handle().clone();
    group.bench_function(BenchmarkId::new("tokio_mt", "native Handle::block_on"), |b| {
        b.iter(|| handle.block_on(async { black_box(1) }));
    });
    group.bench_function(BenchmarkId::new("tokio_mt", "loopbridge global"), |b| {
        b.iter(|| loopbridge::block_on(async { black_box(1) }));
    });
    group.bench_function(BenchmarkId::new("async_io", "native async_io::block_on"), |b| {
        b.iter(|| async_io::block_on(async { black_box(1) }));
    });
    group.finish();
}

criterion_group!(benches, spawn_and_await, block_on_ready);
criterion_main!(benches);
