//! Models of the shutdown state machine: a close racing a spawn, a blocking job and a
//! blocked `block_on`.

use std::sync::Arc;

use loom::thread;

use super::{block_on, poll_once};
use crate::lifecycle::{self, Lifecycle, UntilClosed};
use crate::sync::{AtomicBool, Ordering};
use crate::task::TaskFuture;

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
        let outcome = block_on(UntilClosed::new(Some(&lifecycle), std::future::pending::<()>()));
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
        let spawned = lifecycle::track_task(Some(&lifecycle), task);
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
        let spawned = lifecycle::track_task(Some(&lifecycle), task).map(Box::pin);
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
        if let Some(job) = lifecycle::track_job(Some(&lifecycle), move || {
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

/// A shutdown waiting for the tasks is always woken by the drop of the last one, however the
/// drop and the close interleave: the drop signals under the waiter's mutex when it sees the
/// close, and the waiter checks the count under that mutex.
#[test]
fn the_last_task_dropped_always_wakes_a_waiting_shutdown() {
    loom::model(|| {
        let lifecycle = Lifecycle::new();
        let (task, _handle) = TaskFuture::new(std::future::pending::<()>());
        let tracked = lifecycle::track_task(Some(&lifecycle), task).expect("open");
        let runtime = thread::spawn(move || drop(tracked));
        lifecycle.close();
        lifecycle.wait_for_tasks(); // a lost wake-up is a deadlock, which loom reports
        runtime.join().expect("the runtime's thread");
        assert_eq!(lifecycle.live_tasks(), 0);
    });
}
