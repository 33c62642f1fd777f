//! Spawning tasks and awaiting their handles.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use loopbridge::Flavor;

#[loopbridge::test]
async fn spawn_and_await() {
    let handle = loopbridge::spawn(async { 40 + 2 });
    assert_eq!(handle.await.unwrap(), 42);
}

#[loopbridge::test]
async fn dropped_handle_detaches_the_task() {
    let (tx, rx) = async_channel::bounded(1);
    let handle = loopbridge::spawn(async move {
        loopbridge::yield_now().await;
        tx.send("still ran").await.unwrap();
    });
    drop(handle); // smol's native Task would cancel here
    assert_eq!(rx.recv().await.unwrap(), "still ran");
}

#[loopbridge::test]
async fn handle_dropped_before_the_task_ever_ran_still_runs() {
    let (tx, rx) = async_channel::bounded(16);
    for i in 0..16 {
        let tx = tx.clone();
        drop(loopbridge::spawn(async move { tx.send(i).await.unwrap() }));
    }
    let mut seen = Vec::new();
    for _ in 0..16 {
        seen.push(rx.recv().await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..16).collect::<Vec<_>>());
}

#[loopbridge::test]
async fn a_thousand_tasks_all_complete() {
    let counter = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..1000)
        .map(|i| {
            let counter = Arc::clone(&counter);
            loopbridge::spawn(async move {
                loopbridge::yield_now().await;
                counter.fetch_add(1, Ordering::SeqCst);
                i
            })
        })
        .collect();
    let mut sum = 0;
    for handle in handles {
        sum += handle.await.unwrap();
    }
    assert_eq!(sum, (0..1000).sum::<usize>());
    assert_eq!(counter.load(Ordering::SeqCst), 1000);
}

#[loopbridge::test]
async fn is_finished_tracks_completion() {
    let (tx, rx) = async_channel::bounded::<()>(1);
    let handle = loopbridge::spawn(async move { rx.recv().await.ok() });
    assert!(!handle.is_finished());
    tx.send(()).await.unwrap();
    while !handle.is_finished() {
        loopbridge::yield_now().await;
    }
    assert_eq!(handle.await.unwrap(), Some(()));
}

#[loopbridge::test]
async fn spawned_tasks_see_the_same_runtime(flavor: Flavor) {
    let expected = flavor.kind();
    let inner = loopbridge::spawn(async { loopbridge::current() }).await.unwrap();
    assert_eq!(inner, Some(expected));
    assert_eq!(loopbridge::Bridge::current().kind(), expected);
}

#[loopbridge::test]
async fn bridge_is_usable_from_another_thread() {
    let bridge = loopbridge::Bridge::current();
    let kind = bridge.kind();
    // A plain thread spawns onto this runtime through the bridge.
    let handle =
        std::thread::spawn(move || bridge.spawn(async { loopbridge::current() })).join().unwrap();
    assert_eq!(handle.await.unwrap(), Some(kind));
}
