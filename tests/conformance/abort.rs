//! `JoinHandle::abort`: cancellation at the next await point, destructors run.

use std::sync::atomic::Ordering;
use std::time::Duration;

use loopbridge_tests::DropFlag;

#[loopbridge::test]
async fn abort_cancels_and_runs_the_destructor() {
    let (flag, dropped) = DropFlag::new(false);
    let (started_tx, started_rx) = async_channel::bounded(1);
    let handle = loopbridge::spawn(async move {
        let _flag = flag;
        started_tx.send(()).await.unwrap();
        loopbridge::sleep(Duration::from_secs(3600)).await; // woken by the abort
    });
    started_rx.recv().await.unwrap();
    handle.abort();
    let err = handle.await.unwrap_err();
    assert!(err.is_cancelled() && !err.is_panic());
    assert_eq!(err.to_string(), "task was cancelled");
    assert!(dropped.load(Ordering::SeqCst), "the destructor ran before the handle resolved");
}

#[loopbridge::test]
async fn abort_before_first_poll_never_runs_the_body() {
    let (tx, rx) = async_channel::bounded::<()>(1);
    let (flag, dropped) = DropFlag::new(false);
    // A task that is still queued when aborted (no yield between spawn and abort).
    let handle = loopbridge::spawn(async move {
        let _flag = flag;
        tx.send(()).await.unwrap();
    });
    handle.abort();
    handle.abort(); // idempotent
    let result = handle.await;
    // Either the abort won (cancelled, body never sent) or the task had finished first.
    match result {
        Err(err) => {
            assert!(err.is_cancelled());
            assert!(rx.try_recv().is_err());
        }
        Ok(()) => assert!(rx.try_recv().is_ok()),
    }
    assert!(dropped.load(Ordering::SeqCst));
}

#[loopbridge::test]
async fn abort_after_completion_keeps_the_result() {
    let handle = loopbridge::spawn(async { "done" });
    while !handle.is_finished() {
        loopbridge::yield_now().await;
    }
    handle.abort();
    assert_eq!(handle.await.unwrap(), "done");
}

#[loopbridge::test]
async fn abort_of_to_thread_job_never_interrupts_a_started_job() {
    let (started_tx, started_rx) = async_channel::bounded(1);
    let (release_tx, release_rx) = async_channel::bounded::<()>(1);
    let handle = loopbridge::to_thread(move || {
        started_tx.send_blocking(()).unwrap();
        release_rx.recv_blocking().unwrap();
        "finished anyway"
    });
    started_rx.recv().await.unwrap();
    handle.abort();
    release_tx.send(()).await.unwrap();
    assert_eq!(handle.await.unwrap(), "finished anyway");
}
