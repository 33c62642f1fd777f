//! `cargo xtask deny`: supply-chain checks with cargo-deny against `deny.toml` — licenses,
//! bans (duplicates, wildcards), sources (crates.io only) and security advisories.
//!
//! cargo-deny is installed with `cargo install cargo-deny --locked` when missing (that compiles
//! for minutes, which is why `cargo xtask test` does not run it). The licenses, bans and
//! sources checks work offline. The advisories check needs the RustSec advisory database,
//! which cargo-deny fetches from GitHub: when that fetch fails, the command says so plainly and
//! fails after the offline checks, unless `--offline` asked to skip advisories.

use crate::Result;
use crate::cmd::{Cmd, CmdError};

fn deny(args: &str) -> Cmd {
    Cmd::cargo().args(["deny"]).split_args(args)
}

/// Prints `cargo xtask deny --help`.
pub(crate) fn print_help() {
    println!("cargo xtask deny: supply-chain checks with cargo-deny (deny.toml)");
    println!();
    println!("USAGE:");
    println!("    cargo xtask deny [--offline]");
    println!();
    println!("OPTIONS:");
    println!("    --offline      skip the advisories check (it needs the RustSec database)");
    println!("    -h, --help     print this help");
    println!();
    println!("RUNS:");
    println!("    $ {}", deny("check licenses bans sources").display());
    println!("    $ {}", deny("fetch db").display());
    println!("    $ {}", deny("check --disable-fetch advisories").display());
    println!();
    println!("Installs cargo-deny with `cargo install cargo-deny --locked` if it is missing.");
}

/// Installs cargo-deny when `cargo deny --version` does not work.
fn ensure_cargo_deny() -> std::result::Result<(), CmdError> {
    if deny("--version").succeeds_quietly() {
        return Ok(());
    }
    println!("cargo-deny is not installed; installing it (this compiles for a few minutes):");
    Cmd::cargo().split_args("install cargo-deny --locked").run()?;
    Ok(())
}

/// Runs `cargo xtask deny` with the arguments after `deny`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut offline = false;
    for arg in args {
        match arg.as_str() {
            "-h" | "--help" => {
                print_help();
                return Ok(());
            }
            "--offline" => offline = true,
            other => {
                return Err(format!(
                    "unexpected argument `{other}` to `cargo xtask deny`; see `cargo xtask deny --help`"
                )
                .into());
            }
        }
    }
    ensure_cargo_deny()?;
    deny("check licenses bans sources").run()?;
    println!("xtask deny: licenses, bans and sources ok");
    if offline {
        println!("xtask deny: advisories NOT checked (--offline)");
        return Ok(());
    }
    if let Err(err) = deny("fetch db").run() {
        return Err(format!(
            "advisories NOT checked: the RustSec advisory database could not be fetched ({err}); \
             cargo-deny fetches it from github.com, which this machine cannot reach. Licenses, \
             bans and sources passed. Check advisories where GitHub is reachable, or run \
             `cargo xtask deny --offline` to skip them knowingly"
        )
        .into());
    }
    deny("check --disable-fetch advisories").run()?;
    println!("xtask deny: licenses, bans, sources and advisories ok");
    Ok(())
}
