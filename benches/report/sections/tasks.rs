//! Spawn + await, its heap allocations, and structured concurrency: the sections on tasks.

use std::fmt::Write as _;

use super::{FLAVOURS, Out, PEERS};
use crate::cells::{Against, ns, range, ratio_row};
use crate::results::{Results, Stat};
use crate::targets::*;
use crate::verdicts::{Tally, firm_verdict, verdict};

/// Spawn + await: against native, the peers, and a handle of one's own (the floor).
pub(super) fn spawn(results: &Results, out: &mut Out) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    let mut at_floor = Tally::default();
    for flavour in FLAVOURS {
        let native = results.case("spawn_await", flavour, "native");
        let lb = results.case("spawn_await", flavour, "loopbridge");
        let floor = results.case("spawn_await", flavour, "floor");
        let to_floor = floor.zip(lb).map(|(f, l)| l.median / f.median);
        at_floor.add(to_floor.map(|r| SPAWN_FLOOR.limit.met(r)));
        let peers: Vec<Option<&Stat>> =
            PEERS.iter().map(|p| results.case("spawn_await", flavour, p)).collect();
        let cell = |s: Option<&Stat>| s.map_or("n/a".to_owned(), |s| ns(s.median));
        let (ratio, per_round, vs_native, vs_peers, native_verdict) = match (native, lb) {
            (Some(n), Some(l)) => {
                let r = l.median / n.median;
                let met = SPAWN.limit.met(r);
                let beats = peers.iter().flatten().all(|p| l.median <= p.median);
                let rounds = l.round_values(n, |l, n| l / n);
                let shown = firm_verdict(met, &rounds, |r| SPAWN.limit.met(r));
                (format!("{r:.2}×"), l.per_round(n, |l, n| l / n), Some(met), Some(beats), shown)
            }
            _ => ("—".to_owned(), String::new(), None, None, verdict(None).to_owned()),
        };
        tally.add(vs_native.zip(vs_peers).map(|(a, b)| a && b));
        let _ = writeln!(
            rows,
            "| {flavour} | {} | {} | {ratio} | {per_round} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(native),
            cell(lb),
            cell(peers[0]),
            cell(peers[1]),
            cell(peers[2]),
            cell(peers[3]),
            native_verdict,
            verdict(vs_peers),
            cell(floor),
            to_floor.map_or("—".to_owned(), |r| format!("{r:.2}×")),
        );
    }
    let mut ranges = String::new();
    for flavour in FLAVOURS {
        if let (Some(n), Some(l)) = (
            results.case("spawn_await", flavour, "native"),
            results.case("spawn_await", flavour, "loopbridge"),
        ) {
            let _ = writeln!(ranges, "{flavour} {} / {};", range(n), range(l));
        }
    }
    out.values.extend([("spawn_rows", rows), ("spawn_ranges", ranges)]);
    out.verdict(SPAWN, &tally);
    out.verdict(SPAWN_FLOOR, &at_floor);
}

/// Heap allocations per spawn (the target) and per `block_on` (for reference).
pub(super) fn allocations(results: &Results, out: &mut Out) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    for operation in ["spawn_await", "block_on_ready"] {
        for flavour in FLAVOURS {
            let native = results.values.get(&format!("{operation}/{flavour}/native"));
            let lb = results.values.get(&format!("{operation}/{flavour}/loopbridge"));
            let met = native.zip(lb).map(|(n, l)| ALLOCATIONS.limit.met(l - n));
            if operation == "spawn_await" {
                tally.add(met);
            }
            let cell = |v: Option<&f64>| v.map_or("—".to_owned(), |v| format!("{v:.2}"));
            let shown = if operation == "spawn_await" { verdict(met) } else { "(no target)" };
            let _ = writeln!(
                rows,
                "| {operation} | {flavour} | {} | {} | {shown} |",
                cell(native),
                cell(lb)
            );
        }
    }
    out.values.extend([("allocation_rows", rows)]);
    out.verdict(ALLOCATIONS, &tally);
}

/// `JoinSet` spawn + join, and draining finished tasks with `try_join_next`, against tokio's
/// `JoinSet` (a target on tokio) or a `FuturesUnordered` of native handles (reference only);
/// `CancellationToken` against tokio-util's.
pub(super) fn structured(results: &Results, out: &mut Out) {
    let mut rows = String::new();
    let join_set = per_flavour(&mut rows, results, "join_set_100", JOIN_SET.limit);
    let drain = per_flavour(&mut rows, results, "try_join_next_10k", JOIN_DRAIN.limit);
    let mut token = Tally::default();
    for (case, name) in [
        ("plain_thread", "cancellation_token"),
        ("tree_cancel", "cancellation_token tree_cancel (10,000 tokens, half the middles dropped)"),
        ("child_churn", "cancellation_token child_churn"),
    ] {
        token.add(ratio_row(
            &mut rows,
            name,
            results.case("cancellation_token", case, "tokio_util"),
            results.case("cancellation_token", case, "loopbridge"),
            Against::Target(TOKEN.limit),
        ));
    }
    out.values.extend([("structured_rows", rows)]);
    out.verdict(JOIN_SET, &join_set);
    out.verdict(JOIN_DRAIN, &drain);
    out.verdict(TOKEN, &token);
}

/// One row of `case` per flavour: against `limit` on tokio, for reference on the others.
fn per_flavour(rows: &mut String, results: &Results, case: &str, limit: Limit) -> Tally {
    let mut tally = Tally::default();
    for flavour in FLAVOURS {
        let name = format!("{case} {flavour}");
        let native = results.case(case, flavour, "native");
        let lb = results.case(case, flavour, "loopbridge");
        if flavour.starts_with("tokio") {
            tally.add(ratio_row(rows, &name, native, lb, Against::Target(limit)));
        } else {
            let _ = ratio_row(rows, &name, native, lb, Against::Reference);
        }
    }
    tally
}
