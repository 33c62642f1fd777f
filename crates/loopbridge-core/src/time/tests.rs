use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Waker;

use super::*;

static MADE: AtomicUsize = AtomicUsize::new(0);

fn counted_timer(_: Instant) -> std::future::Pending<()> {
    MADE.fetch_add(1, Ordering::SeqCst);
    std::future::pending()
}

#[test]
fn a_deferred_timer_is_made_once_and_only_when_needed() {
    let mut cx = Context::from_waker(Waker::noop());
    let ready = std::pin::pin!(Timeout::new(
        async { 1 },
        Sleep::deferred(Duration::from_secs(60), Instant::now(), counted_timer)
    ));
    assert_eq!(ready.poll(&mut cx), Poll::Ready(Ok(1)));
    assert_eq!(MADE.load(Ordering::SeqCst), 0, "a ready future needs no timer");

    let mut pending = std::pin::pin!(Timeout::new(
        std::future::pending::<()>(),
        Sleep::deferred(Duration::from_secs(60), Instant::now(), counted_timer)
    ));
    assert!(pending.as_mut().poll(&mut cx).is_pending());
    assert!(pending.as_mut().poll(&mut cx).is_pending());
    assert_eq!(MADE.load(Ordering::SeqCst), 1, "made at the first pending poll, once");
}

#[test]
fn deferred_keeps_the_zero_and_never_cases() {
    let zero = Sleep::deferred(Duration::ZERO, Instant::now(), counted_timer);
    assert!(zero.is_yield_once());
    let never = Sleep::deferred(Duration::MAX, Instant::now(), counted_timer);
    assert_eq!(never.deadline(), None);
    let mut cx = Context::from_waker(Waker::noop());
    let mut zero = std::pin::pin!(zero);
    assert!(zero.as_mut().poll(&mut cx).is_pending(), "zero is one yield");
    assert!(zero.as_mut().poll(&mut cx).is_ready());
}

/// A backend timer that is ready once, then pending forever (async-io's spent `Timer`).
struct ReadyOnce(bool);

impl Future for ReadyOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) { Poll::Pending } else { Poll::Ready(()) }
    }
}

#[test]
fn a_fired_sleep_stays_ready_whatever_its_timer_does_after() {
    let mut cx = Context::from_waker(Waker::noop());
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut sleep = std::pin::pin!(Sleep::until(deadline, Instant::now(), |_| ReadyOnce(false)));
    for poll in 1..=3 {
        assert!(sleep.as_mut().poll(&mut cx).is_ready(), "poll {poll}");
    }
    assert_eq!(sleep.deadline(), Some(deadline), "the deadline outlives the timer");
}
