//! tokio's time API beyond `sleep` and `timeout`, on every flavour (docs/semantics.md,
//! "Timers"): `time::now` and `time::Instant`, `timeout_at`, `Sleep::{reset, is_elapsed}`,
//! `Timeout::{get_mut, into_inner}`, `Interval::reset_after`.

use std::time::Duration;

use loopbridge::time::{self, Instant};

const MS: Duration = Duration::from_millis(1);

#[loopbridge::test]
async fn now_and_instant_read_the_runtimes_clock() {
    let start = Instant::now();
    let std_start = std::time::Instant::now();
    time::sleep(3 * MS).await;
    assert!(start.elapsed() >= 3 * MS);
    assert!(Instant::now() - start >= 3 * MS);
    assert!(time::now() >= std_start + 3 * MS, "unpaused, the clock is the wall clock");
    let std: std::time::Instant = start.into();
    assert_eq!(Instant::from_std(std), start);
    assert_eq!(start.checked_add(Duration::MAX), None);
    assert_eq!(start.checked_duration_since(start + MS), None);
    assert_eq!(start.duration_since(start + MS), Duration::ZERO, "saturates, as tokio's");
    let mut moved = start;
    moved += 2 * MS;
    moved -= MS;
    assert_eq!(moved - start, MS);
}

#[loopbridge::test]
async fn timeout_at_and_sleep_until_take_either_instant() {
    let deadline = Instant::now() + 5 * MS;
    assert!(time::timeout_at(deadline, std::future::pending::<()>()).await.is_err());
    assert!(Instant::now() >= deadline, "never early");
    let ready = time::timeout_at(std::time::Instant::now(), async { 9 }).await;
    assert_eq!(ready, Ok(9), "a ready future beats a deadline that has passed");
    let until = std::time::Instant::now() + 2 * MS;
    time::sleep_until(until).await;
    time::sleep_until(Instant::from_std(until)).await;
    assert!(std::time::Instant::now() >= until);
}

#[loopbridge::test]
async fn a_sleep_can_be_reset_and_tells_whether_it_elapsed() {
    let mut sleep = std::pin::pin!(time::sleep(Duration::from_secs(3600)));
    assert!(!sleep.is_elapsed());
    let soon = Instant::now() + 3 * MS;
    sleep.as_mut().reset(soon);
    assert_eq!(sleep.deadline(), Some(soon.into_std()));
    sleep.as_mut().await;
    assert!(Instant::now() >= soon && sleep.is_elapsed());
    // Reset after it completed: it waits again.
    let again = Instant::now() + 3 * MS;
    sleep.as_mut().reset(again);
    assert!(!sleep.is_elapsed());
    sleep.as_mut().await;
    assert!(Instant::now() >= again);
    // Reset into the past: one yield.
    sleep.as_mut().reset(Instant::now() - MS);
    sleep.await;
}

#[loopbridge::test]
async fn a_timeout_gives_its_future_back() {
    let mut timeout = time::timeout(Duration::from_secs(3600), std::future::ready(4));
    let inner: &mut std::future::Ready<i32> = timeout.get_mut();
    *inner = std::future::ready(5); // the future itself, not a copy
    assert_eq!(timeout.into_inner().await, 5);
}

#[loopbridge::test]
async fn interval_reset_after_moves_the_next_tick() {
    let mut interval = time::interval(Duration::from_secs(3600));
    interval.tick().await; // the first, at once
    let before = Instant::now();
    interval.reset_after(3 * MS);
    let due = interval.tick().await;
    assert!(due >= (before + 3 * MS).into_std() && Instant::now() >= before + 3 * MS);
}
