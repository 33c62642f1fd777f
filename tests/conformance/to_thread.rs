//! `to_thread`: blocking work off the executor, never cancelled by dropping its handle.

use std::time::Duration;

use loopbridge::Flavor;

#[loopbridge::test]
async fn to_thread_runs_on_another_thread_and_returns() {
    let caller = std::thread::current().id();
    let (value, thread) =
        loopbridge::to_thread(|| (6 * 7, std::thread::current().id())).await.unwrap();
    assert_eq!(value, 42);
    assert_ne!(thread, caller);
}

#[loopbridge::test]
async fn dropped_handles_never_cancel_queued_or_running_jobs() {
    let (tx, rx) = async_channel::unbounded();
    for i in 0..8 {
        let tx = tx.clone();
        drop(loopbridge::to_thread(move || {
            std::thread::sleep(Duration::from_millis(10));
            tx.send_blocking(i).unwrap();
        }));
    }
    let mut done = Vec::new();
    for _ in 0..8 {
        done.push(rx.recv().await.unwrap());
    }
    done.sort_unstable();
    assert_eq!(done, (0..8).collect::<Vec<_>>());
}

#[loopbridge::test]
async fn to_thread_job_sees_its_runtime_and_is_not_async(flavor: Flavor) {
    let expected = flavor.kind();
    let (current, in_async) =
        loopbridge::to_thread(|| (loopbridge::current(), loopbridge::in_async_context()))
            .await
            .unwrap();
    assert_eq!(current, Some(expected));
    assert!(!in_async);
}

#[loopbridge::test]
async fn to_thread_does_not_stall_the_executor() {
    let (release_tx, release_rx) = async_channel::bounded::<()>(1);
    let blocker = loopbridge::to_thread(move || release_rx.recv_blocking().unwrap());
    // While the job blocks, tasks keep running.
    assert_eq!(loopbridge::spawn(async { 5 }).await.unwrap(), 5);
    loopbridge::sleep(Duration::from_millis(2)).await;
    release_tx.send(()).await.unwrap();
    blocker.await.unwrap();
}
