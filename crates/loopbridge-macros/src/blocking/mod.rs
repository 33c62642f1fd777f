//! `#[loopbridge::blocking]`: `args` parses the options and the item, `expand` writes the twins.

mod args;
mod expand;

pub(crate) use expand::expand;
