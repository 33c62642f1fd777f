//! `cargo xtask miri`: `loopbridge-core`'s unit tests under Miri (nightly), which checks for
//! undefined behaviour, data races and leaks in the task cell, the lifecycle and the pool.
//!
//! Miri and the standard library's sources are nightly components. If they are missing, one
//! `rustup component add` is tried; if that fails (no network, no nightly), the command says
//! plainly that Miri did not run and fails.

use std::time::Instant;

use crate::Result;
use crate::cmd::{Cmd, format_duration};

fn command() -> Cmd {
    Cmd::program("cargo").split_args("+nightly miri test -p loopbridge-core --lib")
}

/// Prints `cargo xtask miri --help`.
pub(crate) fn print_help() {
    println!("cargo xtask miri: run loopbridge-core's unit tests under Miri (nightly)");
    println!();
    println!("USAGE:");
    println!("    cargo xtask miri");
    println!();
    println!("RUNS:");
    println!("    $ {}", command().display());
    println!();
    println!("Installs the nightly `miri` and `rust-src` components with rustup if they are");
    println!("missing; fails with a plain message if they cannot be installed.");
}

fn miri_available() -> bool {
    Cmd::program("cargo").split_args("+nightly miri --version").succeeds_quietly()
}

/// Runs `cargo xtask miri`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    if let Some(arg) = args.first() {
        if arg == "-h" || arg == "--help" {
            print_help();
            return Ok(());
        }
        return Err(format!("unexpected argument `{arg}` to `cargo xtask miri`").into());
    }
    if !miri_available() {
        println!("Miri is not installed; installing the nightly components:");
        let install = Cmd::program("rustup")
            .split_args("component add --toolchain nightly miri rust-src")
            .run();
        if let Err(err) = install.map_err(|e| e.to_string()).and_then(|_| {
            if miri_available() { Ok(()) } else { Err("`cargo +nightly miri` still fails".into()) }
        }) {
            return Err(format!(
                "Miri did NOT run: it is not installed and could not be installed ({err}). \
                 It needs a nightly toolchain with the `miri` and `rust-src` components \
                 (`rustup toolchain install nightly --component miri,rust-src`)"
            )
            .into());
        }
    }
    let start = Instant::now();
    command().run()?;
    println!("xtask miri: loopbridge-core's unit tests passed under Miri in {}", {
        format_duration(start.elapsed())
    });
    Ok(())
}
