//! `ThreadBound`: a `!Send` value on a thread of its own, called from tasks of every flavour.
//!
//! Each body makes its own `ThreadBound` (the handle is `Send`, the value never leaves its
//! thread), so the tests are independent of one another.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use loopbridge::ThreadBound;

/// `Rc` makes the value `!Send`: only the owning thread can ever touch it.
type Log = Rc<RefCell<Vec<u32>>>;

fn log(name: &str) -> ThreadBound<Log> {
    ThreadBound::new(name, Log::default).expect("start the ThreadBound thread")
}

fn thread_name() -> Option<String> {
    std::thread::current().name().map(str::to_owned)
}

#[loopbridge::test]
async fn call_runs_on_the_owning_thread_never_on_the_executor() {
    let db = log("tb-owner");
    let task_thread = thread_name();
    let (thread, current, in_async) = db
        .call(|log| {
            log.borrow_mut().push(1);
            (thread_name(), loopbridge::current(), loopbridge::in_async_context())
        })
        .await
        .unwrap();
    assert_eq!(thread.as_deref(), Some("tb-owner"));
    assert_ne!(thread, task_thread);
    // A plain thread to loopbridge: no runtime, not an executor.
    assert_eq!(current, None);
    assert!(!in_async);
    assert_eq!(db.call(|log| log.borrow().clone()).await.unwrap(), [1]);
    // So sync code inside a call may block on async code (through the global runner).
    let blocked = db.call(|_| loopbridge::block_on(async { 6 * 7 })).await.unwrap();
    assert_eq!(blocked, 42);
}

#[loopbridge::test]
async fn concurrent_tasks_share_one_thread_bound_in_order() {
    let db = log("tb-shared");
    let tasks: Vec<_> = (0..4_u32)
        .map(|task| {
            let db = db.clone();
            loopbridge::spawn(async move {
                // Queue all calls before awaiting any: FIFO keeps each task's order.
                let handles: Vec<_> = (0..25)
                    .map(|i| {
                        let v = task * 1000 + i;
                        db.call(move |log| {
                            log.borrow_mut().push(v);
                            v * 2
                        })
                    })
                    .collect();
                for (i, handle) in (0..25).zip(handles) {
                    assert_eq!(handle.await.unwrap(), (task * 1000 + i) * 2);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let all = db.call(|log| log.borrow().clone()).await.unwrap();
    assert_eq!(all.len(), 100);
    for task in 0..4 {
        let mine: Vec<u32> = all.iter().copied().filter(|v| v / 1000 == task).collect();
        assert_eq!(mine, (0..25).map(|i| task * 1000 + i).collect::<Vec<_>>());
    }
}

#[loopbridge::test]
async fn a_panicking_call_is_a_join_error_and_later_calls_work() {
    let db = log("tb-panics");
    let err = db
        .call(|log| {
            log.borrow_mut().push(7);
            panic!("call went wrong")
        })
        .await
        .unwrap_err();
    assert!(err.is_panic());
    assert_eq!(*err.into_panic().downcast_ref::<&str>().unwrap(), "call went wrong");
    let (seen, thread) = db.call(|log| (log.borrow().clone(), thread_name())).await.unwrap();
    assert_eq!(seen, [7]);
    assert_eq!(thread.as_deref(), Some("tb-panics"));
}

#[loopbridge::test]
async fn call_blocking_works_from_a_to_thread_job() {
    let db = log("tb-blocking");
    let from_job = db.clone();
    let (len, thread) = loopbridge::to_thread(move || {
        from_job
            .call_blocking(|log| {
                log.borrow_mut().push(3);
                (log.borrow().len(), thread_name())
            })
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(len, 1);
    assert_eq!(thread.as_deref(), Some("tb-blocking"));
    assert_eq!(db.call(|log| log.borrow().clone()).await.unwrap(), [3]);
}

#[loopbridge::test]
async fn call_blocking_from_inside_a_call_fails_at_once() {
    let db = log("tb-reentrant");
    let same = db.clone();
    let (inner, took) = db
        .call(move |_| {
            let started = Instant::now();
            let inner = same.call_blocking(|log| log.borrow_mut().push(1));
            (inner, started.elapsed())
        })
        .await
        .unwrap();
    let err = inner.unwrap_err();
    assert!(err.is_cancelled());
    assert!(took < Duration::from_secs(1), "it waited {took:?}");
    assert!(err.to_string().contains("same ThreadBound"), "{err}");
    assert!(db.call(|log| log.borrow().is_empty()).await.unwrap(), "the refused call ran");
}

#[loopbridge::test]
async fn dropping_the_last_handle_in_a_task_does_not_block_and_drains() {
    let db = log("tb-drop");
    // The first call holds the thread until the handle is gone, so the others are queued.
    let (gate_tx, gate_rx) = mpsc::channel::<()>();
    let gate = db.call(move |_| gate_rx.recv_timeout(Duration::from_secs(10)).is_ok());
    let handles: Vec<_> = (0..5_u32)
        .map(|i| {
            db.call(move |log| {
                log.borrow_mut().push(i);
                log.borrow().len()
            })
        })
        .collect();
    let started = Instant::now();
    drop(db); // on an executor thread; joining the owning thread here would stall it
    assert!(started.elapsed() < Duration::from_secs(1));
    gate_tx.send(()).unwrap();
    assert!(gate.await.unwrap(), "the gate call timed out instead of being opened");
    for (expected, handle) in (1..).zip(handles) {
        assert_eq!(handle.await.unwrap(), expected);
    }
}

#[loopbridge::test]
async fn a_panicking_factory_resolves_awaited_calls_instead_of_hanging() {
    let db = ThreadBound::new("tb-doomed", || -> Log { panic!("no value today") }).unwrap();
    let err = db.call(|log| log.borrow().len()).await.unwrap_err();
    assert!(err.is_cancelled());
    assert!(err.to_string().contains("factory"), "{err}");
}

#[test]
fn thread_bound_is_clone_send_sync_and_debug_for_a_value_that_is_not_send() {
    fn handle<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}
    handle::<ThreadBound<Rc<u8>>>();
    handle::<ThreadBound<Log>>();
}
