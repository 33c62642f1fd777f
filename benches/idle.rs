//! What an idle runner costs: CPU time and context switches of the whole process over 2 s
//! with one runner of each flavour started and idle, and the resident memory each further
//! runner adds. Not a criterion bench: it reads `/proc` (Linux), it does not time a loop.
//!
//! ```text
//! cargo bench -p loopbridge-benches --bench idle
//! ```
//!
//! CPU time is the sum over the process's threads of `/proc/self/task/*/schedstat` (ns on
//! CPU), switches the sum of their voluntary and involuntary context switches; RSS is
//! `VmRSS` of `/proc/self/status`, before and after starting 8 more runners (each having run
//! one task). Results go to `target/loopbridge-bench/idle.tsv` for `cargo xtask bench`.

use std::fs;
use std::hint::black_box;
use std::thread;
use std::time::Duration;

use loopbridge_benches::{Flavour, Results};

/// How long the runner sits idle.
const IDLE: Duration = Duration::from_secs(2);
/// Extra runners whose memory is measured.
const EXTRA: usize = 8;

/// CPU time (ns) and context switches of every thread of this process so far.
fn cpu_and_switches() -> Option<(u64, u64)> {
    let (mut cpu, mut switches) = (0, 0);
    for task in fs::read_dir("/proc/self/task").ok()? {
        let dir = task.ok()?.path();
        // A thread may exit between the listing and the read: skip it.
        if let Ok(schedstat) = fs::read_to_string(dir.join("schedstat")) {
            cpu += schedstat.split_whitespace().next()?.parse::<u64>().ok()?;
        }
        if let Ok(status) = fs::read_to_string(dir.join("status")) {
            for line in status.lines() {
                if let Some(n) = line
                    .strip_prefix("voluntary_ctxt_switches:")
                    .or_else(|| line.strip_prefix("nonvoluntary_ctxt_switches:"))
                {
                    switches += n.trim().parse::<u64>().ok()?;
                }
            }
        }
    }
    Some((cpu, switches))
}

/// Resident memory of the process, KiB.
fn rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn warm(runner: &loopbridge::Runner) {
    black_box(runner.block_on(runner.spawn(async { 1 })).ok());
}

fn main() {
    let mut results = Results::new("idle");
    for flavour in Flavour::ALL {
        let runner = flavour.runner();
        warm(&runner);
        thread::sleep(Duration::from_millis(200)); // let start-up work settle
        let (Some(before), Some(rss_one)) = (cpu_and_switches(), rss_kib()) else {
            eprintln!("idle: /proc is not readable here; nothing measured");
            return;
        };
        thread::sleep(IDLE);
        let Some(after) = cpu_and_switches() else { return };
        let name = flavour.name();
        results.record(format!("idle_cpu_us/{name}"), (after.0 - before.0) / 1_000);
        results.record(format!("idle_switches/{name}"), after.1 - before.1);
        let extra: Vec<_> = (0..EXTRA).map(|_| flavour.runner()).collect();
        for runner in &extra {
            warm(runner);
        }
        thread::sleep(Duration::from_millis(200));
        let rss_more = rss_kib().unwrap_or(rss_one);
        results.record(
            format!("rss_per_runner_kib/{name}"),
            rss_more.saturating_sub(rss_one) / EXTRA as u64,
        );
        drop(extra);
        drop(runner);
    }
    results.write();
}
