//! 64 threads × N `block_on` calls, on an owned runner and on the global runner of each flavour.
//!
//! Every call returns a value that names its thread and its index, computed through a different
//! kind of work depending on the index (ready, a yield, a spawned task, a timer, a `to_thread`
//! job), and the caller checks it at once: a result delivered to the wrong caller, a lost one or
//! a duplicate fails the test. The threads start together behind a barrier, so the calls really
//! overlap.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use loopbridge::Bridge;
use loopbridge_tests::{Flavor, builder_for};

use crate::{Scale, for_each_flavor, progress};

/// What call `index` of thread `thread` must return.
fn expected(thread: usize, index: usize) -> u64 {
    ((thread as u64) << 32 | index as u64) * 3 + 1
}

/// The future of call `index` of thread `thread`: five kinds of work, by index.
async fn call(thread: usize, index: usize) -> u64 {
    let input = (thread as u64) << 32 | index as u64;
    let input = match index % 5 {
        0 => input,
        1 => {
            loopbridge::yield_now().await;
            input
        }
        2 => loopbridge::spawn(async move { input }).await.expect("a spawned task"),
        3 => {
            loopbridge::sleep(Duration::ZERO).await;
            input
        }
        // Blocking jobs are the most expensive kind: one call in 25 makes one.
        _ if index % 25 == 4 => loopbridge::to_thread(move || input).await.expect("a job"),
        _ => loopbridge::timeout(Duration::from_secs(60), async move { input })
            .await
            .expect("ready before its deadline"),
    };
    input * 3 + 1
}

/// Runs the scale's threads of `block_on` calls through `block_on`, checking every result;
/// returns how long the calls took, from the barrier to the last caller's last result.
fn hammer(
    scale: Scale,
    label: &str,
    block_on: impl Fn(usize, usize) -> u64 + Send + Sync + 'static,
) -> Duration {
    let block_on = Arc::new(block_on);
    let barrier = Arc::new(Barrier::new(scale.threads));
    let done = Arc::new(AtomicUsize::new(0));
    let callers: Vec<_> = (0..scale.threads)
        .map(|thread| {
            let (block_on, barrier, done) =
                (Arc::clone(&block_on), Arc::clone(&barrier), Arc::clone(&done));
            std::thread::Builder::new()
                .name(format!("caller-{thread}"))
                .spawn(move || {
                    barrier.wait();
                    let started = Instant::now();
                    for index in 0..scale.calls_per_thread {
                        let got = block_on(thread, index);
                        assert_eq!(
                            got,
                            expected(thread, index),
                            "call {index} of thread {thread} got someone else's result"
                        );
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    (started, Instant::now())
                })
                .expect("start a caller thread")
        })
        .collect();
    let total = scale.threads * scale.calls_per_thread;
    let started = Instant::now();
    // Progress only: the time reported is measured by the callers themselves.
    while callers.iter().any(|caller| !caller.is_finished()) {
        std::thread::sleep(Duration::from_millis(if scale.full { 1_000 } else { 10 }));
        progress(scale, || {
            let n = done.load(Ordering::Relaxed);
            format!("{label}: {n}/{total} calls checked after {:.1?}", started.elapsed())
        });
    }
    let mut spans = Vec::with_capacity(callers.len());
    for caller in callers {
        match caller.join() {
            Ok(span) => spans.push(span),
            Err(payload) => std::panic::resume_unwind(payload),
        }
    }
    assert_eq!(done.load(Ordering::Relaxed), total, "every call returned exactly once");
    let first = spans.iter().map(|(start, _)| *start).min().unwrap_or(started);
    let last = spans.iter().map(|(_, end)| *end).max().unwrap_or(started);
    last - first
}

fn figures(scale: Scale, took: Duration) -> String {
    let calls = scale.threads * scale.calls_per_thread;
    let micros = took.as_secs_f64() * 1e6 / calls as f64;
    format!(
        "{} threads × {} calls = {calls} results checked in {took:.2?} ({micros:.1} µs per call)",
        scale.threads, scale.calls_per_thread
    )
}

#[test]
fn owned_runner_serves_64_threads_of_block_on() {
    for_each_flavor("stress/owned-runner", |flavor: Flavor, scale| {
        let runner = Arc::new(loopbridge_tests::runner_for(flavor));
        let bridge = runner.bridge();
        let took = hammer(scale, &format!("{flavor:?} owned"), move |thread, index| {
            bridge.block_on(call(thread, index))
        });
        let report = runner.shutdown(Duration::from_secs(10));
        assert!(report.completed_in_time(), "{report:?}");
        figures(scale, took)
    });
}

#[test]
fn global_runner_serves_64_threads_of_block_on() {
    for_each_flavor("stress/global-runner", |flavor: Flavor, scale| {
        // A global runner of this flavour: shut down whatever ran before, configure, start.
        let _ = loopbridge::shutdown_global(Duration::from_secs(10));
        loopbridge::configure_global(builder_for(flavor)).expect("no global runner is running");
        let took = hammer(scale, &format!("{flavor:?} global"), |thread, index| {
            loopbridge::block_on(call(thread, index))
        });
        assert_eq!(Bridge::global().kind(), flavor.kind());
        let report = loopbridge::shutdown_global(Duration::from_secs(10));
        assert!(report.completed_in_time(), "{report:?}");
        figures(scale, took)
    });
}
