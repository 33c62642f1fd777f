//! The generated part of `docs/performance.md`. Its prose is the template `report.md`, and
//! what fills its placeholders is computed from the results: how the run was made here, each
//! section's table rows and the verdicts of issue 5's targets in `sections`, both with the
//! cell formats below.

use std::fmt::Write as _;
use std::time::Duration;

use super::results::{Results, Stat};
use super::template::fill;
use super::{BEGIN, END};
use crate::Result;
use crate::cmd::format_duration;

mod sections;

/// The report's prose, with a `{{name}}` for each piece computed here (see `template`).
const TEMPLATE: &str = include_str!("report.md");
/// Where [`TEMPLATE`] comes from, for its errors.
const TEMPLATE_PATH: &str = "xtask/src/bench/report.md";

/// The template's placeholders with their values.
type Values = Vec<(&'static str, String)>;

/// How the report was made.
pub(super) struct Context {
    pub(super) command: String,
    pub(super) machine: String,
    pub(super) load_before: Option<String>,
    pub(super) load_after: Option<String>,
    pub(super) took: Duration,
    pub(super) partial: bool,
}

/// The generated part of the report, between its markers.
pub(super) fn report(results: &Results, context: &Context) -> Result<String> {
    let mut values = machine_and_run(results, context);
    values.extend(sections::values(results));
    let body = fill(TEMPLATE, &values).map_err(|e| format!("{TEMPLATE_PATH}: {e}"))?;
    Ok(format!("{BEGIN}\n\n{body}\n{END}\n"))
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

/// A row of the template's ratio tables: `| case | native | loopbridge | ratio | ratio per
/// round | min–max | target | verdict |`.
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
    // An infinite limit marks a row shown for reference, with no target.
    let shown = if limit.is_finite() {
        firm_verdict(met, &lb.round_values(&native, |l, n| l / n), |r| r <= limit)
    } else {
        "—".to_owned()
    };
    let _ = writeln!(
        out,
        "| {case} | {} | {} | {ratio:.2}× | {} | {} / {} | {target} | {shown} |",
        ns(native.median),
        ns(lb.median),
        lb.per_round(&native, |l, n| l / n),
        range(native),
        range(lb),
    );
    Some(met)
}

/// Whether a verdict is settled — every round's ratio on the same side of the limit — or
/// within this machine's run-to-run noise (rounds on both sides); empty with one round.
fn firmness(round_ratios: &[f64], met: impl Fn(f64) -> bool) -> &'static str {
    let rounds_met = round_ratios.iter().filter(|&&r| met(r)).count();
    match round_ratios.len() {
        0 | 1 => "",
        n if rounds_met == 0 || rounds_met == n => ", settled",
        _ => ", within noise",
    }
}

/// [`verdict`] with its [`firmness`].
fn firm_verdict(met: bool, round_ratios: &[f64], met_by: impl Fn(f64) -> bool) -> String {
    format!("{}{}", verdict(Some(met)), firmness(round_ratios, met_by))
}

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

/// How the run was made, and on what.
fn machine_and_run(results: &Results, context: &Context) -> Values {
    let partial_note = if context.partial {
        "- **Partial or quick run**: a smoke test, not the published numbers.\n".to_owned()
    } else {
        String::new()
    };
    let rounds = results.rounds;
    let rounds_note = if rounds > 1 {
        format!(
            "- {rounds} rounds: every timed bench binary ran {rounds} times, each a fresh process \
             with 1 s of measurement per case; a case's median is the median of the rounds' \
             medians, its min–max span all rounds, and *ratio per round* gives each round's \
             ratio (the spread is this machine's run-to-run noise). Allocations and idle ran \
             once.\n"
        )
    } else {
        String::new()
    };
    let load = |load: &Option<String>| load.clone().unwrap_or_else(|| "?".to_owned());
    vec![
        ("command", context.command.clone()),
        ("machine", context.machine.clone()),
        ("load_before", load(&context.load_before)),
        ("load_after", load(&context.load_after)),
        ("took", format_duration(context.took)),
        ("partial_note", partial_note),
        ("rounds_note", rounds_note),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::template::placeholders;

    fn context() -> Context {
        Context {
            command: "cargo xtask bench".to_owned(),
            machine: "a machine".to_owned(),
            load_before: Some("0.10".to_owned()),
            load_after: None,
            took: Duration::from_secs(90),
            partial: true,
        }
    }

    #[test]
    fn formats_durations() {
        assert_eq!(ns(12.34), "12.3 ns");
        assert_eq!(ns(12_340.0), "12.34 µs");
        assert_eq!(ns(1_234_000.0), "1.23 ms");
    }

    #[test]
    fn the_template_fills_completely() {
        let names = placeholders(TEMPLATE).unwrap();
        assert!(names.len() > 20, "{names:?}");
        let mut dummies: Vec<(&str, String)> = Vec::new();
        for name in names {
            if !dummies.iter().any(|(n, _)| *n == name) {
                dummies.push((name, format!("<{name}>\n")));
            }
        }
        let filled = fill(TEMPLATE, &dummies).unwrap();
        assert!(!filled.contains("{{") && !filled.contains("}}"), "{filled}");
        assert!(filled.contains("<spawn_rows>") && filled.contains("<time_ops_rows>"));
    }

    /// With nothing measured, every section is still there, in order, and nothing is `met`.
    #[test]
    fn reports_every_section_without_results() {
        let report = report(&Results::default(), &context()).unwrap();
        assert!(report.starts_with(&format!("{BEGIN}\n\n## Machine and run\n")), "{report}");
        assert!(report.ends_with(&format!("|\n\n{END}\n")), "{report}");
        let headings: Vec<&str> = report.lines().filter(|l| l.starts_with("## ")).collect();
        assert_eq!(
            headings,
            [
                "## Machine and run",
                "## Targets of issue 5",
                "## Spawn + await inside the runtime (`spawn`)",
                "## Heap allocations per operation (`allocations`)",
                "## `block_on` from a plain thread (`block_on`)",
                "## `block_on` versus a runtime per call (`block_on`, `runtime_per_call`)",
                "## Runner cross-thread round trip (`round_trip`)",
                "## `to_thread` round trip from async (`to_thread`)",
                "## Concurrent sync callers of `block_on` on one runtime (`concurrent`)",
                "## Idle runner (`idle`)",
                "## Small operations inside a task (`time_ops`)",
                "## Structured concurrency (`structured`)",
                "## Sockets over loopback TCP (`net`)",
                "## HTTP and Redis clients over loopback (`protocols`)",
            ]
        );
        assert!(report.contains(
            "- Load average (1 min) before / after: 0.10 / ?; the suite took 1m30.0s.\n\
             - **Partial or quick run**"
        ));
        assert!(report.contains("| to_thread ≤ 1.10× native | not measured (0 of 4 cases) |"));
        assert!(report.contains(
            "| issue 15: 64 MiB TCP throughput ≥ 0.95× native sockets | not measured (0 of 4 cases) |"
        ));
        assert!(report.contains(
            "| issue 16: hyper HTTP/1 requests/s ≥ 0.9× hyper-util on tokio | not measured (0 of 10 cases) |"
        ));
        assert!(report.contains(
            "| pipelined SET ×10k | async_std | redis-rs, smol | — | — | — | | not measured |"
        ));
        assert!(!report.contains("met**") && !report.contains("rounds:"), "{report}");
    }
}
