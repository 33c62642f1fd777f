//! Heap allocations per operation, counted by a global allocator that wraps the system's
//! (`stats_alloc`), for spawn + await from inside the runtime and `block_on` of a ready future
//! from a plain thread: native beside loopbridge on every flavour. Not a criterion bench: it
//! counts, it does not time.
//!
//! ```text
//! cargo bench -p loopbridge-benches --bench allocations
//! ```
//!
//! The count is process-wide (every thread), divided by the number of operations, after a
//! warm-up that lets queues and caches reach their steady size. Results go to
//! `target/loopbridge-bench/allocations.tsv` for `cargo xtask bench`.

use std::alloc::System;
use std::hint::black_box;
use std::time::Duration;

use loopbridge_benches::{Flavour, Results, SmolPool, TokioCt, tokio_mt, trivial};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Operations per count.
const OPS: u64 = 20_000;

/// Allocations per spawn + await in a loop of `OPS` inside a task, after as many to warm up.
async fn per_spawn<F, Fut>(mut spawn: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: Future,
{
    for _ in 0..OPS {
        black_box(spawn().await);
    }
    let region = Region::new(GLOBAL);
    for _ in 0..OPS {
        black_box(spawn().await);
    }
    region.change().allocations as f64 / OPS as f64
}

/// Allocations per call of `op` from this thread, after a warm-up.
fn per_call(mut op: impl FnMut()) -> f64 {
    for _ in 0..OPS {
        op();
    }
    let region = Region::new(GLOBAL);
    for _ in 0..OPS {
        op();
    }
    region.change().allocations as f64 / OPS as f64
}

fn main() {
    // `cargo bench` passes `--bench`; a filter is not supported (the counts are cheap).
    let mut results = Results::new("allocations");
    let record = |results: &mut Results, what: &str, flavour: Flavour, imp: &str, n: f64| {
        results.record(format!("{what}/{}/{imp}", flavour.name()), format!("{n:.2}"));
    };

    let rt = tokio_mt();
    let n = rt.block_on(rt.spawn(per_spawn(|| tokio::spawn(trivial())))).unwrap_or(f64::NAN);
    record(&mut results, "spawn_await", Flavour::TokioMt, "native", n);
    let n = per_call(|| {
        black_box(rt.handle().block_on(trivial()));
    });
    record(&mut results, "block_on_ready", Flavour::TokioMt, "native", n);
    drop(rt);

    let ct = TokioCt::start();
    let handle = ct.handle();
    let n =
        handle.block_on(handle.spawn(per_spawn(|| tokio::spawn(trivial())))).unwrap_or(f64::NAN);
    record(&mut results, "spawn_await", Flavour::TokioCt, "native", n);
    let n = per_call(|| {
        black_box(handle.block_on(trivial()));
    });
    record(&mut results, "block_on_ready", Flavour::TokioCt, "native", n);
    drop(ct);

    let smol = SmolPool::start(2);
    let executor = smol.executor().clone();
    let inner = executor.clone();
    let n = async_io::block_on(executor.spawn(per_spawn(move || inner.spawn(trivial()))));
    record(&mut results, "spawn_await", Flavour::Smol, "native", n);
    let n = per_call(|| {
        black_box(async_io::block_on(trivial()));
    });
    record(&mut results, "block_on_ready", Flavour::Smol, "native", n);
    drop(smol);

    let n = async_std::task::block_on(async_std::task::spawn(per_spawn(|| {
        async_std::task::spawn(trivial())
    })));
    record(&mut results, "spawn_await", Flavour::AsyncStd, "native", n);
    let n = per_call(|| {
        black_box(async_std::task::block_on(trivial()));
    });
    record(&mut results, "block_on_ready", Flavour::AsyncStd, "native", n);

    for flavour in Flavour::ALL {
        let runner = flavour.runner();
        let n = runner
            .block_on(runner.spawn(per_spawn(|| loopbridge::spawn(trivial()))))
            .unwrap_or(f64::NAN);
        record(&mut results, "spawn_await", flavour, "loopbridge", n);
        drop(runner);
        flavour.make_global();
        let n = per_call(|| {
            black_box(loopbridge::block_on(trivial()));
        });
        record(&mut results, "block_on_ready", flavour, "loopbridge", n);
    }
    let _report = loopbridge::shutdown_global(Duration::from_secs(5));
    results.write();
}
