use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use super::*;

/// A paused clock and its time.
fn paused() -> (Arc<Clock>, Instant) {
    let clock = Clock::new();
    clock.pause();
    let start = clock.now();
    (clock, start)
}

/// A paused clock, its time, and a timer on it a second on (woken by nothing).
fn paused_with_a_timer() -> (Arc<Clock>, Instant) {
    let (clock, start) = paused();
    let mut key = TimerKey::new(start + Duration::from_secs(1));
    assert!(!clock.register(&mut key, Waker::noop()));
    (clock, start)
}

#[test]
fn a_running_clock_is_the_wall_clock_until_paused_and_continuous_after() {
    let clock = Clock::new();
    let before = Instant::now();
    let now = clock.now();
    assert!(now >= before && now <= Instant::now());
    clock.pause();
    clock.pause(); // a no-op
    let frozen = clock.now();
    std::thread::sleep(Duration::from_millis(5));
    assert_eq!(clock.now(), frozen);
    clock.resume();
    clock.resume(); // a no-op
    let after = clock.now();
    assert!(after >= frozen && after < frozen + Duration::from_millis(5), "no jump on resume");
}

/// Records the order in which timers' wakers are woken.
struct Order(Arc<Mutex<Vec<usize>>>, usize);

impl Wake for Order {
    fn wake(self: Arc<Self>) {
        self.0.lock().unwrap().push(self.1);
    }
}

#[test]
fn an_idle_paused_clock_jumps_to_its_timers_in_deadline_then_creation_order() {
    let (clock, start) = paused();
    let hour = Duration::from_secs(3600);
    let order = Arc::new(Mutex::new(Vec::new()));
    let wakers: Vec<Waker> =
        (0..3).map(|i| Waker::from(Arc::new(Order(Arc::clone(&order), i)))).collect();
    let mut a = TimerKey::new(start + 2 * hour);
    let (mut b, mut c) = (TimerKey::new(start + hour), TimerKey::new(start + hour));
    assert!(!clock.register(&mut a, &wakers[0]));
    assert!(!clock.register(&mut b, &wakers[1]));
    assert!(!clock.register(&mut c, &wakers[2]));
    assert!(b < c, "equal deadlines keep their creation order");
    // A task ends its poll: no work left, the clock jumps. These wakers are no task's (they
    // count no work), so it jumps on through every timer.
    let mut tracker = Some(Tracker::scheduled(&clock));
    let mut cx = Context::from_waker(Waker::noop());
    let _ = poll_tracked(&mut tracker, &clock, &mut cx, |_| Poll::<()>::Pending);
    assert_eq!(*order.lock().unwrap(), [1, 2, 0]);
    assert_eq!(clock.now(), start + 2 * hour);
    assert!(!clock.fire_next(None), "no timer left");
}

#[test]
fn a_woken_task_holds_the_clock_until_it_is_polled() {
    let (clock, start) = paused();
    let second = Duration::from_secs(1);
    let mut sleeper = Some(Tracker::scheduled(&clock));
    let mut cx = Context::from_waker(Waker::noop());
    let mut first = TimerKey::new(start + second);
    let mut next = TimerKey::new(start + 2 * second);
    // The task registers two timers with its (counting) waker, and waits.
    let _ = poll_tracked(&mut sleeper, &clock, &mut cx, |cx| {
        assert!(!clock.register(&mut first, cx.waker()));
        assert!(!clock.register(&mut next, cx.waker()));
        Poll::<()>::Pending
    });
    assert_eq!(clock.now(), start + second, "jumped to the first, and held there by the wake");
    let _ = poll_tracked(&mut sleeper, &clock, &mut cx, |_| Poll::<()>::Pending);
    assert_eq!(clock.now(), start + 2 * second, "polled: the next jump");
    // A wake after the task is gone counts nothing: the clock is not held forever.
    if let Some(tracker) = sleeper.take() {
        tracker.finish();
        Waker::from(tracker).wake();
    }
    let mut last = TimerKey::new(start + 3 * second);
    let mut other = Some(Tracker::scheduled(&clock));
    let _ = poll_tracked(&mut other, &clock, &mut cx, |cx| {
        assert!(!clock.register(&mut last, cx.waker()));
        Poll::<()>::Pending
    });
    assert_eq!(clock.now(), start + 3 * second);
}

#[test]
fn work_holds_the_clock_still() {
    let (clock, start) = paused_with_a_timer();
    let job = JobWork::new(&clock);
    let mut tracker = Some(Tracker::scheduled(&clock));
    let mut cx = Context::from_waker(Waker::noop());
    let _ = poll_tracked(&mut tracker, &clock, &mut cx, |_| Poll::<()>::Pending);
    assert_eq!(clock.now(), start, "a running job holds the time");
    drop(job);
    assert_eq!(clock.now(), start + Duration::from_secs(1));
}

#[test]
fn a_wake_counts_until_the_next_poll_and_a_finished_task_leaves_nothing() {
    let (clock, start) = paused_with_a_timer();
    let mut tracker = Some(Tracker::scheduled(&clock));
    let mut cx = Context::from_waker(Waker::noop());
    // The task wakes itself (a yield): still work after the poll.
    let _ = poll_tracked(&mut tracker, &clock, &mut cx, |cx| {
        cx.waker().wake_by_ref();
        Poll::<()>::Pending
    });
    assert_eq!(clock.now(), start);
    if let Some(tracker) = &tracker {
        tracker.finish(); // dropped while woken: its count goes, and the clock jumps
    }
    assert_eq!(clock.now(), start + Duration::from_secs(1));
}

#[test]
fn resume_wakes_the_virtual_timers_and_far_deadlines_never_overflow() {
    let clock = Clock::new();
    clock.pause();
    let order = Arc::new(Mutex::new(Vec::new()));
    let waker = Waker::from(Arc::new(Order(Arc::clone(&order), 7)));
    let mut key = TimerKey::new(clock.now() + Duration::from_secs(60));
    assert!(!clock.register(&mut key, &waker));
    assert!(!clock.fire_next(Some(clock.now() + Duration::from_secs(1))), "not due within 1 s");
    clock.resume();
    assert_eq!(*order.lock().unwrap(), [7], "resume wakes the virtual timers");
    let mut key = TimerKey::new(clock.now());
    assert!(!clock.register(&mut key, Waker::noop()), "running: nothing registers");
    clock.pause();
    let far = clock.now().checked_add(Duration::from_secs(u64::MAX / 4));
    if let Some(far) = far {
        clock.fire_next(Some(far));
    }
    let _ = clock.now();
    clock.resume();
    let _ = clock.now();
    let _ = clock.to_wall_clock(clock.now());
}

/// A socket a test makes ready by hand.
struct Socket(Arc<std::sync::atomic::AtomicBool>);

impl Readiness for Socket {
    fn is_ready(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[test]
fn a_ready_socket_wakes_its_task_instead_of_the_clock_jumping() {
    let (clock, start) = paused_with_a_timer();
    let ready = Arc::new(AtomicBool::new(true));
    let mut task = Some(Tracker::scheduled(&clock));
    let mut cx = Context::from_waker(Waker::noop());
    // The task's read goes pending on a socket that is readable already (the reactor has not
    // said so yet): the clock must not jump over it.
    let _ = poll_tracked(&mut task, &clock, &mut cx, |_| {
        wait_on_io(|| Some(Socket(Arc::clone(&ready))));
        Poll::<()>::Pending
    });
    assert_eq!(clock.now(), start, "a ready socket is work");
    assert_eq!(clock.work.load(Ordering::SeqCst), 1, "its task was woken");
    // Polled again, it reads; its next wait is on a socket with nothing to read: now the
    // runtime is idle and the clock jumps.
    ready.store(false, Ordering::SeqCst);
    let _ = poll_tracked(&mut task, &clock, &mut cx, |_| {
        wait_on_io(|| Some(Socket(Arc::clone(&ready))));
        Poll::<()>::Pending
    });
    assert_eq!(clock.now(), start + Duration::from_secs(1));
}

#[test]
fn a_socket_wait_is_asked_once_and_outside_a_paused_task_not_at_all() {
    let (clock, start) = paused_with_a_timer();
    // Outside a tracked poll: nothing recorded (the probe is never made).
    wait_on_io(|| -> Option<Socket> { panic!("no task of a paused runtime is polled") });
    // A task that recorded a ready socket and then stopped waiting on it (its operation was
    // dropped) is woken once, and the next idle jumps.
    let mut task = Some(Tracker::scheduled(&clock));
    let mut cx = Context::from_waker(Waker::noop());
    let ready = Arc::new(AtomicBool::new(true));
    let _ = poll_tracked(&mut task, &clock, &mut cx, |_| {
        wait_on_io(|| Some(Socket(Arc::clone(&ready))));
        Poll::<()>::Pending
    });
    assert_eq!(clock.now(), start);
    let _ = poll_tracked(&mut task, &clock, &mut cx, |_| Poll::<()>::Pending);
    assert_eq!(clock.now(), start + Duration::from_secs(1), "the socket is forgotten");
}

#[test]
fn a_jump_that_wakes_the_task_whose_poll_ended_stops_there() {
    // The task paused the clock in a poll that was not counted (it began before the pause),
    // and awaited a timer with its own waker; a later timer waits with another.
    let (clock, start) = paused();
    let order = Arc::new(Mutex::new(Vec::new()));
    let own = Waker::from(Arc::new(Order(Arc::clone(&order), 1)));
    let other = Waker::from(Arc::new(Order(Arc::clone(&order), 2)));
    let mut first = TimerKey::new(start + Duration::from_millis(10));
    let mut later = TimerKey::new(start + Duration::from_millis(100));
    assert!(!clock.register(&mut first, &own));
    assert!(!clock.register(&mut later, &other));
    clock.uncounted_poll_ended(&own);
    // The task is polled next (counted then): the clock waits for it at its deadline.
    assert_eq!(clock.now(), start + Duration::from_millis(10));
    assert_eq!(*order.lock().unwrap(), [1]);
}

#[test]
fn a_deadline_past_the_clocks_range_is_never_jumped_to() {
    let (clock, start) = paused();
    let order = Arc::new(Mutex::new(Vec::new()));
    let waker = Waker::from(Arc::new(Order(Arc::clone(&order), 1)));
    let Some(far) = start.checked_add(Duration::from_secs(u64::MAX / 10)) else {
        return; // not even an instant here
    };
    let mut key = TimerKey::new(far);
    assert!(!clock.register(&mut key, &waker));
    let mut task = Some(Tracker::scheduled(&clock));
    let mut cx = Context::from_waker(Waker::noop());
    let _ = poll_tracked(&mut task, &clock, &mut cx, |_| Poll::<()>::Pending);
    assert_eq!(clock.now(), start, "no jump toward a deadline it cannot reach");
    assert!(order.lock().unwrap().is_empty(), "and the timer never fires");
}
