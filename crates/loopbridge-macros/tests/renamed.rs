//! The expansions reach loopbridge through the path that `crate = "..."` names, so they work
//! when the dependency is renamed and when another library re-exports it. This package knows
//! loopbridge only as `lb` (see its Cargo.toml): `::loopbridge` does not resolve here, so an
//! expansion that hard-coded it would not compile.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// A library that re-exports loopbridge to its users, as `my_lib::engine`.
mod my_lib {
    pub(crate) use lb as engine;
}

#[lb::blocking(crate = "lb")]
async fn add_one(x: u32) -> u32 {
    lb::yield_now().await;
    x + 1
}

#[my_lib::engine::blocking(crate = "crate::my_lib::engine", suffix = "_now")]
async fn double(x: u32) -> u32 {
    lb::yield_now().await;
    x * 2
}

#[derive(Default)]
struct Counter(Arc<AtomicU32>);

#[lb::blocking(crate = "::lb")]
impl Counter {
    async fn bump(&self) -> u32 {
        lb::yield_now().await;
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
}

trait Source {
    type Item;
    async fn next(&mut self) -> Option<Self::Item>;
}

#[my_lib::engine::blocking(crate = "my_lib::engine")]
impl Source for Counter {
    type Item = u32;

    async fn next(&mut self) -> Option<u32> {
        Some(self.bump().await)
    }
}

#[test]
fn twins_work_through_a_renamed_dependency_and_a_reexport() {
    assert_eq!(add_one_blocking(1), 2);
    assert_eq!(double_now(21), 42);
    let mut counter = Counter::default();
    assert_eq!(counter.bump_blocking(), 1);
    assert_eq!(counter.next_blocking(), Some(2));
}

#[lb::test(crate = "lb")]
async fn tests_run_through_a_renamed_dependency(flavor: lb::Flavor) {
    assert_eq!(lb::current(), Some(flavor.kind()));
    assert_eq!(lb::spawn(async { 7 }).await.ok(), Some(7));
}

#[my_lib::engine::test(crate = "crate::my_lib::engine", backends(smol))]
async fn tests_run_through_a_reexport(flavor: my_lib::engine::Flavor) {
    assert_eq!(flavor, lb::Flavor::Smol);
    assert_eq!(lb::current(), Some(lb::BackendKind::Smol));
}
