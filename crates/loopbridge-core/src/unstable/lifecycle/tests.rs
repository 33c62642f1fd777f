use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::*;
use crate::sync::AtomicBool;
use crate::task::TaskFuture;

fn poll_once<F: Future>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(std::task::Waker::noop()))
}

fn registered(lifecycle: &Lifecycle) -> usize {
    lifecycle.registry.as_ref().map_or(0, |r| lock(r).len())
}

#[test]
fn finished_tasks_are_not_counted_as_cancelled() {
    let lifecycle = Lifecycle::new();
    let (task, _handle) = TaskFuture::new(async {});
    let mut tracked = Box::pin(track_task(Some(&lifecycle), task).unwrap());
    assert!(poll_once(tracked.as_mut()).is_ready());
    lifecycle.close();
    drop(tracked);
    assert_eq!((lifecycle.live_tasks(), lifecycle.cancelled_tasks()), (0, 0));
}

#[test]
fn closed_lifecycle_refuses_tasks_and_jobs() {
    let lifecycle = Lifecycle::new();
    lifecycle.close();
    let (task, handle) = TaskFuture::new(async { 1 });
    assert!(track_task(Some(&lifecycle), task).is_none());
    assert!(handle.is_finished(), "a refused task resolves its handle at once");
    assert!(track_job(Some(&lifecycle), || ()).is_none());
    assert_eq!((lifecycle.live_tasks(), lifecycle.cancelled_tasks()), (0, 0));
}

#[test]
fn untracked_tasks_and_jobs_run_as_they_are() {
    let (task, handle) = TaskFuture::new(async { 1 });
    let mut tracked = Box::pin(track_task(None, task).unwrap());
    assert!(poll_once(tracked.as_mut()).is_ready());
    assert_eq!(crate::park::wait(handle).unwrap(), 1);
    let ran = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&ran);
    track_job(None, move || flag.store(true, Ordering::SeqCst)).unwrap()();
    assert!(ran.load(Ordering::SeqCst));
}

#[test]
fn a_job_queued_before_the_close_is_dropped_when_it_would_start() {
    let lifecycle = Lifecycle::new();
    let ran = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&ran);
    let job = track_job(Some(&lifecycle), move || flag.store(true, Ordering::SeqCst)).unwrap();
    lifecycle.close();
    job();
    assert!(!ran.load(Ordering::SeqCst), "a job queued before the close started after it");
    assert_eq!(lifecycle.running_jobs(), 0);
}

#[test]
fn registry_aborts_every_live_task_once() {
    let lifecycle = Lifecycle::with_abort_registry();
    // A task registers at its first `Pending`.
    let track = |tracked: &mut Vec<_>| {
        let (task, _handle) = TaskFuture::new(std::future::pending::<()>());
        let mut task = Box::pin(track_task(Some(&lifecycle), task).unwrap());
        assert!(poll_once(task.as_mut()).is_pending());
        tracked.push(task);
    };
    let mut tracked = Vec::new();
    for _ in 0..3 {
        track(&mut tracked);
    }
    drop(tracked.remove(1));
    track(&mut tracked);
    assert_eq!(registered(&lifecycle), 3, "a dropped task leaves the registry");
    lifecycle.close();
    assert_eq!(lifecycle.cancelled_tasks(), 3);
    for task in &mut tracked {
        assert!(poll_once(task.as_mut()).is_ready(), "every live task was aborted");
    }
    drop(tracked);
    assert_eq!((lifecycle.live_tasks(), lifecycle.cancelled_tasks()), (0, 3));
}

#[test]
fn a_task_done_in_its_first_poll_never_registers() {
    let lifecycle = Lifecycle::with_abort_registry();
    let (task, handle) = TaskFuture::new(async { 1 });
    let mut tracked = Box::pin(track_task(Some(&lifecycle), task).unwrap());
    assert!(poll_once(tracked.as_mut()).is_ready());
    assert_eq!(registered(&lifecycle), 0);
    assert!(handle.is_finished());
    drop(tracked);
    assert_eq!(lifecycle.live_tasks(), 0);
}

#[test]
fn an_unpolled_task_cancels_itself_after_the_close_and_is_counted_once() {
    let lifecycle = Lifecycle::with_abort_registry();
    let polled = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&polled);
    let (task, handle) = TaskFuture::new(async move { flag.store(true, Ordering::SeqCst) });
    let mut tracked = Box::pin(track_task(Some(&lifecycle), task).unwrap());
    lifecycle.close();
    assert_eq!(lifecycle.cancelled_tasks(), 0, "the close could not see it");
    assert!(poll_once(tracked.as_mut()).is_ready());
    assert!(!polled.load(Ordering::SeqCst), "the future was polled after the close");
    assert!(handle.is_finished());
    drop(tracked);
    assert_eq!((lifecycle.live_tasks(), lifecycle.cancelled_tasks()), (0, 1));
}

#[test]
fn registry_aborts_live_tasks_on_close() {
    let lifecycle = Lifecycle::with_abort_registry();
    let (task, handle) = TaskFuture::new(std::future::pending::<()>());
    let mut tracked = Box::pin(track_task(Some(&lifecycle), task).unwrap());
    assert!(poll_once(tracked.as_mut()).is_pending());
    lifecycle.close();
    assert!(poll_once(tracked.as_mut()).is_ready(), "the abort reached the task");
    assert!(handle.is_finished());
    assert_eq!(lifecycle.cancelled_tasks(), 1);
    drop(tracked);
    assert_eq!(lifecycle.live_tasks(), 0);
}

#[test]
fn wait_for_tasks_returns_once_the_last_task_is_dropped() {
    let lifecycle = Lifecycle::new();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (task, handle) = TaskFuture::new(std::future::pending::<()>());
            (track_task(Some(&lifecycle), task).unwrap(), handle)
        })
        .collect();
    let (tasks, handles): (Vec<_>, Vec<_>) = tasks.into_iter().unzip();
    lifecycle.close();
    let dropper = std::thread::spawn(move || {
        for task in tasks {
            std::thread::yield_now();
            drop(task);
        }
    });
    lifecycle.wait_for_tasks();
    assert!(handles.iter().all(crate::JoinHandle::is_finished), "a handle left unresolved");
    assert_eq!(lifecycle.cancelled_tasks(), 8);
    dropper.join().unwrap();
}

#[test]
fn a_native_task_is_counted_like_a_tracked_one() {
    // (pending at the close, finished, panicked) -> cancelled only the first, as `track_task`.
    let lifecycle = Lifecycle::new();
    let pending = track_native(Some(&lifecycle), std::future::pending::<()>()).ok().unwrap();
    let mut pending = Box::pin(pending);
    assert!(poll_once(pending.as_mut()).is_pending());
    let mut finished = Box::pin(track_native(Some(&lifecycle), async { 1 }).ok().unwrap());
    assert_eq!(poll_once(finished.as_mut()), Poll::Ready(1));
    let mut panicked =
        Box::pin(track_native(Some(&lifecycle), async { panic!("boom") }).ok().unwrap());
    let unwound =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| poll_once(panicked.as_mut())));
    assert!(unwound.is_err());
    assert_eq!(lifecycle.live_tasks(), 3);
    lifecycle.close();
    assert!(track_native(Some(&lifecycle), async {}).is_err(), "refused after the close");
    drop((pending, finished, panicked));
    assert_eq!((lifecycle.live_tasks(), lifecycle.cancelled_tasks()), (0, 1));
}
