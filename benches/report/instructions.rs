//! The instruction table of `cargo xtask bench --instructions`: callgrind's instructions per
//! operation of the nanosecond-scale rows, native beside loopbridge, each row judged against
//! its target in [`TARGETS`](crate::targets::TARGETS).
//!
//! xtask runs the cases under callgrind and writes what it counted to a file, one line per
//! case (`CASE` tab `COUNT`) after one line that says how: `method` and the numbers of
//! [`Method`], tab-separated, in their order.

use std::fmt::Write as _;

use crate::Error;
use crate::targets::{INSTRUCTIONS, JOIN_SET, Limit, SPAWN};

pub(crate) const BEGIN: &str = "<!-- cargo xtask bench --instructions: generated from here -->";
pub(crate) const END: &str = "<!-- cargo xtask bench --instructions: generated up to here -->";

/// How the counts were made: the two runs' operations (of rounds of 100 tasks for
/// `join_set_100`), and how many counts each median is of.
#[derive(Debug, PartialEq)]
pub(crate) struct Method {
    few: u64,
    many: u64,
    repeats: u64,
    rounds_few: u64,
    rounds_many: u64,
}

/// The method and the counts per operation, by case, of xtask's file.
pub(crate) fn read(text: &str) -> Result<(Method, Vec<(String, f64)>), Error> {
    let mut lines = text.lines().filter(|line| !line.trim().is_empty());
    let method = lines.next().and_then(|line| line.strip_prefix("method\t"));
    let numbers: Vec<u64> =
        method.map_or_else(Vec::new, |m| m.split('\t').filter_map(|n| n.parse().ok()).collect());
    let [few, many, repeats, rounds_few, rounds_many] = numbers[..] else {
        return Err(
            "the counts file does not start with `method\\tFEW\\tMANY\\tREPEATS\\t…`".into()
        );
    };
    let counts = lines
        .map(|line| {
            let (case, count) = line.split_once('\t').ok_or("a line without a tab")?;
            let count: f64 = count.trim().parse().map_err(|_| "a count that is not a number")?;
            Ok::<_, &str>((case.to_owned(), count))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|why| format!("the counts file has {why}: it is xtask's, rerun it"))?;
    Ok((Method { few, many, repeats, rounds_few, rounds_many }, counts))
}

/// The target of an operation on a flavour, if it has one: on tokio, spawn + await answers to
/// the spawn target and a `JoinSet` of 100 to the `JoinSet` one; elsewhere a `JoinSet` of 100
/// is against a `FuturesUnordered` of native handles, for reference only.
fn limit(operation: &str, flavour: &str) -> Option<Limit> {
    let on_tokio = matches!(flavour, "tokio_mt" | "tokio_ct");
    match operation {
        "spawn_await" if on_tokio => Some(SPAWN.limit),
        "join_set_100" if on_tokio => Some(JOIN_SET.limit),
        "join_set_100" => None,
        // Their target is against loopbridge before the virtual clock (+2 %, measured by hand
        // in docs/performance.md); beside the native timer they are for reference.
        "sleep_made" | "timeout_ready" | "now" => None,
        _ => Some(INSTRUCTIONS.limit),
    }
}

/// The table, between its markers: one row per operation and flavour.
pub(crate) fn table(method: &Method, counts: &[(String, f64)]) -> String {
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
        let (target, verdict) = match limit(operation, flavour) {
            Some(limit) => {
                (limit.to_string(), if limit.met(ratio) { "**met**" } else { "**not met**" })
            }
            None => ("—".to_owned(), "(reference)"),
        };
        let _ = writeln!(
            rows,
            "| {operation} | {flavour} | {native:.0} | {loopbridge:.0} | {ratio:.2}× | {target} | {verdict} |"
        );
    }
    let Method { few, many, repeats, rounds_few, rounds_many } = method;
    format!(
        "{BEGIN}\nInstructions per operation (`cargo xtask bench --instructions`: callgrind, every \
         thread, the difference of {many} and {few} operations, of {rounds_many} and {rounds_few} \
         rounds of 100 tasks for `join_set_100`, the median of {repeats} such counts; \
         deterministic to a fraction of a percent on tokio current-thread and the plain-thread \
         rows, within a few percent where a second worker thread takes part).\n\n\
         | operation | flavour | native | loopbridge | ratio | target | verdict |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n{rows}{END}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const METHOD: &str = "method\t200\t2200\t3\t20\t220\n";

    #[test]
    fn pairs_native_with_loopbridge_and_judges_each_row() {
        let text = format!(
            "{METHOD}spawn_await/tokio_ct/native\t1000\nspawn_await/tokio_ct/loopbridge\t1040\n\
             block_on_ready/smol/native\t100\nblock_on_ready/smol/loopbridge\t300\n\
             join_set_100/smol/native\t10\njoin_set_100/smol/loopbridge\t20\n"
        );
        let (method, counts) = read(&text).unwrap();
        let table = table(&method, &counts);
        let rows = [
            "| spawn_await | tokio_ct | 1000 | 1040 | 1.04× | ≤ 1.05× | **met** |",
            "| block_on_ready | smol | 100 | 300 | 3.00× | ≤ 1.15× | **not met** |",
            "| join_set_100 | smol | 10 | 20 | 2.00× | — | (reference) |",
            "the difference of 2200 and 200 operations, of 220 and 20 rounds",
        ];
        for row in rows {
            assert!(table.contains(row), "{row}\n{table}");
        }
    }

    #[test]
    fn a_malformed_file_is_an_error_saying_what() {
        let cases = [
            ("", "does not start with"),
            ("method\t1\t2\n", "does not start with"),
            ("method\t1\t2\t3\t4\t5\nno-tab-here\n", "a line without a tab"),
            ("method\t1\t2\t3\t4\t5\ncase\tmany\n", "a count that is not a number"),
        ];
        for (text, why) in cases {
            let err = read(text).unwrap_err().to_string();
            assert!(err.contains(why), "{text:?}: {err}");
        }
    }
}
