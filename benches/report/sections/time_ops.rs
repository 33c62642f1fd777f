//! Small operations inside a task: `sleep(ZERO)`, `timeout` of a ready future, and runtime
//! detection, against native and against a floor.

use std::fmt::Write as _;

use super::{FLAVOURS, Out};
use crate::cells::{Against, ns, range, ratio_row};
use crate::results::Results;
use crate::targets::*;
use crate::verdicts::Tally;

/// `sleep(ZERO)`, `timeout` of a ready future, and runtime detection, which has a target of
/// its own and, on a plain thread, a floor.
pub(super) fn time_ops(results: &Results, out: &mut Out) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    for group in ["sleep_zero", "timeout_ready"] {
        for flavour in FLAVOURS {
            tally.add(ratio_row(
                &mut rows,
                &format!("{group} {flavour}"),
                results.case(group, flavour, "native"),
                results.case(group, flavour, "loopbridge"),
                Against::Target(TIME_OPS.limit),
            ));
        }
    }
    for flavour in FLAVOURS {
        if let Some(s) = results.case("sleep_zero", flavour, "native_sleep") {
            let _ = writeln!(
                rows,
                "| sleep_zero {flavour}: the runtime's own sleep(ZERO) | {} | | | | {} | (reference) | |",
                ns(s.median),
                range(s)
            );
        }
    }
    // The runtime's clock against the wall clock it is when nothing pauses it: a reference
    // until the virtual clock lands (its target: at most `Instant::now()` + 5 ns).
    for flavour in FLAVOURS {
        let _ = ratio_row(
            &mut rows,
            &format!("now {flavour} (time::now() against Instant::now())"),
            results.case("now", flavour, "native"),
            results.case("now", flavour, "loopbridge"),
            Against::Reference,
        );
    }
    let mut detection = Tally::default();
    let mut at_floor = Tally::default();
    for group in ["current", "in_async_context"] {
        at_floor.add(ratio_row(
            &mut rows,
            &format!("{group} plain against the floor (tokio's and async-std's checks)"),
            results.case(group, "plain", "floor"),
            results.case(group, "plain", "loopbridge"),
            Against::Floor(DETECTION_FLOOR.limit),
        ));
        for flavour in ["plain"].into_iter().chain(FLAVOURS) {
            let lb = results.case(group, flavour, "loopbridge");
            let native = results.case(group, flavour, "native");
            let case = format!("{group} {flavour}");
            match (native, lb) {
                (Some(_), Some(_)) => tally.add(ratio_row(
                    &mut rows,
                    &case,
                    native,
                    lb,
                    Against::Target(TIME_OPS.limit),
                )),
                (None, Some(l)) => {
                    let _ = writeln!(
                        rows,
                        "| {case} | (no native API) | {} | | | {} | {} | |",
                        ns(l.median),
                        range(l),
                        DETECTION.limit
                    );
                }
                _ => {}
            }
            detection.add(lb.map(|l| DETECTION.limit.met(l.median)));
        }
    }
    if let Some(s) = results.case("fork_check", "plain", "forkguard") {
        let _ = writeln!(
            rows,
            "| global runner's fork check alone (forkguard) | | {} | | | {} | (reference) | |",
            ns(s.median),
            range(s)
        );
    }
    out.values.extend([("time_ops_rows", rows)]);
    out.verdict(TIME_OPS, &tally);
    out.verdict(DETECTION, &detection);
    out.verdict(DETECTION_FLOOR, &at_floor);
}

/// Paused time: 10,000 random virtual sleeps against tokio's own paused clock (a target on
/// tokio current-thread, the one flavour tokio pauses; the others for reference), and heap
/// bytes per pending virtual timer against tokio's.
pub(super) fn paused(results: &Results, out: &mut Out) {
    let value = |key: String| results.values.get(&key).copied();
    let anchor = value("paused_sleeps_ms/tokio_ct/native".into());
    let native_bytes = value("timer_bytes/tokio_ct/native".into());
    let mut rows = String::new();
    let (mut speed, mut memory) = (Tally::default(), Tally::default());
    for flavour in FLAVOURS {
        let ms = value(format!("paused_sleeps_ms/{flavour}/loopbridge"));
        let ratio = value(format!("paused_sleeps_ratio/{flavour}"));
        let min = value(format!("paused_sleeps_ratio_min/{flavour}"));
        let max = value(format!("paused_sleeps_ratio_max/{flavour}"));
        let bytes = value(format!("timer_bytes/{flavour}/loopbridge"));
        let speed_met = ratio.filter(|_| flavour == "tokio_ct").map(|r| PAUSED.limit.met(r));
        if flavour == "tokio_ct" {
            speed.add(speed_met);
        }
        let memory_met = bytes.zip(native_bytes).map(|(b, n)| TIMER_BYTES.limit.met(b / n));
        memory.add(memory_met);
        let show = |v: Option<f64>, digits: usize, unit: &str| {
            v.map_or("—".to_owned(), |v| format!("{v:.digits$}{unit}"))
        };
        let speed_verdict = match (flavour, speed_met) {
            ("tokio_ct", met) => crate::verdicts::verdict(met).to_owned(),
            _ => "for reference".to_owned(),
        };
        let _ = writeln!(
            rows,
            "| {flavour} | {} | {} | {} | {}–{} | {speed_verdict} | {} / {} | {} |",
            show(anchor, 2, " ms"),
            show(ms, 2, " ms"),
            show(ratio, 2, "×"),
            show(min, 2, ""),
            show(max, 2, ""),
            show(native_bytes, 1, ""),
            show(bytes, 1, ""),
            crate::verdicts::verdict(memory_met),
        );
    }
    out.values.extend([("paused_rows", rows)]);
    out.verdict(PAUSED, &speed);
    out.verdict(TIMER_BYTES, &memory);
}
