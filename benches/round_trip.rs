//! A runner's cross-thread round trip: a sync thread submits a `Send` future to the runtime's
//! threads and waits for its output. Native patterns beside loopbridge's
//! `runner.block_on(runner.spawn(future))`, and a park/unpark ping-pong between two threads as
//! the floor of any such round trip.
//!
//! ```text
//! cargo bench -p loopbridge-benches --bench round_trip
//! ```
//!
//! A round trip wakes a thread on another CPU or on the same one, and on a VM the two differ
//! by an order of magnitude (see "Measuring" in docs/performance.md). So every case runs twice:
//! `round_trip_split` starts the runtimes' threads on CPU 1 and calls from CPU 0 (the worst
//! case, dominated by the cross-CPU wake-up), `round_trip_pinned` keeps every thread on CPU 0
//! (the software cost).
//!
//! Native patterns: tokio (both flavours) `Handle::spawn` and a `std::sync::mpsc` channel
//! back; smol an async-executor on its own threads, `async_io::block_on(executor.spawn(..))`;
//! async-std `task::block_on(task::spawn(..))`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use loopbridge_benches::{Flavour, SmolPool, TokioCt, cpus, tokio_mt, trivial};

/// A partner thread that answers each request with an unpark: the floor.
struct PingPong {
    request: Arc<AtomicBool>,
    response: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    partner: Option<thread::JoinHandle<()>>,
}

impl PingPong {
    fn start() -> Self {
        let (request, response, stop) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicBool::new(false)),
        );
        let caller = thread::current();
        let (req, resp, stopped) = (Arc::clone(&request), Arc::clone(&response), Arc::clone(&stop));
        let partner = thread::spawn(move || {
            while !stopped.load(Ordering::Acquire) {
                if req.swap(false, Ordering::AcqRel) {
                    resp.store(true, Ordering::Release);
                    caller.unpark();
                } else {
                    thread::park();
                }
            }
        });
        PingPong { request, response, stop, partner: Some(partner) }
    }

    fn round_trip(&self) {
        self.request.store(true, Ordering::Release);
        if let Some(partner) = &self.partner {
            partner.thread().unpark();
        }
        while !self.response.swap(false, Ordering::AcqRel) {
            thread::park();
        }
    }
}

impl Drop for PingPong {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(partner) = self.partner.take() {
            partner.thread().unpark();
            let _ = partner.join();
        }
    }
}

/// One placement: every runtime is started with the calling thread on `runtime_cpu`, so its
/// threads inherit that CPU, then the calling thread moves to `caller_cpu`.
fn placement(c: &mut Criterion, name: &str, runtime_cpu: usize, caller_cpu: usize) {
    let placed = cpus::pin(runtime_cpu);
    let tokio_mt = tokio_mt();
    let tokio_ct = TokioCt::start();
    let smol = SmolPool::start(2);
    let runners: Vec<_> = Flavour::ALL.into_iter().map(|f| (f, f.runner())).collect();
    let ping_pong = PingPong::start();
    // async-std's global runtime starts its threads on first use.
    async_std::task::block_on(async_std::task::spawn(trivial()));
    let placed = placed && cpus::pin(caller_cpu);
    if !placed {
        eprintln!("{name}: cannot pin threads to CPUs here; the threads run where they may");
    }

    let mut group = c.benchmark_group(name);
    group.bench_function(BenchmarkId::new("floor", "park_unpark"), |b| {
        b.iter(|| ping_pong.round_trip());
    });
    for (handle, flavour) in
        [(tokio_mt.handle(), Flavour::TokioMt), (tokio_ct.handle(), Flavour::TokioCt)]
    {
        group.bench_function(BenchmarkId::new(flavour.name(), "native"), |b| {
            b.iter(|| {
                let (tx, rx) = std::sync::mpsc::channel();
                drop(handle.spawn(async move {
                    let _ = tx.send(trivial().await);
                }));
                rx.recv().expect("the task answers")
            });
        });
    }
    let executor = smol.executor();
    group.bench_function(BenchmarkId::new(Flavour::Smol.name(), "native"), |b| {
        b.iter(|| async_io::block_on(executor.spawn(trivial())));
    });
    group.bench_function(BenchmarkId::new(Flavour::AsyncStd.name(), "native"), |b| {
        b.iter(|| async_std::task::block_on(async_std::task::spawn(trivial())));
    });
    for (flavour, runner) in &runners {
        group.bench_function(BenchmarkId::new(flavour.name(), "loopbridge"), |b| {
            b.iter(|| runner.block_on(runner.spawn(trivial())));
        });
    }
    group.finish();
}

fn round_trip(c: &mut Criterion) {
    if cpus::count() >= 2 {
        placement(c, "round_trip_split", 1, 0);
    } else {
        eprintln!("round_trip_split: needs 2 CPUs, this machine has 1");
    }
    placement(c, "round_trip_pinned", 0, 0);
}

criterion_group! {
    name = benches;
    config = loopbridge_benches::criterion();
    targets = round_trip
}
criterion_main!(benches);
