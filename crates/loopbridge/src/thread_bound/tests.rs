use std::cell::RefCell;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::*;

/// The value of most tests: shared ownership through `Rc` makes it `!Send`.
type Log = Rc<RefCell<Vec<u32>>>;

const LIMIT: Duration = Duration::from_secs(20);

/// Runs `body` on a thread of its own and fails the test if it takes longer than `LIMIT`,
/// so that a deadlock fails instead of hanging the run.
fn watchdog<R: Send + 'static>(body: impl FnOnce() -> R + Send + 'static) -> R {
    let (done_tx, done_rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = done_tx.send(std::panic::catch_unwind(AssertUnwindSafe(body)));
    });
    match done_rx.recv_timeout(LIMIT) {
        Ok(Ok(out)) => out,
        Ok(Err(payload)) => std::panic::resume_unwind(payload),
        Err(_) => panic!("the test did not finish within {LIMIT:?}: something hangs"),
    }
}

/// Waits for a call's handle, with a deadline.
fn wait_for<R>(handle: JoinHandle<R>) -> Result<R, JoinError> {
    loopbridge_core::unstable::park::wait_until(handle, Instant::now() + LIMIT)
        .expect("the call never resolved")
}

fn log(name: &str) -> ThreadBound<Log> {
    ThreadBound::new(name, Log::default).unwrap()
}

#[test]
fn calls_run_in_fifo_order_per_caller_with_a_value_that_is_not_send() {
    watchdog(|| {
        let db = log("fifo");
        let callers: Vec<_> = (0..4_u32)
            .map(|caller| {
                let db = db.clone();
                thread::spawn(move || {
                    let values = (0..25).map(|i| caller * 1000 + i);
                    if caller % 2 == 0 {
                        // Queue all 25 before waiting for any: FIFO must keep their order.
                        let handles: Vec<_> = values
                            .map(|v| (v, db.call(move |log| log.borrow_mut().push(v))))
                            .collect();
                        handles.into_iter().map(|(v, h)| (v, wait_for(h).map(|()| v))).collect()
                    } else {
                        values
                            .map(|v| {
                                let out = db.call_blocking(move |log| {
                                    log.borrow_mut().push(v);
                                    v
                                });
                                (v, out)
                            })
                            .collect::<Vec<_>>()
                    }
                })
            })
            .collect();
        for caller in callers {
            for (v, out) in caller.join().unwrap() {
                assert_eq!(out.unwrap(), v);
            }
        }
        let all = db.call_blocking(|log| log.borrow().clone()).unwrap();
        assert_eq!(all.len(), 100);
        for caller in 0..4 {
            let mine: Vec<u32> = all.iter().copied().filter(|v| v / 1000 == caller).collect();
            assert_eq!(mine, (0..25).map(|i| caller * 1000 + i).collect::<Vec<_>>());
        }
    });
}

#[test]
fn a_panicking_call_reports_its_payload_and_the_value_and_thread_survive() {
    watchdog(|| {
        let db = log("survivor");
        db.call_blocking(|log| log.borrow_mut().push(1)).unwrap();
        let err = db
            .call_blocking(|log| {
                log.borrow_mut().push(2);
                std::panic::panic_any(String::from("call went wrong"))
            })
            .unwrap_err();
        assert!(err.is_panic() && !err.is_cancelled());
        assert_eq!(err.into_panic().downcast_ref::<String>().unwrap(), "call went wrong");
        let (seen, thread) = db
            .call_blocking(|log| {
                (log.borrow().clone(), thread::current().name().map(str::to_owned))
            })
            .unwrap();
        assert_eq!(seen, [1, 2]);
        assert_eq!(thread.as_deref(), Some("survivor"));
    });
}

#[test]
fn call_blocking_from_inside_a_call_on_the_same_thread_bound_fails_at_once() {
    watchdog(|| {
        let db = log("reentrant");
        let same = db.clone();
        let inner = db
            .call_blocking(move |log| {
                log.borrow_mut().push(1);
                let started = Instant::now();
                let inner = same.call_blocking(|log| log.borrow_mut().push(2));
                (inner, started.elapsed())
            })
            .unwrap();
        let (inner, took) = inner;
        let err = inner.unwrap_err();
        assert!(err.is_cancelled());
        assert!(took < Duration::from_secs(1), "it waited {took:?}");
        let message = err.to_string();
        assert!(message.contains("same ThreadBound"), "{message}");
        assert!(message.contains("use `call`"), "{message}");
        // The refused function never ran, and the value is fine.
        assert_eq!(db.call_blocking(|log| log.borrow().clone()).unwrap(), [1]);
    });
}

#[test]
fn call_from_inside_a_call_is_queued_after_it() {
    watchdog(|| {
        let db = log("nested");
        let same = db.clone();
        let inner = db
            .call_blocking(move |log| {
                let inner = same.call(|log| {
                    log.borrow_mut().push(2);
                    log.borrow().clone()
                });
                log.borrow_mut().push(1);
                inner
            })
            .unwrap();
        assert_eq!(wait_for(inner).unwrap(), [1, 2]);
    });
}

/// A `!Send` value that reports, when dropped, on which thread and after how many calls.
struct Owned {
    calls: u32,
    dropped: mpsc::Sender<(Option<String>, u32)>,
    _not_send: PhantomData<Rc<()>>,
}

impl Drop for Owned {
    fn drop(&mut self) {
        let thread = thread::current().name().map(str::to_owned);
        let _ = self.dropped.send((thread, self.calls));
    }
}

#[test]
fn dropping_the_last_handle_drains_queued_calls_then_drops_the_value_on_its_thread() {
    watchdog(|| {
        let (dropped_tx, dropped_rx) = mpsc::channel();
        let db = ThreadBound::new("drainer", move || Owned {
            calls: 0,
            dropped: dropped_tx,
            _not_send: PhantomData,
        })
        .unwrap();
        let other = db.clone();
        // The first call holds the thread until the handles are gone, so every other call
        // is still queued when the last handle is dropped.
        let (gate_tx, gate_rx) = mpsc::channel::<()>();
        let gate = db.call(move |_| gate_rx.recv_timeout(LIMIT).is_ok());
        let handles: Vec<_> = (0..10_u32)
            .map(|i| {
                db.call(move |owned| {
                    thread::sleep(Duration::from_millis(2));
                    owned.calls += 1;
                    i
                })
            })
            .collect();
        drop(db);
        assert!(dropped_rx.try_recv().is_err(), "a clone is still alive");
        let started = Instant::now();
        drop(other); // the last handle: must not wait for the queue
        assert!(started.elapsed() < Duration::from_secs(1));
        gate_tx.send(()).unwrap();
        assert!(wait_for(gate).unwrap(), "the gate call timed out instead of being opened");
        for (i, handle) in (0..10).zip(handles) {
            assert_eq!(wait_for(handle).unwrap(), i);
        }
        let (thread, calls) = dropped_rx.recv_timeout(LIMIT).unwrap();
        assert_eq!(thread.as_deref(), Some("drainer"));
        assert_eq!(calls, 10, "the value was dropped before the queue drained");
    });
}

#[test]
fn a_panicking_factory_cancels_every_call_with_the_reason() {
    watchdog(|| {
        let (gate_tx, gate_rx) = mpsc::channel::<()>();
        let db = ThreadBound::new("doomed", move || -> Rc<u8> {
            let _ = gate_rx.recv_timeout(LIMIT);
            panic!("no database today")
        })
        .unwrap();
        // Queued while the factory is still running.
        let pending: Vec<_> = (0..3).map(|_| db.call(|value| **value)).collect();
        gate_tx.send(()).unwrap();
        for handle in pending {
            let err = wait_for(handle).unwrap_err();
            assert!(err.is_cancelled());
            assert!(err.to_string().contains("factory of this ThreadBound panicked"), "{err}");
        }
        // Made after the thread has ended.
        let err = db.call_blocking(|value| **value).unwrap_err();
        assert!(err.is_cancelled());
        assert!(err.to_string().contains("factory of this ThreadBound panicked"), "{err}");
        let err = wait_for(db.call(|value| **value)).unwrap_err();
        assert!(err.to_string().contains("factory of this ThreadBound panicked"), "{err}");
    });
}

#[test]
fn abort_before_the_call_starts_skips_it() {
    watchdog(|| {
        let db = log("aborter");
        let (gate_tx, gate_rx) = mpsc::channel::<()>();
        let gate = db.call(move |_| gate_rx.recv_timeout(LIMIT).is_ok());
        let skipped = db.call(|log| log.borrow_mut().push(1));
        skipped.abort();
        gate_tx.send(()).unwrap();
        assert!(wait_for(gate).unwrap());
        assert!(wait_for(skipped).unwrap_err().is_cancelled());
        assert!(db.call_blocking(|log| log.borrow().is_empty()).unwrap());
    });
}

#[test]
fn the_thread_has_the_given_name() {
    watchdog(|| {
        let db = log("exactly this name");
        assert_eq!(db.thread_name(), "exactly this name");
        assert_eq!(db.clone().thread_name(), "exactly this name");
        let seen = db.call_blocking(|_| thread::current().name().map(str::to_owned)).unwrap();
        assert_eq!(seen.as_deref(), Some("exactly this name"));
        assert!(format!("{db:?}").contains("exactly this name"));
    });
}

#[test]
fn a_name_that_no_thread_can_have_is_an_io_error() {
    let err = ThreadBound::new("nul\0byte", || 0_u8).unwrap_err();
    assert!(err.is_io());
    assert!(err.to_string().contains("ThreadBound"), "{err}");
}

#[test]
fn thread_bound_is_clone_send_sync_and_debug_for_a_value_that_is_not_send() {
    fn assert_all<T: Clone + Send + Sync + fmt::Debug + 'static>() {}
    assert_all::<ThreadBound<Rc<u8>>>();
    assert_all::<ThreadBound<Log>>();
    assert_all::<ThreadBound<Owned>>();
}
