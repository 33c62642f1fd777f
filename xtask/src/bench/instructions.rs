//! `cargo xtask bench --instructions`: instruction counts per operation of the
//! nanosecond-scale rows, under valgrind's callgrind, native and loopbridge side by side.
//!
//! Wall-clock ratios of operations that take tens of nanoseconds move ±10–30 % between runs
//! on this 2-vCPU VM; instruction counts barely move. The cases are `benches/instructions.rs`
//! (see its docs): each runs under callgrind twice, with [`FEW`] and [`MANY`] operations (a
//! tenth of those for the rounds of a hundred tasks, [`operations`]), and
//! the difference of the two totals over the difference of the counts is the cost of one
//! operation — startup, setup and teardown cancel out, and the work an operation causes on the
//! runtime's other threads is counted (callgrind sums every thread).
//!
//! Why not a harness (gungraun, formerly iai-callgrind): its client requests measure a
//! function on one thread, while a spawn's cost is spread over the spawning and the running
//! thread; and the difference method needs nothing but valgrind itself.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::BENCH_REPORT;
use crate::Result;
use crate::cmd::{Cmd, workspace_root};

/// Operations per run: the two runs of each case.
const FEW: u64 = 200;
const MANY: u64 = 2_200;

/// How many times each case is counted; the table gives the median. Where a second worker
/// takes part (tokio multi-thread, smol, async-std), which thread runs a task varies from run
/// to run, and the count by a few percent with it.
const REPEATS: usize = 3;

/// The two runs' operation counts for `case`: a `join_set_100` operation is a round of 100
/// tasks, so a tenth of the others keeps its runs as long as theirs.
fn operations(case: &str) -> (u64, u64) {
    if case.starts_with("join_set_100/") { (FEW / 10, MANY / 10) } else { (FEW, MANY) }
}

/// Runs every case under callgrind, then has `bench-report` write the table into `output`
/// (default: docs/performance.md, between its instruction markers).
pub(crate) fn run(output: Option<&Path>) -> Result<()> {
    let valgrind = Command::new("valgrind").arg("--version").output();
    if !valgrind.is_ok_and(|out| out.status.success()) {
        return Err("valgrind is not installed: install it (`apt-get install valgrind`), \
                    then run `cargo xtask bench --instructions` again"
            .into());
    }
    let exe = build()?;
    let list = Command::new(&exe).arg("--list").output()?;
    let cases: Vec<String> = String::from_utf8(list.stdout)?
        .lines()
        .map(str::to_owned)
        .filter(|l| !l.is_empty())
        .collect();
    let out_dir = workspace_root().join("target/loopbridge-bench/callgrind");
    std::fs::create_dir_all(&out_dir)?;
    // What `bench-report --instructions` reads: how the counts were made, then one per case.
    let (rounds_few, rounds_many) = operations("join_set_100/");
    let mut counts = format!("method\t{FEW}\t{MANY}\t{REPEATS}\t{rounds_few}\t{rounds_many}\n");
    for case in &cases {
        let (few_ops, many_ops) = operations(case);
        let mut per_op = Vec::with_capacity(REPEATS);
        for _ in 0..REPEATS {
            let few = instructions(&exe, &out_dir, case, few_ops)?;
            let many = instructions(&exe, &out_dir, case, many_ops)?;
            per_op.push(many.saturating_sub(few) as f64 / (many_ops - few_ops) as f64);
        }
        per_op.sort_by(f64::total_cmp);
        let (median, low, high) = (per_op[REPEATS / 2], per_op[0], per_op[REPEATS - 1]);
        println!("{case:<40} {median:>9.0} instructions per operation ({low:.0}–{high:.0})");
        counts.push_str(&format!("{case}\t{median}\n"));
    }
    let counts_file = out_dir.join("counts.tsv");
    std::fs::write(&counts_file, counts)?;
    let output = output.map_or_else(|| workspace_root().join("docs/performance.md"), PathBuf::from);
    Cmd::cargo()
        .split_args(BENCH_REPORT)
        .args(["--instructions", &counts_file.display().to_string()])
        .args(["--output", &output.display().to_string()])
        .run()?;
    println!();
    println!("==> instruction table written to {}", output.display());
    Ok(())
}

/// Builds the cases' binary (bench profile) and returns its path.
fn build() -> Result<PathBuf> {
    println!("==> building benches/instructions.rs");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(workspace_root())
        .args(["bench", "-p", "loopbridge-benches", "--bench", "instructions", "--no-run"])
        .args(["--message-format", "json-render-diagnostics"])
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "building benches/instructions.rs failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let stdout = String::from_utf8(out.stdout)?;
    stdout
        .lines()
        .filter(|line| line.contains(r#""name":"instructions""#))
        .find_map(|line| {
            let (_, rest) = line.split_once(r#""executable":""#)?;
            rest.split_once('"').map(|(path, _)| PathBuf::from(path))
        })
        .ok_or_else(|| "cargo did not report the executable of benches/instructions.rs".into())
}

/// Total instructions of `case` run `n` times under callgrind, every thread included.
fn instructions(exe: &Path, out_dir: &Path, case: &str, n: u64) -> Result<u64> {
    let file = out_dir.join(format!("{}.{n}.out", case.replace('/', "_")));
    let status = Command::new("valgrind")
        .args(["--tool=callgrind", "--quiet"])
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(exe)
        .args([case, &n.to_string()])
        .status()?;
    if !status.success() {
        return Err(format!("`{case} {n}` under callgrind failed ({status})").into());
    }
    let text = std::fs::read_to_string(&file)?;
    text.lines()
        .find_map(|line| line.strip_prefix("summary:"))
        .and_then(|total| total.trim().parse().ok())
        .ok_or_else(|| format!("no `summary:` line in {}", file.display()).into())
}
