//! `interval`: ticks that are never early and keep their schedule, tokio's three missed-tick
//! policies, the `Stream` impl, resets — on every backend. The first and the last tests run on
//! the backends' real timers, with bounds only on the side that cannot be noise (a tick may be
//! late on a loaded machine, never early); the schedule and its policies run on a paused clock
//! (docs/testing.md), where every tick lands exactly where the schedule puts it.

use std::future::Future;
use std::panic::catch_unwind;
use std::pin::pin;
use std::time::{Duration, Instant};

use futures_lite::StreamExt;
use loopbridge::MissedTickBehavior;
use loopbridge_tests::panic_message;

const PERIOD: Duration = Duration::from_millis(20);
/// The period on a paused clock: a virtual minute, far beyond tokio's 5 ms lateness tolerance.
const MINUTE: Duration = Duration::from_secs(60);

/// The runtime's clock (virtual on a paused one).
fn now() -> Instant {
    loopbridge::time::now()
}

/// Waits until well past the tick due at `due` (half a period after the next one), so that it
/// counts as missed, and returns when the wait ended: exactly then, on a paused clock.
async fn miss(due: Instant) -> Instant {
    loopbridge::sleep_until(due + MINUTE + MINUTE / 2).await;
    now()
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

#[loopbridge::test(start_paused = true)]
async fn interval_at_starts_at_its_start() {
    let start = now() + MINUTE;
    let mut interval = loopbridge::interval_at(start, MINUTE);
    assert_eq!(interval.tick().await, start);
    assert_eq!(now(), start);
    assert_eq!(interval.tick().await, start + MINUTE);
    assert_eq!(now(), start + MINUTE);
}

#[loopbridge::test(start_paused = true)]
async fn burst_catches_up_on_the_original_schedule() {
    let mut interval = loopbridge::interval(MINUTE);
    assert_eq!(interval.missed_tick_behavior(), MissedTickBehavior::Burst);
    let first = interval.tick().await;
    let late = miss(first + MINUTE).await;
    assert_eq!(late, first + MINUTE * 5 / 2);
    // Every missed tick completes at once, due where the schedule put it.
    assert_eq!(interval.tick().await, first + MINUTE);
    assert_eq!(interval.tick().await, first + MINUTE * 2);
    assert_eq!(now(), late, "the missed ticks took no time");
    assert_eq!(interval.tick().await, first + MINUTE * 3, "back on the schedule");
    assert_eq!(now(), first + MINUTE * 3);
}

#[loopbridge::test(start_paused = true)]
async fn delay_starts_over_a_period_after_the_late_tick() {
    let mut interval = loopbridge::interval(MINUTE);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let first = interval.tick().await;
    let late = miss(first + MINUTE).await;
    assert_eq!(interval.tick().await, first + MINUTE, "the missed tick, at once");
    // One period after the moment the late tick was taken, and on that schedule from then on.
    assert_eq!(interval.tick().await, late + MINUTE);
    assert_eq!(now(), late + MINUTE);
    assert_eq!(interval.tick().await, late + MINUTE * 2);
}

#[loopbridge::test(start_paused = true)]
async fn skip_moves_to_the_next_tick_of_the_original_schedule() {
    let mut interval = loopbridge::interval(MINUTE);
    interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let first = interval.tick().await;
    assert_eq!(miss(first + MINUTE).await, first + MINUTE * 5 / 2);
    assert_eq!(interval.tick().await, first + MINUTE, "the missed tick, at once");
    // The first tick of the schedule after the late one was taken (at `late`, 2.5 periods in):
    // the one at 2 periods is dropped.
    assert_eq!(interval.tick().await, first + MINUTE * 3);
    assert_eq!(now(), first + MINUTE * 3);
    assert_eq!(interval.tick().await, first + MINUTE * 4);
}

#[loopbridge::test(start_paused = true)]
async fn interval_is_a_stream_of_due_instants() {
    let mut interval = loopbridge::interval(MINUTE);
    assert_eq!(futures_lite::Stream::size_hint(&interval), (usize::MAX, None));
    let first = interval.next().await.expect("an interval never ends");
    let rest: Vec<Instant> = (&mut interval).take(2).collect().await;
    assert_eq!(rest, [first + MINUTE, first + MINUTE * 2]);
    assert_eq!(now(), first + MINUTE * 2);
}

#[loopbridge::test(start_paused = true)]
async fn resets_move_the_next_tick() {
    let mut interval = loopbridge::interval(Duration::from_secs(3600));
    interval.tick().await;
    let soon = now() + MINUTE;
    interval.reset_at(soon);
    assert_eq!(interval.tick().await, soon);
    assert_eq!(now(), soon);
    interval.reset_immediately();
    assert_eq!(interval.tick().await, soon, "at once");
    interval.reset_after(MINUTE * 2);
    assert_eq!(interval.tick().await, soon + MINUTE * 2);

    let mut interval = loopbridge::interval(MINUTE);
    interval.tick().await;
    let before = now();
    interval.reset();
    assert_eq!(interval.tick().await, before + MINUTE);
    assert_eq!(now(), before + MINUTE);
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
