//! The tables of the report's sections, with the verdicts of the targets they measure: one
//! function per section, each giving the values of that section's placeholders.

use std::fmt::Write as _;

use super::{Results, Stat, Tally, Values, firm_verdict, ns, range, ratio_row, verdict};

/// The flavours, in report order.
const FLAVOURS: [&str; 4] = ["tokio_mt", "tokio_ct", "smol", "async_std"];

/// The peers of the spawn bench.
const PEERS: [&str; 4] = ["async_executors", "agnostic_lite", "spawns", "async_rs"];

/// The values of every section's placeholders.
pub(super) fn values(results: &Results) -> Values {
    let mut values = Values::new();
    spawn(results, &mut values);
    allocations(results, &mut values);
    block_on(results, &mut values);
    runtime_per_call(results, &mut values);
    round_trip(results, &mut values);
    to_thread(results, &mut values);
    concurrent(results, &mut values);
    idle(results, &mut values);
    time_ops(results, &mut values);
    structured(results, &mut values);
    net(results, &mut values);
    protocols(results, &mut values);
    values
}

/// Spawn + await: against native, the peers, and a handle of one's own (the floor).
fn spawn(results: &Results, values: &mut Values) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    let mut at_floor = Tally::default();
    for flavour in FLAVOURS {
        let native = results.case("spawn_await", flavour, "native");
        let lb = results.case("spawn_await", flavour, "loopbridge");
        let floor = results.case("spawn_await", flavour, "floor");
        let to_floor = floor.zip(lb).map(|(f, l)| l.median / f.median);
        at_floor.add(to_floor.map(|r| r <= 1.05));
        let peers: Vec<Option<Stat>> =
            PEERS.iter().map(|p| results.case("spawn_await", flavour, p)).collect();
        let cell = |s: Option<Stat>| s.map_or("n/a".to_owned(), |s| ns(s.median));
        let (ratio, per_round, vs_native, vs_peers, native_verdict) = match (native, lb) {
            (Some(n), Some(l)) => {
                let r = l.median / n.median;
                let met = r <= 1.05;
                let beats = peers.iter().flatten().all(|p| l.median <= p.median);
                let rounds = l.round_values(&n, |l, n| l / n);
                let shown = firm_verdict(met, &rounds, |r| r <= 1.05);
                (format!("{r:.2}×"), l.per_round(&n, |l, n| l / n), Some(met), Some(beats), shown)
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
    values.extend([
        ("spawn_rows", rows),
        ("spawn_ranges", ranges),
        ("spawn_verdict", tally.summary()),
        ("spawn_floor_verdict", at_floor.summary()),
    ]);
}

/// Heap allocations per spawn (the target) and per `block_on` (for reference).
fn allocations(results: &Results, values: &mut Values) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    for operation in ["spawn_await", "block_on_ready"] {
        for flavour in FLAVOURS {
            let native = results.values.get(&format!("{operation}/{flavour}/native"));
            let lb = results.values.get(&format!("{operation}/{flavour}/loopbridge"));
            let met = native.zip(lb).map(|(n, l)| *l <= n + 1.0 + 1e-9);
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
    values.extend([("allocation_rows", rows), ("allocations_verdict", tally.summary())]);
}

/// `block_on` from a plain thread: the global runner and a `Bridge` against native, and the
/// global runner against the floor.
fn block_on(results: &Results, values: &mut Values) {
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
                "≤ 1.10×",
                1.10,
            );
            tally.add(met);
            let _ = ratio_row(
                &mut rows,
                &format!("{group} {flavour} (Bridge)"),
                native,
                results.case(group, flavour, "loopbridge_bridge"),
                "≤ 1.10×",
                1.10,
            );
            at_floor.add(ratio_row(
                &mut rows,
                &format!("{group} {flavour} against the floor"),
                results.case(group, flavour, "floor"),
                results.case(group, flavour, "loopbridge"),
                "≤ 1.10× floor",
                1.10,
            ));
        }
    }
    values.extend([
        ("block_on_rows", rows),
        ("block_on_verdict", tally.summary()),
        ("block_on_floor_verdict", at_floor.summary()),
    ]);
}

/// How much faster the global runner's `block_on` is than building a tokio runtime per call.
fn runtime_per_call(results: &Results, values: &mut Values) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    for (flavour, limit) in [("tokio_mt", 500.0), ("tokio_ct", 50.0)] {
        let per_call = results.case("runtime_per_call", flavour, "native");
        let lb = results.case("block_on_ready", flavour, "loopbridge");
        match per_call.zip(lb) {
            Some((p, l)) => {
                let factor = p.median / l.median;
                let met = factor >= limit;
                tally.add(Some(met));
                let _ = writeln!(
                    rows,
                    "| tokio {flavour} build + block_on + drop | {} | {} | {factor:.0}× | ≥ {limit:.0}× | {} |",
                    ns(p.median),
                    ns(l.median),
                    verdict(Some(met))
                );
            }
            None => {
                tally.add(None);
                let _ = writeln!(
                    rows,
                    "| tokio {flavour} build + block_on + drop | — | — | — | ≥ {limit:.0}× | not measured |"
                );
            }
        }
    }
    values.extend([("runtime_per_call_rows", rows), ("runtime_per_call_verdict", tally.summary())]);
}

/// The runner's cross-thread round trip, against native and (the stretch) park/unpark.
fn round_trip(results: &Results, values: &mut Values) {
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
                "≤ 1.0×",
                1.0,
            );
            tally.add(met);
            stretch.add(
                floor
                    .zip(results.case(group, flavour, "loopbridge"))
                    .map(|(f, l)| l.median <= 2.0 * f.median),
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
    values.extend([
        ("round_trip_rows", rows),
        ("round_trip_verdict", tally.summary()),
        ("round_trip_stretch_verdict", stretch.summary()),
    ]);
}

/// `to_thread` from async, against each runtime's own blocking pool.
fn to_thread(results: &Results, values: &mut Values) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    for flavour in FLAVOURS {
        tally.add(ratio_row(
            &mut rows,
            &format!("to_thread {flavour}"),
            results.case("to_thread_pinned", flavour, "native"),
            results.case("to_thread_pinned", flavour, "loopbridge"),
            "≤ 1.10×",
            1.10,
        ));
    }
    values.extend([("to_thread_rows", rows), ("to_thread_verdict", tally.summary())]);
}

/// Throughput of 1, 4 and 16 sync callers of `block_on` on one runtime.
fn concurrent(results: &Results, values: &mut Values) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    for callers in [1.0_f64, 4.0, 16.0] {
        let group = format!("concurrent_block_on_{callers}");
        for flavour in FLAVOURS {
            let native = results.case(&group, flavour, "native");
            let lb = results.case(&group, flavour, "loopbridge");
            match native.zip(lb) {
                Some((n, l)) => {
                    let ratio = n.median / l.median;
                    let met = ratio >= 0.9;
                    tally.add(Some(met));
                    let ops = |s: Stat| format!("{:.0}k", callers / s.median * 1e6);
                    let rounds = n.round_values(&l, |n, l| n / l);
                    let _ = writeln!(
                        rows,
                        "| {callers} | {flavour} | {} | {} | {ratio:.2}× | {} | {} |",
                        ops(n),
                        ops(l),
                        n.per_round(&l, |n, l| n / l),
                        firm_verdict(met, &rounds, |r| r >= 0.9)
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
    values.extend([("concurrent_rows", rows), ("concurrent_verdict", tally.summary())]);
}

/// An idle runner's CPU time and an extra runner's memory.
fn idle(results: &Results, values: &mut Values) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    for flavour in FLAVOURS {
        let cpu = results.values.get(&format!("idle_cpu_us/{flavour}"));
        let switches = results.values.get(&format!("idle_switches/{flavour}"));
        let rss = results.values.get(&format!("rss_per_runner_kib/{flavour}"));
        let met = cpu.zip(rss).map(|(c, r)| *c < 1000.0 && *r <= 2048.0);
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
    values.extend([("idle_rows", rows), ("idle_verdict", tally.summary())]);
}

/// `sleep(ZERO)`, `timeout` of a ready future, and runtime detection, which has a target of
/// its own (≤ 5 ns) and, on a plain thread, a floor.
fn time_ops(results: &Results, values: &mut Values) {
    let mut rows = String::new();
    let mut tally = Tally::default();
    for group in ["sleep_zero", "timeout_ready"] {
        for flavour in FLAVOURS {
            tally.add(ratio_row(
                &mut rows,
                &format!("{group} {flavour}"),
                results.case(group, flavour, "native"),
                results.case(group, flavour, "loopbridge"),
                "≤ 1.10×",
                1.10,
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
    let mut detection = Tally::default();
    let mut at_floor = Tally::default();
    for group in ["current", "in_async_context"] {
        at_floor.add(ratio_row(
            &mut rows,
            &format!("{group} plain against the floor (tokio's and async-std's checks)"),
            results.case(group, "plain", "floor"),
            results.case(group, "plain", "loopbridge"),
            "≤ 1.10× floor",
            1.10,
        ));
        for flavour in ["plain"].into_iter().chain(FLAVOURS) {
            let lb = results.case(group, flavour, "loopbridge");
            let native = results.case(group, flavour, "native");
            let case = format!("{group} {flavour}");
            match (native, lb) {
                (Some(_), Some(_)) => {
                    tally.add(ratio_row(&mut rows, &case, native, lb, "≤ 1.10×", 1.10))
                }
                (None, Some(l)) => {
                    let _ = writeln!(
                        rows,
                        "| {case} | (no native API) | {} | | | {} | ≤ 5 ns | |",
                        ns(l.median),
                        range(l)
                    );
                }
                _ => {}
            }
            detection.add(lb.map(|l| l.median <= 5.0));
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
    values.extend([
        ("time_ops_rows", rows),
        ("time_ops_verdict", tally.summary()),
        ("detection_verdict", detection.summary()),
        ("detection_floor_verdict", at_floor.summary()),
    ]);
}

/// `JoinSet` spawn + join against tokio's `JoinSet` (a target on tokio) or a `FuturesUnordered`
/// of native handles (reference only); `CancellationToken` against tokio-util's.
fn structured(results: &Results, values: &mut Values) {
    let mut rows = String::new();
    let mut join_set = Tally::default();
    for flavour in FLAVOURS {
        let case = format!("join_set_100 {flavour}");
        let native = results.case("join_set_100", flavour, "native");
        let lb = results.case("join_set_100", flavour, "loopbridge");
        if flavour.starts_with("tokio") {
            join_set.add(ratio_row(&mut rows, &case, native, lb, "≤ 1.10×", 1.10));
        } else {
            let _ = ratio_row(&mut rows, &case, native, lb, "reference", f64::INFINITY);
        }
    }
    let mut token = Tally::default();
    token.add(ratio_row(
        &mut rows,
        "cancellation_token",
        results.case("cancellation_token", "plain_thread", "tokio_util"),
        results.case("cancellation_token", "plain_thread", "loopbridge"),
        "≤ 1.10×",
        1.10,
    ));
    values.extend([
        ("structured_rows", rows),
        ("join_set_verdict", join_set.summary()),
        ("token_verdict", token.summary()),
    ]);
}

/// `loopbridge::net` against each backend's native sockets: the echo round trip (a target),
/// connection setup (reference), and, under tokio multi-thread, both against async-net (a
/// second reactor, what portable crates use on tokio today); then the throughput (a target).
fn net(results: &Results, values: &mut Values) {
    let mut rows = String::new();
    let mut echo = Tally::default();
    for group in ["echo_1b", "connect_accept"] {
        for flavour in FLAVOURS {
            let case = format!("{group} {flavour}");
            let native = results.case(group, flavour, "native");
            let lb = results.case(group, flavour, "loopbridge");
            if group == "echo_1b" {
                echo.add(ratio_row(&mut rows, &case, native, lb, "≤ 1.05×", 1.05));
            } else {
                let _ = ratio_row(&mut rows, &case, native, lb, "reference", f64::INFINITY);
            }
        }
        let _ = ratio_row(
            &mut rows,
            &format!("{group} tokio_mt against async-net (a second reactor)"),
            results.case(group, "tokio_mt", "async_net"),
            results.case(group, "tokio_mt", "loopbridge"),
            "reference",
            f64::INFINITY,
        );
    }
    // 64 MiB per iteration: MiB/s from the time per iteration (ns).
    let mib_s = |s: Stat| format!("{:.0}", 64.0 * 1e9 / s.median);
    let mut throughput_rows = String::new();
    let mut throughput = Tally::default();
    for flavour in FLAVOURS {
        let native = results.case("throughput_64mib", flavour, "native");
        let lb = results.case("throughput_64mib", flavour, "loopbridge");
        match native.zip(lb) {
            Some((n, l)) => {
                let ratio = n.median / l.median;
                let met = ratio >= 0.95;
                throughput.add(Some(met));
                let rounds = n.round_values(&l, |n, l| n / l);
                let _ = writeln!(
                    throughput_rows,
                    "| {flavour} | {} | {} | {ratio:.2}× | {} | {} |",
                    mib_s(n),
                    mib_s(l),
                    n.per_round(&l, |n, l| n / l),
                    firm_verdict(met, &rounds, |r| r >= 0.95)
                );
            }
            None => {
                throughput.add(None);
                let _ = writeln!(throughput_rows, "| {flavour} | — | — | — | | not measured |");
            }
        }
    }
    if let (Some(a), Some(l)) = (
        results.case("throughput_64mib", "tokio_mt", "async_net"),
        results.case("throughput_64mib", "tokio_mt", "loopbridge"),
    ) {
        let _ = writeln!(
            throughput_rows,
            "| tokio_mt, async-net in place of tokio::net | {} | {} | {:.2}× | {} | (reference) |",
            mib_s(a),
            mib_s(l),
            a.median / l.median,
            a.per_round(&l, |a, l| a / l),
        );
    }
    values.extend([
        ("net_rows", rows),
        ("net_throughput_rows", throughput_rows),
        ("net_echo_verdict", echo.summary()),
        ("net_throughput_verdict", throughput.summary()),
    ]);
}

/// Operations per second from a time per iteration (ns) of `per_iteration` operations.
fn rate(per_iteration: f64, stat: Stat) -> String {
    let per_second = per_iteration * 1e9 / stat.median;
    if per_second >= 1e6 {
        format!("{:.2}M", per_second / 1e6)
    } else if per_second >= 1e3 {
        format!("{:.1}k", per_second / 1e3)
    } else {
        format!("{per_second:.0}")
    }
}

/// A row of a throughput table, `| case | flavour | reference | reference ops/s | measured
/// ops/s | throughput ratio | ratio per round | verdict |`, whose target is a throughput ratio
/// (reference time / measured time) of at least `limit`; an infinite limit marks a row shown
/// for reference, with no target.
fn throughput_row(
    out: &mut String,
    (case, flavour, reference_name): (&str, &str, &str),
    reference: Option<Stat>,
    measured: Option<Stat>,
    per_iteration: f64,
    limit: f64,
) -> Option<bool> {
    let Some((reference, measured)) = reference.zip(measured) else {
        let _ =
            writeln!(out, "| {case} | {flavour} | {reference_name} | — | — | — | | not measured |");
        return None;
    };
    let ratio = reference.median / measured.median;
    let met = ratio >= limit;
    let rounds = reference.round_values(&measured, |r, m| r / m);
    let shown = if limit.is_finite() {
        firm_verdict(met, &rounds, |r| r >= limit)
    } else {
        "(reference)".to_owned()
    };
    let _ = writeln!(
        out,
        "| {case} | {flavour} | {reference_name} | {} | {} | {ratio:.2}× | {} | {shown} |",
        rate(per_iteration, reference),
        rate(per_iteration, measured),
        reference.per_round(&measured, |r, m| r / m),
    );
    Some(met)
}

/// hyper HTTP/1 on loopbridge against hyper-util on tokio (every flavour against tokio
/// multi-thread, tokio current-thread also against current-thread), with hyper on native smol
/// and async-std for reference; and tinykv on every flavour against redis-rs on tokio
/// multi-thread and on smol.
fn protocols(results: &Results, values: &mut Values) {
    let mut http_rows = String::new();
    let mut http = Tally::default();
    for (group, case) in [("http1_c1", "1 connection"), ("http1_c16", "16 connections")] {
        for flavour in FLAVOURS {
            let lb = results.case(group, flavour, "loopbridge");
            let mt = results.case(group, "tokio_mt", "native");
            http.add(throughput_row(
                &mut http_rows,
                (case, flavour, "hyper-util, tokio_mt"),
                mt,
                lb,
                1.0,
                0.9,
            ));
            let own = results.case(group, flavour, "native");
            match flavour {
                "tokio_mt" => {}
                "tokio_ct" => http.add(throughput_row(
                    &mut http_rows,
                    (case, flavour, "hyper-util, tokio_ct"),
                    own,
                    lb,
                    1.0,
                    0.9,
                )),
                _ => {
                    let _ = throughput_row(
                        &mut http_rows,
                        (case, flavour, &format!("hyper on native {flavour}")),
                        own,
                        lb,
                        1.0,
                        f64::INFINITY,
                    );
                }
            }
        }
    }
    let mut redis_rows = String::new();
    let mut redis = Tally::default();
    for (group, case, per_iteration) in [
        ("redis_pipeline_10k_set", "pipelined SET ×10k", 10_000.0),
        ("redis_sequential_1k_get", "sequential GET ×1k", 1_000.0),
    ] {
        for flavour in FLAVOURS {
            let tinykv = results.case(group, flavour, "tinykv");
            for reference in ["tokio_mt", "smol"] {
                redis.add(throughput_row(
                    &mut redis_rows,
                    (case, flavour, &format!("redis-rs, {reference}")),
                    results.case(group, reference, "redis_rs"),
                    tinykv,
                    per_iteration,
                    0.9,
                ));
            }
        }
    }
    values.extend([
        ("http_rows", http_rows),
        ("redis_rows", redis_rows),
        ("http_verdict", http.summary()),
        ("redis_verdict", redis.summary()),
    ]);
}
