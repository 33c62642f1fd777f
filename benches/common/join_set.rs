//! The rounds the `JoinSet` rows time (`structured.rs`) and count (`instructions.rs`): spawn
//! [`TASKS`] trivial tasks into a set, join them all, as a task of the runtime; and the drains
//! of the `try_join_next` rows: [`DRAIN`] finished tasks taken without waiting.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
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

/// Finished tasks per drain (the `try_join_next` rows).
pub const DRAIN: usize = 10_000;

/// A task that counts itself finished.
pub fn counted(finished: &Arc<AtomicUsize>) -> impl Future<Output = ()> + Send + 'static {
    let finished = Arc::clone(finished);
    async move {
        finished.fetch_add(1, Ordering::Release);
    }
}

/// Yields until [`DRAIN`] tasks have counted themselves finished.
async fn settle(finished: &AtomicUsize) {
    while finished.load(Ordering::Acquire) < DRAIN {
        loopbridge::yield_now().await;
    }
}

/// Takes [`DRAIN`] results with `try_next`, spinning on the rare `None` of a task that counted
/// itself but has not stored its output yet (another worker); returns the time it took.
fn drain<R>(mut try_next: impl FnMut() -> Option<R>) -> Duration {
    let start = Instant::now();
    let mut drained = 0;
    while drained < DRAIN {
        match try_next() {
            Some(result) => {
                std::hint::black_box(result);
                drained += 1;
            }
            None => std::hint::spin_loop(),
        }
    }
    start.elapsed()
}

/// `iters` rounds of: spawn [`DRAIN`] tasks into a loopbridge `JoinSet`, let them all finish,
/// then drain the set with `try_join_next` — only the drain is timed.
pub async fn loopbridge_drains(iters: u64) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let finished = Arc::new(AtomicUsize::new(0));
        let mut set = JoinSet::new();
        for _ in 0..DRAIN {
            set.spawn(counted(&finished));
        }
        settle(&finished).await;
        total += drain(|| set.try_join_next().map(|done| done.expect("a counted task")));
    }
    total
}

/// The same drains with tokio's own `JoinSet`.
pub async fn tokio_drains(iters: u64) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let finished = Arc::new(AtomicUsize::new(0));
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..DRAIN {
            set.spawn(counted(&finished));
        }
        settle(&finished).await;
        total += drain(|| set.try_join_next().map(|done| done.expect("a counted task")));
    }
    total
}

/// The same drains with a `FuturesUnordered` of whatever handles `spawn` returns, polled
/// once per result without waiting (what smol and async-std users write).
pub async fn unordered_drains<H, T>(iters: u64, spawn: impl Fn(&Arc<AtomicUsize>) -> H) -> Duration
where
    H: Future<Output = T> + Unpin,
{
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let finished = Arc::new(AtomicUsize::new(0));
        let mut set: FuturesUnordered<H> = (0..DRAIN).map(|_| spawn(&finished)).collect();
        settle(&finished).await;
        total += drain(|| set.next().now_or_never().flatten());
    }
    total
}
