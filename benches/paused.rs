//! Paused time: 10,000 tasks each sleeping a random 1–3,600 virtual seconds, all awaited, in
//! wall time; and the heap bytes per pending virtual timer, with 100,000 pending. On every
//! flavour, beside tokio's own paused clock (a current-thread runtime with `start_paused`,
//! the anchor: tokio refuses to pause a multi-thread runtime). Not a criterion bench: a run
//! of a few milliseconds is timed whole, in alternating rounds.
//!
//! ```text
//! cargo bench -p loopbridge-benches --features tokio-paused --bench paused
//! ```
//!
//! Each round runs the anchor and then loopbridge on each flavour, each on a runtime built for
//! it (paused from the start), with the same durations; the ratio of a round is loopbridge's
//! time over the anchor's in that round, and the report takes the median of the rounds' ratios
//! (the spread is printed). Memory: the bytes the heap grew by (a counting allocator) while
//! 100,000 boxed sleeps were made and each polled once (so registered), over 100,000 — the
//! sleep itself and its registration. Results go to `target/loopbridge-bench/paused.tsv`.

use std::alloc::System;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use loopbridge::Runner;
use loopbridge_benches::{Flavour, Results};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Tasks per run, and the longest sleep, in seconds.
const TASKS: usize = 10_000;
const LONGEST_S: u64 = 3_600;
/// Rounds of the timed runs (alternating anchor and loopbridge).
const ROUNDS: usize = 11;
/// Pending timers for the memory count.
const TIMERS: usize = 100_000;

/// The same pseudo-random durations, 1 s to 3,600 s with millisecond parts, in every run.
fn durations(n: usize) -> Vec<Duration> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    (0..n)
        .map(|_| {
            // xorshift64*: enough spread for timer placement, reproducible.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let r = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
            Duration::from_millis(1_000 + r % ((LONGEST_S - 1) * 1_000 + 1))
        })
        .collect()
}

/// tokio's own paused clock: a current-thread runtime started paused.
fn tokio_paused() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a paused tokio runtime")
}

/// A loopbridge runner of `flavour` started paused.
fn loopbridge_paused(flavour: Flavour) -> Runner {
    Runner::builder()
        .backend(flavour.kind())
        .worker_threads(flavour.workers())
        .start_paused(true)
        .build()
        .expect("a paused loopbridge runner")
}

/// The anchor: spawns a task per duration on tokio's paused clock and awaits them all.
fn run_tokio(durations: &[Duration]) -> Duration {
    let rt = tokio_paused();
    let durations = durations.to_vec();
    let start = Instant::now();
    rt.block_on(async move {
        let tasks: Vec<_> =
            durations.into_iter().map(|d| tokio::spawn(tokio::time::sleep(d))).collect();
        for task in tasks {
            task.await.expect("a sleeping task");
        }
    });
    start.elapsed()
}

/// The same on a paused loopbridge runner of `flavour`.
fn run_loopbridge(flavour: Flavour, durations: &[Duration]) -> Duration {
    let runner = loopbridge_paused(flavour);
    let durations = durations.to_vec();
    let start = Instant::now();
    // From inside a task of the runner, as tokio's `block_on` runs the anchor on its runtime.
    let all = runner.spawn(async move {
        let tasks: Vec<_> =
            durations.into_iter().map(|d| loopbridge::spawn(loopbridge::sleep(d))).collect();
        for task in tasks {
            task.await.expect("a sleeping task");
        }
    });
    runner.block_on(all).expect("the measured run");
    let took = start.elapsed();
    let _report = runner.shutdown(Duration::from_secs(5));
    took
}

/// Heap bytes per pending timer: `TIMERS` boxed sleeps made by `sleep`, each polled once.
async fn bytes_per_timer<S: Future>(sleep: impl Fn(Duration) -> S) -> f64 {
    let durations = durations(TIMERS);
    let mut cx = Context::from_waker(Waker::noop());
    let region = Region::new(GLOBAL);
    let mut timers: Vec<Pin<Box<S>>> = Vec::with_capacity(TIMERS);
    let vec_bytes = TIMERS * size_of::<Pin<Box<S>>>();
    for d in durations {
        let mut timer = Box::pin(sleep(d));
        assert!(timer.as_mut().poll(&mut cx).is_pending(), "a pending timer");
        timers.push(timer);
    }
    let change = region.change();
    let grown = change.bytes_allocated as f64 - change.bytes_deallocated as f64
        + change.bytes_reallocated as f64;
    black_box(&timers);
    (grown - vec_bytes as f64) / TIMERS as f64
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; a filter is not supported (one run is short).
    let mut results = Results::new("paused");
    let durations = durations(TASKS);
    // A warm-up of each, so that thread start-up and first allocations are not in round 1.
    run_tokio(&durations);
    for flavour in Flavour::ALL {
        run_loopbridge(flavour, &durations);
    }
    let mut anchor = Vec::new();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); Flavour::ALL.len()];
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); Flavour::ALL.len()];
    for _ in 0..ROUNDS {
        let base = run_tokio(&durations).as_secs_f64() * 1e3;
        anchor.push(base);
        for (i, flavour) in Flavour::ALL.into_iter().enumerate() {
            let ms = run_loopbridge(flavour, &durations).as_secs_f64() * 1e3;
            times[i].push(ms);
            ratios[i].push(ms / base);
        }
    }
    results.record("paused_sleeps_ms/tokio_ct/native", format!("{:.2}", median(&mut anchor)));
    for (i, flavour) in Flavour::ALL.into_iter().enumerate() {
        let name = flavour.name();
        results.record(
            format!("paused_sleeps_ms/{name}/loopbridge"),
            format!("{:.2}", median(&mut times[i])),
        );
        let spread = &mut ratios[i];
        let ratio = median(spread);
        results.record(format!("paused_sleeps_ratio/{name}"), format!("{ratio:.3}"));
        results.record(format!("paused_sleeps_ratio_min/{name}"), format!("{:.3}", spread[0]));
        results.record(
            format!("paused_sleeps_ratio_max/{name}"),
            format!("{:.3}", spread[spread.len() - 1]),
        );
    }

    let rt = tokio_paused();
    let native = rt.block_on(bytes_per_timer(tokio::time::sleep));
    results.record("timer_bytes/tokio_ct/native", format!("{native:.1}"));
    drop(rt);
    for flavour in Flavour::ALL {
        let runner = loopbridge_paused(flavour);
        let bytes = runner.block_on(bytes_per_timer(loopbridge::sleep));
        results.record(format!("timer_bytes/{}/loopbridge", flavour.name()), format!("{bytes:.1}"));
        let _report = runner.shutdown(Duration::from_secs(5));
    }
    results.write();
}
