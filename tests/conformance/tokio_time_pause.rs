//! tokio's own `tokio/tests/time_pause.rs`, ported to loopbridge's paused clock and run on
//! every flavour: pausing in a test body or in a task (on multi-thread runtimes too, where
//! tokio refuses), the determinism of paused time, and `advance`: it moves the clock by
//! exactly what it is told (to the nanosecond), fires the timers on the way — no sooner — and
//! leaves a timer not yet due pending, whether it was polled before, never polled, or polled in
//! the same task that advances.
//!
//! Every tokio test of the file is ported; none is skipped. tokio's tests advance 1 ms first
//! ("TODO: Skip this") so that its rounded timers line up; loopbridge's deadlines are exact, so
//! the ports leave that out where it only served the rounding, and assert exact times with
//! `assert_eq!` where tokio allows its 1 ms of rounding. Where tokio panics (pausing a
//! multi-thread runtime) loopbridge pauses, as docs/semantics.md ("Paused time") says; the
//! test's doc comment says so.

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};
use std::time::Duration;

use loopbridge::time::{self, Instant, Sleep};
use loopbridge::{Flavor, JoinSet};
use loopbridge_tests::{builder_for, runner_test};

use crate::mock_task::MockTask;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
/// The most real time a test of many virtual timers may take here (a 2-core CI machine).
const REAL: Duration = Duration::from_secs(20);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// tokio `pause_time_in_main`: `time::pause()` in a test body pauses its runtime's clock: it
/// stands still across a yield, and then an hour of sleep takes exactly an hour of it.
#[loopbridge::test]
async fn pause_time_in_main() {
    assert!(!time::is_paused());
    time::pause();
    assert!(time::is_paused());
    let start = Instant::now();
    loopbridge::yield_now().await;
    assert_eq!(Instant::now(), start, "the clock stands still");
    let wall = std::time::Instant::now();
    loopbridge::sleep(HOUR).await;
    assert_eq!(start.elapsed(), HOUR);
    assert!(wall.elapsed() < REAL);
}

/// tokio `pause_time_in_main`, continued, as every tokio test that pauses in its body goes on:
/// timers awaited right after `pause()`, in the same poll, fire one by one at their deadlines —
/// the 10 ms sleep ends at 10 ms, before a 100 ms one polled by hand. (Regression: the poll
/// that paused began uncounted, and the clock jumped on to 100 ms before the body ran again.)
#[loopbridge::test]
async fn pause_time_in_main_then_the_first_deadline_comes_first() {
    time::pause();
    let start = Instant::now();
    let task = MockTask::new();
    let mut later = pin!(time::sleep(ms(100)));
    assert!(task.poll(later.as_mut()).is_pending());
    time::sleep(ms(10)).await;
    assert_eq!(start.elapsed(), ms(10), "the clock ran past the deadline the body awaited");
    assert!(!task.is_woken());
}

/// tokio `pause_time_in_task`: `time::pause()` in a spawned task pauses the clock of the
/// runtime the task runs on: the body sees it paused, and its hour of sleep is exact.
#[loopbridge::test]
async fn pause_time_in_task() {
    let t = loopbridge::spawn(async {
        time::pause();
        time::is_paused()
    });
    assert!(t.await.unwrap(), "paused inside the task");
    assert!(time::is_paused(), "the runtime's clock, which the body shares");
    let start = Instant::now();
    loopbridge::sleep(HOUR).await;
    assert_eq!(start.elapsed(), HOUR);
}

/// Spawns four tasks that sleep 1 to 4 virtual minutes, and returns each one's sleep as
/// measured from `start`, in order.
async fn four_sleepers(start: Instant) -> Vec<(u32, Duration)> {
    let mut set = JoinSet::new();
    for n in 1..=4_u32 {
        set.spawn(async move {
            loopbridge::sleep(n * MINUTE).await;
            (n, start.elapsed())
        });
    }
    let mut slept = Vec::new();
    while let Some(done) = set.join_next().await {
        slept.push(done.expect("a sleeper"));
    }
    slept.sort();
    slept
}

/// tokio `pause_time_in_main_threads`: tokio's `pause` panics on a multi-thread runtime.
/// loopbridge pauses every flavour's runtime, the multi-thread ones included
/// (docs/semantics.md, "Paused time"): tasks on its workers sleep exact virtual minutes (here
/// spawned after a yield; in the same poll, see the next test).
#[loopbridge::test]
async fn pause_time_in_main_threads(flavor: Flavor) {
    time::pause();
    assert!(time::is_paused(), "{flavor:?}");
    loopbridge::yield_now().await;
    let start = Instant::now();
    let slept = four_sleepers(start).await;
    assert_eq!(slept, (1..=4_u32).map(|n| (n, n * MINUTE)).collect::<Vec<_>>(), "{flavor:?}");
}

/// `pause_time_in_main_threads` with the tasks spawned in the very poll that paused, as a
/// ported tokio test would: each sleeps its exact minutes from `start`. The poll that called
/// `pause()` began while the clock ran; from the pause it counts as work until it ends (before,
/// the runtime looked idle while the body was still spawning, and the later tasks started
/// their sleeps minutes late, in about half the runs).
#[loopbridge::test]
async fn pause_time_in_main_then_tasks_spawned_in_the_same_poll_sleep_from_the_start() {
    time::pause();
    let start = Instant::now();
    let slept = four_sleepers(start).await;
    assert_eq!(slept, (1..=4_u32).map(|n| (n, n * MINUTE)).collect::<Vec<_>>());
}

/// tokio `pause_time_in_spawn_threads`: on a multi-thread runtime tokio's task that pauses
/// panics (its `JoinHandle` gives an error). loopbridge's task pauses the clock and completes,
/// on every flavour; a task spawned after it sleeps an exact hour.
#[loopbridge::test]
async fn pause_time_in_spawn_threads(flavor: Flavor) {
    let t = loopbridge::spawn(async {
        time::pause();
    });
    t.await.unwrap_or_else(|err| panic!("{flavor:?}: the pausing task failed: {err}"));
    assert!(time::is_paused());
    let sleeper = loopbridge::spawn(async {
        let start = Instant::now();
        loopbridge::sleep(HOUR).await;
        start.elapsed()
    });
    assert_eq!(sleeper.await.unwrap(), HOUR, "{flavor:?}");
}

/// tokio's `paused_time_stress_run`: 10,000 sleeps of pseudo-random lengths below a second
/// (nanosecond precision, zero included), sequentially, on a runner started paused; the
/// elapsed time after each.
fn paused_time_stress_run(flavor: Flavor) -> (Vec<Duration>, Vec<Duration>) {
    let runner = builder_for(flavor).start_paused(true).build().expect("a paused runner");
    runner.block_on(async {
        let mut seed = 1_u64;
        let mut sleeps = Vec::with_capacity(10_000);
        let mut times = Vec::with_capacity(10_000);
        let start = Instant::now();
        for _ in 0..10_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let sleep = Duration::from_nanos(seed % 1_000_000_000);
            time::sleep(sleep).await;
            sleeps.push(sleep);
            times.push(start.elapsed());
        }
        (sleeps, times)
    })
}

runner_test! {
    /// tokio `paused_time_is_deterministic`: two runs of the same random sleeps on fresh paused
    /// runtimes see the same times — and in loopbridge each time is exactly the sum of the
    /// sleeps so far (tokio rounds each up to the millisecond).
    fn paused_time_is_deterministic(flavor) {
        let wall = std::time::Instant::now();
        let (sleeps, run_1) = paused_time_stress_run(flavor);
        let (_, run_2) = paused_time_stress_run(flavor);
        assert_eq!(run_1, run_2);
        let mut sum = Duration::ZERO;
        for (n, (sleep, time)) in sleeps.iter().zip(&run_1).enumerate() {
            sum += *sleep;
            assert_eq!(*time, sum, "after sleep {n}");
        }
        assert!(wall.elapsed() < REAL, "took {:?}", wall.elapsed());
    }
}

/// tokio `advance_after_poll`: a sleep until 300 ms, polled, is still pending after an advance
/// of 100 ms, which moved the clock exactly 100 ms.
#[loopbridge::test(start_paused = true)]
async fn advance_after_poll() {
    time::sleep(ms(1)).await;
    let start = Instant::now();
    let task = MockTask::new();
    let mut sleep = pin!(time::sleep_until(start + ms(300)));
    assert!(task.poll(sleep.as_mut()).is_pending());
    let before = Instant::now();
    time::advance(ms(100)).await;
    assert_eq!(before.elapsed(), ms(100));
    assert!(!task.is_woken());
    assert!(task.poll(sleep.as_mut()).is_pending());
}

/// tokio `sleep_no_poll`: the same with a sleep never polled before the advance. (tokio first
/// advances 1 ms, "TODO: Skip this"; loopbridge needs no such step.)
#[loopbridge::test(start_paused = true)]
async fn sleep_no_poll() {
    let start = Instant::now();
    let task = MockTask::new();
    let mut sleep = pin!(time::sleep_until(start + ms(300)));
    let before = Instant::now();
    time::advance(ms(100)).await;
    assert_eq!(before.elapsed(), ms(100));
    assert!(task.poll(sleep.as_mut()).is_pending());
}

enum State {
    Begin,
    AwaitingAdvance(Pin<Box<dyn Future<Output = ()>>>),
    AfterAdvance,
}

/// tokio's `Tester`: polls its sleep (or not), then advances 100 ms within the same task, then
/// checks the time and that the sleep is still pending.
struct Tester {
    sleep: Pin<Box<Sleep>>,
    state: State,
    before: Option<Instant>,
    poll: bool,
}

impl Future for Tester {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.state {
            State::Begin => {
                if self.poll {
                    assert!(self.sleep.as_mut().poll(cx).is_pending());
                }
                self.before = Some(Instant::now());
                let advance_fut = Box::pin(time::advance(ms(100)));
                self.state = State::AwaitingAdvance(advance_fut);
                self.poll(cx)
            }
            State::AwaitingAdvance(advance_fut) => match advance_fut.as_mut().poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(()) => {
                    self.state = State::AfterAdvance;
                    self.poll(cx)
                }
            },
            State::AfterAdvance => {
                assert_eq!(self.before.expect("set at the beginning").elapsed(), ms(100));
                assert!(self.sleep.as_mut().poll(cx).is_pending());
                Poll::Ready(())
            }
        }
    }
}

/// tokio `sleep_same_task`: a sleep until 300 ms polled by the task that then advances 100 ms:
/// the advance completes (its own task's timer does not hold it up), moves exactly 100 ms, and
/// the sleep is still pending. (tokio's 1 ms first step is left out, as in `sleep_no_poll`.)
#[loopbridge::test(start_paused = true)]
async fn sleep_same_task() {
    let start = Instant::now();
    let sleep = Box::pin(time::sleep_until(start + ms(300)));
    Tester { sleep, state: State::Begin, before: None, poll: true }.await;
    assert_eq!(start.elapsed(), ms(100));
}

/// tokio `sleep_same_task_no_poll`: the same without polling the sleep before the advance.
#[loopbridge::test(start_paused = true)]
async fn sleep_same_task_no_poll() {
    let start = Instant::now();
    let sleep = Box::pin(time::sleep_until(start + ms(300)));
    Tester { sleep, state: State::Begin, before: None, poll: false }.await;
    assert_eq!(start.elapsed(), ms(100));
}

/// The next tick of an interval polled by hand, as tokio's `poll_next`.
fn poll_next(task: &MockTask, interval: &mut time::Interval) -> Poll<std::time::Instant> {
    task.enter(|cx| interval.poll_tick(cx))
}

/// tokio `interval`: an interval of 300 ms driven by `advance`: a tick at its start, none
/// until 300 ms, the 600 ms one at 700 ms, and at 1200 ms the missed 900 ms tick and the 1200
/// ms one together (the default `Burst`). tokio first advances 1 ms for its rounding;
/// loopbridge's ticks are due exactly, so the advances land on the ticks themselves.
#[loopbridge::test(start_paused = true)]
async fn interval() {
    let start = time::now();
    let task = MockTask::new();
    let mut i = time::interval_at(start, ms(300));
    assert_eq!(poll_next(&task, &mut i), Poll::Ready(start));
    assert!(poll_next(&task, &mut i).is_pending());

    let before = Instant::now();
    time::advance(ms(100)).await;
    assert_eq!(before.elapsed(), ms(100));
    assert!(!task.is_woken());
    assert!(poll_next(&task, &mut i).is_pending());

    let before = Instant::now();
    time::advance(ms(200)).await;
    assert_eq!(before.elapsed(), ms(200));
    assert!(task.is_woken(), "the tick's timer fired at 300 ms");
    assert_eq!(poll_next(&task, &mut i), Poll::Ready(start + ms(300)));
    assert!(poll_next(&task, &mut i).is_pending());

    let before = Instant::now();
    time::advance(ms(400)).await;
    assert_eq!(before.elapsed(), ms(400));
    assert_eq!(poll_next(&task, &mut i), Poll::Ready(start + ms(600)));
    assert!(poll_next(&task, &mut i).is_pending());

    let before = Instant::now();
    time::advance(ms(500)).await;
    assert_eq!(before.elapsed(), ms(500));
    assert_eq!(poll_next(&task, &mut i), Poll::Ready(start + ms(900)));
    assert_eq!(poll_next(&task, &mut i), Poll::Ready(start + ms(1200)));
    assert!(poll_next(&task, &mut i).is_pending());
}

/// tokio `test_time_advance_sub_ms`: advances of 51,592 µs and of 1 µs move the clock by
/// exactly that.
#[loopbridge::test(start_paused = true)]
async fn test_time_advance_sub_ms() {
    let now = Instant::now();
    let dur = Duration::from_micros(51_592);
    time::advance(dur).await;
    assert_eq!(now.elapsed(), dur);

    let now = Instant::now();
    let dur = Duration::from_micros(1);
    time::advance(dur).await;
    assert_eq!(now.elapsed(), dur);
}

/// tokio `test_time_advance_3ms_and_change`: advances of 3,141,592 µs and 3,123,456 µs move the
/// clock by exactly that.
#[loopbridge::test(start_paused = true)]
async fn test_time_advance_3ms_and_change() {
    let now = Instant::now();
    let dur = Duration::from_micros(3_141_592);
    time::advance(dur).await;
    assert_eq!(now.elapsed(), dur);

    let now = Instant::now();
    let dur = Duration::from_micros(3_123_456);
    time::advance(dur).await;
    assert_eq!(now.elapsed(), dur);
}

/// tokio `regression_3710_with_submillis_advance`: with a sleep until 60 s polled, an advance
/// of 51,592 µs moves the clock by exactly that and leaves the sleep pending.
#[loopbridge::test(start_paused = true)]
async fn regression_3710_with_submillis_advance() {
    let start = Instant::now();
    time::advance(ms(1)).await;
    let task = MockTask::new();
    let mut sleep = pin!(time::sleep_until(start + Duration::from_secs(60)));
    assert!(task.poll(sleep.as_mut()).is_pending());
    let before = Instant::now();
    let dur = Duration::from_micros(51_592);
    time::advance(dur).await;
    assert_eq!(before.elapsed(), dur);
    assert!(task.poll(sleep.as_mut()).is_pending());
}

/// tokio `exact_1ms_advance`: two advances of 1 ms each move the clock exactly 1 ms.
#[loopbridge::test(start_paused = true)]
async fn exact_1ms_advance() {
    let now = Instant::now();
    let dur = ms(1);
    time::advance(dur).await;
    assert_eq!(now.elapsed(), dur);

    let now = Instant::now();
    time::advance(dur).await;
    assert_eq!(now.elapsed(), dur);
}

/// tokio `advance_once_with_timer`: a polled sleep of 1 ms is pending after 250 µs, and woken
/// (once) and ready after 1,500 µs more.
#[loopbridge::test(start_paused = true)]
async fn advance_once_with_timer() {
    let start = Instant::now();
    let task = MockTask::new();
    let mut sleep = pin!(time::sleep(ms(1)));
    assert!(task.poll(sleep.as_mut()).is_pending());

    time::advance(Duration::from_micros(250)).await;
    assert!(task.poll(sleep.as_mut()).is_pending());

    time::advance(Duration::from_micros(1500)).await;
    assert!(task.is_woken());
    assert_eq!(task.wakes(), 1);
    assert!(task.poll(sleep.as_mut()).is_ready());
    assert_eq!(start.elapsed(), Duration::from_micros(1750));
}

/// tokio `advance_multi_with_timer`: a polled sleep of 1 ms is pending after three advances of
/// 250 µs (and not woken) and woken and ready after the fourth, exactly at its deadline.
#[loopbridge::test(start_paused = true)]
async fn advance_multi_with_timer() {
    let start = Instant::now();
    let task = MockTask::new();
    let mut sleep = pin!(time::sleep(ms(1)));
    assert!(task.poll(sleep.as_mut()).is_pending());

    for _ in 0..3 {
        time::advance(Duration::from_micros(250)).await;
        assert!(!task.is_woken());
        assert!(task.poll(sleep.as_mut()).is_pending());
    }

    time::advance(Duration::from_micros(250)).await;
    assert!(task.is_woken());
    assert!(task.poll(sleep.as_mut()).is_ready());
    assert_eq!(start.elapsed(), ms(1));
}
