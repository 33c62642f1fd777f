//! `block_on`, the runner round trip, `to_thread`, concurrent callers and idle runners: the
//! sections on plain threads and the runtime's threads.

use std::fmt::Write as _;

use super::{FLAVOURS, Out};
use crate::cells::{Against, Compared, ns, range, ratio_row};
use crate::results::{Results, Stat};
use crate::targets::*;
use crate::verdicts::{Tally, verdict};

/// `block_on` from a plain thread: the global runner and a `Bridge` against native, and the
/// global runner against the floor.
pub(super) fn block_on(results: &Results, out: &mut Out) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    let mut at_floor = Tally::default();
    for group in ["block_on_ready", "block_on_yield"] {
        for flavour in FLAVOURS {
            let native = results.case(group, flavour, "native");
            let met = ratio_row(
                &mut rows,
                &format!("{group} {flavour}"),
                native,
                results.case(group, flavour, "loopbridge"),
                Against::Target(BLOCK_ON.limit),
            );
            tally.add(met);
            let _ = ratio_row(
                &mut rows,
                &format!("{group} {flavour} (Bridge)"),
                native,
                results.case(group, flavour, "loopbridge_bridge"),
                Against::Target(BLOCK_ON.limit),
            );
            at_floor.add(ratio_row(
                &mut rows,
                &format!("{group} {flavour} against the floor"),
                results.case(group, flavour, "floor"),
                results.case(group, flavour, "loopbridge"),
                Against::Floor(BLOCK_ON_FLOOR.limit),
            ));
        }
    }
    out.values.extend([("block_on_rows", rows)]);
    out.verdict(BLOCK_ON, &tally);
    out.verdict(BLOCK_ON_FLOOR, &at_floor);
}

/// How much faster the global runner's `block_on` is than building a tokio runtime per call.
pub(super) fn runtime_per_call(results: &Results, out: &mut Out) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    for &(flavour, limit) in RUNTIME_PER_CALL.limit.faster_by() {
        let per_call = results.case("runtime_per_call", flavour, "native");
        let lb = results.case("block_on_ready", flavour, "loopbridge");
        match per_call.zip(lb) {
            Some((p, l)) => {
                let factor = p.median / l.median;
                let met = factor >= limit;
                tally.add(Some(met));
                let _ = writeln!(
                    rows,
                    "| tokio {flavour} build + block_on + drop | {} | {} | {factor:.0}× | ≥ {}× | {} |",
                    ns(p.median),
                    ns(l.median),
                    number(limit),
                    verdict(Some(met))
                );
            }
            None => {
                tally.add(None);
                let _ = writeln!(
                    rows,
                    "| tokio {flavour} build + block_on + drop | — | — | — | ≥ {}× | not measured |",
                    number(limit)
                );
            }
        }
    }
    out.values.extend([("runtime_per_call_rows", rows)]);
    out.verdict(RUNTIME_PER_CALL, &tally);
}

/// The runner's cross-thread round trip, against native and (the stretch) park/unpark.
pub(super) fn round_trip(results: &Results, out: &mut Out) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    let mut stretch = Tally::default();
    for group in ["round_trip_pinned", "round_trip_split"] {
        let floor = results.case(group, "floor", "park_unpark");
        for flavour in FLAVOURS {
            let met = ratio_row(
                &mut rows,
                &format!("{group} {flavour}"),
                results.case(group, flavour, "native"),
                results.case(group, flavour, "loopbridge"),
                Against::Target(ROUND_TRIP.limit),
            );
            tally.add(met);
            stretch.add(
                floor
                    .zip(results.case(group, flavour, "loopbridge"))
                    .map(|(f, l)| ROUND_TRIP_STRETCH.limit.met(l.median / f.median)),
            );
        }
        if let Some(floor) = floor {
            let _ = writeln!(
                rows,
                "| {group} floor: park/unpark ping-pong | {} | | | | {} | | |",
                ns(floor.median),
                range(floor)
            );
        }
    }
    out.values.extend([("round_trip_rows", rows)]);
    out.verdict(ROUND_TRIP, &tally);
    out.verdict(ROUND_TRIP_STRETCH, &stretch);
}

/// `to_thread` from async, against each runtime's own blocking pool.
pub(super) fn to_thread(results: &Results, out: &mut Out) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    for flavour in FLAVOURS {
        tally.add(ratio_row(
            &mut rows,
            &format!("to_thread {flavour}"),
            results.case("to_thread_pinned", flavour, "native"),
            results.case("to_thread_pinned", flavour, "loopbridge"),
            Against::Target(TO_THREAD.limit),
        ));
    }
    out.values.extend([("to_thread_rows", rows)]);
    out.verdict(TO_THREAD, &tally);
}

/// Throughput of 1, 4 and 16 sync callers of `block_on` on one runtime.
pub(super) fn concurrent(results: &Results, out: &mut Out) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    for callers in [1.0_f64, 4.0, 16.0] {
        let group = format!("concurrent_block_on_{callers}");
        for flavour in FLAVOURS {
            let native = results.case(&group, flavour, "native");
            let lb = results.case(&group, flavour, "loopbridge");
            match native.zip(lb) {
                Some((n, l)) => {
                    let compared = Compared::new(n, l, Some(CONCURRENT.limit));
                    tally.add(Some(compared.met));
                    let ops = |s: &Stat| format!("{:.0}k", callers / s.median * 1e6);
                    let _ = writeln!(
                        rows,
                        "| {callers} | {flavour} | {} | {} | {:.2}× | {} | {} |",
                        ops(n),
                        ops(l),
                        compared.ratio,
                        compared.per_round,
                        compared.shown
                    );
                }
                None => {
                    tally.add(None);
                    let _ =
                        writeln!(rows, "| {callers} | {flavour} | — | — | — | | not measured |");
                }
            }
        }
    }
    out.values.extend([("concurrent_rows", rows)]);
    out.verdict(CONCURRENT, &tally);
}

/// An idle runner's CPU time and an extra runner's memory.
pub(super) fn idle(results: &Results, out: &mut Out) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    for flavour in FLAVOURS {
        let cpu = results.values.get(&format!("idle_cpu_us/{flavour}"));
        let switches = results.values.get(&format!("idle_switches/{flavour}"));
        let rss = results.values.get(&format!("rss_per_runner_kib/{flavour}"));
        let met = cpu.zip(rss).map(|(c, r)| IDLE.limit.idle_met(*c, *r));
        tally.add(met);
        let show =
            |v: Option<&f64>, unit: &str| v.map_or("—".to_owned(), |v| format!("{v:.0}{unit}"));
        let _ = writeln!(
            rows,
            "| {flavour} | {} | {} | {} | {} |",
            show(cpu, " µs"),
            show(switches, ""),
            show(rss, " KiB"),
            verdict(met)
        );
    }
    out.values.extend([("idle_rows", rows)]);
    out.verdict(IDLE, &tally);
}
