//! The test-list check of `#[loopbridge::test]`: built with some backend features, a crate
//! must list exactly one test per flavour those features compile in, for each annotated
//! function — no flavour missing, none extra, no function without its tests.
//!
//! It lists the tests of one test target (`cargo test … -- --list`) and compares them with the
//! functions that carry `#[loopbridge::test]` in that target's source file.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::cmd::{Cmd, CmdError, workspace_root};
use crate::test::{FLAVOURS, NO_BACKEND};

/// One listing to check.
#[derive(Debug)]
pub(crate) struct ListCheck {
    cmd: Cmd,
    /// The source file of the test target, relative to the workspace root.
    source: &'static str,
    /// The flavours the features compile in.
    flavours: &'static [&'static str],
}

impl ListCheck {
    /// Lists the test target `test` of `package` (whose source is `source`), built with the
    /// cargo feature arguments `features`, expecting the tests of `flavours`.
    pub(crate) fn new(
        package: &str,
        test: &str,
        source: &'static str,
        features: &str,
        flavours: &'static [&'static str],
    ) -> Self {
        let cmd = Cmd::cargo()
            .args(["test", "-p", package, "--test", test])
            .split_args(features)
            .args(["--", "--list"]);
        ListCheck { cmd, source, flavours }
    }

    /// The command line, for `--help` and failure messages.
    pub(crate) fn display(&self) -> String {
        format!("{}  (expects {} per function)", self.cmd.display(), self.flavours.join(", "))
    }

    /// Runs the listing and checks it.
    pub(crate) fn run(&self) -> Result<Duration, CmdError> {
        let mut listed = Vec::new();
        let elapsed = self.cmd.run_streaming(|line| listed.push(line.to_owned()))?;
        let path = workspace_root().join(self.source);
        let source = std::fs::read_to_string(&path).map_err(|err| {
            self.cmd.failed_check(format!("cannot read {}: {err}", path.display()))
        })?;
        let annotated = annotated_functions(&source);
        let tests = flavour_tests(&listed);
        check(&annotated, &tests, self.flavours).map_err(|why| self.cmd.failed_check(why))?;
        println!(
            "--> {} functions, each with exactly one test per flavour ({})",
            annotated.len(),
            self.flavours.join(", ")
        );
        Ok(elapsed)
    }
}

/// The names of the functions that carry `#[loopbridge::test]` (with or without options).
fn annotated_functions(source: &str) -> Vec<String> {
    let mut functions = Vec::new();
    let mut annotated = false;
    for line in source.lines().map(str::trim) {
        if line.starts_with("#[loopbridge::test]") || line.starts_with("#[loopbridge::test(") {
            annotated = true;
        } else if annotated {
            if let Some(rest) = line.strip_prefix("async fn ") {
                let name: String =
                    rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                functions.push(name);
                annotated = false;
            }
        }
    }
    functions.sort();
    functions
}

/// The listed tests named `FUNCTION::FLAVOUR` (or `FUNCTION::no_backend_compiled_in`), as
/// FUNCTION → its flavours.
fn flavour_tests(listed: &[String]) -> BTreeMap<String, Vec<String>> {
    let mut tests: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in listed {
        let Some(name) = line.trim().strip_suffix(": test") else { continue };
        let Some((function, flavour)) = name.rsplit_once("::") else { continue };
        if FLAVOURS.contains(&flavour) || NO_BACKEND.contains(&flavour) {
            tests.entry(function.to_owned()).or_default().push(flavour.to_owned());
        }
    }
    tests
}

fn check(
    annotated: &[String],
    tests: &BTreeMap<String, Vec<String>>,
    flavours: &[&str],
) -> Result<(), String> {
    let with_tests: Vec<&String> = tests.keys().collect();
    if annotated.is_empty() || annotated.iter().collect::<Vec<_>>() != with_tests {
        return Err(format!(
            "the functions with `#[loopbridge::test]` are {annotated:?}, but those with \
             per-flavour tests are {with_tests:?}"
        ));
    }
    let mut expected: Vec<&str> = flavours.to_vec();
    expected.sort_unstable();
    for (function, found) in tests {
        let mut found: Vec<&str> = found.iter().map(String::as_str).collect();
        found.sort_unstable();
        if found != expected {
            return Err(format!(
                "`{function}` has tests for {found:?}; these features should give exactly one \
                 for each of {expected:?}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(names: &[&str]) -> BTreeMap<String, Vec<String>> {
        let lines: Vec<String> = names.iter().map(|n| format!("{n}: test")).collect();
        flavour_tests(&lines)
    }

    #[test]
    fn finds_annotated_functions_with_and_without_options() {
        let source = "#[loopbridge::test]\nasync fn a() {}\n\n#[loopbridge::test(timeout = \"5s\")]\n\
                      #[should_panic]\nasync fn b_2(flavor: Flavor) {}\n#[test]\nfn plain() {}\n";
        assert_eq!(annotated_functions(source), ["a", "b_2"]);
    }

    #[test]
    fn one_test_per_flavour_passes() {
        let tests = listing(&[
            "a::smol",
            "a::tokio_multi_thread",
            "b::tokio_multi_thread",
            "b::smol",
            "plain",
        ]);
        let annotated = ["a".to_owned(), "b".to_owned()];
        assert_eq!(check(&annotated, &tests, &["smol", "tokio_multi_thread"]), Ok(()));
    }

    #[test]
    fn a_missing_or_extra_flavour_or_function_fails() {
        let annotated = ["a".to_owned(), "b".to_owned()];
        let missing = listing(&["a::smol", "b::smol", "b::async_std"]);
        assert!(check(&annotated, &missing, &["smol"]).unwrap_err().contains("`b`"));
        let absent = listing(&["a::smol"]);
        assert!(check(&annotated, &absent, &["smol"]).is_err());
        assert!(check(&[], &BTreeMap::new(), &["smol"]).is_err());
    }
}
