//! Sockets (`net`), and HTTP and Redis clients over them (`protocols`).

use std::fmt::Write as _;

use super::{FLAVOURS, Out};
use crate::cells::{Against, Compared, ratio_row, throughput_row};
use crate::results::{Results, Stat};
use crate::targets::*;
use crate::verdicts::Tally;

/// `loopbridge::net` against each backend's native sockets: the echo round trip (a target),
/// connection setup (reference), and, under tokio multi-thread, both against async-net (a
/// second reactor, what portable crates use on tokio today); then the throughput (a target).
pub(super) fn net(results: &Results, out: &mut Out) {
    let mut rows = String::new();
    let mut echo = Tally::default();
    for group in ["echo_1b", "connect_accept"] {
        for flavour in FLAVOURS {
            let case = format!("{group} {flavour}");
            let native = results.case(group, flavour, "native");
            let lb = results.case(group, flavour, "loopbridge");
            if group == "echo_1b" {
                echo.add(ratio_row(&mut rows, &case, native, lb, Against::Target(NET_ECHO.limit)));
            } else {
                let _ = ratio_row(&mut rows, &case, native, lb, Against::Reference);
            }
        }
        let _ = ratio_row(
            &mut rows,
            &format!("{group} tokio_mt against async-net (a second reactor)"),
            results.case(group, "tokio_mt", "async_net"),
            results.case(group, "tokio_mt", "loopbridge"),
            Against::Reference,
        );
    }
    // 64 MiB per iteration: MiB/s from the time per iteration (ns).
    let mib_s = |s: &Stat| format!("{:.0}", 64.0 * 1e9 / s.median);
    let mut throughput_rows = String::new();
    let mut throughput = Tally::default();
    for flavour in FLAVOURS {
        let native = results.case("throughput_64mib", flavour, "native");
        let lb = results.case("throughput_64mib", flavour, "loopbridge");
        match native.zip(lb) {
            Some((n, l)) => {
                let compared = Compared::new(n, l, Some(NET_THROUGHPUT.limit));
                throughput.add(Some(compared.met));
                let _ = writeln!(
                    throughput_rows,
                    "| {flavour} | {} | {} | {:.2}× | {} | {} |",
                    mib_s(n),
                    mib_s(l),
                    compared.ratio,
                    compared.per_round,
                    compared.shown
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
            a.per_round(l, |a, l| a / l),
        );
    }
    out.values.extend([("net_rows", rows), ("net_throughput_rows", throughput_rows)]);
    out.verdict(NET_ECHO, &echo);
    out.verdict(NET_THROUGHPUT, &throughput);
}

/// hyper HTTP/1 on loopbridge against hyper-util on tokio (every flavour against tokio
/// multi-thread, tokio current-thread also against current-thread), with hyper on native smol
/// and async-std for reference; and tinykv on every flavour against redis-rs on tokio
/// multi-thread and on smol.
pub(super) fn protocols(results: &Results, out: &mut Out) {
    let mut http_rows = String::new();
    let mut http = Tally::default();
    for (group, case) in [("http1_c1", "1 connection"), ("http1_c16", "16 connections")] {
        for flavour in FLAVOURS {
            let lb = results.case(group, flavour, "loopbridge");
            let mt = results.case(group, "tokio_mt", "native");
            http.add(throughput_row(
                &mut http_rows,
                (case, flavour, "hyper-util, tokio_mt"),
                (mt, lb),
                1.0,
                Some(HTTP.limit),
            ));
            let own = results.case(group, flavour, "native");
            match flavour {
                "tokio_mt" => {}
                "tokio_ct" => http.add(throughput_row(
                    &mut http_rows,
                    (case, flavour, "hyper-util, tokio_ct"),
                    (own, lb),
                    1.0,
                    Some(HTTP.limit),
                )),
                _ => {
                    let _ = throughput_row(
                        &mut http_rows,
                        (case, flavour, &format!("hyper on native {flavour}")),
                        (own, lb),
                        1.0,
                        None,
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
                    (results.case(group, reference, "redis_rs"), tinykv),
                    per_iteration,
                    Some(REDIS.limit),
                ));
            }
        }
    }
    out.values.extend([("http_rows", http_rows), ("redis_rows", redis_rows)]);
    out.verdict(HTTP, &http);
    out.verdict(REDIS, &redis);
}
