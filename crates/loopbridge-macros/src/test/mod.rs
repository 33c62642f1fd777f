//! `#[loopbridge::test]`: `args` parses the options, `expand` writes one `#[test]` per flavour.

mod args;
mod expand;

pub(crate) use expand::expand;
