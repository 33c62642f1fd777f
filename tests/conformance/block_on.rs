//! `block_on` from the calling contexts of docs/semantics.md, "block_on" that the foundation covers: plain
//! threads and `to_thread` threads work everywhere; inside a task it completes where blocking
//! can be handed off (tokio multi-thread) and fails fast everywhere else — it never hangs.
//! A `#[loopbridge::test]` body runs in a `block_on` itself, so the tests about tasks spawn one.

use std::panic::catch_unwind;
use std::time::Duration;

use loopbridge::Flavor;
use loopbridge_tests::blocking_in_task_completes;

#[loopbridge::test]
async fn block_on_from_a_plain_thread_uses_this_runtime(flavor: Flavor) {
    let bridge = loopbridge::Bridge::current();
    let expected = flavor.kind();
    let seen = loopbridge::to_thread(move || {
        std::thread::spawn(move || {
            bridge.block_on(async {
                loopbridge::sleep(Duration::from_millis(2)).await;
                let spawned = loopbridge::spawn(async { loopbridge::current() });
                (loopbridge::current(), spawned.await.unwrap())
            })
        })
        .join()
        .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(seen, (Some(expected), Some(expected)));
}

#[loopbridge::test]
async fn block_on_from_a_to_thread_thread(flavor: Flavor) {
    let expected = flavor.kind();
    let out = loopbridge::to_thread(|| {
        loopbridge::block_on(async {
            loopbridge::sleep(Duration::from_millis(1)).await;
            loopbridge::spawn(async { loopbridge::current() }).await.unwrap()
        })
    })
    .await
    .unwrap();
    assert_eq!(out, Some(expected));
}

// The test body itself runs in a `block_on` (where blocking is fine); the task is spawned.
#[loopbridge::test]
async fn block_on_inside_a_task_completes_or_fails_fast(flavor: Flavor) {
    let in_task = loopbridge::spawn(async {
        loopbridge::try_block_on(async { loopbridge::spawn(async { 7 }).await.unwrap() })
    });
    match in_task.await.unwrap() {
        Ok(value) => {
            assert!(blocking_in_task_completes(flavor), "{flavor:?} should refuse");
            assert_eq!(value, 7);
        }
        Err(err) => {
            assert!(!blocking_in_task_completes(flavor), "{flavor:?} should complete: {err}");
            assert!(err.is_in_async_context() && !err.is_shut_down());
            let msg = err.to_string();
            assert!(msg.contains(".await") && msg.contains("to_thread"), "{msg}");
        }
    }
}

#[loopbridge::test]
async fn block_on_panics_at_once_where_it_would_deadlock(flavor: Flavor) {
    let in_task = loopbridge::spawn(async {
        catch_unwind(|| loopbridge::block_on(async { 1 }))
            .map_err(|payload| payload.downcast_ref::<String>().cloned().unwrap_or_default())
    });
    match in_task.await.unwrap() {
        Ok(value) => assert!(blocking_in_task_completes(flavor) && value == 1),
        Err(msg) => {
            assert!(!blocking_in_task_completes(flavor));
            assert!(msg.contains("cannot block on a future here"), "{msg}");
            assert!(!msg.contains("Cannot start a runtime from within a runtime"), "{msg}");
        }
    }
    // The runtime is unharmed either way.
    assert_eq!(loopbridge::spawn(async { 2 }).await.unwrap(), 2);
}

#[loopbridge::test]
async fn panic_inside_block_on_reaches_the_caller_unchanged() {
    let payload = loopbridge::to_thread(|| {
        catch_unwind(|| loopbridge::block_on(async { std::panic::panic_any(99_i32) }))
    })
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(*payload.downcast::<i32>().unwrap(), 99);
}

#[loopbridge::test]
async fn nested_block_on_in_a_to_thread_job() {
    let out = loopbridge::to_thread(|| {
        loopbridge::block_on(async {
            loopbridge::to_thread(|| loopbridge::block_on(async { "deep" })).await.unwrap()
        })
    })
    .await
    .unwrap();
    assert_eq!(out, "deep");
}

#[loopbridge::test]
async fn block_on_does_not_need_send_or_static() {
    let out = loopbridge::to_thread(|| {
        let local = std::rc::Rc::new(5);
        let borrowed = &local;
        loopbridge::block_on(async move { **borrowed + 1 })
    })
    .await
    .unwrap();
    assert_eq!(out, 6);
}
