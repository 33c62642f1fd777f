//! Timers: never early, `ZERO` is a yield, `MAX` never fires, `timeout` polls its future first.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Wake, Waker};
use std::time::{Duration, Instant};

#[loopbridge::test]
async fn sleep_never_wakes_early() {
    for ms in [1, 3, 10, 25] {
        let wanted = Duration::from_millis(ms);
        let start = Instant::now();
        loopbridge::sleep(wanted).await;
        let took = start.elapsed();
        assert!(took >= wanted, "sleep({wanted:?}) woke after {took:?}");
    }
    let deadline = Instant::now() + Duration::from_millis(5);
    loopbridge::sleep_until(deadline).await;
    assert!(Instant::now() >= deadline);
}

/// Counts wake-ups and forwards them to the real waker.
struct Counting {
    wakes: AtomicUsize,
    inner: Waker,
}

impl Wake for Counting {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.inner.wake_by_ref();
    }
}

#[loopbridge::test]
async fn sleep_zero_is_exactly_one_yield() {
    let mut sleep = pin!(loopbridge::sleep(Duration::ZERO));
    let mut polls = 0;
    std::future::poll_fn(|cx| {
        polls += 1;
        let counting = Arc::new(Counting { wakes: AtomicUsize::new(0), inner: cx.waker().clone() });
        let waker = Waker::from(Arc::clone(&counting));
        let poll = sleep.as_mut().poll(&mut Context::from_waker(&waker));
        if polls == 1 {
            // A yield: pending once, and already rescheduled — no timer involved
            // (tokio's native sleep(0) waits for its next 1 ms tick).
            assert!(poll.is_pending());
            assert_eq!(counting.wakes.load(Ordering::SeqCst), 1);
        }
        poll
    })
    .await;
    assert_eq!(polls, 2);
}

#[loopbridge::test]
async fn sleep_max_never_fires_and_never_panics() {
    let sleep = loopbridge::sleep(Duration::MAX);
    assert_eq!(sleep.deadline(), None);
    let out = loopbridge::timeout(Duration::from_millis(20), sleep).await;
    assert!(out.is_err());
    let out = loopbridge::timeout(Duration::MAX, async { 3 }).await;
    assert_eq!(out, Ok(3));
}

/// tokio's sleep is ready again when polled after it completed; a spent async-io timer is
/// pending forever. loopbridge's is ready again on every backend, so that code that polls a
/// finished sleep (a `select!` loop, hyper's timers) does not hang on smol and async-std alone.
#[loopbridge::test]
async fn a_completed_sleep_polled_again_is_ready_again() {
    for duration in [Duration::ZERO, Duration::from_millis(5)] {
        let mut sleep = pin!(loopbridge::sleep(duration));
        sleep.as_mut().await;
        for again in 1..=2 {
            let polled = futures_lite::future::poll_once(sleep.as_mut()).await;
            assert_eq!(polled, Some(()), "{duration:?}: poll {again} after completion");
        }
    }
}

#[loopbridge::test]
async fn timeout_polls_the_future_first() {
    assert_eq!(loopbridge::timeout(Duration::ZERO, async { 1 }).await, Ok(1));
    assert_eq!(loopbridge::timeout(Duration::ZERO, std::future::ready(2)).await, Ok(2));
    // A zero deadline is one yield; the inner future is polled first on every poll, so a
    // future that also needs one yield still wins, and one that never completes loses.
    assert_eq!(loopbridge::timeout(Duration::ZERO, loopbridge::yield_now()).await, Ok(()));
    let never = loopbridge::timeout(Duration::ZERO, std::future::pending::<()>()).await;
    assert!(never.is_err());
}

#[loopbridge::test]
async fn timeout_expires_and_is_never_early() {
    let start = Instant::now();
    let out = loopbridge::timeout(Duration::from_millis(15), std::future::pending::<()>()).await;
    let err = out.unwrap_err();
    assert_eq!(err.to_string(), "deadline has elapsed");
    assert!(start.elapsed() >= Duration::from_millis(15));
    let done =
        loopbridge::timeout(Duration::from_secs(60), loopbridge::sleep(Duration::from_millis(1)));
    assert_eq!(done.await, Ok(()));
}

#[loopbridge::test]
async fn timer_made_outside_any_runtime_works_here() {
    // Made on a plain thread (the global runner's timer), awaited on this runtime.
    let sleep = std::thread::spawn(|| loopbridge::sleep(Duration::from_millis(5))).join().unwrap();
    let deadline = sleep.deadline().unwrap();
    sleep.await;
    assert!(Instant::now() >= deadline, "woke before its deadline");
}

#[loopbridge::test]
async fn bridge_timers_work_from_any_thread() {
    let bridge = loopbridge::Bridge::current();
    let sleep = std::thread::spawn(move || bridge.sleep(Duration::from_millis(3))).join().unwrap();
    loopbridge::timeout(Duration::from_secs(10), sleep).await.unwrap();
}

#[loopbridge::test]
async fn sleep_and_yield_inside_many_tasks() {
    let handles: Vec<_> = (0..50u64)
        .map(|i| {
            loopbridge::spawn(async move {
                loopbridge::sleep(Duration::from_millis(i % 5)).await;
                loopbridge::yield_now().await;
                i
            })
        })
        .collect();
    let mut total = 0;
    for handle in handles {
        total += handle.await.unwrap();
    }
    assert_eq!(total, (0..50).sum::<u64>());
}
