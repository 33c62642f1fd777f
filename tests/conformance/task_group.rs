//! `task_group` (docs/semantics.md, "Structured concurrency"): its four rules on every flavour —
//! nothing outlives it; the first failure (an `Err` or a panic, of a child or of the body)
//! cancels everything else, whose destructors run before the group returns it; dropping the
//! group's future cancels everything; a spawn into a failed or finished group never runs.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_lite::FutureExt;
use loopbridge::{TaskGroup, task_group};
use loopbridge_tests::{DropCounter, panic_message};

/// How long a wait that should end at once may take before the test calls it a hang.
const PATIENCE: Duration = Duration::from_secs(10);

/// Spawns `n` children that never finish by themselves, each holding a drop counter.
fn pending_children(group: &TaskGroup<String>, n: usize, dropped: &Arc<AtomicUsize>) {
    for _ in 0..n {
        let guard = DropCounter::new(dropped);
        group.spawn(async move {
            let _guard = guard;
            std::future::pending::<Result<(), String>>().await
        });
    }
}

#[loopbridge::test]
async fn the_group_returns_after_the_body_and_every_child() {
    let done = Arc::new(AtomicUsize::new(0));
    let value = task_group(|group: TaskGroup<String>| {
        let done = Arc::clone(&done);
        async move {
            for i in 0..20_u64 {
                let done = Arc::clone(&done);
                group.spawn(async move {
                    loopbridge::sleep(Duration::from_millis(i % 5)).await;
                    done.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                });
            }
            Ok("body")
        }
    })
    .await;
    assert_eq!(value.unwrap(), "body");
    assert_eq!(done.load(Ordering::SeqCst), 20, "a child outlived the group");
}

#[loopbridge::test]
async fn a_failing_child_cancels_the_rest_and_their_destructors_run_first() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let body_dropped = Arc::new(AtomicUsize::new(0));
    let result: Result<(), String> = task_group(|group| {
        let (dropped, body_guard) = (Arc::clone(&dropped), DropCounter::new(&body_dropped));
        async move {
            let _body_guard = body_guard;
            pending_children(&group, 50, &dropped);
            let token = group.token();
            group.spawn(async move {
                loopbridge::yield_now().await;
                Err("child failed".to_owned())
            });
            token.cancelled().await; // the failure cancels the token...
            loopbridge::sleep(Duration::from_secs(3600)).await; // ...and drops the body here
            Ok(())
        }
    })
    .await;
    assert_eq!(result.unwrap_err(), "child failed");
    assert_eq!(dropped.load(Ordering::SeqCst), 50, "every other child's destructor ran first");
    assert_eq!(body_dropped.load(Ordering::SeqCst), 1, "the body was cancelled");
}

#[loopbridge::test]
async fn a_panicking_child_is_resumed_after_the_rest_stopped() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let outcome = AssertUnwindSafe(task_group(|group: TaskGroup<String>| {
        let dropped = Arc::clone(&dropped);
        async move {
            pending_children(&group, 10, &dropped);
            group.spawn(async { panic!("boom in a group") });
            std::future::pending::<Result<(), String>>().await
        }
    }))
    .catch_unwind()
    .await;
    let payload = outcome.expect_err("the child's panic is resumed");
    assert_eq!(panic_message(&*payload), "boom in a group");
    assert_eq!(dropped.load(Ordering::SeqCst), 10);
}

#[loopbridge::test]
async fn a_failing_body_cancels_every_child() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let result: Result<(), String> = task_group(|group| {
        let dropped = Arc::clone(&dropped);
        async move {
            pending_children(&group, 10, &dropped);
            Err("body failed".to_owned())
        }
    })
    .await;
    assert_eq!(result.unwrap_err(), "body failed");
    assert_eq!(dropped.load(Ordering::SeqCst), 10);
}

/// On a paused clock (docs/testing.md): the timeout fires exactly at its deadline.
#[loopbridge::test(start_paused = true)]
async fn a_group_dropped_by_a_timeout_cancels_everything_in_it() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let token = Arc::new(std::sync::Mutex::new(None));
    let start = loopbridge::time::Instant::now();
    let timed_out = loopbridge::timeout(
        Duration::from_secs(20),
        task_group(|group: TaskGroup<String>| {
            let (dropped, token) = (Arc::clone(&dropped), Arc::clone(&token));
            async move {
                pending_children(&group, 10, &dropped);
                *token.lock().unwrap() = Some(group.token());
                std::future::pending::<Result<(), String>>().await
            }
        }),
    )
    .await;
    assert!(timed_out.is_err());
    assert_eq!(start.elapsed(), Duration::from_secs(20));
    let token = token.lock().unwrap().take().expect("the body ran");
    assert!(token.is_cancelled(), "dropping the group cancels its token");
    // Aborted, not awaited: the children stop on their own threads.
    let start = std::time::Instant::now();
    while dropped.load(Ordering::SeqCst) < 10 {
        assert!(start.elapsed() < PATIENCE, "children outlived a dropped group");
        loopbridge::sleep(Duration::from_millis(1)).await;
    }
}

#[loopbridge::test]
async fn a_spawn_into_a_failed_or_finished_group_never_runs() {
    let ran = Arc::new(AtomicUsize::new(0));
    let kept = Arc::new(std::sync::Mutex::new(None));
    let result: Result<(), String> = task_group(|group| {
        let (ran, kept) = (Arc::clone(&ran), Arc::clone(&kept));
        async move {
            *kept.lock().unwrap() = Some(group.clone());
            group.spawn(async { Err("failed".to_owned()) });
            group.token().cancelled().await;
            let ran = Arc::clone(&ran);
            group.spawn(async move {
                ran.fetch_add(1, Ordering::SeqCst);
                Ok(())
            });
            Ok(())
        }
    })
    .await;
    assert_eq!(result.unwrap_err(), "failed");
    let late = kept.lock().unwrap().take().unwrap();
    let counter = Arc::clone(&ran);
    late.spawn(async move {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    loopbridge::sleep(Duration::from_millis(10)).await;
    assert_eq!(ran.load(Ordering::SeqCst), 0, "a spawn into a failed or finished group ran");
}

#[loopbridge::test]
async fn nested_groups_fail_outward_and_cancel_inward() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let result: Result<(), String> = task_group(|outer| {
        let dropped = Arc::clone(&dropped);
        async move {
            let inner_dropped = Arc::clone(&dropped);
            outer.spawn(async move {
                task_group(|inner| async move {
                    pending_children(&inner, 5, &inner_dropped);
                    inner.spawn(async { Err("inner failed".to_owned()) });
                    std::future::pending::<Result<(), String>>().await
                })
                .await
            });
            pending_children(&outer, 5, &dropped);
            std::future::pending().await
        }
    })
    .await;
    assert_eq!(result.unwrap_err(), "inner failed");
    assert_eq!(dropped.load(Ordering::SeqCst), 10, "both groups' children stopped first");
}

/// A guard whose destructor takes a while (on its own thread) before it counts: a group that
/// returned without waiting for it would see the count short.
struct SlowDrop(Arc<AtomicUsize>);

impl Drop for SlowDrop {
    fn drop(&mut self) {
        std::thread::sleep(Duration::from_millis(30));
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// `levels` groups nested inside each other, each started by a child of the one above (or by
/// the body of the outermost, `in_body`), the innermost holding `width` children that never end
/// and drop slowly; the outermost's other child fails once they are all running.
async fn nested_failure(levels: usize, width: usize, in_body: bool) -> (Result<(), String>, usize) {
    fn nest(
        levels: usize,
        width: usize,
        started: Arc<AtomicUsize>,
        dropped: Arc<AtomicUsize>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send>> {
        Box::pin(task_group(move |group: TaskGroup<String>| async move {
            if levels == 1 {
                for _ in 0..width {
                    let (started, guard) = (Arc::clone(&started), SlowDrop(Arc::clone(&dropped)));
                    group.spawn(async move {
                        let _guard = guard;
                        started.fetch_add(1, Ordering::SeqCst);
                        std::future::pending().await
                    });
                }
            } else {
                group.spawn(nest(levels - 1, width, started, dropped));
            }
            std::future::pending().await
        }))
    }
    let (started, dropped) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let result = task_group(|outer: TaskGroup<String>| {
        let (started, dropped) = (Arc::clone(&started), Arc::clone(&dropped));
        async move {
            let waiting = Arc::clone(&started);
            outer.spawn(async move {
                let start = std::time::Instant::now();
                while waiting.load(Ordering::SeqCst) < width {
                    assert!(start.elapsed() < PATIENCE, "the grandchildren never started");
                    loopbridge::sleep(Duration::from_millis(1)).await;
                }
                Err("a sibling failed".to_owned())
            });
            let nested = nest(levels, width, started, dropped);
            if in_body {
                nested.await
            } else {
                outer.spawn(nested);
                std::future::pending().await
            }
        }
    })
    .await;
    (result, dropped.load(Ordering::SeqCst))
}

#[loopbridge::test]
async fn a_group_returns_after_the_destructors_of_its_nested_groups_children() {
    let (result, dropped) = nested_failure(1, 4, false).await;
    assert_eq!(result.unwrap_err(), "a sibling failed");
    assert_eq!(dropped, 4, "the group returned before a grandchild's destructor ran");
}

#[loopbridge::test]
async fn the_nested_guarantee_holds_however_deep_and_for_a_group_in_the_body() {
    let (result, dropped) = nested_failure(3, 3, false).await;
    assert_eq!(result.unwrap_err(), "a sibling failed");
    assert_eq!(dropped, 3, "three levels down");
    let (result, dropped) = nested_failure(2, 3, true).await;
    assert_eq!(result.unwrap_err(), "a sibling failed");
    assert_eq!(dropped, 3, "a group nested in the body");
}

#[loopbridge::test]
async fn cancel_stops_every_child_and_the_group_returns_the_bodys_value() {
    // From inside: the body cancels, its children's destructors run, its value comes back.
    let dropped = Arc::new(AtomicUsize::new(0));
    let value = task_group(|group: TaskGroup<String>| {
        let dropped = Arc::clone(&dropped);
        async move {
            pending_children(&group, 5, &dropped);
            // A child that answers the cancel with an `Err`: not a failure after a cancel.
            let token = group.token();
            group.spawn(async move {
                token.cancelled().await;
                Err("stopped".to_owned())
            });
            loopbridge::yield_now().await;
            group.cancel();
            group.cancel(); // idempotent
            assert!(group.is_closed());
            Ok("body's value")
        }
    })
    .await;
    assert_eq!(value.unwrap(), "body's value");
    assert_eq!(dropped.load(Ordering::SeqCst), 5, "the children stopped before the group returned");

    // From outside: a clone cancels; the body sees the token and returns.
    let (tx, rx) = group_slot();
    let outcome = task_group(|group: TaskGroup<String>| async move {
        tx.lock().unwrap().replace(group.clone());
        group.token().cancelled().await;
        Ok(7)
    })
    .race(async {
        let group = loop {
            if let Some(group) = rx.lock().unwrap().take() {
                break group;
            }
            loopbridge::yield_now().await;
        };
        group.cancel();
        std::future::pending().await
    })
    .await;
    assert_eq!(outcome, Ok(7));
}

/// Where the body leaves its group for a racing future to take.
type GroupSlot = Arc<std::sync::Mutex<Option<TaskGroup<String>>>>;

/// Two ends of one [`GroupSlot`].
fn group_slot() -> (GroupSlot, GroupSlot) {
    let slot = GroupSlot::default();
    (Arc::clone(&slot), slot)
}

#[loopbridge::test]
async fn cancel_after_the_group_returned_is_a_no_op() {
    let kept = Arc::new(std::sync::Mutex::new(None));
    let value = task_group(|group: TaskGroup<String>| {
        let kept = Arc::clone(&kept);
        async move {
            *kept.lock().unwrap() = Some(group.clone());
            Ok(1)
        }
    })
    .await;
    assert_eq!(value, Ok(1));
    let late = kept.lock().unwrap().take().unwrap();
    late.cancel();
    assert!(late.is_closed());
}

/// On a paused clock (docs/testing.md): the group returns exactly at its deadline — the slow
/// destructors it waits for take real time, not the runtime's.
#[loopbridge::test(start_paused = true)]
async fn a_group_with_a_timeout_stops_everything_and_returns_elapsed_at_the_deadline() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let timeout = Duration::from_secs(40);
    let start = loopbridge::time::Instant::now();
    let outcome = loopbridge::task_group_with_timeout(timeout, |group: TaskGroup<String>| {
        let dropped = Arc::clone(&dropped);
        async move {
            pending_children(&group, 5, &dropped);
            let inner = Arc::clone(&dropped);
            group.spawn(task_group(move |nested: TaskGroup<String>| async move {
                nested.spawn(async move {
                    let _slow = SlowDrop(inner);
                    std::future::pending().await
                });
                std::future::pending().await
            }));
            std::future::pending::<Result<(), String>>().await
        }
    })
    .await;
    assert!(outcome.is_err(), "the deadline passed first: {outcome:?}");
    assert_eq!(start.elapsed(), timeout, "returned at the deadline");
    assert_eq!(dropped.load(Ordering::SeqCst), 6, "every child, nested ones too, stopped first");

    // Done in time: the body's value; a failure first: the failure.
    let quick =
        loopbridge::task_group_with_timeout(PATIENCE, |group: TaskGroup<String>| async move {
            group.spawn(async { Ok(()) });
            Ok(3)
        })
        .await;
    assert_eq!(quick, Ok(Ok(3)));
    let failed =
        loopbridge::task_group_with_timeout(PATIENCE, |group: TaskGroup<String>| async move {
            group.spawn(async { Err("first".to_owned()) });
            std::future::pending::<Result<(), String>>().await
        })
        .await;
    assert_eq!(failed, Ok(Err("first".to_owned())));
}
