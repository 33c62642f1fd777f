//! `#[loopbridge::test]` on functions it cannot run.

#[loopbridge::test]
fn not_async() {}

#[loopbridge::test]
async fn generic<T>() {}

#[loopbridge::test]
async fn two_arguments(_flavor: loopbridge::Flavor, _extra: u32) {}

#[loopbridge::test]
#[test]
async fn test_twice() {}

fn main() {}
