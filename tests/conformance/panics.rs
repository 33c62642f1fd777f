//! Panics never escape into a worker, a runtime or the process; awaiters get the payload.

use std::pin::Pin;
use std::task::{Context, Poll};

use loopbridge_tests::DropFlag;

#[loopbridge::test]
async fn panic_in_task_is_a_join_error_with_the_payload() {
    let err = loopbridge::spawn(async { panic!("task went wrong") }).await.unwrap_err();
    assert!(err.is_panic() && !err.is_cancelled());
    assert_eq!(err.to_string(), "task panicked with message \"task went wrong\"");
    let payload = err.into_panic();
    assert_eq!(*payload.downcast_ref::<&str>().unwrap(), "task went wrong");
}

#[loopbridge::test]
async fn panic_in_to_thread_is_a_join_error_with_the_payload() {
    let err = loopbridge::to_thread(|| std::panic::panic_any(7_u64)).await.unwrap_err();
    assert!(err.is_panic());
    assert_eq!(*err.into_panic().downcast::<u64>().unwrap(), 7);
}

#[loopbridge::test]
async fn panic_in_destructor_of_aborted_task_is_caught() {
    let (flag, dropped) = DropFlag::new(true);
    let handle = loopbridge::spawn(async move {
        let _flag = flag;
        std::future::pending::<()>().await;
    });
    loopbridge::yield_now().await;
    handle.abort();
    // async-task would abort the whole process here natively.
    let err = handle.await.unwrap_err();
    assert!(err.is_panic(), "{err:?}");
    assert!(dropped.load(std::sync::atomic::Ordering::SeqCst));
    // ...and the runtime keeps serving.
    assert_eq!(loopbridge::spawn(async { 1 }).await.unwrap(), 1);
}

#[loopbridge::test]
async fn a_destructor_panicking_after_the_last_poll_fails_the_task() {
    // The future's state is dropped as the task finishes; if that panics, the task failed and
    // its value is not reported (tokio's own handle would report the value: loopbridge's
    // handle on tokio adds the rule).
    let (flag, dropped) = DropFlag::new(true);
    let err = loopbridge::spawn(async move {
        let _flag = flag;
        loopbridge::yield_now().await;
        1
    })
    .await
    .unwrap_err();
    assert!(err.is_panic(), "{err:?}");
    assert_eq!(loopbridge_tests::panic_message(&*err.into_panic()), "panic in a destructor");
    assert!(dropped.load(std::sync::atomic::Ordering::SeqCst));
}

#[loopbridge::test]
async fn a_task_panic_is_reported_over_its_destructor_panic() {
    // A hand-written future: its fields are dropped after the poll's panic was caught, not
    // while it unwinds (a panic there would abort the process, as anywhere in Rust).
    struct PanicsInPoll(#[allow(dead_code)] DropFlag);
    impl std::future::Future for PanicsInPoll {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            panic!("the first panic")
        }
    }
    let (flag, dropped) = DropFlag::new(true);
    let err = loopbridge::spawn(PanicsInPoll(flag)).await.unwrap_err();
    assert_eq!(loopbridge_tests::panic_message(&*err.into_panic()), "the first panic");
    assert!(dropped.load(std::sync::atomic::Ordering::SeqCst));
}

#[loopbridge::test]
async fn runtime_keeps_serving_after_many_panics() {
    let handles: Vec<_> =
        (0..200).map(|i| loopbridge::spawn(async move { panic!("panic {i}") })).collect();
    for (i, handle) in handles.into_iter().enumerate() {
        let err = handle.await.unwrap_err();
        assert_eq!(err.to_string(), format!("task panicked with message \"panic {i}\""));
    }
    let jobs: Vec<_> = (0..20).map(|_| loopbridge::to_thread(|| panic!("job"))).collect();
    for job in jobs {
        assert!(job.await.unwrap_err().is_panic());
    }
    assert_eq!(loopbridge::spawn(async { "alive" }).await.unwrap(), "alive");
    assert_eq!(loopbridge::to_thread(|| "alive").await.unwrap(), "alive");
}

#[loopbridge::test]
async fn detached_panicking_task_is_silent_and_harmless() {
    drop(loopbridge::spawn(async { panic!("nobody listens") }));
    loopbridge::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(loopbridge::spawn(async { 2 }).await.unwrap(), 2);
}
