//! `block_on` from a plain thread, on every flavour: the backend's own persistent `block_on`
//! (`native`) beside loopbridge's free function on the global runner (`loopbridge`) and on a
//! held `Bridge` (`loopbridge_bridge`: the same without the global runner's lookup and fork
//! check), for a ready future (`block_on_ready`) and a once-yielding one (`block_on_yield`);
//! and the `asyncio.run` pattern, a tokio runtime built per call (`runtime_per_call`).
//!
//! `floor` is native after asking tokio and async-std whether they own the thread
//! ([`loopbridge_benches::in_some_runtime`]): the least a library must do before it blocks a
//! thread whose runtime it does not know, so as to refuse where blocking would stall a runtime.
//!
//! ```text
//! cargo bench -p loopbridge-benches --bench block_on
//! ```
//!
//! The future runs on the calling thread, so this is stable unpinned.

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use loopbridge_benches::{Flavour, TokioCt, YieldOnce, in_some_runtime, tokio_mt};

/// The future a group blocks on.
#[derive(Clone, Copy)]
enum Shape {
    Ready,
    Yield,
}

impl Shape {
    async fn future(self) -> i32 {
        if let Shape::Yield = self {
            YieldOnce::default().await;
        }
        black_box(1)
    }
}

fn flavour(group: &mut BenchmarkGroup<'_, WallTime>, flavour: Flavour, shape: Shape) {
    flavour.make_global();
    let id = |implementation| BenchmarkId::new(flavour.name(), implementation);
    match flavour {
        Flavour::TokioMt => {
            let runtime = tokio_mt();
            let handle = runtime.handle();
            group.bench_function(id("native"), |b| b.iter(|| handle.block_on(shape.future())));
            group.bench_function(id("floor"), |b| {
                b.iter(|| (!in_some_runtime()).then(|| handle.block_on(shape.future())));
            });
        }
        Flavour::TokioCt => {
            let ct = TokioCt::start();
            let handle = ct.handle();
            group.bench_function(id("native"), |b| b.iter(|| handle.block_on(shape.future())));
            group.bench_function(id("floor"), |b| {
                b.iter(|| (!in_some_runtime()).then(|| handle.block_on(shape.future())));
            });
        }
        Flavour::Smol => {
            group.bench_function(id("native"), |b| {
                b.iter(|| async_io::block_on(shape.future()));
            });
            group.bench_function(id("floor"), |b| {
                b.iter(|| (!in_some_runtime()).then(|| async_io::block_on(shape.future())));
            });
        }
        Flavour::AsyncStd => {
            group.bench_function(id("native"), |b| {
                b.iter(|| async_std::task::block_on(shape.future()));
            });
            group.bench_function(id("floor"), |b| {
                b.iter(|| (!in_some_runtime()).then(|| async_std::task::block_on(shape.future())));
            });
        }
    }
    group.bench_function(id("loopbridge"), |b| b.iter(|| loopbridge::block_on(shape.future())));
    let bridge = loopbridge::Bridge::global();
    group.bench_function(id("loopbridge_bridge"), |b| b.iter(|| bridge.block_on(shape.future())));
}

fn block_on(c: &mut Criterion) {
    for (name, shape) in [("block_on_ready", Shape::Ready), ("block_on_yield", Shape::Yield)] {
        let mut group = c.benchmark_group(name);
        for f in Flavour::ALL {
            flavour(&mut group, f, shape);
        }
        group.finish();
    }

    let mut group = c.benchmark_group("runtime_per_call");
    group.bench_function(BenchmarkId::new("tokio_mt", "native"), |b| {
        b.iter(|| tokio_mt().block_on(Shape::Ready.future()));
    });
    group.bench_function(BenchmarkId::new("tokio_ct", "native"), |b| {
        b.iter(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            runtime.block_on(Shape::Ready.future())
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = loopbridge_benches::criterion();
    targets = block_on
}
criterion_main!(benches);
