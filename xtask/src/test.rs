//! `cargo xtask test`: the whole CI matrix, step by step, with timings, test counts and a summary.
//!
//! `.ci/run` runs exactly this. The step list below is the single source of truth: the help text
//! and the summary are generated from it.

use std::fmt;
use std::time::{Duration, Instant};

use crate::Result;
use crate::cmd::{Cmd, CmdError, format_duration};
use crate::listing::ListCheck;
use crate::redis::{ADDR_VAR, RedisServer};
use crate::tree_check::TreeCheck;

/// One step of the matrix: a short name for `--skip`/`--only`, a title for the output, and the
/// commands it runs, in order.
#[derive(Debug)]
struct Step {
    name: &'static str,
    title: &'static str,
    commands: Vec<Cmd>,
    /// Test listings to check after the commands.
    listings: Vec<ListCheck>,
    /// Dependency trees to check after the commands.
    trees: Vec<TreeCheck>,
    /// Whether the commands are `cargo test` runs whose results are counted.
    counts_tests: bool,
    /// Whether `cargo hack` must be installed first.
    needs_cargo_hack: bool,
    /// Whether it talks to a Redis server (tinykv's tests, doctests and example).
    needs_redis: bool,
}

impl Step {
    fn new(name: &'static str, title: &'static str, commands: Vec<Cmd>) -> Self {
        Self {
            name,
            title,
            commands,
            listings: Vec::new(),
            trees: Vec::new(),
            counts_tests: false,
            needs_cargo_hack: false,
            needs_redis: false,
        }
    }

    fn checking_listings(mut self, listings: Vec<ListCheck>) -> Self {
        self.listings = listings;
        self
    }

    fn checking_trees(mut self, trees: Vec<TreeCheck>) -> Self {
        self.trees = trees;
        self
    }

    fn counting_tests(mut self) -> Self {
        self.counts_tests = true;
        self
    }

    fn needing_cargo_hack(mut self) -> Self {
        self.needs_cargo_hack = true;
        self
    }

    fn needing_redis(mut self) -> Self {
        self.needs_redis = true;
        self
    }
}

/// How long one example may run in the `examples` step (building included, if the `build` step
/// did not run first).
const EXAMPLE_TIME_LIMIT: Duration = Duration::from_secs(300);

/// Backends of the conformance suite, each also tested alone.
const BACKENDS: [&str; 3] = ["tokio", "smol", "async-std"];

fn cargo(args: &str) -> Cmd {
    Cmd::cargo().split_args(args)
}

/// The test names `#[loopbridge::test]` writes, in the order of the backends above.
pub(crate) const FLAVOURS: [&str; 4] =
    ["tokio_multi_thread", "tokio_current_thread", "smol", "async_std"];

/// The one test `#[loopbridge::test]` writes in a build with no backend: it fails, naming the
/// features to enable (zero tests would pass with nothing tested).
pub(crate) const NO_BACKEND: [&str; 1] = ["no_backend_compiled_in"];

/// Lists the tests of the library-author example (`tinykv`) built with `features`.
fn list_tinykv(features: &str, flavours: &'static [&'static str]) -> ListCheck {
    ListCheck::new("tinykv", "api", "examples/library_author/tests/api.rs", features, flavours)
}

/// The CI matrix, in the order it runs.
fn steps() -> Vec<Step> {
    vec![
        Step::new("fmt", "rustfmt check", vec![cargo("fmt --all --check")]),
        Step::new(
            "clippy",
            "clippy (feature powerset)",
            vec![
                cargo(
                    "hack clippy --workspace --exclude loopbridge-examples --feature-powerset \
                     --depth 2 --all-targets -- -D warnings",
                ),
                // The examples' `net` and `macros` only name the facade's features for command
                // lines (both are always on there): excluded, they do not multiply the powerset.
                cargo(
                    "hack clippy -p loopbridge-examples --feature-powerset --depth 2 \
                     --exclude-features net,macros --all-targets -- -D warnings",
                ),
            ],
        )
        .needing_cargo_hack(),
        Step::new(
            "conformance",
            "conformance suite and lifecycle tests, all backends",
            vec![
                cargo("test -p loopbridge-tests --tests"),
                // The application's choice through the environment (docs/semantics.md, "Detection", step 2).
                cargo("test -p loopbridge-tests --test conformance global::")
                    .env("LOOPBRIDGE_BACKEND", "smol"),
                cargo("test -p loopbridge-tests --test conformance global::")
                    .env("LOOPBRIDGE_BACKEND", "async-std"),
            ],
        )
        .counting_tests(),
        Step::new(
            "conformance-each",
            "conformance suite and lifecycle tests, each backend alone",
            BACKENDS
                .iter()
                .map(|backend| {
                    cargo("test -p loopbridge-tests --tests --no-default-features")
                        .args(["--features", backend])
                })
                .collect(),
        )
        .counting_tests(),
        Step::new(
            "macros-ui",
            "the attributes' trybuild cases and their use under a renamed crate",
            vec![
                cargo("test -p loopbridge-tests --test ui"),
                cargo("test -p loopbridge-macros --test renamed"),
            ],
        )
        .counting_tests(),
        Step::new(
            "examples-tests",
            "tinykv's tests and test lists, the HTTP interop test",
            vec![
                cargo("test -p tinykv --all-features --tests"),
                // loopbridge's hyper server on smol answering reqwest on tokio, and the pooled
                // client on smol talking to axum on tokio.
                cargo("test -p loopbridge-examples --test http_interop"),
            ],
        )
        .counting_tests()
        .checking_listings(vec![
            list_tinykv("--all-features", &FLAVOURS),
            list_tinykv("--no-default-features --features tokio", &FLAVOURS[..2]),
            list_tinykv("--no-default-features --features smol", &FLAVOURS[2..3]),
            list_tinykv("--no-default-features --features async-std", &FLAVOURS[3..]),
            // A library's `cargo test` without a backend feature: one failing test each.
            list_tinykv("--no-default-features", &NO_BACKEND),
        ])
        .needing_redis(),
        Step::new(
            "reliability",
            "reliability suite (fast sizes) and a real fork",
            vec![cargo("test -p loopbridge-tests --test reliability --test fork")],
        )
        .counting_tests(),
        Step::new(
            "no-backend",
            "facade without a backend",
            vec![
                cargo("test -p loopbridge --no-default-features --lib"),
                // `net` still compiles there, and a socket is one `Unsupported` error.
                cargo("test -p loopbridge --no-default-features --features net --lib"),
            ],
        )
        .counting_tests(),
        Step::new(
            "unit",
            "unit tests and the repository's tidy rules",
            vec![
                cargo("test --workspace --exclude loopbridge-tests --lib --bins"),
                cargo("test -p loopbridge --all-features --lib"),
                cargo("test -p loopbridge-tests --test tidy"),
            ],
        )
        .counting_tests(),
        Step::new(
            "doc-tests",
            "doctests (all features; the facade's with smol alone and async-std alone)",
            vec![
                cargo("test --workspace --doc --all-features"),
                // The facade's examples must not assume tokio (the default) or a one-thread
                // runner (async-std has none). The library builds of these feature sets are the
                // `conformance-each` step's, so this costs the doctests' compilation only.
                cargo("test -p loopbridge --doc --no-default-features --features smol,macros,net,hyper"),
                cargo("test -p loopbridge --doc --no-default-features --features async-std,macros,net,hyper"),
            ],
        )
        .counting_tests()
        .needing_redis(),
        Step::new(
            "build",
            "benches and examples build",
            vec![
                cargo("build -p loopbridge-benches --benches"),
                cargo("build -p loopbridge-examples --examples"),
            ],
        ),
        Step::new(
            "examples",
            "examples run (the server example under a smaller load)",
            [
                cargo("run -p loopbridge-examples --example quickstart"),
                cargo("run -p loopbridge-examples --example library_author"),
                cargo("run -p loopbridge-examples --example sync_http_client"),
                // The same requests with the global runner on smol, through `loopbridge::compat`.
                cargo("run -p loopbridge-examples --example sync_http_client")
                    .env("LOOPBRIDGE_BACKEND", "smol"),
                cargo("run -p loopbridge-examples --example sqlite_thread_bound"),
                cargo("run -p loopbridge-examples --example custom_backend"),
                cargo("run -p loopbridge-examples --example task_group"),
                cargo("run -p loopbridge-examples --example line_chat"),
                // The same sockets on async-io's reactor (the global runner on smol).
                cargo("run -p loopbridge-examples --example line_chat").env("LOOPBRIDGE_BACKEND", "smol"),
                cargo("run -p loopbridge-examples --example blocking_in_async_server").args([
                    "--",
                    "--requests",
                    "300",
                ]),
                cargo("run -p loopbridge-examples --example http_any_runtime"),
                // The same hyper server and clients with smol alone: no tokio runtime (the tree
                // check below), and it runs.
                cargo(
                    "run -p loopbridge-examples --example http_any_runtime \
                     --no-default-features --features smol,net,hyper,macros",
                ),
            ]
            .into_iter()
            // Each takes seconds once built: a hang must fail the step, not stall CI.
            .map(|example| example.time_limit(EXAMPLE_TIME_LIMIT))
            .collect(),
        )
        .checking_trees(vec![TreeCheck::smol_http()])
        .needing_redis(),
        Step::new(
            "docs",
            "rustdoc, -D warnings",
            vec![
                cargo("doc --workspace --no-deps --all-features")
                    .env("RUSTDOCFLAGS", "-D warnings"),
                cargo("doc -p loopbridge --no-deps --no-default-features")
                    .env("RUSTDOCFLAGS", "-D warnings"),
            ],
        ),
    ]
}

/// Prints `cargo xtask test --help`.
pub(crate) fn print_help() {
    println!("cargo xtask test: run the whole CI matrix (what .ci/run runs)");
    println!();
    println!("USAGE:");
    println!("    cargo xtask test [--skip STEP]... [--only STEP]...");
    println!();
    println!("OPTIONS:");
    println!("    --skip STEP    do not run STEP (repeatable)");
    println!("    --only STEP    run only STEP (repeatable; --skip still applies)");
    println!("    -h, --help     print this help");
    println!();
    println!("STEPS (in order):");
    for step in steps() {
        println!("    {:<18} {}", step.name, step.title);
        if step.needs_cargo_hack {
            println!(
                "        (installs cargo-hack with `cargo install cargo-hack --locked` if missing)"
            );
        }
        if step.needs_redis {
            println!("        (talks to a Redis server: see REDIS below)");
        }
        for cmd in &step.commands {
            println!("        $ {}", cmd.display());
        }
        for listing in &step.listings {
            println!("        $ {}", listing.display());
        }
        for tree in &step.trees {
            println!("        $ {}", tree.display());
        }
    }
    println!();
    println!(
        "Stops at the first failing step. Test results of `cargo test` steps are added up and"
    );
    println!("printed at the end as `xtask: N passed, M failed`.");
    println!();
    println!("REDIS:");
    println!("    The steps marked above test tinykv, a Redis client, against a real server. When");
    println!("    one of them is selected, xtask starts `redis-server` on a free 127.0.0.1 port");
    println!("    (persisting nothing; log in target/xtask-redis/), passes its address to every");
    println!("    command as {ADDR_VAR}, and stops it at the end, also on failure. If");
    println!("    redis-server is not on PATH, root with apt-get installs it (`apt-get install -y");
    println!("    redis-server`); otherwise install it yourself (`sudo apt-get install");
    println!("    redis-server`). With {ADDR_VAR}=HOST:PORT already set, that server is used");
    println!("    and none is started.");
}

/// Parsed command-line options.
#[derive(Debug, Default, PartialEq)]
struct Options {
    help: bool,
    skip: Vec<String>,
    only: Vec<String>,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut options = Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline_value) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        match flag {
            "-h" | "--help" if inline_value.is_none() => options.help = true,
            "--skip" | "--only" => {
                let value = match inline_value {
                    Some(value) => value,
                    None => args
                        .next()
                        .cloned()
                        .ok_or_else(|| format!("`{flag}` needs a step name; {}", step_names()))?,
                };
                if !steps().iter().any(|s| s.name == value) {
                    return Err(format!("unknown step `{value}`; {}", step_names()).into());
                }
                if flag == "--skip" {
                    options.skip.push(value);
                } else {
                    options.only.push(value);
                }
            }
            _ => {
                return Err(format!(
                    "unexpected argument `{arg}` to `cargo xtask test`; see `cargo xtask test --help`"
                )
                .into());
            }
        }
    }
    Ok(options)
}

fn step_names() -> String {
    let names: Vec<&str> = steps().iter().map(|s| s.name).collect();
    format!("steps are: {}", names.join(", "))
}

/// Test results added up from `test result:` lines.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct TestCounts {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl TestCounts {
    fn add(&mut self, other: Self) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
    }

    /// Parses a libtest summary line such as
    /// `test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s`
    /// (or `test result: FAILED. …`). Colour codes are ignored.
    fn parse_line(line: &str) -> Option<Self> {
        let line = strip_ansi(line);
        let rest = line.trim().strip_prefix("test result:")?;
        let (_status, counts) = rest.trim_start().split_once(". ")?;
        let mut result = Self::default();
        let mut seen_passed = false;
        for part in counts.split(';') {
            let mut words = part.split_whitespace();
            let (Some(number), Some(label)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(number) = number.parse::<u64>() else {
                continue;
            };
            match label {
                "passed" => {
                    result.passed = number;
                    seen_passed = true;
                }
                "failed" => result.failed = number,
                "ignored" => result.ignored = number,
                _ => {}
            }
        }
        seen_passed.then_some(result)
    }
}

/// Removes ANSI escape sequences (`ESC [ … letter`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Failed,
    NotRun,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Ok => "ok",
            Self::Failed => "FAILED",
            Self::NotRun => "not run",
        })
    }
}

/// What the summary table shows about one step.
#[derive(Debug)]
struct Record {
    name: &'static str,
    title: &'static str,
    outcome: Outcome,
    time: Duration,
    counts: Option<TestCounts>,
}

/// Runs `cargo xtask test` with the arguments after `test`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let options = parse_args(args)?;
    if options.help {
        print_help();
        return Ok(());
    }

    let all = steps();
    let (selected, skipped): (Vec<Step>, Vec<Step>) = all.into_iter().partition(|step| {
        let wanted = options.only.is_empty() || options.only.iter().any(|o| o == step.name);
        wanted && !options.skip.iter().any(|s| s == step.name)
    });
    if selected.is_empty() {
        return Err("no steps left to run after --only/--skip".into());
    }
    if !skipped.is_empty() {
        let names: Vec<&str> = skipped.iter().map(|s| s.name).collect();
        println!("==> skipping: {}", names.join(", "));
    }

    // Kept until the end of the run: dropped, it stops the server, also after a failed step.
    let redis = if selected.iter().any(|step| step.needs_redis) {
        Some(RedisServer::start_or_reuse()?)
    } else {
        None
    };
    let redis_addr = redis.as_ref().map(RedisServer::addr);

    let total_start = Instant::now();
    let n = selected.len();
    let mut records: Vec<Record> = selected
        .iter()
        .map(|step| Record {
            name: step.name,
            title: step.title,
            outcome: Outcome::NotRun,
            time: Duration::ZERO,
            counts: None,
        })
        .collect();
    let mut failure: Option<(usize, CmdError)> = None;

    for (index, (step, record)) in selected.iter().zip(records.iter_mut()).enumerate() {
        let number = index + 1;
        println!();
        println!("==> [{number}/{n}] {}", step.title);
        let start = Instant::now();
        let mut counts = TestCounts::default();
        let result = run_step(step, redis_addr, &mut counts);
        record.time = start.elapsed();
        record.counts = step.counts_tests.then_some(counts);
        match result {
            Ok(()) => {
                record.outcome = Outcome::Ok;
                println!(
                    "==> [{number}/{n}] {} ok in {}",
                    step.title,
                    format_duration(record.time)
                );
            }
            Err(err) => {
                record.outcome = Outcome::Failed;
                println!(
                    "==> [{number}/{n}] {} FAILED after {}",
                    step.title,
                    format_duration(record.time)
                );
                failure = Some((index, err));
                break;
            }
        }
    }

    print_summary(&records, total_start.elapsed());

    match failure {
        None => Ok(()),
        Some((index, err)) => {
            let name = records.get(index).map_or("?", |r| r.name);
            Err(format!(
                "step `{name}` failed: {err}\n\
                 reproduce with:\n    \
                 {}\n\
                 or rerun the step with:\n    \
                 cargo xtask test --only {name}",
                err.command
            )
            .into())
        }
    }
}

/// Runs the commands of one step, adding test results to `counts`. With a Redis server, every
/// command gets its address as `TINYKV_REDIS_ADDR`.
fn run_step(
    step: &Step,
    redis_addr: Option<&str>,
    counts: &mut TestCounts,
) -> std::result::Result<(), CmdError> {
    if step.needs_cargo_hack {
        ensure_cargo_hack()?;
    }
    let several = step.commands.len() + step.listings.len() + step.trees.len() > 1;
    for cmd in &step.commands {
        let cmd = &match redis_addr {
            Some(addr) => cmd.clone().env(ADDR_VAR, addr),
            None => cmd.clone(),
        };
        let elapsed = if step.counts_tests {
            cmd.run_streaming(|line| {
                if let Some(found) = TestCounts::parse_line(line) {
                    counts.add(found);
                }
            })?
        } else {
            cmd.run()?
        };
        if several {
            println!("--> ok in {}: {}", format_duration(elapsed), cmd.display());
        }
    }
    for listing in &step.listings {
        let elapsed = listing.run()?;
        println!("--> ok in {}: {}", format_duration(elapsed), listing.display());
    }
    for tree in &step.trees {
        let elapsed = tree.run()?;
        println!("--> ok in {}: {}", format_duration(elapsed), tree.display());
    }
    Ok(())
}

/// Installs cargo-hack when `cargo hack --version` does not work.
fn ensure_cargo_hack() -> std::result::Result<(), CmdError> {
    if Cmd::cargo().split_args("hack --version").succeeds_quietly() {
        return Ok(());
    }
    println!("cargo-hack is not installed; installing it:");
    Cmd::cargo().split_args("install cargo-hack --locked").run()?;
    Ok(())
}

fn print_summary(records: &[Record], total: Duration) {
    let n = records.len();
    let mut total_counts = TestCounts::default();
    println!();
    println!("==> summary");
    println!(
        "    {:<62} {:>7} {:>9} {:>7} {:>7} {:>7}",
        "step", "result", "time", "passed", "failed", "ignored"
    );
    for (index, record) in records.iter().enumerate() {
        let label = format!("[{}/{n}] {:<16} {}", index + 1, record.name, record.title);
        let time = match record.outcome {
            Outcome::NotRun => "-".to_owned(),
            Outcome::Ok | Outcome::Failed => format_duration(record.time),
        };
        let (passed, failed, ignored) = match record.counts {
            Some(counts) if record.outcome != Outcome::NotRun => {
                total_counts.add(counts);
                (counts.passed.to_string(), counts.failed.to_string(), counts.ignored.to_string())
            }
            _ => ("-".to_owned(), "-".to_owned(), "-".to_owned()),
        };
        println!(
            "    {label:<62} {:>7} {time:>9} {passed:>7} {failed:>7} {ignored:>7}",
            record.outcome
        );
    }
    println!(
        "    {:<62} {:>7} {:>9} {:>7} {:>7} {:>7}",
        "total",
        "",
        format_duration(total),
        total_counts.passed,
        total_counts.failed,
        total_counts.ignored
    );
    println!();
    println!("xtask: {} passed, {} failed", total_counts.passed, total_counts.failed);
    println!("xtask: total wall time {}", format_duration(total));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_ok_line() {
        let line = "test result: ok. 12 passed; 0 failed; 3 ignored; 0 measured; 0 filtered out; \
                    finished in 0.01s";
        assert_eq!(
            TestCounts::parse_line(line),
            Some(TestCounts { passed: 12, failed: 0, ignored: 3 })
        );
    }

    #[test]
    fn parses_failed_and_coloured_lines() {
        let line = "test result: \u{1b}[31mFAILED\u{1b}[0m. 11 passed; 1 failed; 0 ignored; \
                    0 measured; 0 filtered out; finished in 2.00s";
        assert_eq!(
            TestCounts::parse_line(line),
            Some(TestCounts { passed: 11, failed: 1, ignored: 0 })
        );
        let doctest = "test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered \
                       out; finished in 0.50s; merged doctests compilation took 1.20s";
        assert_eq!(
            TestCounts::parse_line(doctest),
            Some(TestCounts { passed: 3, failed: 0, ignored: 0 })
        );
    }

    #[test]
    fn ignores_other_lines() {
        assert_eq!(TestCounts::parse_line("test foo ... ok"), None);
        assert_eq!(TestCounts::parse_line("running 3 tests"), None);
        assert_eq!(TestCounts::parse_line(""), None);
    }

    #[test]
    fn parses_options() {
        let options = parse_args(&strings(&["--skip", "fmt", "--skip=docs", "--only", "unit"]));
        assert_eq!(
            options.ok(),
            Some(Options {
                help: false,
                skip: strings(&["fmt", "docs"]),
                only: strings(&["unit"]),
            })
        );
        assert!(parse_args(&strings(&["--skip", "nope"])).is_err());
        assert!(parse_args(&strings(&["--only"])).is_err());
        assert!(parse_args(&strings(&["extra"])).is_err());
        assert_eq!(parse_args(&strings(&["--help"])).ok().map(|o| o.help), Some(true));
    }

    #[test]
    fn step_names_are_unique_and_as_documented() {
        let names: Vec<&str> = steps().iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "fmt",
                "clippy",
                "conformance",
                "conformance-each",
                "macros-ui",
                "examples-tests",
                "reliability",
                "no-backend",
                "unit",
                "doc-tests",
                "build",
                "examples",
                "docs"
            ]
        );
    }
}
