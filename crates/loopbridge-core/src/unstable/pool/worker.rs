//! The state machine the pool's threads and its handle share: the queue, the counters, the
//! work loop of a thread, and the exit protocol that leaves no thread unjoined.

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::mem;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

// std's types, or loom's under `cfg(loom)`: see `sync.rs`.
use crate::sync::thread::{self, JoinHandle};
use crate::sync::{Condvar, Mutex, MutexGuard, thread_local};

/// How long a thread waits for a job before it exits, unless
/// [`with_idle_timeout`](BlockingPool::with_idle_timeout) says otherwise (tokio's default).
pub(super) const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) type Job = Box<dyn FnOnce() + Send + 'static>;

#[cfg(not(all(test, loom)))]
thread_local! {
    /// The address of the pool state whose thread this is, 0 on other threads: how `shutdown`
    /// recognises a call from one of its own jobs. The thread holds an `Arc` of that state
    /// while the marker is set, so the address cannot be reused by another pool meanwhile.
    static WORKER_OF: Cell<usize> = const { Cell::new(0) };
}

// The same marker for the loom models: loom's `thread_local!` takes no `const` initializer.
#[cfg(all(test, loom))]
thread_local! {
    static WORKER_OF: Cell<usize> = Cell::new(0);
}

/// What the pool threads share with the handle.
pub(super) struct Shared {
    pub(super) name: String,
    pub(super) max_threads: usize,
    pub(super) state: Mutex<State>,
    /// Wakes idle threads: one per spawned job, all at shutdown.
    pub(super) work: Condvar,
    /// Wakes `shutdown` when a thread exits after the close.
    pub(super) exited: Condvar,
}

pub(super) struct State {
    pub(super) queue: VecDeque<Job>,
    pub(super) shutdown: bool,
    pub(super) idle_timeout: Duration,
    /// Threads alive, counting one reserved by `spawn` and not yet started.
    pub(super) threads: usize,
    /// Jobs executing now.
    pub(super) running: usize,
    /// Waiting threads that no spawn has claimed yet. `idle + notified` is always the number
    /// of threads waiting, which is how a timed-out thread knows its exit is accounted for.
    pub(super) idle: usize,
    /// Claims made by spawns and not yet taken by a waiting thread.
    pub(super) notified: usize,
    /// Number for the next thread's name.
    pub(super) next_id: usize,
    /// Handles of started threads, by number, until someone takes them to join.
    pub(super) workers: HashMap<usize, JoinHandle<()>>,
    /// Threads that have exited, whose handle nobody has taken yet. A number can be here
    /// before its handle is in `workers`, if the thread exited before `spawn` stored it.
    pub(super) exited: Vec<usize>,
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        // No user code runs while the lock is held, so a poisoned lock can only come from an
        // allocation failure; the counters are still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the calling thread is one of this pool's.
    pub(super) fn is_current_worker(&self) -> bool {
        let me = std::ptr::from_ref(self).addr();
        // `try_with`: `shutdown` may run in a thread-local destructor, after ours is gone.
        WORKER_OF.try_with(|marker| marker.get() == me).unwrap_or(false)
    }

    /// Closes the pool and wakes every idle thread so that it exits. Returns the queued jobs
    /// for the caller to drop outside the lock, or `None` if the pool was already closed.
    pub(super) fn close(&self) -> Option<VecDeque<Job>> {
        let mut state = self.lock();
        if state.shutdown {
            return None;
        }
        state.shutdown = true;
        let queue = mem::take(&mut state.queue);
        drop(state);
        self.work.notify_all();
        Some(queue)
    }

    /// Starts thread `id`, whose slot `spawn` has reserved.
    pub(super) fn start_thread(this: &Arc<Self>, id: usize) {
        let shared = Arc::clone(this);
        let started = thread::Builder::new()
            .name(format!("{}-blocking-{id}", this.name))
            .spawn(move || shared.work_loop(id));
        let mut state = this.lock();
        match started {
            // If the thread has already exited, its number is in `exited` and the next
            // thread to exit (or `shutdown`) joins it.
            Ok(handle) => {
                state.workers.insert(id, handle);
            }
            Err(_) => {
                state.threads -= 1;
                // With no thread left, nothing would ever run the queue: drop it, so that
                // callers' handles resolve (as cancelled) instead of hanging. With threads
                // left, one of them runs it when its job returns.
                let orphans =
                    if state.threads == 0 { mem::take(&mut state.queue) } else { VecDeque::new() };
                let wake_shutdown = state.shutdown;
                drop(state);
                if wake_shutdown {
                    this.exited.notify_all();
                }
                drop_jobs(orphans);
            }
        }
    }

    /// The body of a pool thread.
    pub(super) fn work_loop(self: Arc<Self>, id: usize) {
        let me = Arc::as_ptr(&self).addr();
        WORKER_OF.with(|marker| marker.set(me));
        let mut state = self.lock();
        loop {
            if let Some(job) = state.queue.pop_front() {
                state.running += 1;
                drop(state);
                contain(job);
                state = self.lock();
                state.running -= 1;
                continue;
            }
            if state.shutdown {
                break;
            }
            let keep_going;
            (state, keep_going) = self.wait_for_work(state);
            if !keep_going {
                break;
            }
        }

        state.threads -= 1;
        // Before recording our own exit: we must not take our own handle.
        let to_join = state.take_exited();
        state.exited.push(id);
        let wake_shutdown = state.shutdown;
        drop(state);
        if wake_shutdown {
            self.exited.notify_all();
        }
        WORKER_OF.with(|marker| marker.set(0));
        // These threads have already left the loop; joining them takes only as long as their
        // thread-local destructors.
        join_all(to_join);
    }

    /// Waits as an idle thread until a spawn claims it (returns `true`: look at the queue) or
    /// until the idle timeout or the shutdown (returns `false`: exit).
    pub(super) fn wait_for_work<'a>(
        &'a self,
        mut state: MutexGuard<'a, State>,
    ) -> (MutexGuard<'a, State>, bool) {
        state.idle += 1;
        let deadline = Instant::now().checked_add(state.idle_timeout);
        loop {
            // A claim is taken before anything else, even by a thread that also timed out, so
            // that the job it announced always finds a thread.
            if state.notified > 0 {
                state.notified -= 1;
                return (state, true);
            }
            // Unclaimed, so `idle` still counts this thread.
            if state.shutdown {
                state.idle -= 1;
                return (state, false);
            }
            state = match deadline {
                None => self.work.wait(state).unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        state.idle -= 1;
                        return (state, false);
                    }
                    let waited = self.work.wait_timeout(state, deadline - now);
                    // Spurious wake-ups and claims taken by another thread just loop; the
                    // deadline stays put.
                    waited.unwrap_or_else(PoisonError::into_inner).0
                }
            };
        }
    }
}

impl State {
    /// Takes the handles of the threads that have exited, to be joined outside the lock.
    pub(super) fn take_exited(&mut self) -> Vec<JoinHandle<()>> {
        let mut handles = Vec::new();
        let workers = &mut self.workers;
        self.exited.retain(|id| match workers.remove(id) {
            Some(handle) => {
                handles.push(handle);
                false
            }
            // Started but not yet stored by its `spawn`: left for a later call.
            None => true,
        });
        handles
    }
}

/// Runs `f`, containing any panic: a pool thread must survive its jobs, and `shutdown` (or a
/// drop) must survive the destructors of the jobs it drops.
pub(super) fn contain(f: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        // The payload's destructor is user code too. Should it panic as well, leak that second
        // payload rather than unwind out of the pool.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
            mem::forget(payload);
        }
    }
}

/// Drops a job that will never run; its destructor runs user code, so never under the lock.
pub(super) fn drop_job(job: Job) {
    contain(move || drop(job));
}

/// Drops jobs that will never run, returning how many there were.
pub(super) fn drop_jobs(jobs: VecDeque<Job>) -> usize {
    let count = jobs.len();
    for job in jobs {
        drop_job(job);
    }
    count
}

/// Joins threads that have left their loop. Never the calling thread: a thread records its
/// own exit only after it has taken the handles it joins, and a thread still in its loop
/// (a job calling `shutdown`) has not recorded it at all.
pub(super) fn join_all(handles: Vec<JoinHandle<()>>) {
    for handle in handles {
        // The thread body catches every panic, so a join error is impossible.
        let _ = handle.join();
    }
}
