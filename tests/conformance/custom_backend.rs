//! An application's own backend (`Bridge::from_backend`, docs/design.md "An open backend"):
//! a backend written here, over an executor loopbridge does not ship, gets the whole facade
//! with the semantics every shipped backend has. The areas that apply to it run on it:
//! spawning and handles (detach, abort, panics), `to_thread`, timers, `block_on` from every
//! calling context, the free functions inside its tasks and jobs, `ThreadBound`, intervals.
//!
//! The backend is the least an executor can be — every task and job on a thread of its own,
//! every timer a job that sleeps — so that nothing here depends on a runtime. It works in every
//! build, so these tests are plain `#[test]`s under the suite's watchdog, not per flavour.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use loopbridge::rt::{BlockingJob, LoopBackend, TaskFuture, park};
use loopbridge::{BackendKind, BlockOnError, Bridge, JoinHandle, ThreadBound};
use loopbridge_tests::{DropFlag, panic_message, with_watchdog};

const KIND: BackendKind = BackendKind::Other("thread-per-task");

/// How long a step that should be immediate may take before the test calls it a hang.
const PATIENCE: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
struct ThreadPerTask;

impl LoopBackend for ThreadPerTask {
    type Timer = JoinHandle<()>;

    fn kind(&self) -> BackendKind {
        KIND
    }

    fn spawn_task<F>(&self, task: TaskFuture<F>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        thread::spawn(move || park::wait(task));
    }

    fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        thread::spawn(move || job.run());
    }

    fn try_block_on_until<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        park::wait_with_deadline(future, deadline)
    }

    fn timer_at(&self, deadline: Instant) -> Self::Timer {
        self.spawn_blocking(move || {
            thread::sleep(deadline.saturating_duration_since(Instant::now()))
        })
    }
}

fn bridge() -> Bridge {
    Bridge::from_backend(ThreadPerTask)
}

#[test]
fn tasks_run_detached_and_their_handles_resolve() {
    with_watchdog(|| {
        let bridge = bridge();
        assert_eq!(bridge.kind(), KIND);
        assert_eq!(bridge.block_on(bridge.spawn(async { 6 * 7 })).unwrap(), 42);
        // Dropping the handle detaches: the task still runs.
        let (ran_tx, ran) = mpsc::channel();
        drop(bridge.spawn(async move { ran_tx.send(()).unwrap() }));
        ran.recv_timeout(PATIENCE).expect("a detached task never ran");
    });
}

#[test]
fn abort_cancels_at_the_next_await_and_runs_the_destructor() {
    with_watchdog(|| {
        let bridge = bridge();
        let (guard, dropped) = DropFlag::new(false);
        let handle = bridge.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        handle.abort();
        let err = bridge.block_on(handle).unwrap_err();
        assert!(err.is_cancelled(), "{err}");
        assert!(dropped.load(Ordering::SeqCst), "the destructor ran before the handle resolved");
    });
}

#[test]
fn a_panic_comes_back_with_its_payload_and_kills_nothing() {
    with_watchdog(|| {
        let bridge = bridge();
        let err =
            bridge.block_on(bridge.spawn(async { panic!("boom in a custom task") })).unwrap_err();
        assert!(err.is_panic());
        assert_eq!(panic_message(&*err.into_panic()), "boom in a custom task");
        let err = bridge.block_on(bridge.to_thread(|| panic!("boom in a job"))).unwrap_err();
        assert_eq!(panic_message(&*err.into_panic()), "boom in a job");
        assert_eq!(bridge.block_on(bridge.spawn(async { 1 })).unwrap(), 1, "still serving");
    });
}

#[test]
fn to_thread_jobs_are_never_cancelled_by_dropping_their_handle() {
    with_watchdog(|| {
        let bridge = bridge();
        let done = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&done);
        let (finished_tx, finished) = mpsc::channel();
        drop(bridge.to_thread(move || {
            thread::sleep(Duration::from_millis(20));
            flag.store(true, Ordering::SeqCst);
            finished_tx.send(()).unwrap();
        }));
        finished.recv_timeout(PATIENCE).expect("a dropped job never finished");
        assert!(done.load(Ordering::SeqCst));
    });
}

#[test]
fn timers_never_fire_early_and_timeout_polls_the_future_first() {
    with_watchdog(|| {
        let bridge = bridge();
        let start = Instant::now();
        bridge.block_on(bridge.sleep(Duration::from_millis(20)));
        assert!(start.elapsed() >= Duration::from_millis(20), "woke early");
        bridge.block_on(bridge.sleep(Duration::ZERO));
        let ready = bridge.block_on(bridge.timeout(Duration::ZERO, async { 5 }));
        assert_eq!(ready.unwrap(), 5, "timeout polls the inner future first");
        let start = Instant::now();
        let late = bridge
            .block_on(bridge.timeout(Duration::from_millis(20), std::future::pending::<()>()));
        assert!(late.is_err() && start.elapsed() >= Duration::from_millis(20));
        let mut interval = bridge.interval(Duration::from_millis(5));
        let start = Instant::now();
        bridge.block_on(async {
            for _ in 0..3 {
                interval.tick().await;
            }
        });
        assert!(
            start.elapsed() >= Duration::from_millis(10),
            "three ticks in {:?}",
            start.elapsed()
        );
    });
}

#[test]
fn free_functions_inside_its_tasks_jobs_and_block_on_use_it() {
    with_watchdog(|| {
        let bridge = bridge();
        let in_task = bridge.block_on(bridge.spawn(async {
            let nested = loopbridge::spawn(async { loopbridge::current() }).await.unwrap();
            (loopbridge::current(), loopbridge::in_async_context(), nested)
        }));
        assert_eq!(in_task.unwrap(), (Some(KIND), true, Some(KIND)));
        let in_job = bridge.block_on(bridge.to_thread(|| {
            (loopbridge::current(), loopbridge::in_async_context(), Bridge::current().kind())
        }));
        assert_eq!(in_job.unwrap(), (Some(KIND), false, KIND));
        let in_block_on = bridge.block_on(async {
            loopbridge::sleep(Duration::from_millis(1)).await;
            loopbridge::to_thread(loopbridge::current).await.unwrap()
        });
        assert_eq!(in_block_on, Some(KIND));
        assert_eq!(loopbridge::current(), None, "the marker is gone after the block_on");
    });
}

#[test]
fn block_on_works_where_blocking_is_safe_and_is_refused_in_its_tasks() {
    with_watchdog(|| {
        let bridge = bridge();
        // A plain thread, and a `to_thread` job: blocking is what they are for.
        assert_eq!(bridge.try_block_on(async { 1 }).unwrap(), 1);
        let inner = bridge.clone();
        let from_job = bridge.block_on(bridge.to_thread(move || inner.try_block_on(async { 2 })));
        assert_eq!(from_job.unwrap().unwrap(), 2);
        // A task of the backend: loopbridge cannot know whether blocking its thread would
        // starve the executor, so it refuses, as on any executor where it could deadlock.
        let inner = bridge.clone();
        let from_task = bridge.block_on(bridge.spawn(async move {
            let err = inner.try_block_on(async { 3 }).unwrap_err();
            (err.is_in_async_context(), loopbridge::try_block_on(async { 4 }).is_err())
        }));
        assert_eq!(from_task.unwrap(), (true, true));
        // A deadline holds whatever the future waits for.
        let start = Instant::now();
        let err = bridge
            .try_block_on_timeout(std::future::pending::<()>(), Duration::from_millis(20))
            .unwrap_err();
        assert!(err.is_timed_out() && start.elapsed() >= Duration::from_millis(20), "{err}");
    });
}

#[test]
fn thread_bound_values_are_served_to_its_tasks() {
    with_watchdog(|| {
        let bridge = bridge();
        let counter = ThreadBound::new("custom-counter", || 0_u32).expect("a thread");
        let sum = bridge.block_on(bridge.spawn(async move {
            for _ in 0..3 {
                counter.call(|n| *n += 1).await.unwrap();
            }
            counter.call(|n| *n).await.unwrap()
        }));
        assert_eq!(sum.unwrap(), 3);
    });
}

/// A backend whose clock is its own: an hour ahead of the wall clock.
#[derive(Clone, Debug)]
struct AnHourAhead;

const HOUR: Duration = Duration::from_secs(3600);

impl LoopBackend for AnHourAhead {
    type Timer = JoinHandle<()>;

    fn kind(&self) -> BackendKind {
        KIND
    }

    fn spawn_task<F>(&self, task: TaskFuture<F>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        ThreadPerTask.spawn_task(task);
    }

    fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        ThreadPerTask.spawn_blocking_job(job);
    }

    fn try_block_on_until<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        ThreadPerTask.try_block_on_until(future, deadline)
    }

    fn timer_at(&self, deadline: Instant) -> Self::Timer {
        ThreadPerTask.timer_at(deadline - HOUR)
    }

    fn now(&self) -> Instant {
        Instant::now() + HOUR
    }
}

#[test]
fn time_now_and_deadlines_read_its_own_clock() {
    with_watchdog(|| {
        let bridge = Bridge::from_backend(AnHourAhead);
        let (wall, now) = bridge.block_on(async { (Instant::now(), loopbridge::time::now()) });
        assert!(now >= wall + HOUR - Duration::from_secs(60), "{now:?} is not its clock");
        let deadline = bridge.block_on(async { loopbridge::sleep(HOUR).deadline() });
        assert!(deadline.is_some_and(|d| d >= wall + 2 * HOUR - Duration::from_secs(60)));
    });
}
