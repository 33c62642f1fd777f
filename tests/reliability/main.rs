//! Reliability: loopbridge under stress, faults and misuse, on every compiled-in flavour.
//! Nothing may hang, no result may be lost or mixed up, no panic may escape, and no runner may
//! leave a thread or memory behind. `docs/reliability.md` lists the scenarios and the figures
//! of the last full run.
//!
//! - [`stress`]: 64 threads × N `block_on` calls on an owned runner and on the global runner.
//! - [`panics`]: panicking tasks, `to_thread` jobs, destructors, `block_on` futures and
//!   `ThreadBound` calls; the runner serves on and every awaiter gets the payload.
//! - [`shutdown`]: shutdown while tasks, blocking jobs and sync callers are in flight; runners
//!   created and shut down many times, their threads, RSS and live heap measured.
//! - [`structured`]: a `JoinSet` of thousands of tasks joined, aborted and dropped; a
//!   `task_group` of a thousand children whose one child fails.
//! - [`net`]: thousands of loopback connections opened and closed, no descriptor or thread
//!   left behind.
//! - [`sequences`]: proptest, random sequences of operations against one model of what must
//!   happen to each unit of work.
//!
//! # Sizes
//!
//! `cargo test` runs the fast sizes ([`Scale::FAST`]); `LOOPBRIDGE_STRESS=full` (what
//! `cargo xtask stress` sets) runs the full sizes that `docs/reliability.md` reports
//! ([`Scale::FULL`]). The code is the
//! same; only the numbers change.
//!
//! # One test at a time
//!
//! The global runner, the thread count, RSS and the heap are process-wide, and the scenarios
//! load every core: each test takes [`serial`] first, so they run one after another even though
//! libtest starts them in parallel. Each flavour then runs under a watchdog sized to the scale.

mod heap;
mod net;
mod panics;
mod sequences;
mod shutdown;
mod stress;
mod structured;

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use loopbridge_tests::{Flavor, panic_message, with_watchdog_for};

/// Counts live heap bytes for the leak checks of [`shutdown`] (see [`heap`]).
#[global_allocator]
static ALLOCATOR: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

/// The numbers a run uses.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    /// Whether these are the full sizes (progress is printed then).
    pub(crate) full: bool,
    /// Threads calling `block_on` at once.
    pub(crate) threads: usize,
    /// `block_on` calls per thread.
    pub(crate) calls_per_thread: usize,
    /// Panicking tasks per flavour.
    pub(crate) panicking_tasks: usize,
    /// Panicking `to_thread` jobs, aborted futures with panicking destructors, panicking
    /// `block_on` futures and `ThreadBound` calls, each, per flavour.
    pub(crate) other_panics: usize,
    /// Runners created and shut down per flavour.
    pub(crate) runners: usize,
    /// proptest cases (each runs on every flavour).
    pub(crate) cases: u32,
    /// Tasks in one `JoinSet`, joined, aborted and dropped, per flavour.
    pub(crate) set_tasks: usize,
    /// Children of one `task_group` whose one child fails, per flavour.
    pub(crate) group_children: usize,
    /// Loopback connections opened, used and closed, per flavour.
    pub(crate) connections: usize,
    /// The watchdog of one flavour of one scenario.
    pub(crate) watchdog: Duration,
}

impl Scale {
    /// What `cargo test` runs: seconds in all.
    pub(crate) const FAST: Scale = Scale {
        full: false,
        threads: 64,
        calls_per_thread: 50,
        panicking_tasks: 1_000,
        other_panics: 100,
        runners: 40,
        cases: 12,
        set_tasks: 1_000,
        group_children: 200,
        connections: 1_000,
        watchdog: Duration::from_secs(60),
    };

    /// The full sizes (`docs/reliability.md`, *Scenarios*), run by `cargo xtask stress`.
    pub(crate) const FULL: Scale = Scale {
        full: true,
        threads: 64,
        calls_per_thread: 10_000,
        panicking_tasks: 10_000,
        other_panics: 1_000,
        runners: 1_000,
        cases: 256,
        set_tasks: 10_000,
        group_children: 1_000,
        connections: 10_000,
        watchdog: Duration::from_secs(600),
    };

    /// [`Scale::FULL`] if `LOOPBRIDGE_STRESS=full`, else [`Scale::FAST`].
    pub(crate) fn get() -> Scale {
        match std::env::var("LOOPBRIDGE_STRESS").as_deref() {
            Ok("full") => Scale::FULL,
            Ok("fast") | Err(_) => Scale::FAST,
            Ok(other) => panic!("LOOPBRIDGE_STRESS={other:?}: expected `full` or `fast`"),
        }
    }
}

/// Held by every test of this binary for its whole run; see the [crate docs](crate).
pub(crate) fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    // A failed test poisons it; the next test does not care.
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `scenario` once per compiled-in flavour, each under the scale's watchdog, after taking
/// [`serial`]. Prints one line per flavour with the figures `scenario` returns (visible with
/// `--nocapture`, as `cargo xtask stress` runs it). Every flavour runs even if one fails; the
/// test then fails naming each failed flavour and its panic.
pub(crate) fn for_each_flavor(
    name: &str,
    scenario: impl Fn(Flavor, Scale) -> String + Send + Sync + Clone + 'static,
) {
    let _serial = serial();
    let scale = Scale::get();
    quiet_deliberate_panics();
    let mut failures = Vec::new();
    for &flavor in Flavor::COMPILED_IN {
        let started = Instant::now();
        let run = scenario.clone();
        // The scenario runs on the watchdog's thread; nothing of it is observed after a panic.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            with_watchdog_for(scale.watchdog, move || run(flavor, scale))
        }));
        let took = started.elapsed();
        match outcome {
            Ok(figures) => println!("{name} {flavor:?}: ok in {took:.2?}: {figures}"),
            Err(payload) => {
                let message = panic_message(&*payload);
                println!("{name} {flavor:?}: FAILED after {took:.2?}: {message}");
                failures.push(format!("{flavor:?}: {message}"));
            }
        }
    }
    assert!(failures.is_empty(), "{name} failed on {} flavour(s):\n{}", failures.len(), {
        failures.join("\n")
    });
}

/// The prefix of every panic message the scenarios cause on purpose.
pub(crate) const DELIBERATE: &str = "deliberate panic";

/// Keeps the panic hook from printing the thousands of panics the scenarios cause on purpose
/// (messages starting with [`DELIBERATE`]); any other panic is reported as usual.
fn quiet_deliberate_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !panic_message(info.payload()).starts_with(DELIBERATE) {
                default(info);
            }
        }));
    });
}

/// Prints a progress line on full runs (the fast ones are over in seconds).
pub(crate) fn progress(scale: Scale, line: impl FnOnce() -> String) {
    if scale.full {
        println!("    {}", line());
    }
}
