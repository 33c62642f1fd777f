//! `bench-report`: writes the report of `cargo xtask bench` — medians, ratios against the
//! native runtime, min/max, each target met or not — into `docs/performance.md`, between the
//! markers that delimit its generated part, from what the last run left: criterion's results
//! and the `.tsv` files of the allocation and idle benches.
//!
//! `cargo xtask bench` runs the benches, then this (`cargo run -p loopbridge-benches --bin
//! bench-report --release -- …`); xtask stays free of dependencies, while this binary parses
//! criterion's JSON with serde.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod cells;
mod instructions;
mod render;
mod results;
mod sections;
mod targets;
mod template;
mod verdicts;

use render::{BEGIN, Context, END, report};
use results::Results;

/// The error of this binary: a message for the user.
type Error = Box<dyn std::error::Error>;

const USAGE: &str = "usage: bench-report --criterion DIR --results DIR --output PATH \
                     --command CMD [--took DURATION] [--load-before L] [--load-after L] \
                     [--partial], or bench-report --instructions COUNTS --output PATH";

/// The command line.
#[derive(Debug, Default)]
struct Options {
    /// Where criterion wrote the rounds (`round-N/GROUP/FLAVOUR/IMPL/new/`).
    criterion: Option<PathBuf>,
    /// Where the benches wrote their `.tsv` files, and xtask the number of rounds.
    results: Option<PathBuf>,
    output: Option<PathBuf>,
    /// The counts of `cargo xtask bench --instructions`: write their table instead.
    instructions: Option<PathBuf>,
    context: Context,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            command: String::new(),
            machine: String::new(),
            load_before: None,
            load_after: None,
            took: "?".to_owned(),
            partial: false,
        }
    }
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, Error> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("`{arg}` needs a value; {USAGE}"));
        match arg.as_str() {
            "--criterion" => options.criterion = Some(value()?.into()),
            "--results" => options.results = Some(value()?.into()),
            "--output" => options.output = Some(value()?.into()),
            "--instructions" => options.instructions = Some(value()?.into()),
            "--command" => options.context.command = value()?,
            "--took" => options.context.took = value()?,
            "--load-before" => options.context.load_before = Some(value()?),
            "--load-after" => options.context.load_after = Some(value()?),
            "--partial" => options.context.partial = true,
            _ => return Err(format!("unexpected argument `{arg}`; {USAGE}").into()),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench-report: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Error> {
    let options = parse_args(std::env::args().skip(1))?;
    let missing = |flag: &str| format!("`{flag}` is required; {USAGE}");
    let output = options.output.ok_or_else(|| missing("--output"))?;
    let write = |markers, text: &str| {
        write_between(&output, markers, text)
            .map_err(|e| format!("writing {}: {e}", output.display()))
    };
    if let Some(counts) = options.instructions {
        let text = fs::read_to_string(&counts)
            .map_err(|e| format!("reading the counts {}: {e}", counts.display()))?;
        let (method, counts) = instructions::read(&text)?;
        return Ok(write(
            (instructions::BEGIN, instructions::END),
            &instructions::table(&method, &counts),
        )?);
    }
    let criterion = options.criterion.ok_or_else(|| missing("--criterion"))?;
    let results = options.results.ok_or_else(|| missing("--results"))?;
    let context = Context { machine: machine(), ..options.context };
    let report = report(&Results::read(&criterion, &results)?, &context)?;
    Ok(write((BEGIN, END), &report)?)
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

/// Replaces what lies between the `markers` in the file at `path` (both kept, since
/// `generated` starts and ends with them) with `generated`, keeping the hand-written text
/// around them; a file without markers gets `generated` appended.
fn write_between(path: &Path, markers: (&str, &str), generated: &str) -> std::io::Result<()> {
    let (begin_marker, end_marker) = markers;
    let existing = fs::read_to_string(path).unwrap_or_default();
    let text = match (existing.find(begin_marker), existing.find(end_marker)) {
        (Some(begin), Some(end)) if begin < end => {
            format!(
                "{}{}{}",
                &existing[..begin],
                generated.trim_end_matches('\n'),
                &existing[end + end_marker.len()..]
            )
        }
        _ if existing.is_empty() => format!("# Performance\n\n{generated}"),
        _ => format!("{}\n{generated}", existing.trim_end()),
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_text_around_the_markers() {
        let dir = std::env::temp_dir().join(format!("bench-report-{}", std::process::id()));
        let path = dir.join("performance.md");
        fs::create_dir_all(&dir).unwrap();
        fs::write(&path, format!("intro\n{BEGIN}\nold\n{END}\noutro\n")).unwrap();
        write_between(&path, (BEGIN, END), &format!("{BEGIN}\nnew\n{END}\n")).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            format!("intro\n{BEGIN}\nnew\n{END}\noutro\n")
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn parses_the_command_line() {
        let args = |args: &[&str]| parse_args(args.iter().map(|a| (*a).to_owned()));
        let options = args(&["--criterion", "c", "--command", "cargo xtask bench", "--partial"]);
        let options = options.unwrap();
        assert_eq!(options.criterion, Some(PathBuf::from("c")));
        assert_eq!(options.context.command, "cargo xtask bench");
        assert!(options.context.partial);
        assert!(args(&["--output"]).is_err());
        assert!(args(&["--nope"]).is_err());
    }
}
