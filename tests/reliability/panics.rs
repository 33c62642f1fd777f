//! Panics everywhere: in thousands of tasks, in `to_thread` jobs, in the destructors of aborted
//! and of shut-down tasks (async-task aborts the process there natively), in `block_on`'s own
//! future and in `ThreadBound` calls. Each awaiter gets its own payload back, the process
//! survives, and the runner serves on.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use loopbridge::{JoinError, JoinHandle, Runner, ThreadBound};
use loopbridge_tests::{Flavor, panic_message, runner_for};

use crate::{DELIBERATE, Scale, for_each_flavor, progress};

/// The payload text of deliberate panic number `i` of some `kind`.
fn message(kind: &str, i: usize) -> String {
    format!("{DELIBERATE}: {kind} {i}")
}

/// Checks that `err` is the panic `expected`, payload included.
#[track_caller]
fn assert_panic(err: JoinError, expected: &str) {
    assert!(err.is_panic() && !err.is_cancelled(), "{err:?}");
    assert_eq!(panic_message(&*err.into_panic()), expected);
}

/// The runner still does all its work after the panics.
#[track_caller]
fn assert_serving(runner: &Runner) {
    let out = runner.block_on(async {
        let task = loopbridge::spawn(async { 20 });
        let job = loopbridge::to_thread(|| 20);
        loopbridge::sleep(Duration::from_millis(1)).await;
        task.await.expect("a task after the panics") + job.await.expect("a job after the panics")
    });
    assert_eq!(out, 40);
}

/// Sets a counter when dropped, then panics: the destructor of a future that is cancelled.
struct PanicOnDrop {
    index: usize,
    dropped: Arc<AtomicUsize>,
}

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, Ordering::SeqCst);
        panic!("{}", message("destructor", self.index));
    }
}

fn panicking_tasks(runner: &Runner, scale: Scale, flavor: Flavor) {
    let n = scale.panicking_tasks;
    runner.block_on(async move {
        let handles: Vec<_> = (0..n)
            .map(|i| loopbridge::spawn(async move { panic!("{}", message("task", i)) }))
            .collect();
        for (i, handle) in handles.into_iter().enumerate() {
            let err = handle.await.expect_err("a panicking task");
            assert_panic(err, &message("task", i));
        }
    });
    progress(scale, || format!("{flavor:?}: {n} panicking tasks, each payload delivered"));
}

fn panicking_jobs(runner: &Runner, scale: Scale) {
    let n = scale.other_panics;
    runner.block_on(async move {
        let jobs: Vec<_> = (0..n)
            .map(|i| loopbridge::to_thread(move || -> () { panic!("{}", message("job", i)) }))
            .collect();
        for (i, job) in jobs.into_iter().enumerate() {
            assert_panic(job.await.expect_err("a panicking job"), &message("job", i));
        }
    });
}

/// Spawns `n` never-ending tasks, each holding a [`PanicOnDrop`] that counts into `dropped`,
/// and returns once every one of them is inside its future, holding its guard.
async fn spawn_guarded_pending_tasks(n: usize, dropped: Arc<AtomicUsize>) -> Vec<JoinHandle<()>> {
    let (started_tx, started) = async_channel::unbounded();
    let handles: Vec<_> = (0..n)
        .map(|index| {
            let guard = PanicOnDrop { index, dropped: Arc::clone(&dropped) };
            let started_tx = started_tx.clone();
            loopbridge::spawn(async move {
                let _guard = guard;
                let _ = started_tx.send(()).await;
                std::future::pending::<()>().await;
            })
        })
        .collect();
    for _ in 0..n {
        started.recv().await.expect("a task started");
    }
    handles
}

fn panicking_destructors_of_aborted_tasks(runner: &Runner, scale: Scale) {
    let n = scale.other_panics;
    let dropped = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&dropped);
    runner.block_on(async move {
        let handles = spawn_guarded_pending_tasks(n, counter).await;
        for handle in &handles {
            handle.abort();
        }
        for (i, handle) in handles.into_iter().enumerate() {
            assert_panic(handle.await.expect_err("aborted"), &message("destructor", i));
        }
    });
    assert_eq!(dropped.load(Ordering::SeqCst), n, "every destructor ran");
}

fn panics_inside_block_on(runner: &Arc<Runner>, scale: Scale) {
    // From several threads at once, each panic surfaces in its own caller, unchanged.
    let threads = 8;
    let per_thread = scale.other_panics.div_ceil(threads);
    let callers: Vec<_> = (0..threads)
        .map(|t| {
            let runner = Arc::clone(runner);
            std::thread::spawn(move || {
                for i in 0..per_thread {
                    let id = t * per_thread + i;
                    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        runner.block_on(async move {
                            loopbridge::yield_now().await;
                            panic!("{}", message("block_on", id))
                        })
                    }));
                    let payload = caught.expect_err("block_on re-raises the future's panic");
                    assert_eq!(panic_message(&*payload), message("block_on", id));
                }
            })
        })
        .collect();
    for caller in callers {
        if let Err(payload) = caller.join() {
            std::panic::resume_unwind(payload);
        }
    }
}

fn panicking_thread_bound_calls(runner: &Runner, scale: Scale) {
    let n = scale.other_panics;
    let counter = ThreadBound::new("panicky-bound", || 0_usize).expect("start a ThreadBound");
    // From sync code...
    for i in 0..n / 2 {
        let err = counter
            .call_blocking(move |count| {
                *count += 1;
                panic!("{}", message("bound", i))
            })
            .expect_err("a panicking call");
        assert_panic(err, &message("bound", i));
    }
    // ...and from tasks of the runner, all queued at once.
    let from_tasks = counter.clone();
    runner.block_on(async move {
        let calls: Vec<_> = (n / 2..n)
            .map(|i| {
                from_tasks.call(move |count| {
                    *count += 1;
                    panic!("{}", message("bound", i))
                })
            })
            .collect();
        for (i, call) in (n / 2..n).zip(calls) {
            assert_panic(call.await.expect_err("a panicking call"), &message("bound", i));
        }
    });
    // The value and its thread survived every panic.
    assert_eq!(counter.call_blocking(|count| *count).expect("the value survives"), n);
}

#[test]
fn every_panic_reaches_its_awaiter_and_the_runner_serves_on() {
    for_each_flavor("panics/everywhere", |flavor, scale| {
        let runner = Arc::new(runner_for(flavor));
        panicking_tasks(&runner, scale, flavor);
        assert_serving(&runner);
        panicking_jobs(&runner, scale);
        assert_serving(&runner);
        panicking_destructors_of_aborted_tasks(&runner, scale);
        assert_serving(&runner);
        panics_inside_block_on(&runner, scale);
        assert_serving(&runner);
        panicking_thread_bound_calls(&runner, scale);
        assert_serving(&runner);
        let report = runner.shutdown(Duration::from_secs(10));
        assert!(report.completed_in_time(), "{report:?}");
        format!(
            "{} task panics, {n} job panics, {n} destructor panics, {b} block_on panics, \
             {n} ThreadBound panics: every payload delivered, runner serving after each",
            scale.panicking_tasks,
            n = scale.other_panics,
            b = 8 * scale.other_panics.div_ceil(8),
        )
    });
}

#[test]
fn destructors_that_panic_while_a_shutdown_cancels_their_tasks() {
    // async-task aborts the process when a task's destructor panics while it is dropped; the
    // executor's drop at shutdown is where that happens natively.
    for_each_flavor("panics/shutdown-destructors", |flavor, scale| {
        let n = scale.other_panics;
        let runner = runner_for(flavor);
        let dropped = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&dropped);
        let handles = runner.block_on(spawn_guarded_pending_tasks(n, counter));
        let report = runner.shutdown(Duration::from_secs(10));
        assert_eq!(report.tasks_cancelled(), n, "{report:?}");
        assert!(report.completed_in_time(), "{report:?}");
        assert_eq!(dropped.load(Ordering::SeqCst), n, "every destructor ran");
        for (i, handle) in handles.into_iter().enumerate() {
            assert!(handle.is_finished(), "resolved by the end of the shutdown");
            let err = futures_lite::future::block_on(handle).expect_err("cancelled");
            assert_panic(err, &message("destructor", i));
        }
        format!(
            "{n} tasks with panicking destructors cancelled by the shutdown: process alive, \
             every destructor ran, every payload delivered"
        )
    });
}
