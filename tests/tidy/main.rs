//! Tidy checks that guard workspace-wide rules, rust-analyzer style: `cargo test -p
//! loopbridge-tests --test tidy` (the `unit` step of `cargo xtask test`).

mod public_items;

use std::fs;
use std::path::{Path, PathBuf};

/// The workspace's root: the parent of this package.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(PathBuf::new, Path::to_path_buf)
}

fn read(path: &str) -> String {
    let path = workspace_root().join(path);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The workspace members, from the root manifest's `members = [ … ]`.
fn members() -> Vec<String> {
    let root = read("Cargo.toml");
    let list = root
        .split_once("members = [")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(list, _)| list)
        .expect("the root manifest lists its members");
    list.split(',')
        .map(|m| m.trim().trim_matches('"').to_owned())
        .filter(|m| !m.is_empty())
        .collect()
}

/// `#![forbid(unsafe_code)]` in every crate: the workspace lint forbids it, and every member
/// (a new crate included) must inherit the workspace lints.
#[test]
fn every_crate_forbids_unsafe_code() {
    let root = read("Cargo.toml");
    assert!(root.contains("unsafe_code = \"forbid\""), "the workspace lints forbid unsafe code");
    let members = members();
    assert!(members.len() >= 5, "{members:?}");
    for member in members {
        let manifest = read(&format!("{member}/Cargo.toml"));
        let inherits = manifest
            .split_once("[lints]")
            .is_some_and(|(_, rest)| rest.trim_start().starts_with("workspace = true"));
        assert!(inherits, "{member}/Cargo.toml must have `[lints] workspace = true`");
    }
}

/// Every public item of the published crates (the members under `crates/`) and of the
/// library-author example (`tinykv`, a library to imitate) has a doc comment with an
/// `# Examples` section that holds a code block — except trait methods, whose trait's
/// example implements and calls them, and plain accessors, whose one-line doc says all
/// there is. See `public_items.rs` for what counts as an item.
#[test]
fn every_public_item_has_an_examples_section() {
    let members: Vec<String> = members()
        .into_iter()
        .filter(|m| m.starts_with("crates/") || m == "examples/library_author")
        .collect();
    assert!(members.len() >= 6, "{members:?}");
    let mut missing = Vec::new();
    let mut checked = 0;
    for member in members {
        let src = workspace_root().join(&member).join("src");
        let items = public_items::crate_items(&src)
            .unwrap_or_else(|e| panic!("read {}: {e}", src.display()));
        checked += items.len();
        let lacking = items.iter().filter(|i| !i.is_exempt_from_examples() && !i.has_example());
        for item in lacking {
            let file = item.file.strip_prefix(workspace_root()).unwrap_or(&item.file);
            missing.push(format!("{}:{}: {}", file.display(), item.line, item.declaration));
        }
    }
    assert!(checked > 100, "only {checked} public items found: is the scanner broken?");
    assert!(
        missing.is_empty(),
        "{} of {checked} public items have no `# Examples` section with a code block:\n{}",
        missing.len(),
        missing.join("\n")
    );
}
