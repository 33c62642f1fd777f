use std::sync::Arc;
use std::thread;
use std::time::Duration;

use super::*;
use crate::lifecycle::{Lifecycle, UntilClosed};
use crate::park::wait;

#[test]
fn spins_in_vain_back_off_and_a_spin_that_pays_starts_over() {
    thread::spawn(|| {
        let skips = || SKIP_SPINS.with(Cell::get);
        for expected in [64, 128, 256, 512, 1024, 2048, 4096, 4096] {
            spin_in_vain();
            assert_eq!(skips(), expected);
        }
        // Waits while the count lasts hand over after one poll, without spinning.
        assert_eq!(spin_then(std::future::pending::<u8>(), |_| 1), 1);
        assert_eq!(skips(), 4095);
        // A spin that pays (woken during the spin, ready at the next poll) resets the
        // back-off: the next spin in vain skips 64 waits again. (Another test's thread
        // may be the one spinner of the moment; then this one hands over: try again.)
        let spun = (0..1000).any(|_| {
            SKIP_SPINS.with(|s| s.set(0));
            let mut polls = 0;
            let yields_once = std::future::poll_fn(|cx| {
                polls += 1;
                if polls == 1 {
                    cx.waker().wake_by_ref();
                    Poll::Pending
                } else {
                    Poll::Ready(true)
                }
            });
            spin_then(yields_once, |rest| !wait(rest))
        });
        assert!(spun, "no spin in 1000 tries");
        spin_in_vain();
        assert_eq!(skips(), 64);
    })
    .join()
    .unwrap();
}

#[test]
fn spin_then_hands_over_what_the_spin_does_not_finish() {
    // Completed by another thread after the spin: the hand-over polls with its own waker,
    // so the wake-up is not lost.
    let (promise, handle) = crate::task::Promise::new();
    let worker = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        promise.complete(Ok(7));
    });
    assert_eq!(spin_then(handle, |rest| wait(rest)).unwrap(), 7);
    worker.join().unwrap();
}

#[test]
fn a_close_reaches_a_block_on_in_its_spin_or_after() {
    for delay in [Duration::ZERO, Duration::from_micros(10), Duration::from_millis(5)] {
        let lifecycle = Lifecycle::new();
        let closer = Arc::clone(&lifecycle);
        let worker = thread::spawn(move || {
            thread::sleep(delay);
            closer.close();
        });
        let blocked = UntilClosed::new(Some(&lifecycle), std::future::pending::<()>());
        let result = spin_then(blocked, |rest| wait(rest));
        assert!(result.unwrap_err().is_shut_down());
        worker.join().unwrap();
    }
}
