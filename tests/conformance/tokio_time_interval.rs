//! tokio's own `tokio/tests/time_interval.rs`, ported to loopbridge's paused clock and run on
//! every flavour: an interval of 300 ms polled by hand (tokio-test's `task::spawn`:
//! [`MockTask`]) while `advance` moves the clock — the ticks, tokio's three missed-tick
//! policies (`Burst`, `Delay`, `Skip`), the four resets — and `poll_tick` registering its
//! waker only when it returns `Pending`.
//!
//! Every tokio test of the file is ported; none is skipped. tokio's tests advance 1 ms first,
//! "because the timer is only so granular", and so expect the ticks that follow a reset (or a
//! `Delay`) 1 ms late (`start + 701`, `1251`, ...). loopbridge's clock is exact: the ports leave
//! out the 1 ms and expect those ticks exactly on time (`start + 700`, `1250`, ...); the other
//! ticks are tokio's.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_lite::{Stream, StreamExt};
use loopbridge::time::{self, Interval, MissedTickBehavior};

use crate::mock_task::MockTask;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The next tick of an interval polled by hand, as tokio's `poll_next`.
fn poll_next(task: &MockTask, interval: &mut Interval) -> Poll<Instant> {
    task.enter(|cx| interval.poll_tick(cx))
}

/// tokio's `check_interval_poll!`: for each delta (ms), a tick due at `start + delta` is ready;
/// then the interval is pending.
macro_rules! check_interval_poll {
    ($task:ident, $i:ident, $start:ident $(, $delta:expr)* $(,)?) => {
        $(
            assert_eq!(
                poll_next(&$task, &mut $i),
                Poll::Ready($start + ms($delta)),
                "the tick due at {} ms, at {:?}",
                $delta,
                time::now() - $start,
            );
        )*
        assert!(poll_next(&$task, &mut $i).is_pending(), "no tick at {:?}", time::now() - $start);
    };
}

/// tokio `interval_zero_duration`: an interval of zero panics, on every flavour.
#[loopbridge::test]
#[should_panic(expected = "`period` must be non-zero")]
async fn interval_zero_duration() {
    let _ = time::interval_at(time::now(), ms(0));
}

/// tokio `burst`: with `Burst` (the default), the ticks missed while the clock jumped 650 ms
/// come at once (600 and 900 at 950 ms), and the schedule stays `start + n × 300 ms`.
#[loopbridge::test(start_paused = true)]
async fn burst() {
    let start = time::now();
    let task = MockTask::new();
    let mut i = time::interval_at(start, ms(300));
    assert_eq!(i.missed_tick_behavior(), MissedTickBehavior::Burst);

    check_interval_poll!(task, i, start, 0);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(200)).await;
    check_interval_poll!(task, i, start, 300);

    time::advance(ms(650)).await;
    check_interval_poll!(task, i, start, 600, 900);

    time::advance(ms(200)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start, 1200);

    time::advance(ms(250)).await;
    check_interval_poll!(task, i, start, 1500);

    time::advance(ms(300)).await;
    check_interval_poll!(task, i, start, 1800);
}

/// tokio `delay`: with `Delay`, the tick missed at 600 ms (taken at 950) is followed by ticks a
/// period after it was taken: 1250, 1550, 1850 ms. tokio expects 1251, 1551, 1851: its clock is
/// 1 ms ahead from its first step.
#[loopbridge::test(start_paused = true)]
async fn delay() {
    let start = time::now();
    let task = MockTask::new();
    let mut i = time::interval_at(start, ms(300));
    i.set_missed_tick_behavior(MissedTickBehavior::Delay);

    check_interval_poll!(task, i, start, 0);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(200)).await;
    check_interval_poll!(task, i, start, 300);

    time::advance(ms(650)).await;
    check_interval_poll!(task, i, start, 600);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(199)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(1)).await;
    check_interval_poll!(task, i, start, 1250);

    time::advance(ms(300)).await;
    check_interval_poll!(task, i, start, 1550);

    time::advance(ms(300)).await;
    check_interval_poll!(task, i, start, 1850);
}

/// tokio `skip`: with `Skip`, the tick missed at 600 ms (taken at 950) is followed by the next
/// tick of the original schedule after 950 ms: 1200 (900 is skipped), then 1500, 1800.
#[loopbridge::test(start_paused = true)]
async fn skip() {
    let start = time::now();
    let task = MockTask::new();
    let mut i = time::interval_at(start, ms(300));
    i.set_missed_tick_behavior(MissedTickBehavior::Skip);

    check_interval_poll!(task, i, start, 0);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(200)).await;
    check_interval_poll!(task, i, start, 300);

    time::advance(ms(650)).await;
    check_interval_poll!(task, i, start, 600);

    time::advance(ms(250)).await;
    check_interval_poll!(task, i, start, 1200);

    time::advance(ms(300)).await;
    check_interval_poll!(task, i, start, 1500);

    time::advance(ms(300)).await;
    check_interval_poll!(task, i, start, 1800);
}

/// tokio `reset`: `reset()` at 400 ms makes the next tick due a period on, at 700 ms (not at
/// 650), then 1000. tokio expects 701 and 1001 (its 1 ms first step).
#[loopbridge::test(start_paused = true)]
async fn reset() {
    let start = time::now();
    let task = MockTask::new();
    let mut i = time::interval_at(start, ms(300));

    check_interval_poll!(task, i, start, 0);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(200)).await;
    check_interval_poll!(task, i, start, 300);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    i.reset();

    time::advance(ms(250)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(50)).await;
    check_interval_poll!(task, i, start, 700);

    time::advance(ms(300)).await;
    check_interval_poll!(task, i, start, 1000);
}

/// tokio `reset_immediately`: `reset_immediately()` at 400 ms makes a tick due at once, at
/// 400 ms, then 700. tokio expects 401 and 701.
#[loopbridge::test(start_paused = true)]
async fn reset_immediately() {
    let start = time::now();
    let task = MockTask::new();
    let mut i = time::interval_at(start, ms(300));

    check_interval_poll!(task, i, start, 0);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(200)).await;
    check_interval_poll!(task, i, start, 300);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    i.reset_immediately();

    check_interval_poll!(task, i, start, 400);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(200)).await;
    check_interval_poll!(task, i, start, 700);
}

/// tokio `reset_after`: `reset_after(20 ms)` at 400 ms makes the next tick due at 420 ms, then
/// 720. tokio expects 421 and 721.
#[loopbridge::test(start_paused = true)]
async fn reset_after() {
    let start = time::now();
    let task = MockTask::new();
    let mut i = time::interval_at(start, ms(300));

    check_interval_poll!(task, i, start, 0);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(200)).await;
    check_interval_poll!(task, i, start, 300);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    i.reset_after(ms(20));

    time::advance(ms(20)).await;
    check_interval_poll!(task, i, start, 420);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(200)).await;
    check_interval_poll!(task, i, start, 720);
}

/// tokio `reset_at`: `reset_at(now + 40 ms)` at 400 ms makes the next tick due at 440 ms, then
/// 740. tokio expects 441 and 741.
#[loopbridge::test(start_paused = true)]
async fn reset_at() {
    let start = time::now();
    let task = MockTask::new();
    let mut i = time::interval_at(start, ms(300));

    check_interval_poll!(task, i, start, 0);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(200)).await;
    check_interval_poll!(task, i, start, 300);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    i.reset_at(time::Instant::now() + ms(40));

    time::advance(ms(40)).await;
    check_interval_poll!(task, i, start, 440);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(200)).await;
    check_interval_poll!(task, i, start, 740);
}

/// tokio `reset_at_bigger_than_interval`: `reset_at(now + 1000 ms)` at 400 ms: no tick for the
/// 900 ms after it (three periods), then ticks at 1400 and 1700 ms. tokio expects 1401 and
/// 1701.
#[loopbridge::test(start_paused = true)]
async fn reset_at_bigger_than_interval() {
    let start = time::now();
    let task = MockTask::new();
    let mut i = time::interval_at(start, ms(300));

    check_interval_poll!(task, i, start, 0);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(200)).await;
    check_interval_poll!(task, i, start, 300);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start);

    i.reset_at(time::Instant::now() + ms(1000));

    time::advance(ms(300)).await;
    check_interval_poll!(task, i, start);
    time::advance(ms(300)).await;
    check_interval_poll!(task, i, start);
    time::advance(ms(300)).await;
    check_interval_poll!(task, i, start);

    time::advance(ms(100)).await;
    check_interval_poll!(task, i, start, 1400);

    time::advance(ms(300)).await;
    check_interval_poll!(task, i, start, 1700);
}

/// tokio's `IntervalStreamer`: counts the ticks of an interval; every fourth tick it yields the
/// count, the others it swallows — waking itself first if `wake_on_pending`, as a stream that
/// returns `Pending` without a registered waker must. It ends after 12 ticks.
struct IntervalStreamer {
    counter: u32,
    timer: Interval,
    wake_on_pending: bool,
}

impl Stream for IntervalStreamer {
    type Item = u32;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = Pin::into_inner(self);
        if this.counter > 12 {
            return Poll::Ready(None);
        }
        match this.timer.poll_tick(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(_) => {
                this.counter += 1;
                if this.counter % 4 == 0 {
                    Poll::Ready(Some(this.counter))
                } else {
                    if this.wake_on_pending {
                        cx.waker().wake_by_ref();
                    }
                    Poll::Pending
                }
            }
        }
    }
}

/// Runs `stream` in a task under a timeout of 150 ms (so that it ends even if the stream
/// stalls), sends its items on a channel, and returns them, when the channel closed, and
/// whether the timeout ended the task.
async fn collect_under_timeout(stream: IntervalStreamer) -> (Vec<u32>, Duration, bool) {
    let start = time::Instant::now();
    let (res_tx, res_rx) = async_channel::bounded(12);
    let task = loopbridge::spawn(time::timeout(ms(150), async move {
        let mut stream = std::pin::pin!(stream);
        while let Some(item) = stream.next().await {
            res_tx.send(item).await.ok();
        }
    }));
    let mut items = Vec::new();
    while let Ok(result) = res_rx.recv().await {
        items.push(result);
    }
    let closed = start.elapsed();
    let timed_out = task.await.expect("the streaming task").is_err();
    (items, closed, timed_out)
}

/// tokio `stream_with_interval_poll_tick_self_waking`: an interval of 10 ms in a stream that
/// wakes itself whenever it swallows a tick yields 4, 8 and 12 — the thirteenth tick, at 120
/// ms, ends it, well within the 150 ms timeout.
#[loopbridge::test(start_paused = true)]
async fn stream_with_interval_poll_tick_self_waking() {
    let stream =
        IntervalStreamer { counter: 0, timer: time::interval(ms(10)), wake_on_pending: true };
    let (items, closed, timed_out) = collect_under_timeout(stream).await;
    assert_eq!(items, vec![4, 8, 12]);
    assert_eq!(closed, ms(120), "ended by its thirteenth tick");
    assert!(!timed_out);
}

/// tokio `stream_with_interval_poll_tick_no_waking`: the same stream, not waking itself, stalls
/// after its first tick: `poll_tick` registered no waker when it returned `Ready`. It yields
/// nothing, and the timeout ends it at exactly 150 ms.
#[loopbridge::test(start_paused = true)]
async fn stream_with_interval_poll_tick_no_waking() {
    let stream =
        IntervalStreamer { counter: 0, timer: time::interval(ms(10)), wake_on_pending: false };
    let (items, closed, timed_out) = collect_under_timeout(stream).await;
    assert_eq!(items, Vec::<u32>::new());
    assert_eq!(closed, ms(150), "stalled until the timeout");
    assert!(timed_out);
}

/// tokio `interval_doesnt_panic_max_duration_when_polling`: an interval of `Duration::MAX`
/// ticks at once and does not panic; its next tick never comes, not even after
/// `advance(Duration::MAX)`.
#[loopbridge::test(start_paused = true)]
async fn interval_doesnt_panic_max_duration_when_polling() {
    let start = time::now();
    let task = MockTask::new();
    let mut timer = time::interval(Duration::MAX);
    assert_eq!(poll_next(&task, &mut timer), Poll::Ready(start));
    assert!(poll_next(&task, &mut timer).is_pending());
    time::advance(Duration::MAX).await;
    assert!(poll_next(&task, &mut timer).is_pending());
    assert!(!task.is_woken());
}
