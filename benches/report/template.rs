//! Fills `{{name}}` placeholders, so that the report's prose can live in a Markdown file, where
//! it reads and diffs as the document it becomes, and only the measured pieces come from Rust.
//!
//! A placeholder that is a whole line takes its line end with it: a value of whole lines (table
//! rows, an optional note) brings its own line ends, and an empty one leaves no blank line.
//!
//! Every placeholder needs a value and every value a placeholder: either mismatch is a typo on
//! one side, which must fail the report rather than publish `{{name}}` or silently drop a table.

use std::collections::HashMap;
use std::error::Error;
use std::fmt;

/// Why a template could not be filled.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FillError {
    /// A placeholder with no value.
    Unfilled { name: String, line: usize },
    /// A value that no placeholder asks for.
    Unused(String),
    /// A value given twice.
    Duplicate(String),
    /// A `{{` that no `}}` closes on the same line.
    Unclosed { line: usize },
}

impl fmt::Display for FillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unfilled { name, line } => {
                write!(f, "line {line}: no value for `{{{{{name}}}}}`")
            }
            Self::Unused(name) => write!(f, "a value for `{{{{{name}}}}}`, which appears nowhere"),
            Self::Duplicate(name) => write!(f, "two values for `{{{{{name}}}}}`"),
            Self::Unclosed { line } => write!(f, "line {line}: `{{{{` without `}}}}`"),
        }
    }
}

impl Error for FillError {}

/// A template, cut at its placeholders.
enum Piece<'a> {
    Text(&'a str),
    Placeholder { name: &'a str, line: usize },
}

fn parse(template: &str) -> Result<Vec<Piece<'_>>, FillError> {
    let mut pieces = Vec::new();
    let mut start = 0;
    while let Some(offset) = template[start..].find("{{") {
        let open = start + offset;
        let line = template[..open].matches('\n').count() + 1;
        let inner = &template[open + 2..];
        let close = inner
            .find("}}")
            .filter(|&close| !inner[..close].contains('\n'))
            .ok_or(FillError::Unclosed { line })?;
        let mut end = open + 2 + close + 2;
        let whole_line =
            (open == 0 || template[..open].ends_with('\n')) && template[end..].starts_with('\n');
        if whole_line {
            end += 1;
        }
        pieces.push(Piece::Text(&template[start..open]));
        pieces.push(Piece::Placeholder { name: &inner[..close], line });
        start = end;
    }
    pieces.push(Piece::Text(&template[start..]));
    Ok(pieces)
}

/// `template` with each `{{name}}` replaced by the value of `name` in `values`.
pub(crate) fn fill(template: &str, values: &[(&str, String)]) -> Result<String, FillError> {
    let mut by_name: HashMap<&str, &str> = HashMap::with_capacity(values.len());
    for (name, value) in values {
        if by_name.insert(name, value).is_some() {
            return Err(FillError::Duplicate((*name).to_owned()));
        }
    }
    let pieces = parse(template)?;
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|(_, v)| v.len()).sum::<usize>());
    for piece in &pieces {
        match *piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Placeholder { name, line } => match by_name.get(name) {
                Some(value) => out.push_str(value),
                None => return Err(FillError::Unfilled { name: name.to_owned(), line }),
            },
        }
    }
    let asked = |name: &str| {
        pieces.iter().any(|piece| matches!(piece, Piece::Placeholder { name: n, .. } if *n == name))
    };
    match values.iter().find(|(name, _)| !asked(name)) {
        Some((unused, _)) => Err(FillError::Unused((*unused).to_owned())),
        None => Ok(out),
    }
}

/// The names of `template`'s placeholders, in order.
pub(crate) fn placeholders(template: &str) -> Result<Vec<&str>, FillError> {
    let pieces = parse(template)?;
    Ok(pieces
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Placeholder { name, .. } => Some(name),
            Piece::Text(_) => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        pairs.iter().map(|(name, value)| (*name, (*value).to_owned())).collect()
    }

    #[test]
    fn fills_inline_and_whole_line_placeholders() {
        let template = "# {{title}}\n{{note}}\n| a |\n{{rows}}\nend {{title}}\n";
        let filled =
            fill(template, &values(&[("title", "T"), ("note", ""), ("rows", "| 1 |\n| 2 |\n")]));
        assert_eq!(filled.unwrap(), "# T\n| a |\n| 1 |\n| 2 |\nend T\n");
    }

    #[test]
    fn names_a_placeholder_without_value() {
        let filled = fill("a\nb {{x}} {{y}}\n", &values(&[("x", "1")]));
        assert_eq!(filled, Err(FillError::Unfilled { name: "y".to_owned(), line: 2 }));
        assert_eq!(filled.unwrap_err().to_string(), "line 2: no value for `{{y}}`");
    }

    #[test]
    fn names_a_value_without_placeholder() {
        let filled = fill("{{x}}", &values(&[("x", "1"), ("z", "2")]));
        assert_eq!(filled, Err(FillError::Unused("z".to_owned())));
        assert_eq!(
            fill("{{x}}", &values(&[("x", "1"), ("x", "2")])),
            Err(FillError::Duplicate("x".to_owned()))
        );
    }

    #[test]
    fn rejects_an_unclosed_placeholder() {
        assert_eq!(fill("a\n{{x\n}}", &[]), Err(FillError::Unclosed { line: 2 }));
    }
}
