//! `cargo xtask loom`: the loom models of the shutdown state machine
//! (`crates/loopbridge-core/src/model_checks.rs`).
//!
//! loom replaces the lifecycle's atomics and mutexes under `--cfg loom` and runs each model
//! once per interleaving, up to `LOOM_MAX_PREEMPTIONS` preemptions (3 unless set). Release
//! mode, as loom recommends, in `target/loom` so that the `--cfg loom` build never evicts the
//! normal one.

use std::env;
use std::time::Instant;

use crate::Result;
use crate::cmd::{Cmd, format_duration};

/// Preemption bound unless `LOOM_MAX_PREEMPTIONS` is set: tokio's CI uses 2 and 3.
const DEFAULT_MAX_PREEMPTIONS: &str = "3";

fn command() -> Cmd {
    let preemptions =
        env::var("LOOM_MAX_PREEMPTIONS").unwrap_or_else(|_| DEFAULT_MAX_PREEMPTIONS.to_owned());
    Cmd::cargo()
        .split_args("test -p loopbridge-core --lib --release --target-dir target/loom")
        .split_args("model_checks")
        .env("RUSTFLAGS", "--cfg loom")
        .env("LOOM_MAX_PREEMPTIONS", &preemptions)
}

/// Prints `cargo xtask loom --help`.
pub(crate) fn print_help() {
    println!("cargo xtask loom: model-check the runner's shutdown state machine with loom");
    println!();
    println!("USAGE:");
    println!("    cargo xtask loom");
    println!();
    println!("RUNS:");
    println!("    $ {}", command().display());
    println!();
    println!("Set LOOM_MAX_PREEMPTIONS to explore more (slower) or fewer interleavings.");
}

/// Runs `cargo xtask loom`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    if let Some(arg) = args.first() {
        if arg == "-h" || arg == "--help" {
            print_help();
            return Ok(());
        }
        return Err(format!("unexpected argument `{arg}` to `cargo xtask loom`").into());
    }
    let start = Instant::now();
    command().run()?;
    println!("xtask loom: every model passed in {}", format_duration(start.elapsed()));
    Ok(())
}
