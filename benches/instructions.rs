//! The nanosecond-scale operations, for instruction counts under callgrind (`cargo xtask bench
//! --instructions`): wall-clock ratios of these move ±10–30 % between runs on a 2-vCPU VM,
//! instruction counts by a fraction of a percent.
//!
//! Not a criterion bench: `instructions CASE N` sets the case up, runs its operation `N` times
//! and exits; `instructions --list` prints the cases. The xtask runs each case under callgrind
//! at two values of `N` and divides the difference of the totals by the difference of the
//! `N`s, so setup and teardown cancel out and what is left is the operation, including the
//! work it causes on the runtime's other threads.
//!
//! Cases `{operation}/{flavour}/{implementation}`, as the timed benches name them:
//! - `spawn_await`: spawn a trivial task from inside the runtime and await it (`spawn.rs`);
//! - `block_on_ready`, `block_on_yield`: from a plain thread, block on a ready and a
//!   once-yielding future (`block_on.rs`): the backend's persistent `block_on` against
//!   `loopbridge::block_on` on the global runner of that flavour;
//! - `join_set_100`: spawn 100 trivial tasks into a `JoinSet` and join them, as a task
//!   (`structured.rs`): tokio's `JoinSet` on tokio, a `FuturesUnordered` of the runtime's
//!   own handles on smol and async-std. One operation is the whole round of 100.
//! - `sleep_made`, `timeout_ready`, `now`, as a task, on a clock nobody paused: an hour's sleep
//!   made, polled once (so registered with the timer) and dropped — a timer's whole way short
//!   of firing; a `timeout` of a ready future; reading the clock (`time::now()` against
//!   `std::time::Instant::now()`). Native: the runtime's own timer (`tokio::time::sleep`,
//!   `async_io::Timer`, `async_std::task::sleep`) and timeout (smol has none: `or` with a
//!   timer, as in `time_ops.rs`).
//!
//! ```text
//! cargo bench -p loopbridge-benches --bench instructions -- --list
//! valgrind --tool=callgrind target/release/deps/instructions-… spawn_await/smol/loopbridge 1000
//! ```

use std::hint::black_box;
use std::pin::Pin;
use std::time::Duration;

use loopbridge_benches::{Flavour, SmolPool, TokioCt, YieldOnce, join_set, tokio_mt, trivial};

const OPERATIONS: [&str; 7] = [
    "spawn_await",
    "block_on_ready",
    "block_on_yield",
    "join_set_100",
    "sleep_made",
    "timeout_ready",
    "now",
];
const IMPLEMENTATIONS: [&str; 2] = ["native", "loopbridge"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [list] if list == "--list" => {
            for operation in OPERATIONS {
                for flavour in Flavour::ALL {
                    for implementation in IMPLEMENTATIONS {
                        println!("{operation}/{}/{implementation}", flavour.name());
                    }
                }
            }
        }
        [case, n] => {
            let n: u64 = n.parse().unwrap_or_else(|_| usage(&format!("`{n}` is not a count")));
            run(case, n);
        }
        // `cargo bench` without arguments (or with criterion's): nothing to time here.
        _ => println!(
            "instructions: run through `cargo xtask bench --instructions` (--list for the cases)"
        ),
    }
}

fn usage(why: &str) -> ! {
    eprintln!("instructions: {why}; usage: instructions CASE N | instructions --list");
    std::process::exit(2);
}

fn run(case: &str, n: u64) {
    let mut parts = case.split('/');
    let (Some(operation), Some(flavour), Some(implementation), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        usage(&format!("`{case}` is not OPERATION/FLAVOUR/IMPLEMENTATION"))
    };
    let Some(flavour) = Flavour::ALL.into_iter().find(|f| f.name() == flavour) else {
        usage(&format!("unknown flavour in `{case}`"))
    };
    match (operation, implementation) {
        ("spawn_await", "native") => spawn_native(flavour, n),
        ("spawn_await", "loopbridge") => {
            let runner = flavour.runner();
            let body = async move {
                for _ in 0..n {
                    black_box(loopbridge::spawn(trivial()).await.expect("trivial task"));
                }
            };
            runner.block_on(runner.spawn(body)).expect("the measured loop");
        }
        ("join_set_100", "loopbridge") => {
            let runner = flavour.runner();
            runner.block_on(runner.spawn(join_set::loopbridge_rounds(n))).expect("the rounds");
        }
        ("join_set_100", "native") => join_set_native(flavour, n),
        ("sleep_made" | "timeout_ready" | "now", implementation) => {
            let body = time_op(flavour, operation, implementation == "native", n);
            as_task(flavour, implementation == "native", body);
        }
        ("block_on_ready" | "block_on_yield", implementation) => {
            let shape = operation == "block_on_yield";
            block_on(flavour, implementation == "native", shape, n);
        }
        _ => usage(&format!("unknown case `{case}`")),
    }
}

/// Spawn + await of `n` trivial tasks as a task of the native runtime.
fn spawn_native(flavour: Flavour, n: u64) {
    match flavour {
        Flavour::TokioMt | Flavour::TokioCt => {
            let body = async move {
                for _ in 0..n {
                    black_box(tokio::spawn(trivial()).await.expect("trivial task"));
                }
            };
            if flavour == Flavour::TokioMt {
                let runtime = tokio_mt();
                runtime.block_on(runtime.spawn(body)).expect("the measured loop");
            } else {
                let ct = TokioCt::start();
                ct.handle().block_on(ct.handle().spawn(body)).expect("the measured loop");
            }
        }
        Flavour::Smol => {
            let pool = SmolPool::start(flavour.workers());
            let executor = std::sync::Arc::clone(pool.executor());
            let body = async move {
                for _ in 0..n {
                    black_box(executor.spawn(trivial()).await);
                }
            };
            async_io::block_on(pool.executor().spawn(body));
        }
        Flavour::AsyncStd => {
            let body = async move {
                for _ in 0..n {
                    black_box(async_std::task::spawn(trivial()).await);
                }
            };
            async_std::task::block_on(async_std::task::spawn(body));
        }
    }
}

/// `n` rounds of the native set of 100 tasks, as a task of the native runtime.
fn join_set_native(flavour: Flavour, n: u64) {
    match flavour {
        Flavour::TokioMt => {
            let runtime = tokio_mt();
            runtime.block_on(runtime.spawn(join_set::tokio_rounds(n))).expect("the rounds");
        }
        Flavour::TokioCt => {
            let ct = TokioCt::start();
            let handle = ct.handle();
            handle.block_on(handle.spawn(join_set::tokio_rounds(n))).expect("the rounds");
        }
        Flavour::Smol => {
            let pool = SmolPool::start(flavour.workers());
            let executor = std::sync::Arc::clone(pool.executor());
            let rounds = join_set::unordered_rounds(n, move || executor.spawn(trivial()));
            async_io::block_on(pool.executor().spawn(rounds));
        }
        Flavour::AsyncStd => {
            let rounds = join_set::unordered_rounds(n, || async_std::task::spawn(trivial()));
            async_std::task::block_on(async_std::task::spawn(rounds));
        }
    }
}

/// `n` times `block_on` of a ready (or once-yielding) future from this plain thread.
fn block_on(flavour: Flavour, native: bool, yielding: bool, n: u64) {
    let future = move || async move {
        if yielding {
            YieldOnce::default().await;
        }
        black_box(1)
    };
    if !native {
        flavour.make_global();
        for _ in 0..n {
            black_box(loopbridge::block_on(future()));
        }
        return;
    }
    match flavour {
        Flavour::TokioMt => {
            let runtime = tokio_mt();
            for _ in 0..n {
                black_box(runtime.handle().block_on(future()));
            }
        }
        Flavour::TokioCt => {
            let ct = TokioCt::start();
            for _ in 0..n {
                black_box(ct.handle().block_on(future()));
            }
        }
        Flavour::Smol => {
            for _ in 0..n {
                black_box(async_io::block_on(future()));
            }
        }
        Flavour::AsyncStd => {
            for _ in 0..n {
                black_box(async_std::task::block_on(future()));
            }
        }
    }
}

/// A loop of `n` of the time operation `operation`, native or loopbridge's, for a task of
/// `flavour`.
fn time_op(
    flavour: Flavour,
    operation: &str,
    native: bool,
    n: u64,
) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    use futures_lite::future::{FutureExt as _, poll_once};
    const HOUR: Duration = Duration::from_secs(3600);
    let on_tokio = matches!(flavour, Flavour::TokioMt | Flavour::TokioCt);
    match (operation, native) {
        ("sleep_made", false) => Box::pin(async move {
            for _ in 0..n {
                black_box(poll_once(std::pin::pin!(loopbridge::sleep(HOUR))).await);
            }
        }),
        ("sleep_made", true) if on_tokio => Box::pin(async move {
            for _ in 0..n {
                black_box(poll_once(std::pin::pin!(tokio::time::sleep(HOUR))).await);
            }
        }),
        ("sleep_made", true) if flavour == Flavour::Smol => Box::pin(async move {
            for _ in 0..n {
                black_box(poll_once(async_io::Timer::after(HOUR)).await);
            }
        }),
        ("sleep_made", true) => Box::pin(async move {
            for _ in 0..n {
                black_box(poll_once(std::pin::pin!(async_std::task::sleep(HOUR))).await);
            }
        }),
        ("timeout_ready", false) => Box::pin(async move {
            for _ in 0..n {
                black_box(loopbridge::timeout(HOUR, async { black_box(1) }).await.ok());
            }
        }),
        ("timeout_ready", true) if on_tokio => Box::pin(async move {
            for _ in 0..n {
                black_box(tokio::time::timeout(HOUR, async { black_box(1) }).await.ok());
            }
        }),
        ("timeout_ready", true) if flavour == Flavour::Smol => Box::pin(async move {
            for _ in 0..n {
                let timer = async_io::Timer::after(HOUR);
                let ready = async { Some(black_box(1)) };
                let elapsed = async move {
                    timer.await;
                    None
                };
                black_box(ready.or(elapsed).await);
            }
        }),
        ("timeout_ready", true) => Box::pin(async move {
            for _ in 0..n {
                black_box(async_std::future::timeout(HOUR, async { black_box(1) }).await.ok());
            }
        }),
        (_, false) => Box::pin(async move {
            for _ in 0..n {
                black_box(loopbridge::time::now());
            }
        }),
        (_, true) => Box::pin(async move {
            for _ in 0..n {
                black_box(std::time::Instant::now());
            }
        }),
    }
}

/// Runs `body` as a task of the native runtime of `flavour`, or of a loopbridge runner of it.
fn as_task(flavour: Flavour, native: bool, body: Pin<Box<dyn Future<Output = ()> + Send>>) {
    if !native {
        let runner = flavour.runner();
        runner.block_on(runner.spawn(body)).expect("the measured loop");
        return;
    }
    match flavour {
        Flavour::TokioMt => {
            let runtime = tokio_mt();
            runtime.block_on(runtime.spawn(body)).expect("the measured loop");
        }
        Flavour::TokioCt => {
            let ct = TokioCt::start();
            ct.handle().block_on(ct.handle().spawn(body)).expect("the measured loop");
        }
        Flavour::Smol => {
            let pool = SmolPool::start(flavour.workers());
            async_io::block_on(pool.executor().spawn(body));
        }
        Flavour::AsyncStd => async_std::task::block_on(async_std::task::spawn(body)),
    }
}
