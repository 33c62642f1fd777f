//! Runtime-free tests of local tasks: every backend's `block_on` gets these semantics.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, ThreadId};

use super::{BUDGET, LocalScope, is_driven, try_spawn_local};
use crate::park;
use crate::time::YieldNow;

/// Runs `f`'s future to completion inside a fresh scope, as a `block_on` does.
fn block_on<F: Future>(future: F) -> F::Output {
    let scope = LocalScope::enter();
    park::wait(scope.drive(future))
}

/// Records the thread its destructor ran on.
struct DropProbe(Rc<Cell<Option<ThreadId>>>);

impl Drop for DropProbe {
    fn drop(&mut self) {
        self.0.set(Some(thread::current().id()));
    }
}

/// Pending until its waker is woken from elsewhere; counts its polls.
#[derive(Clone, Default)]
struct Gate(Arc<Mutex<(bool, Option<Waker>)>>);

impl Gate {
    fn open(&self) {
        let waker = {
            let mut state = self.0.lock().unwrap();
            state.0 = true;
            state.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Future for Gate {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.0.lock().unwrap();
        if state.0 {
            return Poll::Ready(());
        }
        state.1 = Some(cx.waker().clone());
        Poll::Pending
    }
}

#[test]
fn outside_a_scope_spawn_local_fails_and_drops_the_future() {
    let probe = Rc::new(Cell::new(None));
    let guard = DropProbe(Rc::clone(&probe));
    let err = try_spawn_local(async move { drop(guard) }).unwrap_err();
    assert!(err.to_string().contains("a thread outside any loopbridge `block_on`"), "{err}");
    assert_eq!(probe.get(), Some(thread::current().id()), "the future was dropped at once");
}

#[test]
fn local_tasks_share_rc_state_and_run_in_spawn_order() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let out = block_on({
        let log = Rc::clone(&log);
        async move {
            let handles: Vec<_> = (0..5)
                .map(|i| {
                    let log = Rc::clone(&log);
                    try_spawn_local(async move { log.borrow_mut().push(i) }).unwrap()
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
            log.borrow().clone()
        }
    });
    assert_eq!(out, [0, 1, 2, 3, 4]);
}

#[test]
#[expect(clippy::async_yields_async, reason = "the handle is awaited after its scope ended")]
fn pending_local_tasks_are_cancelled_on_this_thread_when_the_scope_ends() {
    let probe = Rc::new(Cell::new(None));
    let (handle, polled) = {
        let scope = LocalScope::enter();
        let guard = DropProbe(Rc::clone(&probe));
        let polled = Rc::new(Cell::new(false));
        let seen = Rc::clone(&polled);
        let handle = park::wait(scope.drive(async move {
            let handle = try_spawn_local(async move {
                let _guard = guard;
                seen.set(true);
                std::future::pending::<()>().await;
            })
            .unwrap();
            YieldNow::new().await; // the task runs once, then waits forever
            handle
        }));
        assert!(probe.get().is_none(), "still pending while the scope lasts");
        (handle, polled)
    };
    assert!(polled.get());
    assert_eq!(probe.get(), Some(thread::current().id()));
    assert!(park::wait(handle).unwrap_err().is_cancelled());
}

#[test]
fn a_panicking_local_task_reports_its_payload_and_the_scope_goes_on() {
    let (err, after) = block_on(async {
        let err = try_spawn_local(async { std::panic::panic_any(5_u8) }).unwrap().await;
        let after = try_spawn_local(async { "still running" }).unwrap().await;
        (err.unwrap_err(), after.unwrap())
    });
    assert_eq!(*err.into_panic().downcast::<u8>().unwrap(), 5);
    assert_eq!(after, "still running");
}

#[test]
fn abort_cancels_a_local_task_at_its_next_await() {
    let probe = Rc::new(Cell::new(None));
    let guard = DropProbe(Rc::clone(&probe));
    let err = block_on(async move {
        let handle = try_spawn_local(async move {
            let _guard = guard;
            Gate::default().await; // never opened
        })
        .unwrap();
        YieldNow::new().await;
        handle.abort();
        handle.await.unwrap_err()
    });
    assert!(err.is_cancelled());
    assert_eq!(probe.get(), Some(thread::current().id()));
}

#[test]
fn a_dropped_handle_detaches_the_local_task() {
    let ran = Rc::new(Cell::new(false));
    let seen = Rc::clone(&ran);
    block_on(async move {
        drop(try_spawn_local(async move { seen.set(true) }).unwrap());
        while !ran.get() {
            YieldNow::new().await;
        }
    });
}

#[test]
fn a_wake_from_another_thread_reaches_the_local_task() {
    let gate = Gate::default();
    let opener = gate.clone();
    let out = block_on(async move {
        let handle = try_spawn_local(async move {
            gate.await;
            Rc::new("woken")
        })
        .unwrap();
        let thread = thread::spawn(move || opener.open());
        let out = handle.await.unwrap();
        thread.join().unwrap();
        out
    });
    assert_eq!(*out, "woken");
}

#[test]
fn many_ready_tasks_share_the_thread_with_the_main_future() {
    let counter = Rc::new(Cell::new(0_usize));
    let main_polls = Rc::new(Cell::new(0_usize));
    let polls = Rc::clone(&main_polls);
    let tasks = 10 * BUDGET;
    block_on({
        let counter = Rc::clone(&counter);
        async move {
            for _ in 0..tasks {
                let counter = Rc::clone(&counter);
                drop(try_spawn_local(async move { counter.set(counter.get() + 1) }).unwrap());
            }
            // Yields until every task ran: each poll of the main future is one more turn.
            std::future::poll_fn(|cx| {
                polls.set(polls.get() + 1);
                if counter.get() == tasks {
                    return Poll::Ready(());
                }
                cx.waker().wake_by_ref();
                Poll::Pending
            })
            .await;
        }
    });
    assert_eq!(counter.get(), tasks);
    // 10 budgets' worth of tasks took at least 10 turns: the main future was polled between
    // batches instead of waiting for all of them.
    assert!(main_polls.get() >= 10, "{} polls", main_polls.get());
}

#[test]
fn a_task_spawned_between_polls_wakes_the_driver() {
    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let count = Arc::new(Count(AtomicUsize::new(0)));
    let waker = Waker::from(Arc::clone(&count));
    let scope = LocalScope::enter();
    let mut drive = pin!(scope.drive(std::future::pending::<()>()));
    assert!(drive.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
    // As a task of a one-thread runner does: spawned on the thread, but not from the driver.
    let ran = Rc::new(Cell::new(false));
    let seen = Rc::clone(&ran);
    drop(try_spawn_local(async move { seen.set(true) }).unwrap());
    assert_eq!(count.0.load(Ordering::SeqCst), 1, "the driver was woken");
    assert!(drive.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
    assert!(ran.get());
}

#[test]
fn scopes_nest_and_the_innermost_receives_new_tasks() {
    let outer_ran = Rc::new(Cell::new(false));
    let seen = Rc::clone(&outer_ran);
    block_on(async move {
        drop(try_spawn_local(async move { seen.set(true) }).unwrap());
        let inner_probe = Rc::new(Cell::new(None));
        let guard = DropProbe(Rc::clone(&inner_probe));
        let inner = block_on(async move {
            let pending = try_spawn_local(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            });
            drop(pending);
            try_spawn_local(async { 1 }).unwrap().await.unwrap()
        });
        assert_eq!(inner, 1);
        assert!(inner_probe.get().is_some(), "the inner scope cancelled its own task");
        assert!(is_driven(), "the outer scope is back");
        while !outer_ran.get() {
            YieldNow::new().await;
        }
    });
    assert!(!is_driven());
}

#[test]
#[expect(clippy::async_yields_async, reason = "the handle is awaited after its scope ended")]
fn a_wake_after_the_scope_ended_is_ignored() {
    let gate = Gate::default();
    let opener = gate.clone();
    let handle = block_on(async move {
        let handle = try_spawn_local(gate).unwrap();
        YieldNow::new().await; // the task is now parked on the gate
        handle
    });
    opener.open(); // its waker fires into a closed queue
    assert!(park::wait(handle).unwrap_err().is_cancelled());
}

#[test]
fn an_inner_scope_without_local_tasks_leaves_the_outer_ones_alone() {
    let probe = Rc::new(Cell::new(None));
    let guard = DropProbe(Rc::clone(&probe));
    let ran = Rc::new(Cell::new(false));
    let seen = Rc::clone(&ran);
    let outer_probe = Rc::clone(&probe);
    block_on(async move {
        let pending = try_spawn_local(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        YieldNow::new().await;
        // Inner scopes that never spawn (a nested `block_on` of a ready future, and one that
        // waits once) must not touch the outer scope's tasks.
        assert_eq!(block_on(async { 1 }), 1);
        block_on(YieldNow::new());
        assert!(outer_probe.get().is_none(), "the outer scope's task is still pending");
        drop(try_spawn_local(async move { seen.set(true) }).unwrap());
        while !ran.get() {
            YieldNow::new().await;
        }
        drop(pending);
    });
    assert_eq!(probe.get(), Some(thread::current().id()));
}

#[test]
fn a_local_task_may_block_on_with_local_tasks_of_its_own() {
    let out = block_on(async {
        let outer = try_spawn_local(async {
            // A nested `block_on` inside a local task: its own scope, its own local tasks,
            // while the outer scope's executor is in the middle of running this task.
            let inner = block_on(async { try_spawn_local(async { 20 }).unwrap().await.unwrap() });
            inner + try_spawn_local(async { 1 }).unwrap().await.unwrap()
        });
        outer.unwrap().await.unwrap() * 2
    });
    assert_eq!(out, 42);
}
