//! The run queue of one [`LocalScope`](super::LocalScope): local tasks, their wakers, and the
//! ready queue that connects them.
//!
//! The tasks live in a `!Send` map owned by the scope's thread; a waker holds only the task's
//! id and the shared ready queue. That split is what makes the executor safe without `unsafe`:
//! a `!Send` future can never reach another thread, even through a waker that does.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Wake, Waker};

use crate::JoinHandle;
use crate::task::TaskFuture;

/// How many local tasks one poll of a [`Drive`](super::Drive) runs at most before it lets the
/// main future and the runtime have a turn (tokio's `LocalSet` runs 61 per tick).
///
/// # Examples
///
/// ```
/// use std::{cell::Cell, rc::Rc};
/// use loopbridge_core::local::{self, BUDGET, LocalScope};
///
/// // Twice the budget of ready tasks: the first poll of the `Drive` runs at most `BUDGET`.
/// let ran = Rc::new(Cell::new(0));
/// let scope = LocalScope::enter();
/// let mut drive = std::pin::pin!(scope.drive(std::future::pending::<()>()));
/// for _ in 0..2 * BUDGET {
///     let ran = Rc::clone(&ran);
///     drop(local::try_spawn_local(async move { ran.set(ran.get() + 1) }));
/// }
/// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// assert!(drive.as_mut().poll(&mut cx).is_pending());
/// assert_eq!(ran.get(), BUDGET);
/// ```
pub const BUDGET: usize = 64;

/// The local tasks of one scope.
pub(super) struct Executor {
    shared: Arc<Shared>,
    /// Pending tasks by id; ids grow, so iteration (and the final drop) is in spawn order.
    tasks: RefCell<BTreeMap<u64, LocalTask>>,
    next_id: Cell<u64>,
}

struct LocalTask {
    future: Pin<Box<dyn Future<Output = ()>>>,
    waker: Waker,
    state: Arc<TaskWaker>,
}

/// What wakers on any thread share with the scope's thread.
struct Shared {
    state: Mutex<Ready>,
}

struct Ready {
    /// Ids of tasks to poll, in the order they became ready.
    queue: VecDeque<u64>,
    /// Wakes the scope's `Drive`.
    driver: Option<Waker>,
    /// The scope has ended: nothing will ever be polled again.
    closed: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Ready> {
        // No user code runs under this lock; a poisoned lock still holds consistent data.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `id` and wakes the driver if the queue was empty (otherwise it has been woken
    /// already, or is running and sees the id before it returns).
    fn push(&self, id: u64) {
        let driver = {
            let mut ready = self.lock();
            if ready.closed {
                return;
            }
            ready.queue.push_back(id);
            if ready.queue.len() > 1 {
                return;
            }
            ready.driver.clone()
        };
        if let Some(driver) = driver {
            driver.wake();
        }
    }
}

/// A local task's waker: it may travel to any thread, so it carries only the task's id.
struct TaskWaker {
    id: u64,
    shared: Arc<Shared>,
    /// Set while the id is in the ready queue, so that many wakes queue it once.
    queued: AtomicBool,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.shared.push(self.id);
        }
    }
}

impl Executor {
    /// An executor whose driver is woken through `driver` until the driver registers itself.
    pub(super) fn new(driver: Option<Waker>) -> Self {
        let ready = Ready { queue: VecDeque::new(), driver, closed: false };
        Executor {
            shared: Arc::new(Shared { state: Mutex::new(ready) }),
            tasks: RefCell::new(BTreeMap::new()),
            next_id: Cell::new(0),
        }
    }

    /// Queues `future` as a new task, ready to run.
    pub(super) fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let (task, handle) = TaskFuture::new(future);
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let state =
            Arc::new(TaskWaker { id, shared: Arc::clone(&self.shared), queued: true.into() });
        let waker = Waker::from(Arc::clone(&state));
        let task = LocalTask { future: Box::pin(task), waker, state };
        self.tasks.borrow_mut().insert(id, task);
        self.shared.push(id);
        handle
    }

    /// Runs up to [`BUDGET`] ready tasks, and says whether more are ready. `driver` is woken
    /// when a task becomes ready later.
    pub(super) fn run_ready(&self, driver: &Waker) -> bool {
        {
            let mut ready = self.shared.lock();
            match &ready.driver {
                Some(known) if known.will_wake(driver) => {}
                _ => ready.driver = Some(driver.clone()),
            }
        }
        for _ in 0..BUDGET {
            let Some(id) = self.shared.lock().queue.pop_front() else { return false };
            // Taken out of the map while it runs, so that it can spawn (or its destructor can
            // abort) other local tasks. An id may be stale: its task finished since the wake.
            let Some(mut task) = self.tasks.borrow_mut().remove(&id) else { continue };
            // Cleared before the poll: a wake during the poll must queue the task again.
            task.state.queued.store(false, Ordering::Release);
            let mut cx = Context::from_waker(&task.waker);
            // `TaskFuture` catches every panic of the user's future; nothing unwinds here.
            if task.future.as_mut().poll(&mut cx).is_pending() {
                self.tasks.borrow_mut().insert(id, task);
            }
        }
        !self.shared.lock().queue.is_empty()
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        {
            // Late wakes from other threads now do nothing, and hold on to nothing.
            let mut ready = self.shared.lock();
            ready.closed = true;
            ready.queue = VecDeque::new();
            ready.driver = None;
        }
        // Each `TaskFuture` dropped unfinished drops its future here, on the scope's thread,
        // catching a panic from its destructor, and resolves its handle as cancelled.
        let tasks = std::mem::take(self.tasks.get_mut());
        drop(tasks);
    }
}
