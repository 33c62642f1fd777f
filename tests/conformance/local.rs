//! Local tasks (`spawn_local`): `!Send` futures run by the thread that spawned them, wherever
//! that thread drives local tasks — inside any `block_on` (a `#[loopbridge::test]` body runs in
//! one), and in the tasks of a one-thread runner — with `spawn`'s handle semantics. Everywhere
//! else `spawn_local` panics at once and `try_spawn_local` returns the error: no handle to a
//! task that would never run.

use std::cell::{Cell, RefCell};
use std::panic::catch_unwind;
use std::rc::Rc;
use std::thread::{self, ThreadId};
use std::time::Duration;

use loopbridge::{BackendKind, Flavor, Runner, SpawnLocalError};
use loopbridge_tests::{DropFlag, panic_message, with_watchdog};

/// Records the thread its destructor ran on.
struct DropProbe(Rc<Cell<Option<ThreadId>>>);

impl Drop for DropProbe {
    fn drop(&mut self) {
        self.0.set(Some(thread::current().id()));
    }
}

/// What `try_spawn_local` and `spawn_local` said: `Ok` if the task ran, else both messages.
fn try_both_here() -> Result<(), (String, String)> {
    let ran = Rc::new(Cell::new(false));
    let seen = Rc::clone(&ran);
    match loopbridge::try_spawn_local(async move { seen.set(true) }) {
        Ok(handle) => {
            drop(handle); // detached: it runs on this thread's local executor
            Ok(())
        }
        Err(err) => {
            let err: SpawnLocalError = err;
            let payload = catch_unwind(|| drop(loopbridge::spawn_local(async {})))
                .expect_err("spawn_local must panic where try_spawn_local errs");
            assert!(!ran.get(), "the refused future never ran");
            Err((err.to_string(), panic_message(&*payload)))
        }
    }
}

/// Asserts the refusal: the error and the panic say the same, name `context` and say where
/// `spawn_local` works.
#[track_caller]
fn assert_refused(outcome: Result<(), (String, String)>, context: &str) {
    let (error, panic) = outcome.expect_err("spawn_local must be refused here");
    assert_eq!(error, panic);
    assert!(error.contains("cannot spawn a local task here"), "{error}");
    assert!(error.contains(context), "expected {context:?} in: {error}");
    assert!(error.contains("block_on") && error.contains("one-thread `Runner`"), "{error}");
}

#[loopbridge::test]
async fn local_tasks_share_rc_and_refcell_state() {
    let shared = Rc::new(RefCell::new(Vec::new()));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let shared = Rc::clone(&shared);
            loopbridge::spawn_local(async move {
                loopbridge::yield_now().await;
                shared.borrow_mut().push(i);
                Rc::strong_count(&shared)
            })
        })
        .collect();
    for handle in handles {
        assert!(handle.await.unwrap() >= 2);
    }
    let mut seen = shared.borrow().clone();
    seen.sort_unstable();
    assert_eq!(seen, (0..8).collect::<Vec<_>>());
    assert_eq!(Rc::strong_count(&shared), 1, "every task was dropped once finished");
}

#[loopbridge::test]
async fn local_tasks_start_in_spawn_order() {
    let order = Rc::new(RefCell::new(Vec::new()));
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let order = Rc::clone(&order);
            loopbridge::spawn_local(async move { order.borrow_mut().push(i) })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    assert_eq!(*order.borrow(), (0..16).collect::<Vec<_>>());
}

#[loopbridge::test]
async fn local_tasks_run_on_the_body_thread_and_use_the_runtime(flavor: Flavor) {
    let here = thread::current().id();
    let (thread, ambient, spawned, slept) = loopbridge::spawn_local(async move {
        let spawned = loopbridge::spawn(async { loopbridge::current() }).await.unwrap();
        let start = std::time::Instant::now();
        loopbridge::sleep(Duration::from_millis(2)).await;
        (thread::current().id(), loopbridge::current(), spawned, start.elapsed())
    })
    .await
    .unwrap();
    assert_eq!(thread, here);
    assert_eq!((ambient, spawned), (Some(flavor.kind()), Some(flavor.kind())));
    assert!(slept >= Duration::from_millis(2));
}

/// On a plain thread: a `block_on` whose future leaves a local task pending, and what became
/// of it: whether its destructor ran on this thread, and whether its handle says cancelled.
fn block_on_leaving_a_pending_local_task(bridge: &loopbridge::Bridge) -> (bool, bool) {
    let probe = Rc::new(Cell::new(None));
    let guard = DropProbe(Rc::clone(&probe));
    let (handle, was_pending) = bridge.block_on(async move {
        let started = Rc::new(Cell::new(false));
        let seen = Rc::clone(&started);
        let handle = loopbridge::spawn_local(async move {
            let _guard = guard;
            seen.set(true);
            loopbridge::sleep(Duration::from_secs(3600)).await;
        });
        while !started.get() {
            loopbridge::yield_now().await;
        }
        let was_pending = !handle.is_finished();
        (handle, was_pending)
    });
    assert!(was_pending);
    let dropped_here = probe.get() == Some(thread::current().id());
    let cancelled = futures_lite::future::block_on(handle).is_err_and(|e| e.is_cancelled());
    (dropped_here, cancelled)
}

#[loopbridge::test]
async fn pending_local_tasks_are_cancelled_on_their_thread_when_block_on_returns() {
    let bridge = loopbridge::Bridge::current();
    // From a `to_thread` job and from a plain thread of our own, both blocking on this runtime.
    let in_job = loopbridge::to_thread({
        let bridge = bridge.clone();
        move || block_on_leaving_a_pending_local_task(&bridge)
    });
    assert_eq!(in_job.await.unwrap(), (true, true));
    let on_thread = thread::spawn(move || block_on_leaving_a_pending_local_task(&bridge));
    assert_eq!(on_thread.join().unwrap(), (true, true));
}

#[loopbridge::test]
async fn a_panic_in_a_local_task_is_a_join_error_and_the_thread_survives() {
    let here = thread::current().id();
    let err = loopbridge::spawn_local(async {
        let not_send = Rc::new(7_u8);
        loopbridge::yield_now().await;
        std::panic::panic_any(*not_send)
    })
    .await
    .unwrap_err();
    assert!(err.is_panic());
    assert_eq!(*err.into_panic().downcast::<u8>().unwrap(), 7);
    let after = loopbridge::spawn_local(async { thread::current().id() }).await.unwrap();
    assert_eq!(after, here, "the same thread goes on running local tasks");
}

#[loopbridge::test]
async fn abort_cancels_a_local_task_and_runs_its_destructor_here() {
    let probe = Rc::new(Cell::new(None));
    let guard = DropProbe(Rc::clone(&probe));
    let (flag, dropped) = DropFlag::new(false);
    let (started_tx, started_rx) = async_channel::bounded(1);
    let handle = loopbridge::spawn_local(async move {
        let _guard = guard;
        let _flag = flag;
        started_tx.send(()).await.unwrap();
        loopbridge::sleep(Duration::from_secs(3600)).await; // woken by the abort
    });
    started_rx.recv().await.unwrap();
    handle.abort();
    handle.abort(); // idempotent
    let err = handle.await.unwrap_err();
    assert!(err.is_cancelled() && !err.is_panic());
    assert!(dropped.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!(probe.get(), Some(thread::current().id()));
}

#[loopbridge::test]
async fn a_dropped_handle_detaches_the_local_task() {
    let (tx, rx) = async_channel::bounded(1);
    let not_send = Rc::new("still ran");
    drop(loopbridge::spawn_local(async move {
        loopbridge::yield_now().await;
        tx.send(*not_send).await.unwrap();
    }));
    assert_eq!(rx.recv().await.unwrap(), "still ran");
}

#[loopbridge::test]
async fn a_local_task_handle_can_be_awaited_from_a_spawned_task() {
    let (tx, rx) = async_channel::bounded::<u32>(1);
    let local = loopbridge::spawn_local(async move {
        let not_send = Rc::new(rx.recv().await.unwrap());
        *not_send * 2
    });
    // The handle of a `Send` output is `Send`: a task on a worker awaits it.
    let waiter = loopbridge::spawn(local);
    tx.send(21).await.unwrap();
    assert_eq!(waiter.await.unwrap().unwrap(), 42);
}

#[loopbridge::test]
async fn spawn_local_in_a_task_works_only_on_a_one_thread_runtime(flavor: Flavor) {
    // A tokio current-thread runtime runs all its tasks on one thread, which drives local
    // tasks; a multi-thread runtime's tasks may move between threads, and async-std's are on
    // its shared global threads.
    let outcome = loopbridge::spawn(async { try_both_here() }).await.unwrap();
    match flavor {
        Flavor::TokioCurrentThread => assert_eq!(outcome, Ok(())),
        Flavor::AsyncStd => assert_refused(outcome, "async-std"),
        _ => assert_refused(outcome, "a worker of a multi-thread loopbridge"),
    }
}

#[loopbridge::test]
async fn spawn_local_outside_block_on_is_refused() {
    let on_thread = thread::spawn(try_both_here).join().unwrap();
    assert_refused(on_thread, "a thread outside any loopbridge `block_on`");
    let in_job = loopbridge::to_thread(try_both_here).await.unwrap();
    assert_refused(in_job, "a `to_thread` job");
    // The same job may enter a `block_on` of its own: there it works.
    let nested = loopbridge::to_thread(|| loopbridge::block_on(async { try_both_here() }));
    assert_eq!(nested.await.unwrap(), Ok(()));
}

/// A runner of `kind` asked for a single worker thread.
fn one_thread_runner(kind: BackendKind) -> Runner {
    Runner::builder()
        .backend(kind)
        .worker_threads(1)
        .thread_name(format!("local-{kind}"))
        .build()
        .expect("build a one-thread runner")
}

/// In a task of a one-thread runner, local tasks run on the runner's thread; those still
/// pending at shutdown are cancelled there. (async-std has no one-thread runner.)
#[cfg(any(feature = "tokio", feature = "smol"))]
fn assert_a_one_thread_runner_runs_local_tasks(kind: BackendKind) {
    let runner = one_thread_runner(kind);
    // The runner's task is `Send`; the `!Send` state lives in the local tasks it spawns.
    let (same_thread, total) = runner
        .block_on(runner.spawn(async {
            let root = loopbridge::spawn_local(async {
                let here = thread::current().id();
                let shared = Rc::new(Cell::new(0));
                let tasks: Vec<_> = (1..=4)
                    .map(|i| {
                        let shared = Rc::clone(&shared);
                        loopbridge::spawn_local(async move {
                            loopbridge::sleep(Duration::from_millis(1)).await;
                            shared.set(shared.get() + i);
                            thread::current().id()
                        })
                    })
                    .collect();
                let mut same_thread = true;
                for task in tasks {
                    same_thread &= task.await.expect("a local task failed") == here;
                }
                (same_thread, shared.get())
            });
            root.await.expect("the root local task failed")
        }))
        .expect("the runner's task failed");
    assert!(same_thread && total == 10);
    // A local task left pending: the shutdown cancels it on the runner's thread.
    let dropped_on = std::sync::Arc::new(std::sync::Mutex::new(None));
    let probe = ThreadNameProbe(std::sync::Arc::clone(&dropped_on));
    let (local, was_pending) = runner
        .block_on(runner.spawn(async move {
            let local = loopbridge::spawn_local(async move {
                let _probe = probe;
                std::future::pending::<()>().await;
            });
            loopbridge::sleep(Duration::from_millis(5)).await;
            let was_pending = !local.is_finished();
            (local, was_pending)
        }))
        .expect("the runner's task failed");
    assert!(was_pending);
    assert!(runner.shutdown(Duration::from_secs(10)).completed_in_time());
    let dropped_on = dropped_on.lock().expect("the probe's lock").clone();
    assert!(dropped_on.is_some_and(|name| name.starts_with("local-")), "dropped elsewhere");
    let err = futures_lite::future::block_on(local).expect_err("cancelled by the shutdown");
    assert!(err.is_cancelled());
}

/// Records the name of the thread its destructor ran on; `Send`, so that a runner's task can
/// carry it into a local task.
#[cfg(any(feature = "tokio", feature = "smol"))]
struct ThreadNameProbe(std::sync::Arc<std::sync::Mutex<Option<String>>>);

#[cfg(any(feature = "tokio", feature = "smol"))]
impl Drop for ThreadNameProbe {
    fn drop(&mut self) {
        let name = thread::current().name().map(str::to_owned);
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(name.unwrap_or_default());
        }
    }
}

#[cfg(feature = "tokio")]
#[test]
fn a_task_of_a_one_thread_tokio_runner_runs_local_tasks() {
    with_watchdog(|| assert_a_one_thread_runner_runs_local_tasks(BackendKind::Tokio));
}

#[cfg(feature = "smol")]
#[test]
fn a_task_of_a_one_thread_smol_runner_runs_local_tasks() {
    with_watchdog(|| assert_a_one_thread_runner_runs_local_tasks(BackendKind::Smol));
}

#[cfg(feature = "async-std")]
#[test]
fn a_task_of_an_async_std_runner_is_refused_even_with_one_worker_thread() {
    // async-std has no one-thread runner: `worker_threads` does not apply, and the runner's
    // tasks run on async-std's shared global threads.
    with_watchdog(|| {
        let runner = one_thread_runner(BackendKind::AsyncStd);
        let outcome = runner.block_on(runner.spawn(async { try_both_here() })).unwrap();
        assert_refused(outcome, "a worker of a multi-thread loopbridge async-std executor");
        // The runner's `block_on` drives local tasks like any other.
        assert_eq!(runner.block_on(async { try_both_here() }), Ok(()));
    });
}

#[cfg(feature = "async-std")]
#[test]
fn a_plain_async_std_task_is_refused() {
    with_watchdog(|| {
        let outcome = async_std::task::block_on(async_std::task::spawn(async { try_both_here() }));
        assert_refused(outcome, "async-std tasks that loopbridge does not drive");
    });
}

#[cfg(feature = "tokio")]
#[test]
fn a_user_tokio_runtime_and_local_set_are_refused_with_tokio_named() {
    // tokio cannot be asked whether a `LocalSet` is running; loopbridge does not guess.
    with_watchdog(|| {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let local = tokio::task::LocalSet::new();
        let outcome = local.block_on(&rt, async { try_both_here() });
        assert_refused(outcome, "tokio::task::spawn_local");
        let multi = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
        let outcome = multi.block_on(multi.spawn(async { try_both_here() })).unwrap();
        assert_refused(outcome, "a thread of a tokio runtime that loopbridge does not drive");
    });
}
