//! Compile-time behaviour of the attributes (trybuild): the shapes `#[loopbridge::blocking]`
//! must accept, compiled and run, and every misuse of either attribute, whose error must be
//! spanned at the problem (`ui/fail/*.stderr`). After a deliberate change to a message, rerun
//! with `TRYBUILD=overwrite` and review the `.stderr` diff. The `.stderr` files are pinned to
//! the stable toolchain.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
