//! tokio's own `tokio/tests/time_timeout.rs`, ported to loopbridge's paused clock and run on
//! every flavour: a timeout polls its future before its deadline (a ready future wins even a
//! passed deadline), a future that completes before the deadline wakes the timeout and wins, a
//! deadline of `Duration::MAX` never elapses, and a deadline elapses exactly when it comes —
//! also for a future that is always busy.
//!
//! Every tokio test of the file is ported; none is skipped. tokio advances 1 ms past a
//! deadline to let its rounded timer fire; loopbridge's deadlines are exact, so the ports
//! advance exactly to the deadline (and assert that a moment before is not enough). tokio's
//! `oneshot` is an `async_channel` of one here. tokio's tests call `time::pause()` at the top of
//! a `#[tokio::test]` body; these start paused instead (`start_paused = true`), the same clock
//! from the body's first poll on — pausing inside a body is `tokio_time_pause.rs`'s subject.
//! The timeouts are polled by hand (tokio-test's `task::spawn`: [`MockTask`]) and the clock
//! moved by `advance`.

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use loopbridge::time::{self, Instant, timeout, timeout_at};

use crate::mock_task::MockTask;

const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// tokio `simultaneous_deadline_future_completion`: a ready future with a deadline of now is
/// `Ok` at the first poll: the future is polled before the timer.
#[loopbridge::test(start_paused = true)]
async fn simultaneous_deadline_future_completion() {
    let task = MockTask::new();
    let mut fut = pin!(timeout_at(Instant::now(), async {}));
    assert_eq!(task.poll(fut.as_mut()), std::task::Poll::Ready(Ok(())));
}

/// tokio `completed_future_past_deadline`: a ready future with a deadline a second in the past
/// is still `Ok` at the first poll.
#[loopbridge::test(start_paused = true)]
async fn completed_future_past_deadline() {
    let task = MockTask::new();
    let mut fut = pin!(timeout_at(Instant::now() - ms(1000), async {}));
    assert_eq!(task.poll(fut.as_mut()), std::task::Poll::Ready(Ok(())));
}

/// tokio `future_and_deadline_in_future`: a `timeout_at` 100 ms on, of a future completed by a
/// message 90 ms on: pending before and after the 90 ms (the timer does not wake it early),
/// woken by the message, and `Ok` with it.
#[loopbridge::test(start_paused = true)]
async fn future_and_deadline_in_future() {
    let (tx, rx) = async_channel::bounded(1);
    let task = MockTask::new();
    let mut fut = pin!(timeout_at(Instant::now() + ms(100), async move { rx.recv().await }));
    assert!(task.poll(fut.as_mut()).is_pending());
    time::advance(ms(90)).await;
    assert!(!task.is_woken(), "not woken by the timer, 10 ms before its deadline");
    assert!(task.poll(fut.as_mut()).is_pending());
    tx.send(()).await.unwrap();
    assert!(task.is_woken());
    let out = task.poll(fut.as_mut());
    assert!(matches!(out, std::task::Poll::Ready(Ok(Ok(())))), "{out:?}");
}

/// tokio `future_and_timeout_in_future`: the same with `timeout(100 ms)`.
#[loopbridge::test(start_paused = true)]
async fn future_and_timeout_in_future() {
    let (tx, rx) = async_channel::bounded(1);
    let task = MockTask::new();
    let mut fut = pin!(timeout(ms(100), async move { rx.recv().await }));
    assert!(task.poll(fut.as_mut()).is_pending());
    time::advance(ms(90)).await;
    assert!(!task.is_woken());
    assert!(task.poll(fut.as_mut()).is_pending());
    tx.send(()).await.unwrap();
    assert!(task.is_woken());
    let out = task.poll(fut.as_mut());
    assert!(matches!(out, std::task::Poll::Ready(Ok(Ok(())))), "{out:?}");
}

/// tokio `very_large_timeout`: a timeout of `Duration::MAX` (tokio builds it by hand; it is
/// stable now) is still pending ten years on, and the future completing wins.
#[loopbridge::test(start_paused = true)]
async fn very_large_timeout() {
    let (tx, rx) = async_channel::bounded(1);
    let task = MockTask::new();
    let mut fut = pin!(timeout(Duration::MAX, async move { rx.recv().await }));
    assert!(task.poll(fut.as_mut()).is_pending());
    let start = Instant::now();
    time::advance(10 * YEAR).await;
    assert_eq!(start.elapsed(), 10 * YEAR);
    assert!(!task.is_woken());
    assert!(task.poll(fut.as_mut()).is_pending());
    tx.send(()).await.unwrap();
    let out = task.poll(fut.as_mut());
    assert!(matches!(out, std::task::Poll::Ready(Ok(Ok(())))), "{out:?}");
}

/// tokio `deadline_now_elapses`: a pending future with a deadline of now elapses. tokio first
/// advances 1 ms ("factor in jitter", its rounding); loopbridge's timer for a deadline that has
/// come fires at once, so the first poll, with no time moved, is `Err(Elapsed)`.
#[loopbridge::test(start_paused = true)]
async fn deadline_now_elapses() {
    let start = Instant::now();
    let task = MockTask::new();
    let mut fut = pin!(timeout_at(Instant::now(), std::future::pending::<()>()));
    assert!(matches!(task.poll(fut.as_mut()), std::task::Poll::Ready(Err(_))));
    assert_eq!(start.elapsed(), Duration::ZERO);
}

/// tokio `deadline_future_elapses`: a pending future with a deadline 300 ms on elapses then.
/// tokio advances 301 ms; loopbridge fires at exactly 300 ms — not at 299 ms, where it is not
/// even woken — waking the task, and the next poll is `Err(Elapsed)`.
#[loopbridge::test(start_paused = true)]
async fn deadline_future_elapses() {
    let task = MockTask::new();
    let mut fut = pin!(timeout_at(Instant::now() + ms(300), std::future::pending::<()>()));
    assert!(task.poll(fut.as_mut()).is_pending());
    time::advance(ms(299)).await;
    assert!(!task.is_woken(), "woken a millisecond early");
    assert!(task.poll(fut.as_mut()).is_pending());
    time::advance(ms(1)).await;
    assert!(task.is_woken());
    assert!(matches!(task.poll(fut.as_mut()), std::task::Poll::Ready(Err(_))));
}

/// tokio `timeout_is_not_exhausted_by_future`: a timeout of a future that never waits still
/// elapses. tokio's future reads `tokio::io::empty()` in a loop and relies on tokio's
/// cooperative budget to make a read pending now and then; loopbridge has no budget (a future
/// that is never pending would hold its thread for ever), so the busy future here yields at
/// every step instead. On a paused clock a busy runtime never falls idle, so the time is moved
/// by `advance` from a task beside it: the timer, polled after the future at every poll,
/// elapses at exactly 1 ms.
#[loopbridge::test(start_paused = true)]
async fn timeout_is_not_exhausted_by_future() {
    let start = Instant::now();
    let steps = Arc::new(AtomicUsize::new(0));
    let fut = timeout(ms(1), {
        let steps = Arc::clone(&steps);
        async move {
            loop {
                steps.fetch_add(1, Ordering::SeqCst);
                loopbridge::yield_now().await;
            }
        }
    });
    let advancer = loopbridge::spawn(time::advance(ms(1)));
    assert!(fut.await.is_err(), "elapsed");
    assert_eq!(start.elapsed(), ms(1));
    assert!(steps.load(Ordering::SeqCst) >= 1);
    advancer.await.unwrap();
}
