//! Spawn + await of a trivial task from inside the runtime, on every flavour: the native
//! runtime, loopbridge and the peer crates side by side in one group (`spawn_await`), ids
//! `{flavour}/{implementation}`.
//!
//! ```text
//! cargo bench -p loopbridge-benches --bench spawn
//! ```
//!
//! Every measured loop runs as a task on the runtime (a worker of the 2-worker runtimes, the
//! driver of tokio current-thread), native, loopbridge and peers alike; the bench thread only
//! waits for the loop's result. This stays on the runtime's threads, so it is stable unpinned.
//!
//! `floor` is native spawn with the least a handle of one's own costs in safe Rust
//! ([`loopbridge_benches::own_handle`]: one shared allocation, a lock to store the result, one
//! per poll of the handle), the floor of any library whose handles behave the same on every
//! runtime.
//!
//! Peers, as they run on each flavour:
//! - tokio: `async_executors` (`TokioTp` / `TokioCt` over the same runtime), `agnostic-lite`
//!   (`TokioRuntime::spawn`), `spawns` (`spawns::spawn`, tokio found through
//!   `Handle::try_current`), `async-rs` (`Runtime::tokio_with_handle`).
//! - smol: none of the peers can spawn onto an executor the application owns; each uses its
//!   own global executor (`async_executors::AsyncGlobal`: async-global-executor 2;
//!   `agnostic-lite`, `spawns`, `async-rs`: smol's global executor, one thread), so the loop
//!   runs there.
//! - async-std: `async_executors::AsyncStd` only (agnostic-lite, spawns and async-rs have no
//!   async-std support).

use std::future::Future;
use std::time::Duration;

use async_executors::SpawnHandleExt;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use loopbridge::Runner;
use loopbridge_benches::{
    Flavour, SmolPool, TokioCt, bench, own_handle, time_loop, tokio_mt, trivial,
};

/// Runs the measured loop as a task of a loopbridge runner.
fn on_runner<F: Future<Output = Duration> + Send + 'static>(runner: &Runner, body: F) -> Duration {
    runner.block_on(runner.spawn(body)).expect("the measured loop")
}

/// Runs the measured loop as a task of a tokio runtime.
fn on_tokio<F: Future<Output = Duration> + Send + 'static>(
    handle: &tokio::runtime::Handle,
    body: F,
) -> Duration {
    handle.block_on(handle.spawn(body)).expect("the measured loop")
}

/// The floor on tokio: native spawn, awaited through [`own_handle`].
fn tokio_floor(iters: u64) -> impl Future<Output = Duration> + Send + 'static {
    time_loop(iters, || {
        let (task, handle) = own_handle(trivial());
        drop(tokio::spawn(task));
        handle
    })
}

fn loopbridge_side(group: &mut BenchmarkGroup<'_, WallTime>, flavour: Flavour) {
    let runner = flavour.runner();
    bench(group, flavour.name(), "loopbridge", |iters| {
        on_runner(&runner, time_loop(iters, || loopbridge::spawn(trivial())))
    });
}

fn tokio_peers(
    group: &mut BenchmarkGroup<'_, WallTime>,
    flavour: Flavour,
    handle: &tokio::runtime::Handle,
) {
    use agnostic_lite::RuntimeLite;
    use async_rs::traits::Executor;

    match flavour {
        Flavour::TokioMt => {
            let exec = async_executors::TokioTp::try_from(handle.clone()).expect("TokioTp");
            bench(group, flavour.name(), "async_executors", |iters| {
                let exec = exec.clone();
                on_tokio(
                    handle,
                    time_loop(iters, move || {
                        exec.spawn_handle(trivial()).expect("async_executors spawn")
                    }),
                )
            });
        }
        _ => {
            // `TokioCt` is `!Send` (it keeps a `LocalSet`): it runs its own current-thread
            // runtime, whose driver is the thread in its `block_on`, where the loop runs.
            let exec = async_executors::TokioCt::new().expect("TokioCt");
            bench(group, flavour.name(), "async_executors", |iters| {
                exec.block_on(time_loop(iters, || {
                    exec.spawn_handle(trivial()).expect("async_executors spawn")
                }))
            });
        }
    }
    bench(group, flavour.name(), "agnostic_lite", |iters| {
        on_tokio(handle, time_loop(iters, || agnostic_lite::tokio::TokioRuntime::spawn(trivial())))
    });
    bench(group, flavour.name(), "spawns", |iters| {
        on_tokio(handle, time_loop(iters, || spawns::spawn(trivial())))
    });
    let rt = async_rs::Runtime::tokio_with_handle(handle.clone());
    bench(group, flavour.name(), "async_rs", |iters| {
        let rt = rt.clone();
        on_tokio(handle, time_loop(iters, move || rt.spawn(trivial())))
    });
}

fn spawn_await(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn_await");

    // tokio multi-thread.
    let runtime = tokio_mt();
    let handle = runtime.handle().clone();
    bench(&mut group, Flavour::TokioMt.name(), "native", |iters| {
        on_tokio(&handle, time_loop(iters, || tokio::spawn(trivial())))
    });
    bench(&mut group, Flavour::TokioMt.name(), "floor", |iters| {
        on_tokio(&handle, tokio_floor(iters))
    });
    loopbridge_side(&mut group, Flavour::TokioMt);
    tokio_peers(&mut group, Flavour::TokioMt, &handle);
    drop(runtime);

    // tokio current-thread.
    let ct = TokioCt::start();
    let handle = ct.handle().clone();
    bench(&mut group, Flavour::TokioCt.name(), "native", |iters| {
        on_tokio(&handle, time_loop(iters, || tokio::spawn(trivial())))
    });
    bench(&mut group, Flavour::TokioCt.name(), "floor", |iters| {
        on_tokio(&handle, tokio_floor(iters))
    });
    loopbridge_side(&mut group, Flavour::TokioCt);
    tokio_peers(&mut group, Flavour::TokioCt, &handle);
    drop(ct);

    // smol: an async-executor on 2 threads, as loopbridge runs it.
    let pool = SmolPool::start(2);
    let executor = pool.executor().clone();
    bench(&mut group, Flavour::Smol.name(), "native", |iters| {
        let inner = executor.clone();
        async_io::block_on(executor.spawn(time_loop(iters, move || inner.spawn(trivial()))))
    });
    bench(&mut group, Flavour::Smol.name(), "floor", |iters| {
        let inner = executor.clone();
        async_io::block_on(executor.spawn(time_loop(iters, move || {
            let (task, handle) = own_handle(trivial());
            inner.spawn(task).detach();
            handle
        })))
    });
    drop(pool);
    loopbridge_side(&mut group, Flavour::Smol);
    smol_peers(&mut group);

    // async-std: its global runtime.
    bench(&mut group, Flavour::AsyncStd.name(), "native", |iters| {
        async_std::task::block_on(async_std::task::spawn(time_loop(iters, || {
            async_std::task::spawn(trivial())
        })))
    });
    bench(&mut group, Flavour::AsyncStd.name(), "floor", |iters| {
        async_std::task::block_on(async_std::task::spawn(time_loop(iters, || {
            let (task, handle) = own_handle(trivial());
            drop(async_std::task::spawn(task));
            handle
        })))
    });
    loopbridge_side(&mut group, Flavour::AsyncStd);
    let exec = async_executors::AsyncStd::new();
    bench(&mut group, Flavour::AsyncStd.name(), "async_executors", |iters| {
        let inner = exec;
        let task = exec
            .spawn_handle(time_loop(iters, move || {
                inner.spawn_handle(trivial()).expect("async_executors spawn")
            }))
            .expect("async_executors spawn");
        async_executors::AsyncStd::block_on(task)
    });

    group.finish();
}

/// The peers on smol, each on the global executor it spawns onto (see the module docs).
fn smol_peers(group: &mut BenchmarkGroup<'_, WallTime>) {
    use agnostic_lite::RuntimeLite;
    use agnostic_lite::smol::SmolRuntime;
    use async_rs::traits::Executor;

    let flavour = Flavour::Smol;
    let exec = async_executors::AsyncGlobal::new();
    bench(group, flavour.name(), "async_executors", |iters| {
        let inner = exec;
        let task = exec
            .spawn_handle(time_loop(iters, move || {
                inner.spawn_handle(trivial()).expect("async_executors spawn")
            }))
            .expect("async_executors spawn");
        async_executors::AsyncGlobal::block_on(task)
    });
    bench(group, flavour.name(), "agnostic_lite", |iters| {
        let task = SmolRuntime::spawn(time_loop(iters, || SmolRuntime::spawn(trivial())));
        async_io::block_on(task).expect("the measured loop")
    });
    bench(group, flavour.name(), "spawns", |iters| {
        let task = SmolRuntime::spawn(time_loop(iters, || spawns::spawn(trivial())));
        async_io::block_on(task).expect("the measured loop")
    });
    let rt = async_rs::Runtime::smol();
    bench(group, flavour.name(), "async_rs", |iters| {
        let inner = rt.clone();
        rt.block_on(rt.spawn(time_loop(iters, move || inner.spawn(trivial()))))
    });
}

criterion_group! {
    name = benches;
    config = loopbridge_benches::criterion();
    targets = spawn_await
}
criterion_main!(benches);
