//! `block_on` from every calling context of docs/semantics.md, "block_on", one test per row and runtime:
//!
//! - a plain thread and a `to_thread` thread: `Ok`, on every flavour's runner;
//! - a worker of a multi-thread runtime — a user-owned tokio one (a `#[tokio::main]` app), a
//!   tokio multi-thread runner, a 2-worker smol runner: completes, even with every worker
//!   blocked at once on a future that needs another task of the same runtime;
//! - a single-thread executor — a user-owned tokio current-thread runtime, a `LocalSet` on
//!   either tokio flavour, a one-thread runner of any backend — and any async-std task:
//!   `try_block_on` is `Err(is_in_async_context)` and `block_on` panics at once with
//!   loopbridge's message, never tokio's "Cannot start a runtime from within a runtime".
//!
//! Every case runs under a watchdog, so a deadlock fails the test instead of stalling the run.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use loopbridge::{BackendKind, Runner};
use loopbridge_tests::{
    blocking_in_task_completes, panic_message, runner_for, runner_test, with_watchdog,
};

/// Bound on each wait inside the nested-blocking scenario: a lost handoff fails here, with a
/// message saying which step starved, before the watchdog would.
const STEP: Duration = Duration::from_secs(10);

/// Asserts that blocking the calling thread is refused here, as docs/semantics.md, "block_on" requires on a
/// single-thread executor: the fallible form errs, the panicking form panics at once with
/// loopbridge's message. `context` names the caller's situation for the failure message.
#[track_caller]
fn assert_refused(context: &str) {
    match loopbridge::try_block_on(async { 1 }) {
        Ok(_) => panic!("{context}: try_block_on was not refused; blocking here can deadlock"),
        Err(err) => {
            assert!(err.is_in_async_context() && !err.is_shut_down(), "{context}: {err}");
            let msg = err.to_string();
            assert!(msg.contains(".await") && msg.contains("to_thread"), "{context}: {msg}");
        }
    }
    let payload = catch_unwind(AssertUnwindSafe(|| loopbridge::block_on(async { 1 })))
        .expect_err("block_on must panic at once where try_block_on is refused");
    let msg = panic_message(&*payload);
    assert!(msg.contains("cannot block on a future here"), "{context}: {msg}");
    assert!(!msg.contains("Cannot start a runtime from within a runtime"), "{context}: {msg}");
}

/// Spawns `tasks` tasks on the ambient runtime that each `block_on` a future that only
/// another task, spawned after all of them are blocked, can complete. With more tasks than
/// workers, every worker is blocked at once: this completes only if each blocked worker's
/// duties are handed to another thread.
async fn every_worker_blocks_at_once(tasks: usize) {
    let (entered_tx, entered_rx) = async_channel::unbounded();
    let mut senders = Vec::new();
    let mut blockers = Vec::new();
    for i in 0..tasks {
        let (tx, rx) = async_channel::bounded::<usize>(1);
        senders.push(tx);
        let entered = entered_tx.clone();
        blockers.push(loopbridge::spawn(async move {
            entered.send(()).await.expect("the coordinator waits for every blocker");
            let value = loopbridge::block_on(async move { rx.recv().await.expect("fed") });
            (value, i)
        }));
    }
    for n in 0..tasks {
        let entered = loopbridge::timeout(STEP, entered_rx.recv()).await;
        assert!(
            entered.is_ok(),
            "only {n} of {tasks} blocking tasks ever started: the blocked workers' duties were \
             not handed off"
        );
    }
    // Spawned only now, when every worker is (or is about to be) blocked.
    let feeder = loopbridge::spawn(async move {
        for (i, tx) in senders.into_iter().enumerate() {
            tx.send(i).await.expect("every blocker waits for its value");
        }
    });
    for (i, blocker) in blockers.into_iter().enumerate() {
        let out = loopbridge::timeout(STEP, blocker)
            .await
            .unwrap_or_else(|_| panic!("blocking task {i} never finished: a starved feeder"));
        assert_eq!(out.expect("a blocking task failed"), (i, i));
    }
    feeder.await.expect("the feeder failed");
}

runner_test! {
    fn from_a_plain_thread_block_on_works(flavor) {
        let runner = runner_for(flavor);
        let kind = flavor.kind();
        let out = runner.try_block_on(async {
            loopbridge::sleep(Duration::from_millis(1)).await;
            let spawned = loopbridge::spawn(async { loopbridge::current() });
            (loopbridge::current(), spawned.await.unwrap())
        });
        assert_eq!(out.unwrap(), (Some(kind), Some(kind)));
        // The global runner serves plain threads too.
        assert_eq!(loopbridge::try_block_on(async { 5 }).unwrap(), 5);
        assert_eq!(loopbridge::current(), None);
    }
}

runner_test! {
    fn from_a_to_thread_thread_block_on_works(flavor) {
        // Also on the single-thread flavours: the job's thread is not the executor's.
        let runner = runner_for(flavor);
        let kind = flavor.kind();
        let out = runner.block_on(runner.to_thread(move || {
            assert!(!loopbridge::in_async_context());
            let inner = loopbridge::try_block_on(async {
                loopbridge::sleep(Duration::from_millis(1)).await;
                loopbridge::spawn(async { loopbridge::current() }).await.unwrap()
            });
            (loopbridge::current(), inner.map_err(|e| e.to_string()))
        }));
        assert_eq!(out.unwrap(), (Some(kind), Ok(Some(kind))));
    }
}

runner_test! {
    fn from_a_task_block_on_completes_on_multi_thread_runners_and_is_refused_elsewhere(flavor) {
        let runner = runner_for(flavor);
        if blocking_in_task_completes(flavor) {
            // 2 workers, 4 blocking tasks: every worker blocked at once.
            runner.block_on(every_worker_blocks_at_once(4));
            let out = runner.block_on(runner.spawn(async {
                loopbridge::block_on(async { loopbridge::spawn(async { 3 }).await.unwrap() })
            }));
            assert_eq!(out.unwrap(), 3);
        } else {
            let context = format!("a task of a {flavor:?} runner");
            runner.block_on(runner.spawn(async move { assert_refused(&context) })).unwrap();
        }
        // The runner is unharmed either way.
        assert_eq!(runner.block_on(runner.spawn(async { 2 })).unwrap(), 2);
    }
}

/// A runner of `kind` with exactly one executor thread.
fn one_thread_runner(kind: BackendKind) -> Runner {
    Runner::builder()
        .backend(kind)
        .worker_threads(1)
        .thread_name(format!("one-{kind}"))
        .build()
        .expect("build a one-thread runner")
}

/// A task of a one-thread runner of `kind` is refused, and so is blocking it on another loop
/// (the global runner): either way the runner's only thread would stop.
fn assert_a_one_thread_runner_refuses(kind: BackendKind) {
    let runner = one_thread_runner(kind);
    let verdict = runner.block_on(runner.spawn(async move {
        assert_refused(&format!("a task of a one-thread {kind} runner"));
        loopbridge::Bridge::global().try_block_on(async { 1 }).map_err(|e| e.is_in_async_context())
    }));
    assert_eq!(
        verdict.expect("the refusing task itself failed"),
        Err(true),
        "blocking a one-thread {kind} runner's task on the global runner must be refused too"
    );
    // The runner is unharmed.
    assert_eq!(runner.block_on(runner.spawn(async { 2 })).ok(), Some(2));
    assert!(runner.shutdown(STEP).completed_in_time());
}

#[cfg(feature = "tokio")]
#[test]
fn a_task_of_a_one_thread_tokio_runner_is_refused() {
    with_watchdog(|| assert_a_one_thread_runner_refuses(BackendKind::Tokio));
}

#[cfg(feature = "smol")]
#[test]
fn a_task_of_a_one_thread_smol_runner_is_refused() {
    with_watchdog(|| assert_a_one_thread_runner_refuses(BackendKind::Smol));
}

#[cfg(feature = "async-std")]
#[test]
fn a_task_of_an_async_std_runner_is_refused() {
    // async-std's executor cannot hand a blocked thread's duties off, whatever the count.
    with_watchdog(|| assert_a_one_thread_runner_refuses(BackendKind::AsyncStd));
}

#[cfg(feature = "async-std")]
#[test]
fn a_plain_async_std_task_is_refused() {
    with_watchdog(|| {
        let context = "a task spawned with async_std::task::spawn";
        async_std::task::block_on(async_std::task::spawn(async move { assert_refused(context) }));
    });
}

#[cfg(feature = "smol")]
#[test]
fn a_two_worker_smol_runner_hands_every_blocked_worker_off() {
    with_watchdog(|| {
        let runner = Runner::builder()
            .backend(BackendKind::Smol)
            .worker_threads(2)
            .thread_name("handoff")
            .build()
            .unwrap();
        // From the outside, and from inside a task, so that the coordinating task occupies a
        // worker as well.
        runner.block_on(every_worker_blocks_at_once(4));
        let nested = runner.spawn(every_worker_blocks_at_once(6));
        runner.block_on(nested).unwrap();
        assert!(runner.shutdown(STEP).completed_in_time());
    });
}

/// A user-owned tokio runtime, as `#[tokio::main]` or `#[tokio::test]` build it.
#[cfg(feature = "tokio")]
fn user_tokio(multi_thread: bool) -> tokio::runtime::Runtime {
    let mut builder = if multi_thread {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(2);
        builder
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder.enable_all().build().expect("build a tokio runtime")
}

#[cfg(feature = "tokio")]
#[test]
fn a_user_owned_tokio_multi_thread_runtime_block_on_completes() {
    with_watchdog(|| {
        let rt = user_tokio(true);
        rt.block_on(async {
            // The body of a `#[tokio::main]` function.
            assert_eq!(loopbridge::current(), Some(BackendKind::Tokio));
            let in_main = loopbridge::block_on(async {
                loopbridge::sleep(Duration::from_millis(1)).await;
                loopbridge::spawn(async { 1 }).await.unwrap()
            });
            assert_eq!(in_main, 1);
            // A task on one of its workers.
            let in_task = tokio::spawn(async {
                assert_eq!(loopbridge::current(), Some(BackendKind::Tokio));
                let inner = loopbridge::block_on(async {
                    let spawned = loopbridge::spawn(async { loopbridge::current() });
                    spawned.await.unwrap()
                });
                (loopbridge::current(), inner)
            });
            let seen = in_task.await.unwrap();
            assert_eq!(seen, (Some(BackendKind::Tokio), Some(BackendKind::Tokio)));
            // Every worker blocked at once (tokio's own nested wait hangs here natively).
            tokio::spawn(every_worker_blocks_at_once(4)).await.unwrap();
        });
        rt.shutdown_timeout(STEP);
    });
}

#[cfg(feature = "tokio")]
#[test]
fn a_user_owned_tokio_current_thread_runtime_is_refused() {
    with_watchdog(|| {
        let rt = user_tokio(false);
        rt.block_on(async {
            assert_refused("the block_on of a tokio current-thread runtime");
            tokio::spawn(async { assert_refused("a task of a tokio current-thread runtime") })
                .await
                .unwrap();
            // Blocking on another loop would stop this one all the same.
            let err = loopbridge::Bridge::global().try_block_on(async {}).unwrap_err();
            assert!(err.is_in_async_context(), "{err}");
        });
        rt.shutdown_timeout(STEP);
    });
}

#[cfg(feature = "tokio")]
fn assert_a_local_set_is_refused(multi_thread: bool) {
    let rt = user_tokio(multi_thread);
    let local = tokio::task::LocalSet::new();
    let flavour = if multi_thread { "multi-thread" } else { "current-thread" };
    local.block_on(&rt, async move {
        assert_refused(&format!("a LocalSet on a tokio {flavour} runtime"));
        tokio::task::spawn_local(async move {
            assert_refused(&format!("a spawn_local task on a tokio {flavour} runtime"));
        })
        .await
        .expect("the spawn_local task failed");
    });
    rt.shutdown_timeout(STEP);
}

#[cfg(feature = "tokio")]
#[test]
fn a_local_set_on_a_tokio_current_thread_runtime_is_refused() {
    with_watchdog(|| assert_a_local_set_is_refused(false));
}

#[cfg(feature = "tokio")]
#[test]
fn a_local_set_on_a_tokio_multi_thread_runtime_is_refused() {
    // Its local tasks run only on this thread: blocking it starves them.
    with_watchdog(|| assert_a_local_set_is_refused(true));
}
