//! `cargo xtask bench`: runs every benchmark of `benches/`, then writes the report of the
//! performance targets — medians, ratios against the native runtime, min/max, met or not — into
//! `docs/performance.md`, between the markers that delimit the generated part.
//!
//! The timed benches run in rounds (3 for a full run), each round a fresh process of every
//! bench binary, and each case's median is the median over the rounds. The report itself —
//! reading criterion's JSON, the tables, the verdicts — is the `bench-report` binary of the
//! benches package (`benches/report/`), which has serde; xtask stays free of dependencies.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::Result;
use crate::cmd::{Cmd, format_duration, workspace_root};
use crate::redis::{ADDR_VAR, RedisServer};

mod instructions;

/// The most rounds a run makes.
const MAX_ROUNDS: usize = 9;

/// The file, in the results directory, that says how many rounds the last run made, for
/// `bench-report`.
const ROUNDS_FILE: &str = "rounds";

/// `bench-report`, in the profile of the benches, so that it shares their dependencies' build.
const BENCH_REPORT: &str = "run -q -p loopbridge-benches --profile bench --bin bench-report --";

/// The bench binaries, in the order they run, with what each measures.
const BENCHES: &[(&str, &str)] = &[
    ("spawn", "spawn + await inside the runtime, native / loopbridge / peers"),
    ("block_on", "block_on of a ready and a once-yielding future from a plain thread"),
    ("time_ops", "sleep(ZERO), timeout of a ready future, current(), in_async_context()"),
    ("to_thread", "to_thread round trip from async, pinned to CPU 0"),
    ("round_trip", "runner cross-thread round trip, pinned and split, park/unpark floor"),
    ("concurrent", "1, 4, 16 sync callers of block_on on one runtime, pinned"),
    ("allocations", "heap allocations per spawn and per block_on (counting allocator)"),
    ("structured", "JoinSet spawn + join, try_join_next drain, CancellationToken rows"),
    ("net", "loopback TCP: 1-byte echo, 64 MiB one way, connect + accept; pinned"),
    ("protocols", "hyper HTTP/1 (1, 16 connections), Redis vs redis-rs (starts redis-server)"),
    ("idle", "CPU time over 2 s idle and RSS per extra runner"),
    ("paused", "10,000 random virtual sleeps vs tokio's paused clock; bytes per virtual timer"),
];

/// Prints `cargo xtask bench --help`.
pub(crate) fn print_help() {
    println!("cargo xtask bench: run the benchmarks and write docs/performance.md");
    println!();
    println!("USAGE:");
    println!(
        "    cargo xtask bench [--quick] [--rounds N] [--bench NAME]... [--filter REGEX] [--output PATH]"
    );
    println!("    cargo xtask bench --instructions [--output PATH]");
    println!();
    println!("OPTIONS:");
    println!("    --quick          a smoke run: 0.1 s warm-up and 0.3 s measurement per case");
    println!("                     (about 3 minutes); the report goes to target/ unless --output");
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
    println!("    --instructions   instead: instruction counts per operation of the ns-scale rows");
    println!("                     under valgrind's callgrind (about 3 minutes), native and");
    println!("                     loopbridge side by side, into docs/performance.md's");
    println!("                     instructions table (or --output PATH)");
    println!("    -h, --help       print this help");
    println!();
    println!("BENCHES (in order; the full suite takes about 25-30 minutes on 2 CPUs):");
    for (name, what) in BENCHES {
        println!("    {name:<12} {what}");
    }
    println!();
    println!("REDIS:");
    println!(
        "    `protocols` measures tinykv and redis-rs against a redis-server: xtask starts one"
    );
    println!("    on a free 127.0.0.1 port for the run (as `cargo xtask test` does; log in");
    println!("    target/xtask-redis/) and passes its address as {ADDR_VAR}; with {ADDR_VAR}");
    println!("    already set, that server is used. Run alone, the bench binary's Redis groups");
    println!("    fail unless {ADDR_VAR} is set.");
    println!();
    println!("Run it on a quiet machine: the report records the load average before and after.");
}

#[derive(Debug, Default)]
struct Options {
    help: bool,
    instructions: bool,
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
            "--instructions" => options.instructions = true,
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
    if options.instructions {
        return instructions::run(options.output.as_deref());
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
    let took = format_duration(start.elapsed());
    let mut report = Cmd::cargo().split_args(BENCH_REPORT).args([
        "--criterion",
        &criterion_home.display().to_string(),
        "--results",
        &results_dir.display().to_string(),
        "--output",
        &output.display().to_string(),
        "--command",
        &command,
        "--took",
        &took,
    ]);
    for (flag, load) in [("--load-before", load_before), ("--load-after", load_after)] {
        if let Some(load) = load {
            report = report.args([flag.to_owned(), load]);
        }
    }
    if partial {
        report = report.args(["--partial"]);
    }
    report.run()?;
    println!();
    println!("==> report written to {}", output.display());
    println!("xtask: bench finished in {}", format_duration(start.elapsed()));
    Ok(())
}

/// The benches that talk to a Redis server, whose address they read from `TINYKV_REDIS_ADDR`.
const NEEDS_REDIS: [&str; 1] = ["protocols"];

/// The features a bench needs beyond the package's defaults (as `--features X` arguments).
const FEATURES: [(&str, &str); 1] = [("paused", "--features=tokio-paused")];

/// The benches that run once whatever the rounds: they count (allocations), read `/proc`
/// (idle), or alternate their own rounds (paused) instead of comparing criterion's timings.
const RUN_ONCE: [&str; 3] = ["allocations", "idle", "paused"];

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
    fs::create_dir_all(results_dir)?;
    fs::write(results_dir.join(ROUNDS_FILE), rounds.to_string())?;
    println!("==> building the benches and bench-report");
    Cmd::cargo().split_args("bench -p loopbridge-benches --no-run").run()?;
    // Built now, so that building it does not weigh on the load average after the run.
    Cmd::cargo()
        .split_args("build -p loopbridge-benches --profile bench --bin bench-report")
        .run()?;
    let selected: Vec<&(&str, &str)> = BENCHES
        .iter()
        .filter(|(name, _)| options.benches.is_empty() || options.benches.iter().any(|b| b == name))
        .collect();
    let n = selected.len();
    // One server for the whole run (every round), stopped when this function returns.
    let redis = if selected.iter().any(|(name, _)| NEEDS_REDIS.contains(name)) {
        Some(RedisServer::start_or_reuse()?)
    } else {
        None
    };
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
                .args(FEATURES.iter().filter(|(bench, _)| bench == name).map(|(_, f)| *f))
                .env(
                    "CRITERION_HOME",
                    &criterion_home.join(format!("round-{round}")).display().to_string(),
                )
                .env("LOOPBRIDGE_BENCH_OUT", &results_dir.display().to_string())
                .args(["--"]);
            if let Some(redis) = redis.as_ref().filter(|_| NEEDS_REDIS.contains(name)) {
                cmd = cmd.env(ADDR_VAR, redis.addr());
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let o = parse_args(&args(&["--quick", "--bench", "spawn", "--filter", "smol"])).unwrap();
        assert!(o.quick && o.benches == ["spawn"] && o.filter.as_deref() == Some("smol"));
        assert!(parse_args(&args(&["--bench", "nope"])).is_err());
        assert!(parse_args(&args(&["--output"])).is_err());
    }
}
