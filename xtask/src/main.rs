//! `cargo xtask`: developer and CI tasks for the loopbridge workspace, in plain Rust with no
//! dependencies (see <https://github.com/matklad/cargo-xtask>).
//!
//! Run `cargo xtask help` for the list of commands. Each command lives in its own module;
//! [`cmd`] holds the shared helpers for running external programs.

mod bench;
mod cmd;
mod deny;
mod listing;
mod loom;
mod miri;
mod redis;
mod stress;
mod test;
mod tree_check;

use std::env;
use std::process::ExitCode;

/// Result type used throughout xtask.
type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The commands, with a one-line summary each, in the order `help` lists them.
const COMMANDS: &[(&str, &str)] = &[
    ("test", "run the whole CI matrix: fmt, clippy, tests, doctests, builds, docs"),
    ("bench", "run the benchmarks and write docs/performance.md (ratios to native, verdicts)"),
    ("stress", "the reliability suite at full size (minutes; docs/reliability.md)"),
    ("loom", "model-check the shutdown state machine with loom"),
    ("miri", "run loopbridge-core's unit tests under Miri (nightly)"),
    ("deny", "supply-chain checks with cargo-deny: licenses, bans, sources, advisories"),
    ("help", "print this help, or `help COMMAND` for a command's help"),
];

fn main() -> ExitCode {
    match args().and_then(|args| dispatch(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The arguments after the program name, as UTF-8.
fn args() -> Result<Vec<String>> {
    env::args_os()
        .skip(1)
        .map(|arg| {
            arg.into_string().map_err(|arg| format!("argument {arg:?} is not valid UTF-8").into())
        })
        .collect()
}

fn dispatch(args: &[String]) -> Result<()> {
    let Some((command, rest)) = args.split_first() else {
        print_help();
        return Ok(());
    };
    match command.as_str() {
        "test" => test::run(rest),
        "bench" => bench::run(rest),
        "stress" => stress::run(rest),
        "loom" => loom::run(rest),
        "miri" => miri::run(rest),
        "deny" => deny::run(rest),
        "help" | "--help" | "-h" => help(rest.first().map(String::as_str)),
        other => Err(format!("unknown command `{other}`; run `cargo xtask help`").into()),
    }
}

/// `cargo xtask help [COMMAND]`.
fn help(command: Option<&str>) -> Result<()> {
    match command {
        None | Some("help") => print_help(),
        Some("test") => test::print_help(),
        Some("bench") => bench::print_help(),
        Some("stress") => stress::print_help(),
        Some("loom") => loom::print_help(),
        Some("miri") => miri::print_help(),
        Some("deny") => deny::print_help(),
        Some(other) => {
            return Err(format!("unknown command `{other}`; run `cargo xtask help`").into());
        }
    }
    Ok(())
}

fn print_help() {
    println!("cargo xtask: developer and CI tasks for the loopbridge workspace");
    println!();
    println!("USAGE:");
    println!("    cargo xtask COMMAND [OPTIONS]");
    println!();
    println!("COMMANDS:");
    for (name, summary) in COMMANDS {
        println!("    {name:<8} {summary}");
    }
    println!();
    println!("Run `cargo xtask COMMAND --help` for a command's options.");
}
