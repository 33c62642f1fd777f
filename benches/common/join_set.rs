//! The rounds the `JoinSet` rows time (`structured.rs`) and count (`instructions.rs`): spawn
//! [`TASKS`] trivial tasks into a set, join them all, as a task of the runtime.

use std::future::Future;
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, StreamExt};
use loopbridge::JoinSet;

use crate::trivial;

/// Tasks per set.
pub const TASKS: usize = 100;

/// `iters` rounds of: spawn [`TASKS`] trivial tasks into a loopbridge `JoinSet`, join them.
pub async fn loopbridge_rounds(iters: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        let mut set = JoinSet::new();
        for _ in 0..TASKS {
            set.spawn(trivial());
        }
        while let Some(done) = set.join_next().await {
            std::hint::black_box(done.expect("a trivial task"));
        }
    }
    start.elapsed()
}

/// The same rounds with tokio's own `JoinSet`.
pub async fn tokio_rounds(iters: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..TASKS {
            set.spawn(trivial());
        }
        while let Some(done) = set.join_next().await {
            std::hint::black_box(done.expect("a trivial task"));
        }
    }
    start.elapsed()
}

/// The same rounds with a `FuturesUnordered` of whatever handles `spawn` returns.
pub async fn unordered_rounds<H, T>(iters: u64, spawn: impl Fn() -> H) -> Duration
where
    H: Future<Output = T>,
{
    let start = Instant::now();
    for _ in 0..iters {
        let mut set: FuturesUnordered<H> = (0..TASKS).map(|_| spawn()).collect();
        while let Some(done) = set.next().await {
            std::hint::black_box(done);
        }
    }
    start.elapsed()
}
