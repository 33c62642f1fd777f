//! loom models of the shutdown state machine ([`Lifecycle`]): every interleaving (up to loom's
//! preemption bound) of a close racing a spawn, a blocking job and a blocked `block_on`; and of
//! the task cell shared by a task and its handle: an abort racing a task that parks, and a
//! result racing a handle that waits, each side polled again with the waker it recorded (the
//! cell's lock-free path).
//!
//! Run with `cargo xtask loom` (`RUSTFLAGS="--cfg loom"`, release mode, a bounded
//! `LOOM_MAX_PREEMPTIONS`). Compiled only under `cfg(all(test, loom))`.
//!
//! Wakers here are std wakers whose `wake` notifies a loom `Notify`: a wake-up that is lost
//! leaves a thread waiting forever, which loom reports as a deadlock.

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::Notify;
use loom::thread;

use crate::lifecycle::Lifecycle;
use crate::sync::{AtomicBool, Ordering};
use crate::task::TaskFuture;
use std::sync::Arc;

/// A waker that notifies a loom `Notify`.
struct NotifyWaker(loom::sync::Arc<Notify>);

impl Wake for NotifyWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.notify();
    }
}

/// Polls `future` on this loom thread until it is ready, sleeping on its waker in between.
fn block_on<F: Future>(future: F) -> F::Output {
    let notify = loom::sync::Arc::new(Notify::new());
    let waker = Waker::from(std::sync::Arc::new(NotifyWaker(loom::sync::Arc::clone(&notify))));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        notify.wait();
    }
}

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// A caller blocked in `block_on` on a future that never completes is always answered by a
/// close: `until_closed` registers its waker so that no close can slip between its check and
/// its sleep.
#[test]
fn a_close_always_answers_a_blocked_block_on() {
    loom::model(|| {
        let lifecycle = Lifecycle::new();
        let closer = Arc::clone(&lifecycle);
        let close = thread::spawn(move || {
            closer.close();
        });
        let outcome = block_on(lifecycle.until_closed(std::future::pending::<()>()));
        assert!(outcome.expect_err("only a close ends it").is_shut_down());
        close.join().expect("the closing thread");
    });
}

/// A spawn racing a close on a runtime that cancels its own tasks (tokio, smol): the task is
/// either refused at once or spawned and later dropped by the shutdown, and the report counts
/// it as cancelled exactly when it was spawned. No task is lost or counted twice.
#[test]
fn a_spawn_racing_a_close_is_refused_or_cancelled_exactly_once() {
    loom::model(|| {
        let lifecycle = Lifecycle::new();
        let closer = Arc::clone(&lifecycle);
        let close = thread::spawn(move || {
            closer.close();
        });
        let (task, handle) = TaskFuture::new(std::future::pending::<()>());
        let spawned = lifecycle.track_task(task);
        let was_spawned = spawned.is_some();
        close.join().expect("the closing thread");
        // The runtime's shutdown drops whatever it still holds.
        drop(spawned);
        assert_eq!(lifecycle.live_tasks(), 0);
        assert_eq!(lifecycle.cancelled_tasks(), usize::from(was_spawned));
        assert!(handle.is_finished(), "a refused or dropped task resolves its handle");
    });
}

/// The same race on a runtime that cannot be shut down (async-std), where the close aborts
/// the tasks of its registry: the task is refused, or spawned and aborted by the close; the
/// report counts it as cancelled exactly when it was spawned.
#[test]
fn a_spawn_racing_a_close_with_a_registry_is_counted_exactly_once() {
    loom::model(|| {
        let lifecycle = Lifecycle::with_abort_registry();
        let closer = Arc::clone(&lifecycle);
        let close = thread::spawn(move || {
            closer.close();
        });
        let (task, handle) = TaskFuture::new(std::future::pending::<()>());
        let spawned = lifecycle.track_task(task).map(Box::pin);
        let was_spawned = spawned.is_some();
        if let Some(mut task) = spawned {
            // The executor polls the task; only the close's abort ends it.
            while poll_once(task.as_mut()).is_pending() {
                thread::yield_now();
            }
        }
        close.join().expect("the closing thread");
        assert_eq!(lifecycle.live_tasks(), 0);
        assert_eq!(lifecycle.cancelled_tasks(), usize::from(was_spawned));
        assert!(handle.is_finished());
    });
}

/// A blocking job racing a close, and the shutdown that reads the running jobs after the
/// close: if that read saw none running, no job may start afterwards (a shutdown that reported
/// "nothing running" must not be contradicted by a job that runs later).
#[test]
fn no_blocking_job_starts_after_a_shutdown_saw_none_running() {
    loom::model(|| {
        let lifecycle = Lifecycle::new();
        let saw_idle = Arc::new(AtomicBool::new(false));
        let (closer, idle) = (Arc::clone(&lifecycle), Arc::clone(&saw_idle));
        let shutdown = thread::spawn(move || {
            closer.close();
            if closer.running_jobs() == 0 {
                idle.store(true, Ordering::SeqCst);
            }
        });
        let started_late = Arc::new(AtomicBool::new(false));
        let (idle, late) = (Arc::clone(&saw_idle), Arc::clone(&started_late));
        if let Some(job) = lifecycle.track_job(move || {
            if idle.load(Ordering::SeqCst) {
                late.store(true, Ordering::SeqCst);
            }
        }) {
            job();
        }
        shutdown.join().expect("the shutdown thread");
        assert!(!started_late.load(Ordering::SeqCst), "a job started after the shutdown saw none");
        assert_eq!(lifecycle.running_jobs(), 0);
    });
}

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
