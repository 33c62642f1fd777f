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

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::write_between;
use crate::Result;
use crate::cmd::workspace_root;

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

const BEGIN: &str = "<!-- cargo xtask bench --instructions: generated from here -->";
const END: &str = "<!-- cargo xtask bench --instructions: generated up to here -->";

/// Runs every case under callgrind and writes the table into `output` (default:
/// docs/performance.md, between its instruction markers).
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
    let mut counts = Vec::new();
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
        counts.push((case.clone(), median));
    }
    let table = table(&counts);
    let output = output.map_or_else(|| workspace_root().join("docs/performance.md"), PathBuf::from);
    write_between(&output, (BEGIN, END), &format!("{BEGIN}\n{table}{END}"))?;
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

/// The target ratio of an operation on a flavour (issues 17 and 18), if it has one.
fn target(operation: &str, flavour: &str) -> Option<f64> {
    match (operation, flavour) {
        ("spawn_await", "tokio_mt" | "tokio_ct") => Some(1.05),
        ("join_set_100", "tokio_mt" | "tokio_ct") => Some(1.10),
        // Against a `FuturesUnordered` of native handles: for reference (issue 17).
        ("join_set_100", _) => None,
        _ => Some(1.15),
    }
}

/// The markdown table: one row per operation and flavour, native beside loopbridge.
fn table(counts: &[(String, f64)]) -> String {
    let count = |case: String| counts.iter().find(|(c, _)| *c == case).map(|(_, n)| *n);
    let mut rows = String::new();
    let mut seen = Vec::new();
    for (case, _) in counts {
        let Some((key, _)) = case.rsplit_once('/') else { continue };
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let (native, loopbridge) =
            (count(format!("{key}/native")), count(format!("{key}/loopbridge")));
        let (Some(native), Some(loopbridge)) = (native, loopbridge) else { continue };
        let (operation, flavour) = key.split_once('/').unwrap_or((key, ""));
        let ratio = loopbridge / native;
        let (target, verdict) = match target(operation, flavour) {
            Some(limit) if ratio <= limit => (format!("≤ {limit:.2}×"), "**met**"),
            Some(limit) => (format!("≤ {limit:.2}×"), "**not met**"),
            None => ("—".to_owned(), "(reference)"),
        };
        let _ = writeln!(
            rows,
            "| {operation} | {flavour} | {native:.0} | {loopbridge:.0} | {ratio:.2}× | {target} | {verdict} |"
        );
    }
    let rounds = operations("join_set_100/");
    format!(
        "Instructions per operation (`cargo xtask bench --instructions`: callgrind, every thread, \
         the difference of {MANY} and {FEW} operations, of {} and {} rounds of 100 tasks for \
         `join_set_100`, the median of {REPEATS} such counts; deterministic to a fraction of a percent \
         on tokio current-thread and the plain-thread rows, within a few percent where a second \
         worker thread takes part).\n\n\
         | operation | flavour | native | loopbridge | ratio | target | verdict |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n{rows}",
        rounds.1, rounds.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_native_with_loopbridge_and_judges_each_row() {
        let counts = [
            ("spawn_await/tokio_ct/native".to_owned(), 1000.0),
            ("spawn_await/tokio_ct/loopbridge".to_owned(), 1040.0),
            ("block_on_ready/smol/native".to_owned(), 100.0),
            ("block_on_ready/smol/loopbridge".to_owned(), 300.0),
        ];
        let table = table(&counts);
        assert!(
            table.contains("| spawn_await | tokio_ct | 1000 | 1040 | 1.04× | ≤ 1.05× | **met** |"),
            "{table}"
        );
        assert!(
            table.contains("| block_on_ready | smol | 100 | 300 | 3.00× | ≤ 1.15× | **not met** |"),
            "{table}"
        );
    }
}
