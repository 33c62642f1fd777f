//! Models of the task cell shared by a task and its handle: an abort racing a task that
//! parks, and a result racing a handle that waits, each side polled again with the waker
//! it recorded (the cell's lock-free path).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use loom::thread;

use super::block_on;
use crate::task::TaskFuture;

/// Pending forever, after waking itself once: the second poll comes with the same waker, so
/// the task parks the second time without the cell's lock.
struct WakeOnceThenPending(bool);

impl Future for WakeOnceThenPending {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if !self.0 {
            self.0 = true;
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}

/// Polls the inner future twice per poll, so that a pending handle is polled again with the
/// waker it just recorded (the cell's lock-free path) before its thread sleeps.
struct PollTwice<F>(F);

impl<F: Future + Unpin> Future for PollTwice<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        if let Poll::Ready(output) = Pin::new(&mut self.0).poll(cx) {
            return Poll::Ready(output);
        }
        Pin::new(&mut self.0).poll(cx)
    }
}

/// An abort from another thread always ends a task that parks for the first time: the task
/// records its waker under the lock, and checks for an abort there.
#[test]
fn an_abort_always_reaches_a_task_that_parks() {
    abort_reaches(std::future::pending::<()>);
}

/// An abort from another thread always ends a task parked again with the waker it recorded
/// (without the lock): the abort wakes that waker.
#[test]
fn an_abort_always_reaches_a_task_that_parks_again() {
    abort_reaches(|| WakeOnceThenPending(false));
}

fn abort_reaches<F: Future<Output = ()> + Send + 'static>(future: fn() -> F) {
    loom::model(move || {
        let (task, handle) = TaskFuture::new(future());
        let abort = task.abort_handle();
        let aborter = thread::spawn(move || abort.abort());
        block_on(task); // only the abort ends it
        aborter.join().expect("the aborting thread");
        assert!(block_on(handle).expect_err("aborted").is_cancelled());
    });
}

/// A result stored by another thread always reaches a waiting handle, whether the handle
/// recorded its waker under the lock or found it recorded already: no wake-up is lost.
#[test]
fn a_result_always_reaches_a_waiting_handle() {
    loom::model(|| {
        let (task, handle) = TaskFuture::new(async { 7 });
        let runner = thread::spawn(move || block_on(task));
        assert_eq!(block_on(PollTwice(handle)).expect("completed"), 7);
        runner.join().expect("the task's thread");
    });
}
