//! The generated part of `docs/performance.md`. Its prose is the template `report.md`, and
//! what fills its placeholders is computed from the results: how the run was made here, the
//! tables of targets and each limit the prose quotes from `targets`, and each section's table
//! rows and verdicts from `sections`.

use std::fmt::Write as _;

use crate::Error;
use crate::results::Results;
use crate::sections::sections;
use crate::targets::{TARGETS, Table, by_case};
use crate::template::{fill, placeholders};

/// The report's prose, with a `{{name}}` for each piece computed here (see `template`).
const TEMPLATE: &str = include_str!("report.md");
/// Where [`TEMPLATE`] comes from, for its errors.
const TEMPLATE_PATH: &str = "benches/report/report.md";

/// The markers around the generated part of `docs/performance.md`.
pub(crate) const BEGIN: &str = "<!-- cargo xtask bench: generated from here -->";
pub(crate) const END: &str = "<!-- cargo xtask bench: generated up to here -->";

/// The template's placeholders with their values.
pub(crate) type Values = Vec<(&'static str, String)>;

/// How the report was made.
#[derive(Debug)]
pub(crate) struct Context {
    pub(crate) command: String,
    pub(crate) machine: String,
    pub(crate) load_before: Option<String>,
    pub(crate) load_after: Option<String>,
    /// How long the run took, as xtask shows durations.
    pub(crate) took: String,
    pub(crate) partial: bool,
}

/// The generated part of the report, between its markers.
pub(crate) fn report(results: &Results, context: &Context) -> Result<String, Error> {
    let template_error = |e| format!("{TEMPLATE_PATH}: {e}");
    let mut values = machine_and_run(results, context);
    let sections = sections(results);
    values.extend(sections.values);
    let verdict = |case: &str| {
        let found = sections.verdicts.iter().find(|(c, _)| *c == case);
        found.map(|(_, verdict)| verdict.as_str()).ok_or_else(|| format!("no verdict for `{case}`"))
    };
    for (table, name) in [(Table::Issue, "targets"), (Table::Floor, "floor_targets")] {
        let mut rows = String::new();
        for target in TARGETS.iter().filter(|t| t.table == table) {
            let _ = writeln!(rows, "| {} | {} |", target.wording(), verdict(target.case)?);
        }
        values.push((name, rows));
    }
    // `{{limit:CASE}}`, `{{target:CASE}}`: a target's limit, alone or with its baseline.
    for name in placeholders(TEMPLATE).map_err(template_error)? {
        let Some((kind, case)) = name.split_once(':') else { continue };
        if values.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let target = by_case(case).ok_or_else(|| format!("{TEMPLATE_PATH}: no target `{case}`"))?;
        let value = match kind {
            "limit" => target.limit.to_string(),
            "target" => target.bound(),
            _ => {
                return Err(
                    format!("{TEMPLATE_PATH}: `{{{{{name}}}}}`: not limit: or target:").into()
                );
            }
        };
        values.push((name, value));
    }
    let body = fill(TEMPLATE, &values).map_err(template_error)?;
    Ok(format!("{BEGIN}\n\n{body}\n{END}\n"))
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
        ("took", context.took.clone()),
        ("partial_note", partial_note),
        ("rounds_note", rounds_note),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Context {
        Context {
            command: "cargo xtask bench".to_owned(),
            machine: "a machine".to_owned(),
            load_before: Some("0.10".to_owned()),
            load_after: None,
            took: "1m30.0s".to_owned(),
            partial: true,
        }
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
                "## Performance targets",
                "## Spawn + await inside the runtime (`spawn`)",
                "## Heap allocations per operation (`allocations`)",
                "## `block_on` from a plain thread (`block_on`)",
                "## `block_on` versus a runtime per call (`block_on`, `runtime_per_call`)",
                "## Runner cross-thread round trip (`round_trip`)",
                "## `to_thread` round trip from async (`to_thread`)",
                "## Concurrent sync callers of `block_on` on one runtime (`concurrent`)",
                "## Idle runner (`idle`)",
                "## Small operations inside a task (`time_ops`)",
                "## Paused time (`paused`)",
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
        assert!(report.contains("Target: ≤ 1.10× (tokio `spawn_blocking`"), "{report}");
        assert!(report.contains("| ≤ 1.05× | ≤ every peer |"), "{report}");
        assert!(report.contains(
            "| 64 MiB TCP throughput ≥ 0.95× native sockets | not measured (0 of 4 cases) |"
        ));
        assert!(report.contains(
            "| hyper HTTP/1 requests/s ≥ 0.90× hyper-util on tokio | not measured (0 of 10 cases) |"
        ));
        assert!(report.contains(
            "| pipelined SET ×10k | async_std | redis-rs, smol | — | — | — | | not measured |"
        ));
        assert!(!report.contains("met**") && !report.contains("rounds:"), "{report}");
    }
}
