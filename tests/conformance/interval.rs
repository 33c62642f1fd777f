//! `interval`: ticks that are never early and keep their schedule, tokio's three missed-tick
//! policies, the `Stream` impl, resets — on every backend's timers. These tests are about time
//! itself, so they measure it, with bounds only on the side that cannot be noise: a tick may be
//! late on a loaded machine, never early.

use std::future::Future;
use std::panic::catch_unwind;
use std::pin::pin;
use std::time::{Duration, Instant};

use futures_lite::StreamExt;
use loopbridge::MissedTickBehavior;
use loopbridge_tests::panic_message;

const PERIOD: Duration = Duration::from_millis(20);

/// Waits until well past the tick due at `due`, so that it counts as missed (more than 5 ms
/// late), and returns when the wait ended.
async fn miss(due: Instant) -> Instant {
    loopbridge::sleep_until(due + PERIOD + PERIOD / 2).await;
    Instant::now()
}

#[loopbridge::test]
async fn ticks_are_never_early_and_keep_their_schedule() {
    let made = Instant::now();
    let mut interval = loopbridge::interval(PERIOD);
    let first = interval.tick().await;
    assert!(first >= made && first <= Instant::now(), "the first tick completes at once");
    for n in 1..=4 {
        let due = interval.tick().await;
        assert_eq!(due, first + PERIOD * n, "tick {n} is due on the schedule");
        assert!(Instant::now() >= due, "tick {n} completed early");
    }
}

#[loopbridge::test]
async fn interval_at_starts_at_its_start() {
    let start = Instant::now() + PERIOD;
    let mut interval = loopbridge::interval_at(start, PERIOD);
    assert_eq!(interval.tick().await, start);
    assert!(Instant::now() >= start);
    assert_eq!(interval.tick().await, start + PERIOD);
    assert!(Instant::now() >= start + PERIOD);
}

#[loopbridge::test]
async fn burst_catches_up_on_the_original_schedule() {
    let mut interval = loopbridge::interval(PERIOD);
    assert_eq!(interval.missed_tick_behavior(), MissedTickBehavior::Burst);
    let first = interval.tick().await;
    let late = miss(first + PERIOD).await;
    // Every missed tick completes at once, due where the schedule put it.
    let mut n = 1;
    while first + PERIOD * n <= late {
        assert_eq!(interval.tick().await, first + PERIOD * n);
        n += 1;
    }
    assert!(n >= 2, "at least one tick was missed and delivered");
    let next = interval.tick().await;
    assert_eq!(next, first + PERIOD * n, "back on the schedule");
    assert!(Instant::now() >= next);
}

#[loopbridge::test]
async fn delay_starts_over_a_period_after_the_late_tick() {
    let mut interval = loopbridge::interval(PERIOD);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let first = interval.tick().await;
    let late = miss(first + PERIOD).await;
    assert_eq!(interval.tick().await, first + PERIOD, "the missed tick, at once");
    let taken = Instant::now();
    let next = interval.tick().await;
    // One period after the moment the late tick was taken (which lies in [late, taken]).
    assert!(next >= late + PERIOD && next <= taken + PERIOD, "{:?}", next - first);
    assert!(Instant::now() >= next);
    // On that new schedule from then on (or later still, if `next` was itself missed).
    let after = interval.tick().await;
    assert!(after >= next + PERIOD, "{:?}", after - next);
}

#[loopbridge::test]
async fn skip_moves_to_the_next_tick_of_the_original_schedule() {
    let mut interval = loopbridge::interval(PERIOD);
    interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let first = interval.tick().await;
    let late = miss(first + PERIOD).await;
    assert_eq!(interval.tick().await, first + PERIOD, "the missed tick, at once");
    let taken = Instant::now();
    let next = interval.tick().await;
    let offset = (next - first).as_nanos();
    assert_eq!(offset % PERIOD.as_nanos(), 0, "on the original schedule");
    // The first tick of the schedule after the moment the late tick was taken.
    assert!(next > late && next <= taken + PERIOD, "{:?}", next - first);
    assert!(next >= first + PERIOD * 3, "the ticks in between were dropped");
    assert!(Instant::now() >= next);
}

#[loopbridge::test]
async fn interval_is_a_stream_of_due_instants() {
    let mut interval = loopbridge::interval(PERIOD);
    assert_eq!(futures_lite::Stream::size_hint(&interval), (usize::MAX, None));
    let first = interval.next().await.expect("an interval never ends");
    let rest: Vec<Instant> = (&mut interval).take(2).collect().await;
    assert_eq!(rest, [first + PERIOD, first + PERIOD * 2]);
    assert!(Instant::now() >= first + PERIOD * 2);
}

#[loopbridge::test]
async fn resets_move_the_next_tick() {
    let mut interval = loopbridge::interval(Duration::from_secs(3600));
    interval.tick().await;
    let soon = Instant::now() + PERIOD;
    interval.reset_at(soon);
    assert_eq!(interval.tick().await, soon);
    assert!(Instant::now() >= soon);
    let now = Instant::now();
    interval.reset_immediately();
    let due = interval.tick().await;
    assert!(due >= now && due <= Instant::now(), "at once");

    let mut interval = loopbridge::interval(PERIOD);
    interval.tick().await;
    let before = Instant::now();
    interval.reset();
    let due = interval.tick().await;
    assert!(due >= before + PERIOD && Instant::now() >= due);
}

#[loopbridge::test]
async fn a_zero_period_panics_with_a_clear_message() {
    let payload = catch_unwind(|| loopbridge::interval(Duration::ZERO)).unwrap_err();
    let msg = panic_message(&*payload);
    assert!(msg.contains("`period` must be non-zero"), "{msg}");
}

#[loopbridge::test]
async fn an_interval_made_outside_any_runtime_ticks_here() {
    // Made on a plain thread (the global runner's timers), awaited on this runtime.
    let mut interval = std::thread::spawn(|| loopbridge::interval(PERIOD)).join().unwrap();
    let first = interval.tick().await;
    assert_eq!(interval.tick().await, first + PERIOD);
    assert!(Instant::now() >= first + PERIOD);
}

#[loopbridge::test]
async fn a_past_sleep_until_is_one_yield_and_a_future_one_is_never_early() {
    let mut past = pin!(loopbridge::sleep_until(Instant::now() - Duration::from_millis(1)));
    let mut polls = 0;
    std::future::poll_fn(|cx| {
        polls += 1;
        past.as_mut().poll(cx)
    })
    .await;
    assert_eq!(polls, 2, "pending once, then ready: one yield, no timer");
    let deadline = Instant::now() + PERIOD;
    loopbridge::sleep_until(deadline).await;
    assert!(Instant::now() >= deadline);
}
