//! Runtime-free tests of the task protocol: every executor gets these semantics for free.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use super::{BlockingJob, JoinError, JoinHandle, TaskFuture};

fn poll_once<F: Future>(fut: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(Waker::noop()))
}

fn run<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(v) = poll_once(fut.as_mut()) {
            return v;
        }
    }
}

/// Sets a flag when dropped, optionally panicking.
struct Probe {
    dropped: Arc<AtomicBool>,
    panic_on_drop: bool,
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
        if self.panic_on_drop {
            panic!("destructor panic");
        }
    }
}

fn pending_with_probe(panic_on_drop: bool) -> (impl Future<Output = ()>, Arc<AtomicBool>) {
    let dropped = Arc::new(AtomicBool::new(false));
    let probe = Probe { dropped: Arc::clone(&dropped), panic_on_drop };
    let fut = async move {
        let _probe = probe;
        std::future::pending::<()>().await;
    };
    (fut, dropped)
}

#[test]
fn completes_with_value() {
    let (task, handle) = TaskFuture::new(async { 5 });
    assert!(!handle.is_finished());
    run(task);
    assert!(handle.is_finished());
    assert_eq!(run(handle).unwrap(), 5);
}

#[test]
fn panic_is_reported_with_payload() {
    let (task, handle) = TaskFuture::new(async { std::panic::panic_any(17_u32) });
    run(task);
    let err = run(handle).unwrap_err();
    assert!(err.is_panic() && !err.is_cancelled());
    assert_eq!(*err.into_panic().downcast::<u32>().unwrap(), 17);
}

#[test]
fn abort_before_first_poll_never_polls_and_drops() {
    let polled = Arc::new(AtomicUsize::new(0));
    let (fut, dropped) = pending_with_probe(false);
    let p = Arc::clone(&polled);
    let (task, handle) = TaskFuture::new(async move {
        p.fetch_add(1, Ordering::SeqCst);
        fut.await;
    });
    handle.abort();
    run(task);
    assert_eq!(polled.load(Ordering::SeqCst), 0);
    assert!(dropped.load(Ordering::SeqCst));
    assert!(run(handle).unwrap_err().is_cancelled());
}

#[test]
fn abort_wakes_a_parked_task() {
    struct CountWake(AtomicUsize);
    impl std::task::Wake for CountWake {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let counter = Arc::new(CountWake(AtomicUsize::new(0)));
    let waker = Waker::from(Arc::clone(&counter));
    let (fut, dropped) = pending_with_probe(false);
    let (task, handle) = TaskFuture::new(fut);
    let mut task = pin!(task);
    assert!(task.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
    handle.abort();
    assert_eq!(counter.0.load(Ordering::SeqCst), 1, "abort must wake the task");
    assert!(!dropped.load(Ordering::SeqCst), "cancellation happens on the executor");
    assert!(task.as_mut().poll(&mut Context::from_waker(&waker)).is_ready());
    assert!(dropped.load(Ordering::SeqCst));
    assert!(run(handle).unwrap_err().is_cancelled());
}

#[test]
fn abort_requested_during_a_pending_poll_is_carried_out_in_that_poll() {
    // The abort arrives while the future is being polled, before the task has recorded a
    // waker: nobody would wake the task for it, so the same poll must carry it out.
    let slot: Arc<std::sync::OnceLock<super::AbortHandle>> = Arc::default();
    let (fut, dropped) = pending_with_probe(false);
    let inner = Arc::clone(&slot);
    let (task, handle) = TaskFuture::new(async move {
        inner.get().expect("set before the first poll").abort();
        fut.await;
    });
    assert!(slot.set(task.abort_handle()).is_ok());
    let mut task = pin!(task);
    assert!(poll_once(task.as_mut()).is_ready(), "aborted within the poll");
    assert!(dropped.load(Ordering::SeqCst));
    assert!(run(handle).unwrap_err().is_cancelled());
}

#[test]
fn abort_after_completion_keeps_the_value() {
    let (task, handle) = TaskFuture::new(async { "kept" });
    run(task);
    handle.abort();
    assert_eq!(run(handle).unwrap(), "kept");
}

#[test]
fn destructor_panic_during_abort_is_caught() {
    let (fut, dropped) = pending_with_probe(true);
    let (task, handle) = TaskFuture::new(fut);
    let mut task = pin!(task);
    assert!(poll_once(task.as_mut()).is_pending());
    handle.abort();
    assert!(poll_once(task.as_mut()).is_ready()); // no panic escapes
    assert!(dropped.load(Ordering::SeqCst));
    let err = run(handle).unwrap_err();
    assert!(err.is_panic());
    assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "destructor panic");
}

#[test]
fn destructor_panic_when_executor_drops_task_is_caught() {
    let (fut, dropped) = pending_with_probe(true);
    let (task, handle) = TaskFuture::new(fut);
    drop(task); // must not panic
    assert!(dropped.load(Ordering::SeqCst));
    assert!(run(handle).unwrap_err().is_panic());
}

#[test]
fn dropped_task_resolves_cancelled() {
    let (task, handle) = TaskFuture::new(async { 1 });
    drop(task);
    assert!(run(handle).unwrap_err().is_cancelled());
}

#[test]
fn dropping_the_handle_detaches() {
    let (task, handle) = TaskFuture::new(async { 1 });
    drop(handle);
    run(task); // still runs to completion, nobody listening
}

#[test]
#[should_panic(expected = "polled after it returned")]
fn polling_after_completion_panics() {
    let (task, handle) = TaskFuture::new(async {});
    run(task);
    let mut handle = pin!(handle);
    let _ = run(handle.as_mut());
    let _ = poll_once(handle.as_mut());
}

#[test]
fn blocking_job_runs_panics_and_cancels() {
    let (job, handle) = BlockingJob::new(|| 3);
    job.run();
    assert_eq!(run(handle).unwrap(), 3);

    let (job, handle) = BlockingJob::new(|| -> () { panic!("in job") });
    job.run();
    assert!(run(handle).unwrap_err().is_panic());

    let ran = Arc::new(AtomicBool::new(false));
    let r = Arc::clone(&ran);
    let (job, handle) = BlockingJob::new(move || r.store(true, Ordering::SeqCst));
    handle.abort();
    job.run();
    assert!(!ran.load(Ordering::SeqCst), "an aborted job that has not started is skipped");
    assert!(run(handle).unwrap_err().is_cancelled());

    let (job, handle) = BlockingJob::new(|| 1);
    drop(job);
    assert!(run(handle).unwrap_err().is_cancelled());
}

#[test]
fn blocking_job_survives_handle_drop() {
    let ran = Arc::new(AtomicBool::new(false));
    let r = Arc::clone(&ran);
    let (job, handle) = BlockingJob::new(move || r.store(true, Ordering::SeqCst));
    drop(handle);
    job.run();
    assert!(ran.load(Ordering::SeqCst));
}

#[test]
fn join_error_display_and_conversions() {
    assert_eq!(JoinError::cancelled().to_string(), "task was cancelled");
    let err = JoinError::panic(Box::new(String::from("owned")));
    assert_eq!(err.to_string(), "task panicked with message \"owned\"");
    assert_eq!(format!("{err:?}"), "JoinError::Panic(\"owned\", ...)");
    assert!(JoinError::cancelled().try_into_panic().is_err());
    let io: std::io::Error = JoinError::cancelled().into();
    assert_eq!(io.kind(), std::io::ErrorKind::Other);
}

#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn unpin<T: Unpin>() {}
    send_sync::<JoinHandle<u8>>();
    send_sync::<JoinError>();
    send_sync::<crate::BlockOnError>();
    send_sync::<crate::Elapsed>();
    send_sync::<crate::Error>();
    unpin::<JoinHandle<std::cell::Cell<u8>>>();
}
