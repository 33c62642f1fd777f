//! `cargo xtask bench`: runs every benchmark of `benches/`, then writes the report of issue 5's
//! targets — medians, ratios against the native runtime, min/max, met or not — into
//! `docs/performance.md`, between the markers that delimit the generated part.
//!
//! The timed benches run in rounds (3 for a full run), each round a fresh process of every
//! bench binary, and each case's median is the median over the rounds (see `results`).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::Result;
use crate::cmd::{Cmd, format_duration, workspace_root};

mod results;

use results::{MAX_ROUNDS, Results, Stat, round_dir};

/// The bench binaries, in the order they run, with what each measures.
const BENCHES: &[(&str, &str)] = &[
    ("spawn", "spawn + await inside the runtime, native / loopbridge / peers"),
    ("block_on", "block_on of a ready and a once-yielding future from a plain thread"),
    ("time_ops", "sleep(ZERO), timeout of a ready future, current(), in_async_context()"),
    ("to_thread", "to_thread round trip from async, pinned to CPU 0"),
    ("round_trip", "runner cross-thread round trip, pinned and split, park/unpark floor"),
    ("concurrent", "1, 4, 16 sync callers of block_on on one runtime, pinned"),
    ("allocations", "heap allocations per spawn and per block_on (counting allocator)"),
    ("idle", "CPU time over 2 s idle and RSS per extra runner"),
];

/// The flavours, in report order.
const FLAVOURS: [&str; 4] = ["tokio_mt", "tokio_ct", "smol", "async_std"];

/// The peers of the spawn bench.
const PEERS: [&str; 4] = ["async_executors", "agnostic_lite", "spawns", "async_rs"];

const BEGIN: &str = "<!-- cargo xtask bench: generated from here -->";
const END: &str = "<!-- cargo xtask bench: generated up to here -->";

/// Prints `cargo xtask bench --help`.
pub(crate) fn print_help() {
    println!("cargo xtask bench: run the benchmarks and write docs/performance.md");
    println!();
    println!("USAGE:");
    println!(
        "    cargo xtask bench [--quick] [--rounds N] [--bench NAME]... [--filter REGEX] [--output PATH]"
    );
    println!();
    println!("OPTIONS:");
    println!("    --quick          a smoke run: 0.1 s warm-up and 0.3 s measurement per case");
    println!("                     (about 2 minutes); the report goes to target/ unless --output");
    println!(
        "    --rounds N       run the timed benches N times, each a fresh process, and report"
    );
    println!("                     the median over the rounds (default: 3 for a full run with");
    println!("                     1 s of measurement per case, 1 for a partial or quick run)");
    println!("    --bench NAME     run only this bench binary (repeatable); report as --quick");
    println!("    --filter REGEX   pass REGEX to criterion (cases `GROUP/FLAVOUR/IMPL`)");
    println!("    --output PATH    where to write the report (default: docs/performance.md for a");
    println!("                     full run, target/loopbridge-bench/performance.md otherwise)");
    println!("    --report-only    do not run anything; rewrite the report from the last results");
    println!("    -h, --help       print this help");
    println!();
    println!("BENCHES (in order; the full suite takes about 15-20 minutes on 2 CPUs):");
    for (name, what) in BENCHES {
        println!("    {name:<12} {what}");
    }
    println!();
    println!("Run it on a quiet machine: the report records the load average before and after.");
}

#[derive(Debug, Default)]
struct Options {
    help: bool,
    quick: bool,
    report_only: bool,
    benches: Vec<String>,
    filter: Option<String>,
    output: Option<PathBuf>,
    rounds: Option<usize>,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut options = Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next().cloned().ok_or_else(|| format!("`{flag}` needs a value; see --help"))
        };
        match arg.as_str() {
            "-h" | "--help" => options.help = true,
            "--quick" => options.quick = true,
            "--report-only" => options.report_only = true,
            "--bench" => {
                let name = value("--bench")?;
                if !BENCHES.iter().any(|(bench, _)| *bench == name) {
                    let names: Vec<&str> = BENCHES.iter().map(|(n, _)| *n).collect();
                    return Err(format!(
                        "unknown bench `{name}`; benches are: {}",
                        names.join(", ")
                    )
                    .into());
                }
                options.benches.push(name);
            }
            "--filter" => options.filter = Some(value("--filter")?),
            "--output" => options.output = Some(PathBuf::from(value("--output")?)),
            "--rounds" => {
                let rounds = value("--rounds")?;
                match rounds.parse::<usize>() {
                    Ok(n) if (1..=MAX_ROUNDS).contains(&n) => options.rounds = Some(n),
                    _ => {
                        return Err(format!(
                            "`--rounds {rounds}`: give a number from 1 to {MAX_ROUNDS}"
                        )
                        .into());
                    }
                }
            }
            other => {
                return Err(format!(
                    "unexpected argument `{other}`; see `cargo xtask bench --help`"
                )
                .into());
            }
        }
    }
    Ok(options)
}

/// Runs `cargo xtask bench` with the arguments after `bench`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let options = parse_args(args)?;
    if options.help {
        print_help();
        return Ok(());
    }
    let root = workspace_root();
    let criterion_home = root.join("target/criterion");
    let results_dir = root.join("target/loopbridge-bench");
    let partial = options.quick || !options.benches.is_empty() || options.filter.is_some();
    let output = options.output.clone().unwrap_or_else(|| {
        if partial { results_dir.join("performance.md") } else { root.join("docs/performance.md") }
    });

    let rounds = options.rounds.unwrap_or(if partial { 1 } else { 3 });

    let load_before = load_average();
    let start = Instant::now();
    if !options.report_only {
        run_benches(&options, &criterion_home, &results_dir, partial, rounds)?;
    }
    let load_after = load_average();

    let results = Results::read(&criterion_home, &results_dir);
    let mut command = String::from("cargo xtask bench");
    if options.quick {
        command.push_str(" --quick");
    }
    if options.rounds.is_some() {
        let _ = write!(command, " --rounds {rounds}");
    }
    for bench in &options.benches {
        let _ = write!(command, " --bench {bench}");
    }
    if let Some(filter) = &options.filter {
        let _ = write!(command, " --filter '{filter}'");
    }
    let context = Context { command, load_before, load_after, took: start.elapsed(), partial };
    let report = report(&results, &context);
    write_report(&output, &report)?;
    println!();
    println!("==> report written to {}", output.display());
    println!("xtask: bench finished in {}", format_duration(start.elapsed()));
    Ok(())
}

/// The benches that run once whatever the rounds: they count (allocations) or read `/proc`
/// (idle) instead of comparing timings.
const RUN_ONCE: [&str; 2] = ["allocations", "idle"];

fn run_benches(
    options: &Options,
    criterion_home: &Path,
    results_dir: &Path,
    partial: bool,
    rounds: usize,
) -> Result<()> {
    if !partial {
        // A full run starts clean, so the report cannot mix in a case of an older run.
        let _ = fs::remove_dir_all(criterion_home);
        let _ = fs::remove_dir_all(results_dir);
    }
    Results::record_rounds(results_dir, rounds)?;
    println!("==> building the benches");
    Cmd::cargo().split_args("bench -p loopbridge-benches --no-run").run()?;
    let selected: Vec<&(&str, &str)> = BENCHES
        .iter()
        .filter(|(name, _)| options.benches.is_empty() || options.benches.iter().any(|b| b == name))
        .collect();
    let n = selected.len();
    for round in 1..=rounds {
        for (index, (name, what)) in selected.iter().enumerate() {
            if round > 1 && RUN_ONCE.contains(name) {
                continue;
            }
            let step = if rounds > 1 {
                format!("round {round}/{rounds}, {}/{n}", index + 1)
            } else {
                format!("{}/{n}", index + 1)
            };
            println!();
            println!("==> [{step}] {name}: {what}");
            let mut cmd = Cmd::cargo()
                .split_args("bench -p loopbridge-benches --bench")
                .args([*name])
                .env("CRITERION_HOME", &round_dir(criterion_home, round).display().to_string())
                .env("LOOPBRIDGE_BENCH_OUT", &results_dir.display().to_string())
                .args(["--"]);
            if options.quick {
                cmd = cmd.split_args("--warm-up-time 0.1 --measurement-time 0.3");
            } else if rounds > 1 {
                // The rounds share the samples: about as long as one round of 2 s per case.
                cmd = cmd.split_args("--measurement-time 1");
            }
            if let Some(filter) = &options.filter {
                cmd = cmd.args([filter.as_str()]);
            }
            let took = cmd.run()?;
            println!("==> [{step}] {name} done in {}", format_duration(took));
        }
    }
    Ok(())
}

/// The one-minute load average, as `/proc/loadavg` gives it.
fn load_average() -> Option<String> {
    let text = fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_owned)
}

/// How the report was made.
struct Context {
    command: String,
    load_before: Option<String>,
    load_after: Option<String>,
    took: std::time::Duration,
    partial: bool,
}

/// A target's verdict.
fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "**met**",
        Some(false) => "**not met**",
        None => "not measured",
    }
}

fn ns(value: f64) -> String {
    if value.is_nan() {
        "—".to_owned()
    } else if value < 1_000.0 {
        format!("{value:.1} ns")
    } else if value < 1_000_000.0 {
        format!("{:.2} µs", value / 1_000.0)
    } else {
        format!("{:.2} ms", value / 1_000_000.0)
    }
}

fn range(stat: Stat) -> String {
    format!("{}–{}", ns(stat.min), ns(stat.max))
}

/// A table row comparing loopbridge with native: `| case | native | loopbridge | ratio | min–max | target | verdict |`.
fn ratio_row(
    out: &mut String,
    case: &str,
    native: Option<Stat>,
    loopbridge: Option<Stat>,
    target: &str,
    limit: f64,
) -> Option<bool> {
    let (Some(native), Some(lb)) = (native, loopbridge) else {
        let _ = writeln!(out, "| {case} | — | — | — | | — | {target} | not measured |");
        return None;
    };
    let ratio = lb.median / native.median;
    let met = ratio <= limit;
    let _ = writeln!(
        out,
        "| {case} | {} | {} | {ratio:.2}× | {} | {} / {} | {target} | {} |",
        ns(native.median),
        ns(lb.median),
        lb.per_round(&native, |l, n| l / n),
        range(native),
        range(lb),
        verdict(Some(met)),
    );
    Some(met)
}

const RATIO_HEADER: &str = "| case | native (median) | loopbridge (median) | ratio | ratio per round | min–max native / loopbridge | target | verdict |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n";

/// Tallies the verdicts of one target.
#[derive(Default)]
struct Tally {
    met: usize,
    missed: usize,
    absent: usize,
}

impl Tally {
    fn add(&mut self, met: Option<bool>) {
        match met {
            Some(true) => self.met += 1,
            Some(false) => self.missed += 1,
            None => self.absent += 1,
        }
    }

    fn summary(&self) -> String {
        let total = self.met + self.missed + self.absent;
        let verdict = if self.absent == total {
            "not measured"
        } else if self.missed == 0 && self.absent == 0 {
            "**met**"
        } else if self.met == 0 {
            "**not met**"
        } else {
            "**partly met**"
        };
        format!("{verdict} ({} of {total} cases)", self.met)
    }
}

fn report(results: &Results, context: &Context) -> String {
    let mut out = String::new();
    let mut summary: Vec<(&str, String)> = Vec::new();
    // The same targets against the floor that any implementation of the contract pays.
    let mut floors: Vec<(&str, String)> = Vec::new();
    let _ = writeln!(out, "{BEGIN}");
    let _ = writeln!(out);
    let _ = writeln!(out, "## Machine and run");
    let _ = writeln!(out);
    let _ = writeln!(out, "- Reproduce: `{}`", context.command);
    let _ = writeln!(out, "- Machine: {}", machine());
    let _ = writeln!(
        out,
        "- Load average (1 min) before / after: {} / {}; the suite took {}.",
        context.load_before.as_deref().unwrap_or("?"),
        context.load_after.as_deref().unwrap_or("?"),
        format_duration(context.took)
    );
    if context.partial {
        let _ =
            writeln!(out, "- **Partial or quick run**: a smoke test, not the published numbers.");
    }
    let _ = writeln!(
        out,
        "- Medians of criterion's samples; min–max are the fastest and slowest sample (time per \
         iteration). Ratio = loopbridge / native, both from the same run of the same binary."
    );
    if results.rounds > 1 {
        let _ = writeln!(
            out,
            "- {} rounds: every timed bench binary ran {} times, each a fresh process with 1 s of \
             measurement per case; a case's median is the median of the rounds' medians, its \
             min–max span all rounds, and *ratio per round* gives each round's ratio (the spread \
             is this machine's run-to-run noise). Allocations and idle ran once.",
            results.rounds, results.rounds
        );
    }
    let _ = writeln!(out);

    // 1. spawn + await.
    let _ = writeln!(out, "## Spawn + await inside the runtime (`spawn`)");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Target: ≤ 1.05× native and ≤ every peer. `floor`: native spawn awaited through the \
         least a handle of one's own costs in safe Rust (one shared allocation, one lock to store \
         the result, one per poll of the handle), which a library whose handles behave the same \
         on every runtime cannot go below."
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| flavour | native | loopbridge | ratio | ratio per round | async_executors | agnostic_lite | spawns | async_rs | ≤ 1.05× | ≤ every peer | floor | ratio to floor |"
    );
    let _ = writeln!(
        out,
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
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
        let (ratio, per_round, vs_native, vs_peers) = match (native, lb) {
            (Some(n), Some(l)) => {
                let r = l.median / n.median;
                let beats = peers.iter().flatten().all(|p| l.median <= p.median);
                (format!("{r:.2}×"), l.per_round(&n, |l, n| l / n), Some(r <= 1.05), Some(beats))
            }
            _ => ("—".to_owned(), String::new(), None, None),
        };
        tally.add(vs_native.zip(vs_peers).map(|(a, b)| a && b));
        let _ = writeln!(
            out,
            "| {flavour} | {} | {} | {ratio} | {per_round} | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(native),
            cell(lb),
            cell(peers[0]),
            cell(peers[1]),
            cell(peers[2]),
            cell(peers[3]),
            verdict(vs_native),
            verdict(vs_peers),
            cell(floor),
            to_floor.map_or("—".to_owned(), |r| format!("{r:.2}×")),
        );
    }
    summary.push(("spawn + await ≤ 1.05× native and ≤ every peer", tally.summary()));
    floors.push((
        "spawn + await ≤ 1.05× native spawn awaited through a handle of one's own",
        at_floor.summary(),
    ));
    let _ = writeln!(out);
    let _ = writeln!(out, "Fastest–slowest sample (native / loopbridge):");
    for flavour in FLAVOURS {
        if let (Some(n), Some(l)) = (
            results.case("spawn_await", flavour, "native"),
            results.case("spawn_await", flavour, "loopbridge"),
        ) {
            let _ = writeln!(out, "{flavour} {} / {};", range(n), range(l));
        }
    }
    let _ = writeln!(out);

    // 2. allocations.
    let _ = writeln!(out, "## Heap allocations per operation (`allocations`)");
    let _ = writeln!(out);
    let _ = writeln!(out, "Target: ≤ native + 1 per spawn.");
    let _ = writeln!(out);
    let _ = writeln!(out, "| operation | flavour | native | loopbridge | verdict |");
    let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
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
                out,
                "| {operation} | {flavour} | {} | {} | {shown} |",
                cell(native),
                cell(lb)
            );
        }
    }
    summary.push(("allocations per spawn ≤ native + 1", tally.summary()));
    let _ = writeln!(out);

    // 3. block_on.
    let _ = writeln!(out, "## `block_on` from a plain thread (`block_on`)");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Target: ≤ 1.10× the backend's own persistent block_on. `loopbridge` is the free \
         function on the global runner of the flavour; `loopbridge_bridge` a held `Bridge`. In \
         the rows *against the floor* the first column is the floor: native `block_on` after \
         asking tokio and async-std whether they own the thread, the least a library must do \
         before it blocks a thread (to refuse where that would stall a runtime)."
    );
    let _ = writeln!(out);
    out.push_str(RATIO_HEADER);
    let mut tally = Tally::default();
    let mut at_floor = Tally::default();
    for group in ["block_on_ready", "block_on_yield"] {
        for flavour in FLAVOURS {
            let native = results.case(group, flavour, "native");
            let met = ratio_row(
                &mut out,
                &format!("{group} {flavour}"),
                native,
                results.case(group, flavour, "loopbridge"),
                "≤ 1.10×",
                1.10,
            );
            tally.add(met);
            let _ = ratio_row(
                &mut out,
                &format!("{group} {flavour} (Bridge)"),
                native,
                results.case(group, flavour, "loopbridge_bridge"),
                "≤ 1.10×",
                1.10,
            );
            at_floor.add(ratio_row(
                &mut out,
                &format!("{group} {flavour} against the floor"),
                results.case(group, flavour, "floor"),
                results.case(group, flavour, "loopbridge"),
                "≤ 1.10× floor",
                1.10,
            ));
        }
    }
    summary.push(("block_on (ready, yielding) ≤ 1.10× native", tally.summary()));
    floors.push((
        "block_on (ready, yielding) ≤ 1.10× native after the runtime checks",
        at_floor.summary(),
    ));
    let _ = writeln!(out);

    // 4. runtime per call.
    let _ =
        writeln!(out, "## `block_on` versus a runtime per call (`block_on`, `runtime_per_call`)");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| runtime per call | its time | loopbridge global block_on(ready) | faster by | target | verdict |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
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
                    out,
                    "| tokio {flavour} build + block_on + drop | {} | {} | {factor:.0}× | ≥ {limit:.0}× | {} |",
                    ns(p.median),
                    ns(l.median),
                    verdict(Some(met))
                );
            }
            None => {
                tally.add(None);
                let _ = writeln!(
                    out,
                    "| tokio {flavour} build + block_on + drop | — | — | — | ≥ {limit:.0}× | not measured |"
                );
            }
        }
    }
    summary.push(("≥ 500× / ≥ 50× faster than a runtime per call", tally.summary()));
    let _ = writeln!(out);

    // 5. round trip.
    let _ = writeln!(out, "## Runner cross-thread round trip (`round_trip`)");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Target: ≤ 1.0× the best native pattern; stretch: ≤ 2× the park/unpark floor. \
         `pinned`: every thread on CPU 0 (software cost); `split`: runtime threads on CPU 1, \
         caller on CPU 0 (dominated by the cross-CPU wake-up)."
    );
    let _ = writeln!(out);
    out.push_str(RATIO_HEADER);
    let mut tally = Tally::default();
    let mut stretch = Tally::default();
    for group in ["round_trip_pinned", "round_trip_split"] {
        let floor = results.case(group, "floor", "park_unpark");
        for flavour in FLAVOURS {
            let met = ratio_row(
                &mut out,
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
                out,
                "| {group} floor: park/unpark ping-pong | {} | | | | {} | | |",
                ns(floor.median),
                range(floor)
            );
        }
    }
    summary.push(("runner round trip ≤ 1.0× native", tally.summary()));
    summary.push(("stretch: round trip ≤ 2× the park/unpark floor", stretch.summary()));
    let _ = writeln!(out);

    // 6. to_thread.
    let _ = writeln!(out, "## `to_thread` round trip from async (`to_thread`)");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Target: ≤ 1.10× (tokio `spawn_blocking`, `blocking::unblock`, async-std `spawn_blocking`), every thread on CPU 0."
    );
    let _ = writeln!(out);
    out.push_str(RATIO_HEADER);
    let mut tally = Tally::default();
    for flavour in FLAVOURS {
        tally.add(ratio_row(
            &mut out,
            &format!("to_thread {flavour}"),
            results.case("to_thread_pinned", flavour, "native"),
            results.case("to_thread_pinned", flavour, "loopbridge"),
            "≤ 1.10×",
            1.10,
        ));
    }
    summary.push(("to_thread ≤ 1.10× native", tally.summary()));
    let _ = writeln!(out);

    // 7. concurrent callers.
    let _ = writeln!(out, "## Concurrent sync callers of `block_on` on one runtime (`concurrent`)");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Target: throughput ≥ 0.9× native at 1, 4 and 16 callers (each call spawns a trivial task and awaits it; every thread on CPU 0)."
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| callers | flavour | native ops/s | loopbridge ops/s | throughput ratio | ratio per round | verdict |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |");
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
                    let _ = writeln!(
                        out,
                        "| {callers} | {flavour} | {} | {} | {ratio:.2}× | {} | {} |",
                        ops(n),
                        ops(l),
                        n.per_round(&l, |n, l| n / l),
                        verdict(Some(met))
                    );
                }
                None => {
                    tally.add(None);
                    let _ = writeln!(out, "| {callers} | {flavour} | — | — | — | | not measured |");
                }
            }
        }
    }
    summary.push(("concurrent callers: throughput ≥ 0.9× native", tally.summary()));
    let _ = writeln!(out);

    // 8. idle.
    let _ = writeln!(out, "## Idle runner (`idle`)");
    let _ = writeln!(out);
    let _ = writeln!(out, "Target: < 1 ms CPU over 2 s idle; RSS per extra runner ≤ 2 MiB.");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| flavour | CPU over 2 s idle (whole process) | context switches | RSS per extra runner | verdict |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
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
            out,
            "| {flavour} | {} | {} | {} | {} |",
            show(cpu, " µs"),
            show(switches, ""),
            show(rss, " KiB"),
            verdict(met)
        );
    }
    summary.push(("idle runner < 1 ms CPU / 2 s, ≤ 2 MiB RSS", tally.summary()));
    let _ = writeln!(out);

    // 9. small operations.
    let _ = writeln!(out, "## Small operations inside a task (`time_ops`)");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Target: ≤ 1.10× native; detection ≤ 5 ns. `sleep(ZERO)` is one yield in loopbridge, so \
         native is the runtime's `yield_now` (its own `sleep(ZERO)` is listed for reference); \
         smol has no `timeout` (native: `or` with an `async_io::Timer` made with it, so that both fix the deadline when the timeout is made) and no detection API. On a plain thread, `native` is tokio's `Handle::try_current` alone, while loopbridge must ask every compiled-in runtime; the rows *against the floor* compare with asking tokio and async-std (first column)."
    );
    let _ = writeln!(out);
    out.push_str(RATIO_HEADER);
    let mut tally = Tally::default();
    for group in ["sleep_zero", "timeout_ready"] {
        for flavour in FLAVOURS {
            tally.add(ratio_row(
                &mut out,
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
                out,
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
            &mut out,
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
                    tally.add(ratio_row(&mut out, &case, native, lb, "≤ 1.10×", 1.10))
                }
                (None, Some(l)) => {
                    let _ = writeln!(
                        out,
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
            out,
            "| global runner's fork check alone (forkguard) | | {} | | | {} | (reference) | |",
            ns(s.median),
            range(s)
        );
    }
    summary.push((
        "sleep(ZERO), timeout(ready), current(), in_async_context() ≤ 1.10× native",
        tally.summary(),
    ));
    summary.push(("detection (current, in_async_context) ≤ 5 ns", detection.summary()));
    floors.push((
        "current(), in_async_context() on a plain thread ≤ 1.10× asking tokio and async-std",
        at_floor.summary(),
    ));
    let _ = writeln!(out);

    // Summary first.
    let mut head = String::new();
    let _ = writeln!(head, "## Targets of issue 5");
    let _ = writeln!(head);
    let _ = writeln!(head, "| target | verdict |");
    let _ = writeln!(head, "| --- | --- |");
    for (target, verdict) in &summary {
        let _ = writeln!(head, "| {target} | {verdict} |");
    }
    let _ = writeln!(head);
    let _ = writeln!(
        head,
        "Three targets compare with a native call that does less than the contract asks; \
         measured against the least that any implementation of the contract pays (the `floor` \
         rows, explained in each section):"
    );
    let _ = writeln!(head);
    let _ = writeln!(head, "| the same target, against its floor | verdict |");
    let _ = writeln!(head, "| --- | --- |");
    for (target, verdict) in &floors {
        let _ = writeln!(head, "| {target} | {verdict} |");
    }
    let _ = writeln!(head);
    let split = out.find("## Spawn").unwrap_or(out.len());
    out.insert_str(split, &head);
    let _ = writeln!(out, "{END}");
    out
}

/// CPU model and count, memory, kernel and compiler, as far as this machine tells.
fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let kib: f64 = info
                .lines()
                .find(|l| l.starts_with("MemTotal"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some(format!("{:.0} GiB", kib / 1024.0 / 1024.0))
        })
        .unwrap_or_else(|| "? GiB".to_owned());
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "?".to_owned(), |k| k.trim().to_owned());
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "rustc ?".to_owned(), |v| v.trim().to_owned());
    format!("{cpus} × {cpu}, {memory}, Linux {kernel}, {rustc}")
}

/// Writes `generated` into `path` between the markers, keeping the hand-written text around
/// them (a file without markers gets them appended).
fn write_report(path: &Path, generated: &str) -> Result<()> {
    let existing = fs::read_to_string(path).unwrap_or_default();
    let text = match (existing.find(BEGIN), existing.find(END)) {
        (Some(begin), Some(end)) if begin < end => {
            format!(
                "{}{}{}",
                &existing[..begin],
                generated.trim_end_matches('\n'),
                &existing[end + END.len()..]
            )
        }
        _ if existing.is_empty() => format!("# Performance\n\n{generated}"),
        _ => format!("{}\n{generated}", existing.trim_end()),
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_durations() {
        assert_eq!(ns(12.34), "12.3 ns");
        assert_eq!(ns(12_340.0), "12.34 µs");
        assert_eq!(ns(1_234_000.0), "1.23 ms");
    }

    #[test]
    fn keeps_the_text_around_the_markers() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        let path = dir.join("performance.md");
        fs::create_dir_all(&dir).unwrap();
        fs::write(&path, format!("intro\n{BEGIN}\nold\n{END}\noutro\n")).unwrap();
        write_report(&path, &format!("{BEGIN}\nnew\n{END}\n")).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            format!("intro\n{BEGIN}\nnew\n{END}\noutro\n")
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn options() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let o = parse_args(&args(&["--quick", "--bench", "spawn", "--filter", "smol"])).unwrap();
        assert!(o.quick && o.benches == ["spawn"] && o.filter.as_deref() == Some("smol"));
        assert!(parse_args(&args(&["--bench", "nope"])).is_err());
        assert!(parse_args(&args(&["--output"])).is_err());
    }
}
