//! The dependency-tree check of the HTTP example built with smol alone: no tokio runtime.
//!
//! hyper 1.x depends on tokio unconditionally, for its `sync` primitives (and hyper-util's
//! pooled client turns on tokio's `net` types), so "no tokio in the tree" cannot hold for any
//! hyper user; what can, and what this checks, is that **no tokio runtime** is built: none of
//! tokio's `rt`, `rt-multi-thread` or `time` features is on, and neither loopbridge's tokio
//! adapter nor async-std is in the tree.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::cmd::{Cmd, CmdError};

/// The example package, built as `http_any_runtime`'s docs and `cargo xtask test` build it:
/// smol alone, with the HTTP features.
const FEATURES: &str = "--no-default-features --features smol,net,hyper,macros";

/// tokio's features that make a runtime (a scheduler, the timer driver).
const RUNTIME_FEATURES: [&str; 3] = ["rt", "rt-multi-thread", "time"];

/// Packages that must not be in the tree at all.
const ABSENT: [&str; 2] = ["loopbridge-tokio", "async-std"];

/// The check, as two `cargo tree` runs.
#[derive(Debug)]
pub(crate) struct TreeCheck {
    /// Inverted on tokio: the features it is built with.
    tokio_features: Cmd,
    /// Every package of the tree, one per line.
    packages: Cmd,
}

impl TreeCheck {
    /// The check of `examples/http_any_runtime.rs` built with smol alone.
    pub(crate) fn smol_http() -> Self {
        let tree = || Cmd::cargo().split_args("tree -p loopbridge-examples").split_args(FEATURES);
        TreeCheck {
            tokio_features: tree().split_args("-e features -i tokio"),
            packages: tree().split_args("-e normal,build,dev --prefix none"),
        }
    }

    /// The command lines, for `--help`.
    pub(crate) fn display(&self) -> String {
        format!(
            "{}  (no tokio feature of {RUNTIME_FEATURES:?})\n        $ {}  (none of {ABSENT:?})",
            self.tokio_features.display(),
            self.packages.display()
        )
    }

    /// Runs both listings and checks them.
    pub(crate) fn run(&self) -> Result<Duration, CmdError> {
        let mut inverted = Vec::new();
        let mut elapsed =
            self.tokio_features.run_streaming(|line| inverted.push(line.to_owned()))?;
        let features = tokio_features(&inverted);
        check_features(&features).map_err(|why| self.tokio_features.failed_check(why))?;
        let mut packages = Vec::new();
        elapsed += self.packages.run_streaming(|line| packages.push(line.to_owned()))?;
        check_packages(&packages).map_err(|why| self.packages.failed_check(why))?;
        println!(
            "--> no tokio runtime with smol alone: tokio is built with {features:?} only, and \
             none of {ABSENT:?} is in the tree"
        );
        Ok(elapsed)
    }
}

/// The features of tokio in `cargo tree -e features -i tokio` output: the lines right under
/// the root, `├── tokio feature "sync"`.
fn tokio_features(inverted: &[String]) -> BTreeSet<String> {
    inverted
        .iter()
        .filter_map(|line| {
            let line = line.trim_start_matches(['│', '├', '└', '─', ' ']);
            let name = line.strip_prefix("tokio feature \"")?;
            Some(name.split('"').next()?.to_owned())
        })
        .collect()
}

fn check_features(features: &BTreeSet<String>) -> Result<(), String> {
    let runtime: Vec<&String> =
        features.iter().filter(|f| RUNTIME_FEATURES.contains(&f.as_str())).collect();
    if runtime.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "tokio is built with its runtime features {runtime:?} in the smol HTTP build \
             ({FEATURES}); `cargo tree -e features -i tokio` shows which crate turns them on"
        ))
    }
}

fn check_packages(packages: &[String]) -> Result<(), String> {
    let present: BTreeSet<&str> = packages
        .iter()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| ABSENT.contains(name))
        .collect();
    if present.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{present:?} in the smol HTTP build ({FEATURES}); `cargo tree -i NAME` shows why"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn reads_the_features_under_the_root_of_an_inverted_tree() {
        let tree = lines(
            "tokio v1.54.1\n└── hyper v1.12.0\n├── tokio feature \"default\"\n│   └── hyper v1.12.0\n\
             ├── tokio feature \"net\" (*)\n└── tokio feature \"sync\"\n    └── hyper v1.12.0",
        );
        let features = tokio_features(&tree);
        assert_eq!(features.into_iter().collect::<Vec<_>>(), ["default", "net", "sync"]);
    }

    #[test]
    fn a_runtime_feature_or_the_tokio_adapter_fails_the_check() {
        let ok: BTreeSet<String> = ["default", "sync", "net"].map(String::from).into();
        assert_eq!(check_features(&ok), Ok(()));
        let runtime: BTreeSet<String> = ["sync", "rt"].map(String::from).into();
        assert!(check_features(&runtime).is_err_and(|e| e.contains("\"rt\"")));
        assert_eq!(check_packages(&lines("hyper v1.12.0\ntokio v1.54.1")), Ok(()));
        let adapter = lines("loopbridge v0.1.0 (/work)\nloopbridge-tokio v0.1.0 (/work/crates)");
        assert!(check_packages(&adapter).is_err_and(|e| e.contains("loopbridge-tokio")));
    }
}
