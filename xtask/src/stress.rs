//! `cargo xtask stress`: the reliability suite at the full sizes of `docs/reliability.md`.
//!
//! The same tests as the `reliability` step of `cargo xtask test`, with
//! `LOOPBRIDGE_STRESS=full`: 64 threads × 10,000 `block_on` calls per flavour on owned and
//! global runners, 10,000 panicking tasks, 1,000 runners created and shut down, 256 random
//! operation sequences per flavour, and the real-fork test. One test at a time, with the tests'
//! own progress lines and figures shown as they come.

use std::time::Instant;

use crate::Result;
use crate::cmd::{Cmd, format_duration};

/// The command `cargo xtask stress` runs.
fn command(fast: bool) -> Cmd {
    Cmd::cargo()
        .split_args("test -p loopbridge-tests --test reliability --test fork")
        .split_args("-- --test-threads=1 --nocapture")
        .env("LOOPBRIDGE_STRESS", if fast { "fast" } else { "full" })
}

/// Prints `cargo xtask stress --help`.
pub(crate) fn print_help() {
    println!("cargo xtask stress: the reliability suite at full size (docs/reliability.md)");
    println!();
    println!("USAGE:");
    println!("    cargo xtask stress [--fast]");
    println!();
    println!("OPTIONS:");
    println!("    --fast         the sizes `cargo xtask test` runs, with the same output");
    println!("    -h, --help     print this help");
    println!();
    println!("RUNS:");
    println!("    $ {}", command(false).display());
    println!();
    println!("Each scenario runs once per compiled-in flavour under a watchdog (600 s per flavour");
    println!("at full size) and prints one line per flavour with what it checked and measured.");
}

/// Runs `cargo xtask stress` with the arguments after `stress`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut fast = false;
    for arg in args {
        match arg.as_str() {
            "-h" | "--help" => {
                print_help();
                return Ok(());
            }
            "--fast" => fast = true,
            other => {
                return Err(format!(
                    "unexpected argument `{other}` to `cargo xtask stress`; see `cargo xtask stress --help`"
                )
                .into());
            }
        }
    }
    let start = Instant::now();
    command(fast).run()?;
    println!("xtask stress: passed in {}", format_duration(start.elapsed()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_the_full_sizes_one_test_at_a_time() {
        assert_eq!(
            command(false).display(),
            "LOOPBRIDGE_STRESS=full cargo test -p loopbridge-tests --test reliability --test fork \
             -- --test-threads=1 --nocapture"
        );
    }
}
