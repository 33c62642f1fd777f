//! The public items of a crate's sources and their doc comments, for the tidy check that every
//! one has an `# Examples` section.
//!
//! A line scanner, not a parser: xtask has no dependencies. It relies on two things the rest of
//! `cargo xtask test` enforces. rustfmt (the `fmt` step) puts every item on a line of its own
//! and a block's closing brace at the indentation of its opening line. The `unreachable_pub`
//! lint under `clippy -D warnings` (the `clippy` step) makes every plain `pub` item reachable
//! from the crate root, so `pub` in the sources means public API (`pub(crate)` does not match).
//!
//! An item is public API, and checked, when it is:
//! - a `pub` `fn` (of a module or an inherent impl), `struct`, `enum`, `trait`, `type`, `const`,
//!   `static` or `union`;
//! - a method declared in a `pub trait` (no `pub` keyword there);
//! - a `#[macro_export]` macro;
//!
//! unless it, or the module declaration of its file, carries `#[doc(hidden)]` or a
//! `#[cfg(test)]`-like attribute (`mod tests { .. }` blocks inside a file are skipped as well).
//! Modules, fields, variants, re-exports and trait impls are not items here: a module's docs are
//! its file's `//!`, and a re-export is checked where it is defined.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// One public item: where it is, its declaration line, and its doc comment.
#[derive(Debug)]
pub(crate) struct PublicItem {
    pub(crate) file: PathBuf,
    /// 1-based.
    pub(crate) line: usize,
    pub(crate) declaration: String,
    /// The `///` lines above it, without the `///` and one following space.
    pub(crate) doc: Vec<String>,
    /// A method that takes only `self` (by reference or value) and returns a value.
    pub(crate) accessor: bool,
}

impl PublicItem {
    /// Whether the doc comment has a `# NAME` section heading.
    pub(crate) fn has_section(&self, name: &str) -> bool {
        self.doc.iter().any(|line| line.trim_end().strip_prefix("# ") == Some(name))
    }

    /// Whether the doc comment has an `# Examples` section with a code block in it (not only
    /// a pointer to another item's example).
    pub(crate) fn has_example(&self) -> bool {
        let mut lines = self.doc.iter().map(|line| line.trim_end());
        if !lines.any(|line| line == "# Examples") {
            return false;
        }
        lines.take_while(|line| !line.starts_with("# ")).any(|line| line.starts_with("```"))
    }

    /// Whether the item needs no example of its own: a trait method (the trait's example
    /// implements and calls them), or a plain accessor — a method that takes only `self` and
    /// returns a value — whose one-line doc says all there is.
    pub(crate) fn is_exempt_from_examples(&self) -> bool {
        self.declaration.starts_with("trait method ") || self.accessor
    }
}

/// Every public item of the crate whose sources are under `src` (its `lib.rs` and the files of
/// the modules it declares, in directory order).
pub(crate) fn crate_items(src: &Path) -> std::io::Result<Vec<PublicItem>> {
    let mut files = Vec::new();
    collect_rs_files(src, &mut files)?;
    files.sort();
    let mut sources = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file)?;
        sources.push((file, text));
    }
    let excluded = excluded_files(&sources);
    let mut items = Vec::new();
    for (file, text) in &sources {
        if !excluded.contains(file) {
            items.extend(scan(file, text));
        }
    }
    Ok(items)
}

fn collect_rs_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_rs_files(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The files of modules declared (`mod name;`) under a hiding attribute: test-only code and
/// `#[doc(hidden)]` modules such as the facade's `__private`.
fn excluded_files(sources: &[(PathBuf, String)]) -> BTreeSet<PathBuf> {
    let mut excluded = BTreeSet::new();
    for (file, text) in sources {
        let dir = module_dir(file);
        let mut hidden = false;
        let mut path_attr = None;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[") {
                hidden |= hides(line);
                if let Some(path) = line.strip_prefix("#[path = \"") {
                    path_attr = path.strip_suffix("\"]").map(str::to_owned);
                }
                continue;
            }
            if line.starts_with("//") || line.is_empty() {
                continue;
            }
            let declared = line.trim_start_matches("pub ").strip_prefix("mod ");
            if let Some(name) = declared.and_then(|rest| rest.strip_suffix(';')) {
                if hidden {
                    match &path_attr {
                        Some(path) => excluded.insert(dir.join(path)),
                        None => {
                            excluded.insert(dir.join(name).join("mod.rs"));
                            excluded.insert(dir.join(format!("{name}.rs")))
                        }
                    };
                }
            }
            hidden = false;
            path_attr = None;
        }
    }
    // Everything under an excluded `dir/mod.rs` or beside an excluded `name.rs` in `name/`.
    let roots: Vec<PathBuf> = excluded
        .iter()
        .map(|file| match file.file_name().and_then(|n| n.to_str()) {
            Some("mod.rs") => file.parent().map(Path::to_path_buf).unwrap_or_default(),
            _ => file.with_extension(""),
        })
        .collect();
    for (file, _) in sources {
        if roots.iter().any(|root| file.starts_with(root)) {
            excluded.insert(file.clone());
        }
    }
    excluded
}

/// The directory holding the files of the modules that `file` declares.
fn module_dir(file: &Path) -> PathBuf {
    let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
    match file.file_name().and_then(|n| n.to_str()) {
        Some("lib.rs" | "main.rs" | "mod.rs") => parent,
        _ => file.with_extension(""),
    }
}

/// Whether an attribute line hides what follows from the public API.
fn hides(attribute: &str) -> bool {
    let compact: String = attribute.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("doc(hidden)")
        || compact.starts_with("#[cfg(test)]")
        || compact.starts_with("#[cfg(all(test")
}

/// What a declaration line declares, if it is a checked item (`in_pub_trait`: the line is
/// directly inside a `pub trait` block).
fn item_kind(line: &str, in_pub_trait: bool) -> Option<&'static str> {
    const KINDS: [(&str, &str); 11] = [
        ("fn ", "fn"),
        ("async fn ", "fn"),
        ("const fn ", "fn"),
        ("const async fn ", "fn"),
        ("unsafe fn ", "fn"),
        ("struct ", "struct"),
        ("enum ", "enum"),
        ("trait ", "trait"),
        ("type ", "type"),
        ("static ", "static"),
        ("union ", "union"),
    ];
    let (rest, public) = match line.strip_prefix("pub ") {
        Some(rest) => (rest, true),
        None => (line, false),
    };
    if public {
        if let Some((_, kind)) = KINDS.iter().find(|(prefix, _)| rest.starts_with(prefix)) {
            return Some(kind);
        }
        return rest.starts_with("const ").then_some("const");
    }
    let is_method = ["fn ", "async fn ", "unsafe fn "].iter().any(|p| rest.starts_with(p));
    (in_pub_trait && is_method).then_some("trait method")
}

/// The public items of one file.
pub(crate) fn scan(file: &Path, text: &str) -> Vec<PublicItem> {
    let mut items = Vec::new();
    let mut doc: Vec<String> = Vec::new();
    let mut hidden = false;
    let mut macro_export = false;
    // An attribute spanning several lines: the brackets still open.
    let mut open_brackets = 0usize;
    // The closing line of a block being skipped (a test module, a hidden item's body).
    let mut skip_until: Option<String> = None;
    // The closing line of the `pub trait` block we are in, and the indentation of its items.
    let mut pub_trait: Option<(String, usize)> = None;

    for (index, raw) in text.lines().enumerate() {
        if let Some(end) = &skip_until {
            if raw == end {
                skip_until = None;
            }
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        if let Some((end, _)) = &pub_trait {
            if raw == end {
                pub_trait = None;
            }
        }
        if open_brackets > 0 {
            hidden |= hides(line);
            open_brackets = bracket_balance(open_brackets, line);
            continue;
        }
        if let Some(text) = line.strip_prefix("///") {
            doc.push(text.strip_prefix(' ').unwrap_or(text).to_owned());
            continue;
        }
        if line.starts_with("#[") {
            hidden |= hides(line);
            macro_export |= line.starts_with("#[macro_export");
            open_brackets = bracket_balance(0, line);
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        // A code line: the pending doc comment and attributes belong to it.
        let in_trait_items = pub_trait.as_ref().is_some_and(|(_, inner)| *inner == indent);
        let kind = if macro_export && line.starts_with("macro_rules!") {
            Some("macro")
        } else {
            item_kind(line, in_trait_items)
        };
        let opens_block = line.ends_with('{');
        let closing = format!("{}}}", &raw[..indent]);
        if hidden {
            if opens_block {
                skip_until = Some(closing);
            }
        } else if let Some(kind) = kind {
            if kind == "trait" && opens_block && line.starts_with("pub ") {
                pub_trait = Some((closing, indent + 4));
            }
            items.push(PublicItem {
                file: file.to_path_buf(),
                line: index + 1,
                declaration: format!("{kind} `{}`", declaration_name(line)),
                doc: std::mem::take(&mut doc),
                accessor: kind == "fn" && is_accessor(line),
            });
        }
        doc.clear();
        hidden = false;
        macro_export = false;
    }
    items
}

/// Whether a `fn` declaration line is a plain accessor: no generics, only `self` as parameter,
/// and a return type.
fn is_accessor(line: &str) -> bool {
    let Some((_, after_fn)) = line.split_once("fn ") else { return false };
    let Some((name, rest)) = after_fn.split_once('(') else { return false };
    let only_self = ["&self)", "self)", "&mut self)"].iter().any(|p| rest.starts_with(p));
    !name.contains('<') && only_self && rest.contains(") -> ")
}

/// `[` minus `]` so far, starting from `open`.
fn bracket_balance(open: usize, line: &str) -> usize {
    line.chars().fold(open, |open, c| match c {
        '[' => open + 1,
        ']' => open.saturating_sub(1),
        _ => open,
    })
}

/// The declaration up to its name's end: `pub fn spawn`, `pub struct Bridge`.
fn declaration_name(line: &str) -> &str {
    let end = line.find(['(', '<', '{', ':', ';', '=']).unwrap_or(line.len());
    line[..end].trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, bool)> {
        scan(Path::new("x.rs"), text)
            .iter()
            .map(|item| (item.declaration.clone(), item.has_section("Examples")))
            .collect()
    }

    #[test]
    fn finds_items_and_their_sections() {
        let text = r#"
/// Spawns.
///
/// # Examples
///
/// ```
/// spawn();
/// ```
#[inline]
#[cfg_attr(
    docsrs,
    doc(cfg(feature = "x"))
)]
pub fn spawn() {}

/// No examples.
pub(crate) fn private() {}

pub struct Bare {
    pub field: u8,
}

/// A trait.
///
/// # Examples
pub trait Backend {
    /// A method.
    fn method(&self);

    /// # Examples
    fn documented(&self) {
        let inner = 1;
    }
}

impl Bare {
    /// A method.
    pub async fn run(&self) {}
}

#[doc(hidden)]
pub mod hidden {
    pub fn inside() {}
}

#[cfg(test)]
mod tests {
    pub fn helper() {}
}

#[macro_export]
macro_rules! exported {
    () => {};
}
"#;
        assert_eq!(
            names(text),
            [
                ("fn `pub fn spawn`".to_owned(), true),
                ("struct `pub struct Bare`".to_owned(), false),
                ("trait `pub trait Backend`".to_owned(), true),
                ("trait method `fn method`".to_owned(), false),
                ("trait method `fn documented`".to_owned(), true),
                ("fn `pub async fn run`".to_owned(), false),
                ("macro `macro_rules! exported`".to_owned(), false),
            ]
        );
    }

    #[test]
    fn a_hidden_or_test_module_file_is_excluded() {
        let sources = vec![
            (
                PathBuf::from("src/lib.rs"),
                "#[doc(hidden)]\n#[path = \"private.rs\"]\npub mod __private;\n#[cfg(test)]\nmod tests;\npub mod shown;\n"
                    .to_owned(),
            ),
            (PathBuf::from("src/private.rs"), String::new()),
            (PathBuf::from("src/tests.rs"), String::new()),
            (PathBuf::from("src/shown.rs"), String::new()),
        ];
        let excluded = excluded_files(&sources);
        assert!(excluded.contains(Path::new("src/private.rs")));
        assert!(excluded.contains(Path::new("src/tests.rs")));
        assert!(!excluded.contains(Path::new("src/shown.rs")));
    }
}
