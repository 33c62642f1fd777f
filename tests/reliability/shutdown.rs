//! Shutdown under load, and runners created and shut down over and over.
//!
//! - While tasks (never-ending, sleeping, short), `to_thread` jobs (running and queued) and sync
//!   callers (in a loop of `block_on`s, and blocked on futures that never complete) are all in
//!   flight, `shutdown` answers every one of them: each handle resolves with its result or as
//!   cancelled, each caller gets its result or `is_shut_down()`, none waits past the shutdown.
//! - Creating and shutting down runners many times leaves the process with the threads, the
//!   live heap and (within a margin for the allocator's own caches) the RSS it had before.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use loopbridge::JoinHandle;
use loopbridge_tests::{DropCounter, Flavor, builder_for, one_runner_lifetime};

use crate::heap::Usage;
use crate::{for_each_flavor, progress};

/// Bound on a shutdown, and on anything that should follow at once.
const PATIENCE: Duration = Duration::from_secs(10);

/// Counts of what happened to a group of handles.
#[derive(Debug, Default)]
struct Resolved {
    ok: usize,
    cancelled: usize,
}

/// Waits for every handle, which must already be finished, and counts the outcomes: a value
/// from `ok_values` (checked) or a cancellation; a panic or an unresolved handle fails.
fn resolve<T: PartialEq + std::fmt::Debug>(
    what: &str,
    handles: Vec<(JoinHandle<T>, T)>,
) -> Resolved {
    let mut resolved = Resolved::default();
    for (index, (handle, expected)) in handles.into_iter().enumerate() {
        assert!(handle.is_finished(), "{what} {index} had not resolved by the end of the shutdown");
        match futures_lite::future::block_on(handle) {
            Ok(value) => {
                assert_eq!(value, expected, "{what} {index} returned someone else's value");
                resolved.ok += 1;
            }
            Err(err) if err.is_cancelled() => resolved.cancelled += 1,
            Err(err) => {
                panic!("{what} {index} failed instead of finishing or being cancelled: {err}")
            }
        }
    }
    resolved
}

/// What one sync caller saw.
#[derive(Debug, Default)]
struct Caller {
    answered: usize,
    task_cancelled: usize,
}

/// One round: load the runner, shut it down in the middle, check that everyone was answered.
fn one_round(flavor: Flavor) -> String {
    let runner = Arc::new(builder_for(flavor).max_blocking_threads(4).build().expect("a runner"));
    let dropped = Arc::new(AtomicUsize::new(0));

    // Tasks: never-ending ones (only the shutdown ends them), sleepers, short ones.
    let never: Vec<_> = (0..50)
        .map(|_| {
            let guard = DropCounter::new(&dropped);
            (
                runner.spawn(async move {
                    let _guard = guard;
                    std::future::pending::<u64>().await
                }),
                0,
            )
        })
        .collect();
    let sleepers: Vec<_> = (0..50_u64)
        .map(|i| {
            let task = runner.spawn(async move {
                loopbridge::sleep(Duration::from_millis(i % 7)).await;
                i
            });
            (task, i)
        })
        .collect();

    // Blocking jobs: four running on the four pool threads, the rest queued behind them.
    let jobs_ran = Arc::new(AtomicUsize::new(0));
    let jobs: Vec<_> = (0..16_u64)
        .map(|i| {
            let ran = Arc::clone(&jobs_ran);
            let job = runner.to_thread(move || {
                std::thread::sleep(Duration::from_millis(20));
                ran.fetch_add(1, Ordering::SeqCst);
                i
            });
            (job, i)
        })
        .collect();

    // Sync callers: some in a loop of short `block_on`s, some blocked on futures that never end.
    let calls = Arc::new(AtomicUsize::new(0));
    let loopers: Vec<_> = (0..8_u64)
        .map(|t| {
            let (runner, calls) = (Arc::clone(&runner), Arc::clone(&calls));
            std::thread::spawn(move || {
                let mut seen = Caller::default();
                for i in 0.. {
                    let value = t * 1_000_000 + i;
                    let outcome = runner.try_block_on(async move {
                        loopbridge::spawn(async move {
                            loopbridge::sleep(Duration::from_millis(1)).await;
                            value
                        })
                        .await
                    });
                    match outcome {
                        Ok(Ok(got)) => assert_eq!(got, value, "a caller got someone else's value"),
                        Ok(Err(err)) if err.is_cancelled() => seen.task_cancelled += 1,
                        Ok(Err(err)) => panic!("a caller's task failed: {err}"),
                        Err(err) if err.is_shut_down() => return seen,
                        Err(err) => panic!("block_on failed for another reason: {err}"),
                    }
                    seen.answered += 1;
                    calls.fetch_add(1, Ordering::SeqCst);
                }
                seen
            })
        })
        .collect();
    let blocked: Vec<_> = (0..4)
        .map(|_| {
            let runner = Arc::clone(&runner);
            std::thread::spawn(move || runner.try_block_on(std::future::pending::<()>()))
        })
        .collect();

    // Shut down in the middle of it all: once every looper has been answered a few times.
    let start = Instant::now();
    while calls.load(Ordering::SeqCst) < 8 * 5 && start.elapsed() < PATIENCE {
        std::thread::sleep(Duration::from_millis(1));
    }
    let report = runner.shutdown(PATIENCE);
    assert!(report.completed_in_time(), "{report:?}");
    assert_eq!(report.blocking_still_running(), 0, "{report:?}");
    assert!(report.tasks_cancelled() >= never.len(), "{report:?}");

    // Every caller was answered: the loopers stop at their first `is_shut_down()`, the blocked
    // ones return it. The watchdog fails the test if any of them hangs.
    let answered: usize = loopers
        .into_iter()
        .map(|caller| caller.join().expect("a looping caller panicked").answered)
        .sum();
    for caller in blocked {
        let err = caller.join().expect("a blocked caller panicked").expect_err("never completes");
        assert!(err.is_shut_down(), "{err}");
    }

    // Every handle resolved, with its own value or as cancelled.
    let never = resolve("never-ending task", never);
    assert_eq!((never.ok, never.cancelled), (0, 50));
    assert_eq!(dropped.load(Ordering::SeqCst), 50, "every cancelled task's destructor ran");
    let sleepers = resolve("sleeping task", sleepers);
    let jobs = resolve("blocking job", jobs);
    assert_eq!(jobs.ok, jobs_ran.load(Ordering::SeqCst), "a job ran but its handle lost it");

    // And the runner refuses new work at once.
    assert!(runner.try_block_on(async {}).expect_err("shut down").is_shut_down());
    let late = runner.spawn(async { 1 });
    assert!(late.is_finished());
    assert!(futures_lite::future::block_on(late).expect_err("refused").is_cancelled());
    let late = runner.to_thread(|| 1);
    assert!(futures_lite::future::block_on(late).expect_err("refused").is_cancelled());

    format!(
        "{answered} block_on calls answered then shut_down for 12 callers; tasks: 50/50 \
         never-ending cancelled, {}/{} sleepers finished/cancelled; jobs {}/{} ran/dropped; \
         report: {} tasks cancelled",
        sleepers.ok,
        sleepers.cancelled,
        jobs.ok,
        jobs.cancelled,
        report.tasks_cancelled()
    )
}

#[test]
fn shutdown_under_load_answers_every_caller_and_handle() {
    for_each_flavor("shutdown/under-load", |flavor, scale| {
        let rounds = if scale.full { 50 } else { 2 };
        let mut last = String::new();
        for round in 0..rounds {
            last = one_round(flavor);
            progress(scale, || format!("{flavor:?}: round {}/{rounds}: {last}", round + 1));
        }
        format!("{rounds} rounds; last: {last}")
    });
}

/// One runner's life: a task, a blocking job and a timer, then a full shutdown.
fn one_runner(flavor: Flavor) {
    one_runner_lifetime(flavor, PATIENCE);
}

/// Live heap that may legitimately appear over the whole run and stay: one-time growth of
/// process-wide structures that a warm-up does not reach in full (slab and map capacities in
/// the runtimes' global parts). A leak of 256 bytes per runner over 1,000 runners exceeds it.
const HEAP_SLACK_BYTES: i64 = 256 * 1024;

/// RSS that may appear and stay without a leak: glibc keeps freed memory and thread stacks in
/// caches of its own, which the warm-up does not always fill.
const RSS_SLACK_KIB: u64 = 16 * 1024;

#[cfg(target_os = "linux")]
#[test]
fn a_thousand_runners_leave_no_thread_and_no_memory_behind() {
    for_each_flavor("shutdown/create-and-shut-down", |flavor, scale| {
        // Threads and memory a backend sets up once per process (async-io's reactor,
        // async-std's executor, allocator arenas) belong to the baseline, not to any runner.
        for _ in 0..20 {
            one_runner(flavor);
        }
        let before = Usage::settled(Duration::from_secs(5));
        let started = Instant::now();
        for i in 0..scale.runners {
            one_runner(flavor);
            if (i + 1) % 100 == 0 {
                progress(scale, || format!("{flavor:?}: {} runners: {}", i + 1, Usage::now()));
            }
        }
        let took = started.elapsed();
        let mut after = Usage::settled(Duration::from_secs(5));
        let settle = Instant::now();
        while after.threads > before.threads && settle.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
            after = Usage::now();
        }
        let n = scale.runners;
        assert_eq!(
            after.threads, before.threads,
            "threads before {n} runners: {before}; after: {after}"
        );
        assert!(
            after.heap_bytes - before.heap_bytes <= HEAP_SLACK_BYTES,
            "live heap grew by {} bytes over {n} runners: before {before}; after {after}",
            after.heap_bytes - before.heap_bytes
        );
        assert!(
            after.rss_kib.saturating_sub(before.rss_kib) <= RSS_SLACK_KIB,
            "RSS grew by {} KiB over {n} runners: before {before}; after {after}",
            after.rss_kib.saturating_sub(before.rss_kib)
        );
        format!("{n} runners in {took:.2?}; before: {before}; after: {after}")
    });
}

/// Regression: tokio's blocking pool kept starting queued `to_thread` jobs after the shutdown
/// (its busy threads drain the queue before they look at the shutdown flag), even after
/// `shutdown` had returned, while the smol and async-std runners dropped them. Now a job that
/// has not started when the runner closes is cancelled on every backend, and none starts late.
#[test]
fn queued_blocking_jobs_are_cancelled_by_the_shutdown() {
    for_each_flavor("shutdown/queued-jobs", |flavor, _scale| {
        let runner = builder_for(flavor).max_blocking_threads(1).build().expect("a runner");
        let (started_tx, started) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let running = runner.to_thread(move || {
            let _ = started_tx.send(());
            let _ = released.recv();
            "ran"
        });
        started.recv_timeout(PATIENCE).expect("the first job started");
        let late_starts = Arc::new(AtomicUsize::new(0));
        let queued: Vec<_> = (0..3)
            .map(|_| {
                let late_starts = Arc::clone(&late_starts);
                runner.to_thread(move || late_starts.fetch_add(1, Ordering::SeqCst))
            })
            .collect();
        // Zero: do not wait for the running job; it is released only after the shutdown.
        let report = runner.shutdown(Duration::ZERO);
        assert!(!report.completed_in_time(), "a job was still running: {report:?}");
        drop(release);
        let ran = futures_lite::future::block_on(running).expect("a started job runs to the end");
        assert_eq!(ran, "ran");
        for job in queued {
            let err = futures_lite::future::block_on(job).expect_err("a queued job is cancelled");
            assert!(err.is_cancelled(), "{err}");
        }
        assert_eq!(
            late_starts.load(Ordering::SeqCst),
            0,
            "a queued job started after the shutdown"
        );
        "1 running job finished, 3 queued jobs cancelled, none started after the shutdown"
            .to_owned()
    });
}
