//! `JoinSet` (docs/semantics.md, "Structured concurrency"): completion order, abort, drop and
//! shutdown with destructors counted, panics with their payload, local sets, cancel-safe
//! `join_next` — on every flavour.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_lite::FutureExt;
use loopbridge::{Flavor, JoinSet};
use loopbridge_tests::{DropCounter, panic_message};

/// How long a wait that should end at once may take before the test calls it a hang.
const PATIENCE: Duration = Duration::from_secs(10);

/// Waits (yielding) until `count` reaches `expected`, or fails after [`PATIENCE`].
async fn until(count: &AtomicUsize, expected: usize, what: &str) {
    let start = std::time::Instant::now();
    while count.load(Ordering::SeqCst) < expected {
        assert!(
            start.elapsed() < PATIENCE,
            "{what}: {} of {expected}",
            count.load(Ordering::SeqCst)
        );
        loopbridge::sleep(Duration::from_millis(1)).await;
    }
}

#[loopbridge::test]
async fn join_next_returns_tasks_in_completion_order() {
    let mut set = JoinSet::new();
    let mut gates = Vec::new();
    for i in 0..3_u32 {
        let (open, gate) = async_channel::bounded::<()>(1);
        gates.push(open);
        set.spawn(async move {
            let _ = gate.recv().await;
            i
        });
    }
    assert_eq!(set.len(), 3);
    for i in [2, 0, 1] {
        gates[i as usize].send(()).await.unwrap();
        assert_eq!(set.join_next().await.unwrap().unwrap(), i);
    }
    assert!(set.join_next().await.is_none() && set.is_empty());
}

#[loopbridge::test]
async fn shutdown_abort_all_and_drop_cancel_every_task_and_run_its_destructor() {
    const TASKS: usize = 100;
    let dropped = Arc::new(AtomicUsize::new(0));
    let pending = |set: &mut JoinSet<()>| {
        for _ in 0..TASKS {
            let guard = DropCounter::new(&dropped);
            set.spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            });
        }
    };
    let mut set = JoinSet::new();
    pending(&mut set);
    set.shutdown().await;
    assert!(set.is_empty());
    assert_eq!(dropped.load(Ordering::SeqCst), TASKS, "shutdown waited for every destructor");

    pending(&mut set);
    set.abort_all();
    let mut cancelled = 0;
    while let Some(done) = set.join_next().await {
        assert!(done.unwrap_err().is_cancelled());
        cancelled += 1;
    }
    assert_eq!(cancelled, TASKS);

    pending(&mut set);
    drop(set); // aborts what is left
    until(&dropped, 3 * TASKS, "destructors after dropping the set").await;
}

#[loopbridge::test]
async fn a_panic_comes_back_with_its_payload_and_join_all_resumes_it() {
    let mut set = JoinSet::new();
    set.spawn(async { panic!("boom in a set") });
    let err = set.join_next().await.unwrap().unwrap_err();
    assert!(err.is_panic());
    assert_eq!(panic_message(&*err.into_panic()), "boom in a set");

    let mut set: JoinSet<u8> = JoinSet::new();
    set.spawn(async { 1 });
    set.spawn(async { panic!("boom in join_all") });
    let payload = AssertUnwindSafe(set.join_all()).catch_unwind().await.unwrap_err();
    assert_eq!(panic_message(&*payload), "boom in join_all");
}

#[loopbridge::test]
async fn join_next_is_cancel_safe() {
    let mut set = JoinSet::new();
    let (open, gate) = async_channel::bounded::<()>(1);
    for i in 0..3_u8 {
        let gate = gate.clone();
        set.spawn(async move {
            let _ = gate.recv().await;
            i
        });
    }
    for _ in 0..5 {
        // Timed out before any task finished: nothing may be lost.
        assert!(loopbridge::timeout(Duration::from_millis(1), set.join_next()).await.is_err());
    }
    assert_eq!(set.len(), 3);
    open.close();
    let mut got: Vec<u8> = set.join_all().await;
    got.sort_unstable();
    assert_eq!(got, [0, 1, 2]);
}

#[loopbridge::test]
async fn the_other_ways_in_and_out_of_a_set() {
    // FromIterator, Extend, spawn_blocking, try_join_next, AbortHandle.
    let mut set: JoinSet<u32> = (1..=3).map(|n| async move { n }).collect();
    set.extend([async { 10 }]);
    set.spawn_blocking(|| 100);
    let abort = set.spawn(std::future::pending());
    assert_eq!(set.len(), 6);
    abort.abort();
    let mut sum = 0;
    let mut cancelled = 0;
    while !set.is_empty() {
        match set.try_join_next() {
            Some(Ok(n)) => sum += n,
            Some(Err(err)) if err.is_cancelled() => cancelled += 1,
            Some(Err(err)) => panic!("{err}"),
            None => loopbridge::yield_now().await,
        }
    }
    assert_eq!((sum, cancelled), (116, 1));
    assert!(abort.is_finished());

    // detach_all: the tasks run on.
    let ran = Arc::new(AtomicUsize::new(0));
    for _ in 0..4 {
        let ran = Arc::clone(&ran);
        set.spawn(async move {
            loopbridge::sleep(Duration::from_millis(5)).await;
            ran.fetch_add(1, Ordering::SeqCst);
            0
        });
    }
    set.detach_all();
    drop(set);
    until(&ran, 4, "detached tasks").await;
}

#[loopbridge::test]
async fn spawn_local_sets_work_in_block_on_and_on_a_one_thread_runner(flavor: Flavor) {
    // The test body runs inside `block_on`: local tasks run on this thread.
    let mut set = JoinSet::new();
    for i in 0..3_usize {
        let local = std::rc::Rc::new(i);
        set.spawn_local(async move { *local });
    }
    let mut got = set.join_all().await;
    got.sort_unstable();
    assert_eq!(got, [0, 1, 2]);

    // A one-thread runner's tasks may make local sets too (async-std has none).
    if matches!(flavor, Flavor::TokioCurrentThread | Flavor::TokioMultiThread | Flavor::Smol) {
        let runner =
            loopbridge::Runner::builder().backend(flavor.kind()).worker_threads(1).build().unwrap();
        let sum = runner
            .spawn(async {
                let mut set = JoinSet::new();
                for i in 1..=3_usize {
                    let local = std::rc::Rc::new(i);
                    set.spawn_local(async move { *local });
                }
                set.join_all().await.into_iter().sum::<usize>()
            })
            .await
            .unwrap();
        assert_eq!(sum, 6);
        runner.shutdown(PATIENCE);
    }
}

#[loopbridge::test]
async fn try_join_next_sees_every_finished_task_whatever_the_callers_budget() {
    // tokio charges each poll of a handle to the polling task's cooperative budget (128 polls);
    // `try_join_next` must not stop reporting finished tasks when the budget runs out.
    const TASKS: usize = 1000;
    let mut set = JoinSet::new();
    let finished = Arc::new(AtomicUsize::new(0));
    for i in 0..TASKS {
        let finished = Arc::clone(&finished);
        set.spawn(async move {
            finished.fetch_add(1, Ordering::SeqCst);
            i
        });
    }
    until(&finished, TASKS, "tasks finished").await;
    // Every task has returned; give the handles a moment to see it (on tokio, a task's output
    // is stored just after its future returns).
    loopbridge::sleep(Duration::from_millis(20)).await;
    let mut joined = 0;
    while let Some(result) = set.try_join_next() {
        result.unwrap();
        joined += 1;
    }
    assert_eq!(joined, TASKS, "try_join_next said nothing was ready while finished tasks waited");
    assert!(set.is_empty());
}
