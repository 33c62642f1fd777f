//! loopbridge's clock inside a tokio runtime the application paused with tokio's own
//! `start_paused` (what `#[tokio::test(start_paused = true)]` builds): `time::now`, `sleep`,
//! `timeout`, `interval` and hyper's `Timer` follow tokio's paused clock, never the wall clock.
//! tokio only pauses a current-thread runtime.

use std::time::Duration;

use hyper::rt::Timer as _;
use loopbridge::time::{self, Instant};

/// A current-thread runtime started paused, as `#[tokio::test(start_paused = true)]` makes.
fn paused() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a paused tokio runtime")
}

/// How much real time a test of virtual hours may take before it fails: a regression to the
/// wall clock fails here rather than hanging the suite.
const REAL_LIMIT: Duration = Duration::from_secs(20);

/// Runs `body` on a paused runtime on a thread of its own, and returns how long it took on the
/// wall clock; fails if that passes [`REAL_LIMIT`] (or `body` panics).
fn on_paused_clock(body: impl std::future::Future<Output = ()> + Send + 'static) -> Duration {
    let wall = std::time::Instant::now();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        paused().block_on(body);
        let _ = done.send(());
    });
    match finished.recv_timeout(REAL_LIMIT) {
        Ok(()) => wall.elapsed(),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("still running after {REAL_LIMIT:?} of real time: waiting on the wall clock?")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("the body panicked"),
    }
}

const HOUR: Duration = Duration::from_secs(3600);
/// tokio's timer wheel rounds a deadline up to its next millisecond.
const ROUNDING: Duration = Duration::from_millis(1);

#[test]
fn sleep_timeout_and_now_follow_tokios_paused_clock() {
    let took = on_paused_clock(async {
        let start = time::now();
        let tokio_start = tokio::time::Instant::now();
        loopbridge::sleep(HOUR).await;
        let slept = time::now() - start;
        assert!(slept >= HOUR && slept <= HOUR + ROUNDING, "{slept:?}");
        assert_eq!(time::now(), tokio::time::Instant::now().into_std());
        assert!(tokio::time::Instant::now() - tokio_start >= HOUR);
        let timed_out = loopbridge::timeout(HOUR, std::future::pending::<()>()).await;
        assert!(timed_out.is_err());
        assert!(Instant::now() - Instant::from_std(start) >= 2 * HOUR);
        let deadline = Instant::now() + HOUR;
        assert!(time::timeout_at(deadline, std::future::pending::<()>()).await.is_err());
        assert!(Instant::now() >= deadline);
    });
    assert!(took < Duration::from_secs(10), "three virtual hours took {took:?} of real time");
}

#[test]
fn interval_ticks_on_tokios_paused_clock() {
    // The second tick of a 10-minute interval used to wait on the wall clock.
    let took = on_paused_clock(async {
        let period = Duration::from_secs(600);
        let mut interval = loopbridge::interval(period);
        let first = interval.tick().await;
        for n in 1..=3 {
            let due = interval.tick().await;
            assert_eq!(due, first + n * period, "ticks are a period apart");
            assert!(time::now() >= due);
        }
    });
    assert!(took < Duration::from_secs(10), "half an hour of ticks took {took:?} of real time");
}

#[test]
fn hypers_timer_reads_and_sleeps_on_tokios_paused_clock() {
    let took = on_paused_clock(async {
        let timer = loopbridge::hyper::Timer;
        let start = timer.now();
        timer.sleep(HOUR).await;
        assert!(timer.now() - start >= HOUR);
        let mut sleep = timer.sleep(HOUR);
        timer.reset(&mut sleep, timer.now() + Duration::from_secs(1));
        sleep.await;
        assert!(timer.now() - start >= HOUR + Duration::from_secs(1));
        assert!(timer.now() - start < 2 * HOUR, "the reset deadline, not the first one");
    });
    assert!(took < Duration::from_secs(10), "took {took:?} of real time");
}
