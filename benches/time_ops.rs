//! The small operations, from inside a task of each flavour: `sleep(ZERO)` (`sleep_zero`),
//! `timeout` of a ready future (`timeout_ready`), `time::now()` against
//! `std::time::Instant::now()` (`now`), `current()` (`current`) and
//! `in_async_context()` (`in_async_context`), native equivalents beside loopbridge; and the
//! global runner's fork check alone (`fork_check`).
//!
//! ```text
//! cargo bench -p loopbridge-benches --bench time_ops
//! ```
//!
//! Native equivalents: `sleep(ZERO)` is one yield in loopbridge, so `native` is the runtime's
//! `yield_now` and `native_sleep` its own `sleep(ZERO)` (tokio's rounds up to 1 ms). There is
//! no native `timeout` in smol: `native` there is `or` with an `async_io::Timer` made with the
//! timeout (so the deadline is fixed when the timeout is made, as in tokio's). Detection:
//! tokio's `Handle::try_current()`, async-std's `task::try_current()`; smol has none. The
//! `plain` flavour is a thread outside any runtime; there, `floor` asks both tokio and
//! async-std ([`loopbridge_benches::in_some_runtime`]), the least a library must ask that
//! supports both.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use futures_lite::FutureExt;
use loopbridge::Runner;
use loopbridge_benches::{Flavour, SmolPool, TokioCt, time_loop, tokio_mt};

/// Where the measured loops run: a native runtime of the flavour and a loopbridge runner.
struct Place {
    flavour: Flavour,
    tokio: Option<tokio::runtime::Runtime>,
    tokio_ct: Option<TokioCt>,
    smol: Option<SmolPool>,
    runner: Runner,
}

impl Place {
    fn new(flavour: Flavour) -> Self {
        Place {
            flavour,
            tokio: (flavour == Flavour::TokioMt).then(tokio_mt),
            tokio_ct: (flavour == Flavour::TokioCt).then(TokioCt::start),
            smol: (flavour == Flavour::Smol).then(|| SmolPool::start(2)),
            runner: flavour.runner(),
        }
    }

    /// Runs `body` as a task of the native runtime.
    fn native<F>(&self, body: F) -> Duration
    where
        F: std::future::Future<Output = Duration> + Send + 'static,
    {
        if let Some(rt) = &self.tokio {
            return rt.block_on(rt.spawn(body)).expect("measured loop");
        }
        if let Some(ct) = &self.tokio_ct {
            return ct.handle().block_on(ct.handle().spawn(body)).expect("measured loop");
        }
        if let Some(pool) = &self.smol {
            return async_io::block_on(pool.executor().spawn(body));
        }
        async_std::task::block_on(async_std::task::spawn(body))
    }

    /// Runs `body` as a task of the loopbridge runner.
    fn loopbridge<F>(&self, body: F) -> Duration
    where
        F: std::future::Future<Output = Duration> + Send + 'static,
    {
        self.runner.block_on(self.runner.spawn(body)).expect("measured loop")
    }

    fn id(&self, implementation: &str) -> BenchmarkId {
        BenchmarkId::new(self.flavour.name(), implementation)
    }
}

/// A loop of `iters` synchronous calls of `op`, timed inside the task.
async fn sync_loop<R>(iters: u64, op: fn() -> R) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        black_box(op());
    }
    start.elapsed()
}

fn sleep_zero(group: &mut BenchmarkGroup<'_, WallTime>, place: &Place) {
    let flavour = place.flavour;
    group.bench_function(place.id("native"), |b| {
        b.iter_custom(|iters| match flavour {
            Flavour::TokioMt | Flavour::TokioCt => {
                place.native(time_loop(iters, tokio::task::yield_now))
            }
            Flavour::Smol => place.native(time_loop(iters, futures_lite::future::yield_now)),
            Flavour::AsyncStd => place.native(time_loop(iters, async_std::task::yield_now)),
        });
    });
    group.bench_function(place.id("native_sleep"), |b| {
        b.iter_custom(|iters| match flavour {
            Flavour::TokioMt | Flavour::TokioCt => {
                place.native(time_loop(iters, || tokio::time::sleep(Duration::ZERO)))
            }
            Flavour::Smol => {
                place.native(time_loop(iters, || async_io::Timer::after(Duration::ZERO)))
            }
            Flavour::AsyncStd => {
                place.native(time_loop(iters, || async_std::task::sleep(Duration::ZERO)))
            }
        });
    });
    group.bench_function(place.id("loopbridge"), |b| {
        b.iter_custom(|iters| {
            place.loopbridge(time_loop(iters, || loopbridge::sleep(Duration::ZERO)))
        });
    });
}

fn timeout_ready(group: &mut BenchmarkGroup<'_, WallTime>, place: &Place) {
    const LIMIT: Duration = Duration::from_secs(1);
    let flavour = place.flavour;
    group.bench_function(place.id("native"), |b| {
        b.iter_custom(|iters| match flavour {
            Flavour::TokioMt | Flavour::TokioCt => place
                .native(time_loop(iters, || tokio::time::timeout(LIMIT, async { black_box(1) }))),
            Flavour::Smol => place.native(time_loop(iters, || {
                // The timer (its deadline) is made with the timeout, as tokio's and
                // loopbridge's fix theirs; it is registered only if polled.
                let timer = async_io::Timer::after(LIMIT);
                async { Some(black_box(1)) }.or(async move {
                    timer.await;
                    None
                })
            })),
            Flavour::AsyncStd => place.native(time_loop(iters, || {
                async_std::future::timeout(LIMIT, async { black_box(1) })
            })),
        });
    });
    group.bench_function(place.id("loopbridge"), |b| {
        b.iter_custom(|iters| {
            place
                .loopbridge(time_loop(iters, || loopbridge::timeout(LIMIT, async { black_box(1) })))
        });
    });
}

fn detection(c: &mut Criterion, places: &[Place]) {
    fn tokio_native() -> bool {
        tokio::runtime::Handle::try_current().is_ok()
    }
    fn async_std_native() -> bool {
        async_std::task::try_current().is_some()
    }
    for (name, op) in [
        ("current", (|| loopbridge::current().is_some()) as fn() -> bool),
        ("in_async_context", loopbridge::in_async_context),
    ] {
        let mut group = c.benchmark_group(name);
        group.bench_function(BenchmarkId::new("plain", "native"), |b| b.iter(tokio_native));
        // The floor on a plain thread: every runtime that could own it, asked itself.
        group.bench_function(BenchmarkId::new("plain", "floor"), |b| {
            b.iter(loopbridge_benches::in_some_runtime);
        });
        group.bench_function(BenchmarkId::new("plain", "loopbridge"), |b| b.iter(op));
        for place in places {
            let native = match place.flavour {
                Flavour::TokioMt | Flavour::TokioCt => Some(tokio_native as fn() -> bool),
                Flavour::AsyncStd => Some(async_std_native as fn() -> bool),
                Flavour::Smol => None,
            };
            if let Some(native) = native {
                group.bench_function(place.id("native"), |b| {
                    b.iter_custom(|iters| place.native(sync_loop(iters, native)));
                });
            }
            group.bench_function(place.id("loopbridge"), |b| {
                b.iter_custom(|iters| place.loopbridge(sync_loop(iters, op)));
            });
        }
        group.finish();
    }
}

/// `time::now()` (the runtime's clock) against `std::time::Instant::now()` (the wall clock it
/// is, unpaused), inside a task.
fn now(group: &mut BenchmarkGroup<'_, WallTime>, place: &Place) {
    group.bench_function(place.id("native"), |b| {
        b.iter_custom(|iters| place.native(sync_loop(iters, Instant::now)));
    });
    group.bench_function(place.id("loopbridge"), |b| {
        b.iter_custom(|iters| place.loopbridge(sync_loop(iters, loopbridge::time::now)));
    });
}

fn time_ops(c: &mut Criterion) {
    let places: Vec<Place> = Flavour::ALL.into_iter().map(Place::new).collect();
    let mut group = c.benchmark_group("sleep_zero");
    for place in &places {
        sleep_zero(&mut group, place);
    }
    group.finish();
    let mut group = c.benchmark_group("timeout_ready");
    for place in &places {
        timeout_ready(&mut group, place);
    }
    group.finish();
    let mut group = c.benchmark_group("now");
    for place in &places {
        now(&mut group, place);
    }
    group.finish();
    detection(c, &places);

    // The global runner's fork check, alone: what every use of the global runner pays for it.
    let mut group = c.benchmark_group("fork_check");
    let mut guard = forkguard::new();
    group.bench_function(BenchmarkId::new("plain", "forkguard"), |b| {
        b.iter(|| guard.detected_fork());
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = loopbridge_benches::criterion();
    targets = time_ops
}
criterion_main!(benches);
