//! 1, 4 and 16 sync threads calling `block_on` on one runtime at once, each blocking on a
//! future that spawns a trivial task there and awaits it: native `block_on` of the flavour
//! (tokio `Handle::block_on`, `async_io::block_on` + `Executor::spawn`, async-std
//! `task::block_on` + `task::spawn`) beside loopbridge's `Runner::block_on` + `spawn`.
//!
//! ```text
//! cargo bench -p loopbridge-benches --bench concurrent
//! ```
//!
//! Groups `concurrent_block_on_{n}`; one iteration is one call on each of the `n` threads, so
//! the throughput is `n / time per iteration`. Every thread is kept on CPU 0, where the
//! numbers measure software cost instead of cross-CPU wake-ups (see docs/performance.md).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use loopbridge_benches::{CallerPool, Flavour, SmolPool, TokioCt, cpus, tokio_mt, trivial};

/// The callers per group.
const CALLERS: [usize; 3] = [1, 4, 16];

/// The operation one caller repeats, for `flavour`, natively or through loopbridge.
fn op(flavour: Flavour, native: bool, places: &Places) -> Arc<dyn Fn() + Send + Sync> {
    if !native {
        let runner = Arc::clone(
            &places.runners[Flavour::ALL.iter().position(|f| *f == flavour).unwrap_or(0)],
        );
        return Arc::new(move || {
            black_box(runner.block_on(async { loopbridge::spawn(trivial()).await }).ok());
        });
    }
    match flavour {
        Flavour::TokioMt | Flavour::TokioCt => {
            let handle = if flavour == Flavour::TokioMt {
                places.tokio_mt.handle().clone()
            } else {
                places.tokio_ct.handle().clone()
            };
            Arc::new(move || {
                black_box(handle.block_on(async { tokio::spawn(trivial()).await }).ok());
            })
        }
        Flavour::Smol => {
            let executor = Arc::clone(places.smol.executor());
            Arc::new(move || {
                black_box(async_io::block_on(executor.spawn(trivial())));
            })
        }
        Flavour::AsyncStd => Arc::new(|| {
            black_box(async_std::task::block_on(async_std::task::spawn(trivial())));
        }),
    }
}

struct Places {
    tokio_mt: tokio::runtime::Runtime,
    tokio_ct: TokioCt,
    smol: SmolPool,
    runners: Vec<Arc<loopbridge::Runner>>,
}

fn concurrent(c: &mut Criterion) {
    if !cpus::pin(0) {
        eprintln!("concurrent: cannot pin threads to CPUs here; the threads run where they may");
    }
    let places = Places {
        tokio_mt: tokio_mt(),
        tokio_ct: TokioCt::start(),
        smol: SmolPool::start(2),
        runners: Flavour::ALL.into_iter().map(|f| Arc::new(f.runner())).collect(),
    };
    for n in CALLERS {
        let mut group = c.benchmark_group(format!("concurrent_block_on_{n}"));
        for flavour in Flavour::ALL {
            for (native, name) in [(true, "native"), (false, "loopbridge")] {
                let op = op(flavour, native, &places);
                let pool = CallerPool::start(n, move || op());
                group.bench_function(BenchmarkId::new(flavour.name(), name), |b| {
                    b.iter_custom(|iters| pool.run(iters));
                });
            }
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = loopbridge_benches::criterion();
    targets = concurrent
}
criterion_main!(benches);
