//! tokio's own `tokio/tests/time_sleep.rs`, ported to loopbridge's paused clock and run on
//! every flavour: `sleep` and `sleep_until` end exactly at their deadline, `Sleep::reset` moves
//! a sleep before or after it fired (to the future or the past), `is_elapsed`, deadlines of
//! years and past the representable range, and timers dropped by a waker while they fire.
//!
//! Every tokio test of the file is ported; none is skipped. Where tokio rounds a deadline up to
//! the next millisecond, the port expects the exact deadline (`assert_eq!`); where loopbridge
//! defines the behaviour differently (docs/semantics.md, "Timers"), the test's doc comment says
//! what tokio does and what loopbridge does. tokio's tests call `time::pause()` at the top of a
//! `#[tokio::test]` body; these start paused instead (`start_paused = true`), the same clock
//! from the body's first poll on. Pausing inside a body is `tokio_time_pause.rs`'s subject.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Wake, Waker};
use std::time::Duration;

use futures_lite::future::{self, poll_once};
use loopbridge::time::{self, Instant, Sleep};

use crate::mock_task::MockTask;

const SECOND: Duration = Duration::from_secs(1);
const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
/// The most real time a test of virtual years may take here (a 2-core CI machine).
const REAL: Duration = Duration::from_secs(20);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// tokio `immediate_sleep`: `sleep_until(now)` completes with no time passing. tokio's
/// `is_elapsed` is false until its timer driver has fired the entry; loopbridge's is true
/// once the deadline has come on the caller's clock (docs/semantics.md, "Timers"), so a sleep
/// until now is elapsed from the start.
#[loopbridge::test(start_paused = true)]
async fn immediate_sleep() {
    let now = Instant::now();
    let mut sleep = pin!(time::sleep_until(now));
    assert!(sleep.is_elapsed(), "its deadline has come (tokio: not yet fired)");
    sleep.as_mut().await;
    assert_eq!(now.elapsed(), Duration::ZERO);
    assert!(sleep.is_elapsed());
}

/// tokio `is_elapsed`: a sleep is not elapsed when made nor after a pending poll, and is once
/// awaited — exactly 10 ms later.
#[loopbridge::test(start_paused = true)]
async fn is_elapsed() {
    let start = Instant::now();
    let mut sleep = pin!(time::sleep(ms(10)));
    assert!(!sleep.is_elapsed());
    assert!(poll_once(sleep.as_mut()).await.is_none(), "pending");
    assert!(!sleep.is_elapsed());
    sleep.as_mut().await;
    assert!(sleep.is_elapsed());
    assert_eq!(start.elapsed(), ms(10));
}

/// tokio `delayed_sleep_level_0` (named for its timer wheel's first level): sleeps until 1, 10
/// and 60 ms on each end exactly then.
#[loopbridge::test(start_paused = true)]
async fn delayed_sleep_level_0() {
    for i in [1, 10, 60] {
        let now = Instant::now();
        let dur = ms(i);
        time::sleep_until(now + dur).await;
        assert_eq!(now.elapsed(), dur);
    }
}

/// tokio `sub_ms_delayed_sleep`: a deadline 1 ms and 1 ns away. tokio's assertion allows its
/// rounding to the millisecond; loopbridge ends the sleep at exactly 1 ms + 1 ns, each time.
#[loopbridge::test(start_paused = true)]
async fn sub_ms_delayed_sleep() {
    for _ in 0..5 {
        let now = Instant::now();
        let dur = ms(1) + Duration::new(0, 1);
        time::sleep_until(now + dur).await;
        assert_eq!(now.elapsed(), dur, "exact: no rounding to the millisecond");
    }
}

/// tokio `delayed_sleep_wrapping_level_0`: after a 5 ms sleep, a sleep until 60 ms later ends
/// exactly 60 ms later.
#[loopbridge::test(start_paused = true)]
async fn delayed_sleep_wrapping_level_0() {
    let start = Instant::now();
    time::sleep(ms(5)).await;
    assert_eq!(start.elapsed(), ms(5));
    let now = Instant::now();
    time::sleep_until(now + ms(60)).await;
    assert_eq!(now.elapsed(), ms(60));
}

/// tokio `reset_future_sleep_before_fire`: a registered sleep of 100 ms reset to 200 ms ends
/// at 200 ms, not at 100.
#[loopbridge::test(start_paused = true)]
async fn reset_future_sleep_before_fire() {
    let now = Instant::now();
    let task = MockTask::new();
    let mut sleep = Box::pin(time::sleep_until(now + ms(100)));
    assert!(task.poll(sleep.as_mut()).is_pending());
    sleep.as_mut().reset(Instant::now() + ms(200));
    sleep.await;
    assert_eq!(now.elapsed(), ms(200));
    assert!(!task.is_woken(), "the replaced 100 ms timer never fired");
}

/// tokio `reset_past_sleep_before_turn`: a registered sleep of 100 ms reset to 80 ms ends at
/// 80 ms.
#[loopbridge::test(start_paused = true)]
async fn reset_past_sleep_before_turn() {
    let now = Instant::now();
    let task = MockTask::new();
    let mut sleep = Box::pin(time::sleep_until(now + ms(100)));
    assert!(task.poll(sleep.as_mut()).is_pending());
    sleep.as_mut().reset(now + ms(80));
    sleep.await;
    assert_eq!(now.elapsed(), ms(80));
}

/// tokio `reset_past_sleep_before_fire`: 10 ms into a registered sleep of 100 ms, a reset to
/// 80 ms (after its start) ends it at 80 ms.
#[loopbridge::test(start_paused = true)]
async fn reset_past_sleep_before_fire() {
    let now = Instant::now();
    let task = MockTask::new();
    let mut sleep = Box::pin(time::sleep_until(now + ms(100)));
    assert!(task.poll(sleep.as_mut()).is_pending());
    time::sleep(ms(10)).await;
    assert_eq!(now.elapsed(), ms(10));
    sleep.as_mut().reset(now + ms(80));
    sleep.await;
    assert_eq!(now.elapsed(), ms(80));
}

/// tokio `reset_future_sleep_after_fire`: a sleep that completed at 100 ms, reset to 110 ms,
/// waits again and ends at 110 ms.
#[loopbridge::test(start_paused = true)]
async fn reset_future_sleep_after_fire() {
    let now = Instant::now();
    let mut sleep = Box::pin(time::sleep_until(now + ms(100)));
    sleep.as_mut().await;
    assert_eq!(now.elapsed(), ms(100));
    sleep.as_mut().reset(now + ms(110));
    assert!(!sleep.is_elapsed());
    sleep.await;
    assert_eq!(now.elapsed(), ms(110));
}

/// tokio `reset_sleep_to_past`: 50 ms into a registered sleep of 100 ms (which is not woken
/// meanwhile), a reset to 40 ms — a deadline that has passed — completes it without time
/// moving. tokio's sleep is ready at the next poll; loopbridge's is one yield
/// (docs/semantics.md, "Timers": `reset` to a passed deadline "completes after one yield"): the
/// first poll is pending and wakes the task, the second is ready.
#[loopbridge::test(start_paused = true)]
async fn reset_sleep_to_past() {
    let now = Instant::now();
    let task = MockTask::new();
    let mut sleep = Box::pin(time::sleep_until(now + ms(100)));
    assert!(task.poll(sleep.as_mut()).is_pending());
    time::sleep(ms(50)).await;
    assert!(!task.is_woken());
    sleep.as_mut().reset(now + ms(40));
    assert!(sleep.is_elapsed(), "its new deadline has passed");
    assert!(task.poll(sleep.as_mut()).is_pending(), "one yield (tokio: ready here)");
    assert!(task.is_woken(), "the yield wakes the task at once");
    assert!(task.poll(sleep.as_mut()).is_ready());
    assert_eq!(now.elapsed(), ms(50), "no time passed");
}

/// tokio `creating_sleep_outside_of_context`: in tokio, making a sleep on a thread with no
/// runtime panics. In loopbridge it works anywhere (docs/semantics.md, "Timers"): the timer is
/// the global runner's, on the wall clock — it can be awaited on this paused runtime, ends on
/// the wall clock, and leaves this runtime's paused clock where it stands.
#[loopbridge::test(start_paused = true)]
async fn creating_sleep_outside_of_context() {
    let start = Instant::now();
    let (made, long, short) = std::thread::spawn(|| {
        let made = std::time::Instant::now();
        (made, time::sleep_until(made + ms(500)), time::sleep(ms(2)))
    })
    .join()
    .expect("no panic where no runtime runs");
    assert_eq!(long.deadline(), Some(made + ms(500)));
    assert!(!long.is_elapsed());
    drop(long);
    let wall = std::time::Instant::now();
    short.await;
    assert!(wall.elapsed() <= SECOND, "the global runner's timer fired");
    assert!(std::time::Instant::now() >= made + ms(2), "on the wall clock, never early");
    assert_eq!(Instant::now(), start, "this runtime's paused clock did not move");
}

/// tokio `greater_than_max` (larger than its timer wheel): a sleep of five years ends exactly
/// five years on.
#[loopbridge::test(start_paused = true)]
async fn greater_than_max() {
    const YR_5: u64 = 5 * 365 * 24 * 60 * 60 * 1000;
    let wall = std::time::Instant::now();
    let start = Instant::now();
    time::sleep_until(start + ms(YR_5)).await;
    assert_eq!(start.elapsed(), ms(YR_5));
    assert!(wall.elapsed() < REAL);
}

/// tokio `short_sleeps`: a thousand sleeps of zero complete. tokio sleeps a millisecond for
/// each (its rounding); in loopbridge `sleep(Duration::ZERO)` is exactly one yield
/// (docs/semantics.md, "Timers"): on the paused clock no time passes at all, and each sleep
/// is pending exactly once.
#[loopbridge::test(start_paused = true)]
async fn short_sleeps() {
    let start = Instant::now();
    for _ in 0..1000 {
        time::sleep(ms(0)).await;
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
    let mut sleep = pin!(time::sleep(Duration::ZERO));
    let mut polls = 0;
    std::future::poll_fn(|cx| {
        polls += 1;
        sleep.as_mut().poll(cx)
    })
    .await;
    assert_eq!(polls, 2, "pending once, then ready");
}

/// tokio `multi_long_sleeps`: five sleeps of a year, then a sleep until ten years on. tokio
/// asserts the clock is at or past the deadline; loopbridge ends each exactly on time.
#[loopbridge::test(start_paused = true)]
async fn multi_long_sleeps() {
    let wall = std::time::Instant::now();
    let start = Instant::now();
    for n in 1..=5_u32 {
        time::sleep(YEAR).await;
        assert_eq!(start.elapsed(), n * YEAR);
    }
    let deadline = Instant::now() + 10 * YEAR;
    time::sleep_until(deadline).await;
    assert_eq!(Instant::now(), deadline);
    assert!(wall.elapsed() < REAL);
}

/// tokio `long_sleeps`: a sleep until ten years on. tokio allows 1 ms past the deadline;
/// loopbridge ends it exactly at the deadline.
#[loopbridge::test(start_paused = true)]
async fn long_sleeps() {
    let deadline = Instant::now() + 10 * YEAR;
    time::sleep_until(deadline).await;
    assert_eq!(Instant::now(), deadline);
}

/// tokio `reset_after_firing`: a completed sleep stays ready when polled again; reset ten
/// minutes on, its deadline changes and it is pending again. tokio's `deadline()` is a
/// `tokio::time::Instant`; loopbridge's is an `Option<std::time::Instant>` (`None` for a
/// sleep that never fires).
#[loopbridge::test(start_paused = true)]
async fn reset_after_firing() {
    let mut timer = pin!(time::sleep(ms(1)));
    let deadline = timer.deadline();
    assert_eq!(deadline, Some(time::now() + ms(1)));
    timer.as_mut().await;
    let mut cx = Context::from_waker(Waker::noop());
    assert!(timer.as_mut().poll(&mut cx).is_ready(), "complete, it stays complete");
    let later = Instant::now() + 600 * SECOND;
    timer.as_mut().reset(later);
    assert_ne!(deadline, timer.deadline());
    assert_eq!(timer.deadline(), Some(later.into_std()));
    assert!(timer.as_mut().poll(&mut cx).is_pending());
    assert!(timer.as_mut().poll(&mut cx).is_pending());
}

/// tokio `exactly_max`: tokio clamps `sleep(Duration::MAX)` to about 30 years, so the paused
/// clock jumps there and the sleep completes. loopbridge's never fires and never panics
/// (docs/semantics.md, "Timers"): it has no deadline, stays pending through `advance(MAX)`,
/// and a sleep of an hour beside it wins.
#[loopbridge::test(start_paused = true)]
async fn exactly_max() {
    let mut never = pin!(time::sleep(Duration::MAX));
    assert_eq!(never.deadline(), None);
    assert!(poll_once(never.as_mut()).await.is_none());
    time::advance(Duration::MAX).await;
    assert!(poll_once(never.as_mut()).await.is_none());
    assert!(!never.is_elapsed());
    let hour = Duration::from_secs(3600);
    let now = Instant::now();
    let winner = future::or(
        async {
            never.await;
            "never"
        },
        async {
            time::sleep(hour).await;
            "hour"
        },
    )
    .await;
    assert_eq!(winner, "hour");
    assert_eq!(now.elapsed(), hour);
}

/// tokio `issue_5183`: a sleep of `u64::MAX / 10` seconds raced (biased, polled first) against
/// one of a nanosecond neither panics nor wins. tokio's nanosecond ends after a rounded
/// millisecond; loopbridge's exactly a nanosecond on.
#[loopbridge::test(start_paused = true)]
async fn issue_5183() {
    let start = Instant::now();
    let big = Duration::from_secs(u64::MAX / 10);
    let winner = future::or(
        async {
            time::sleep(big).await;
            "big"
        },
        async {
            time::sleep(Duration::from_nanos(1)).await;
            "tiny"
        },
    )
    .await;
    assert_eq!(winner, "tiny");
    assert_eq!(start.elapsed(), Duration::from_nanos(1));
}

/// tokio `issue_5183`, its other half: tokio's test races the sleep of `u64::MAX / 10` seconds
/// because awaited alone "it will never finish". In loopbridge a deadline that far (about 58
/// billion years, past the 584 years the paused clock counts) never fires, as a deadline past
/// the representable range never does: the clock does not jump to it, and a task awaiting it
/// sleeps, not spins. (Regression: the clock jumped to its 584-year limit, short of the
/// deadline, and re-fired the timer in a busy loop.) The way out here is a message from a
/// plain thread after 20 ms of real time (which is not work of the runtime).
#[loopbridge::test(start_paused = true)]
async fn issue_5183_a_sleep_of_u64_max_tenth_seconds_alone_never_fires() {
    let start = Instant::now();
    let mut big = pin!(time::sleep(Duration::from_secs(u64::MAX / 10)));
    let (tx, rx) = async_channel::bounded::<()>(1);
    let sender = std::thread::spawn(move || {
        std::thread::sleep(ms(20));
        let _ = tx.send_blocking(());
    });
    let mut polls = 0_u32;
    let sleeper = std::future::poll_fn(|cx| {
        polls += 1;
        big.as_mut().poll(cx)
    });
    let winner = future::or(
        async {
            sleeper.await;
            "big"
        },
        async {
            rx.recv().await.expect("the thread sends");
            "thread"
        },
    )
    .await;
    sender.join().expect("the sending thread");
    assert_eq!(winner, "thread");
    // Polled once, then again when the message came (a spurious wake or two is allowed); a
    // busy loop polls it thousands of times in the 20 ms.
    assert!(polls <= 10, "the sleep was polled {polls} times: a busy loop");
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "the clock jumped toward a deadline it can't reach"
    );
}

/// tokio `no_out_of_bounds_close_to_max`: tokio clamps `sleep(Duration::MAX - 1 ms)` like
/// `MAX` and completes it; in loopbridge a deadline past the representable range never fires
/// and never panics, as `exactly_max`.
#[loopbridge::test(start_paused = true)]
async fn no_out_of_bounds_close_to_max() {
    let mut sleep = pin!(time::sleep(Duration::MAX - ms(1)));
    assert_eq!(sleep.deadline(), None);
    assert!(poll_once(sleep.as_mut()).await.is_none());
    time::advance(100 * YEAR).await;
    assert!(poll_once(sleep.as_mut()).await.is_none());
}

/// tokio `drop_after_reschedule_at_new_scheduled_time`: of two registered 5 ms sleeps, one is
/// reset to 10 ms; the other ends at 5 ms, the reset one is dropped unfired, and a third sleep
/// still ends at 10 ms.
#[loopbridge::test(start_paused = true)]
async fn drop_after_reschedule_at_new_scheduled_time() {
    let start = Instant::now();
    let mut a = Box::pin(time::sleep(ms(5)));
    let mut b = Box::pin(time::sleep(ms(5)));
    let mut c = Box::pin(time::sleep(ms(10)));
    assert!(poll_once(&mut a).await.is_none());
    assert!(poll_once(&mut b).await.is_none());
    assert!(poll_once(&mut c).await.is_none());
    b.as_mut().reset(start + ms(10));
    a.await;
    assert_eq!(start.elapsed(), ms(5));
    assert!(!b.is_elapsed());
    drop(b);
    c.await;
    assert_eq!(start.elapsed(), ms(10));
}

/// A waker that, woken, drops every timer in the list (the timers it was registered with).
struct DropWaker {
    panicked: AtomicBool,
    wakes: AtomicUsize,
    list: Mutex<Vec<Pin<Box<Sleep>>>>,
}

impl Wake for DropWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            *self.list.lock().expect("panic in lock") = Vec::new();
        }));
        if result.is_err() {
            self.panicked.store(true, Ordering::SeqCst);
        }
    }
}

/// tokio `drop_from_wake`: a hundred 10 ms timers whose waker drops all of them when woken:
/// firing them neither panics nor deadlocks, each is woken once, and an 11 ms sleep after them
/// ends exactly at 11 ms.
#[loopbridge::test(start_paused = true)]
async fn drop_from_wake() {
    let start = Instant::now();
    let drop_waker = Arc::new(DropWaker {
        panicked: AtomicBool::new(false),
        wakes: AtomicUsize::new(0),
        list: Mutex::new(Vec::new()),
    });
    let waker = Waker::from(Arc::clone(&drop_waker));
    {
        let mut list = drop_waker.list.lock().unwrap();
        for _ in 0..100 {
            let mut timer = Box::pin(time::sleep(ms(10)));
            assert!(timer.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
            list.push(timer);
        }
    }
    time::sleep(ms(11)).await;
    assert_eq!(start.elapsed(), ms(11));
    assert!(!drop_waker.panicked.load(Ordering::SeqCst), "panicked when dropping timers");
    assert_eq!(drop_waker.wakes.load(Ordering::SeqCst), 100, "each timer woke it once");
    assert!(drop_waker.list.lock().unwrap().is_empty());
}
