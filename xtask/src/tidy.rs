//! Tidy checks that guard workspace-wide rules, run as unit tests (`cargo test -p xtask`, the
//! `unit` step of `cargo xtask test`), rust-analyzer style.

#[cfg(test)]
mod tests {
    use std::fs;

    use crate::cmd::workspace_root;

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
        assert!(
            root.contains("unsafe_code = \"forbid\""),
            "the workspace lints forbid unsafe code"
        );
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
}
