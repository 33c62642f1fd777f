//! [`BlockingPool`]: a bounded pool of named threads for blocking jobs, owned by one runner.
//!
//! The smol and async-std adapters run `to_thread` jobs here instead of on the `blocking`
//! crate's pool: that pool is process-global, so it can be neither bounded per runner nor
//! joined at shutdown (and in blocking 1.7.0 its idle threads never exit). The design is
//! tokio's blocking pool, cut down to what a runner needs.
//!
//! # Protocol
//!
//! One mutex guards the queue and the counters; one condvar wakes idle threads, another wakes
//! a waiting [`shutdown`](BlockingPool::shutdown). No job is ever run or dropped while the lock
//! is held: both run user code, which may block or re-enter the pool.
//!
//! 1. [`spawn`](BlockingPool::spawn) boxes the job and pushes it on the queue. If a thread is
//!    idle and not yet claimed, it is claimed and woken with `notify_one` — never a new thread,
//!    never a thundering herd. Otherwise, if fewer than `max_threads` threads exist, a slot is
//!    reserved under the lock (so the bound holds) and the thread is started outside it.
//!    Otherwise the job waits for the next thread that finishes a job.
//! 2. A thread takes jobs in FIFO order and runs each under `catch_unwind`, so a panicking job
//!    never kills it. When the queue is empty it waits, up to the idle timeout; a thread that
//!    times out without being claimed exits.
//! 3. An exiting thread takes the handles of the threads that exited before it and joins them
//!    after unlocking, so at most one handle of an exited thread is ever left over. That one
//!    is joined by the next thread to exit, or by `shutdown`.
//! 4. [`shutdown`](BlockingPool::shutdown) closes the pool (later spawns drop their job at
//!    once), takes every queued job and drops it outside the lock, wakes all idle threads so
//!    they exit, waits up to its timeout for the threads still running a job, then joins every
//!    thread that has exited. Threads still running a job are left detached; each exits when
//!    its job returns.
//! 5. Dropping the last [`BlockingPool`] clone does step 4 without waiting or joining. Pool
//!    threads hold only the shared state, never a user-facing handle, so they cannot keep the
//!    pool open; the last one to exit frees the state.
//!
//! # Shutdown from a pool thread
//!
//! A job may shut down its own pool. That thread is never joined (a thread cannot join
//! itself) and is not waited for (it cannot finish while it waits); it exits when its job
//! returns. Its job is still counted in [`PoolShutdown::still_running`], because it is: such a
//! shutdown never reports `completed_in_time`.

mod worker;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

// std's types, or loom's under `cfg(loom)`: see `sync.rs`.
use crate::sync::{Condvar, Mutex};

use worker::{DEFAULT_IDLE_TIMEOUT, Job, Shared, State, drop_job, drop_jobs, join_all};

/// A bounded pool of named OS threads that runs blocking jobs; see the [module docs](self).
///
/// Clones share one pool. Threads are started on demand, at most `max_threads` of them, and
/// exit after the idle timeout. Dropping the last clone shuts the pool down without waiting.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use std::time::Duration;
/// use loopbridge_core::unstable::pool::BlockingPool;
///
/// let pool = BlockingPool::new("example", 4);
/// let (tx, rx) = mpsc::channel();
/// pool.spawn(move || tx.send(6 * 7).unwrap());
/// assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok(42));
///
/// let report = pool.shutdown(Duration::from_secs(5));
/// assert!(report.completed_in_time);
/// assert_eq!(pool.threads(), 0);
/// ```
#[derive(Clone)]
pub struct BlockingPool {
    handle: Arc<Handle>,
}

/// What [`BlockingPool::shutdown`] found.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge_core::unstable::pool::{BlockingPool, PoolShutdown};
///
/// let pool = BlockingPool::new("example", 1);
/// let (done_tx, done) = std::sync::mpsc::channel();
/// pool.spawn(move || done_tx.send(()).unwrap());
/// done.recv_timeout(Duration::from_secs(5)).unwrap();
/// let report: PoolShutdown = pool.shutdown(Duration::from_secs(5));
/// assert_eq!((report.dropped_queued, report.still_running), (0, 0));
/// assert!(report.completed_in_time);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PoolShutdown {
    /// Queued jobs that had not started and were dropped without running.
    pub dropped_queued: usize,
    /// Jobs still running when `shutdown` returned; their threads are left detached and exit
    /// when the jobs return. Includes the calling job when a job shuts down its own pool.
    pub still_running: usize,
    /// Whether every job had finished when `shutdown` returned (`still_running == 0`).
    pub completed_in_time: bool,
}

/// The user-facing side: its drop, when the last clone goes, closes the pool. Pool threads
/// never hold one.
struct Handle {
    shared: Arc<Shared>,
}

impl BlockingPool {
    /// A pool whose threads are named `"{thread_name}-blocking-{n}"` (n = 0, 1, …), of at most
    /// `max_threads` threads (at least one). No thread is started until the first job.
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = loopbridge_core::unstable::pool::BlockingPool::new("my-runner", 0); // clamped to 1
    /// assert_eq!(pool.threads(), 0);
    /// ```
    pub fn new(thread_name: impl Into<String>, max_threads: usize) -> Self {
        let shared = Shared {
            name: thread_name.into(),
            max_threads: max_threads.max(1),
            state: Mutex::new(State {
                queue: VecDeque::new(),
                shutdown: false,
                idle_timeout: DEFAULT_IDLE_TIMEOUT,
                threads: 0,
                running: 0,
                idle: 0,
                notified: 0,
                next_id: 0,
                workers: HashMap::new(),
                exited: Vec::new(),
            }),
            work: Condvar::new(),
            exited: Condvar::new(),
        };
        BlockingPool { handle: Arc::new(Handle { shared: Arc::new(shared) }) }
    }

    /// Sets how long a thread waits for a job before it exits (default 10 s). A thread that
    /// is already waiting keeps the timeout it started with.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loopbridge_core::unstable::pool::BlockingPool;
    ///
    /// let pool = BlockingPool::new("short-lived", 2).with_idle_timeout(Duration::from_millis(50));
    /// # drop(pool);
    /// ```
    #[must_use = "the pool is returned, not changed in place"]
    pub fn with_idle_timeout(self, idle: Duration) -> Self {
        self.handle.shared.lock().idle_timeout = idle;
        self
    }

    /// Queues `job`; it runs on a pool thread after the jobs queued before it have started.
    ///
    /// An idle thread is woken if there is one; otherwise a thread is started if fewer than
    /// `max_threads` exist; otherwise the job waits for a thread to finish. After
    /// [`shutdown`](Self::shutdown) (or after the last clone was dropped) the job is dropped at
    /// once without running; wrap it (as [`BlockingJob`](crate::task::BlockingJob) does) if
    /// the caller must learn of that.
    ///
    /// A panic in the job is caught and discarded, and the thread goes on serving; a job that
    /// wants its panic reported must catch it itself.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    /// use loopbridge_core::unstable::pool::BlockingPool;
    ///
    /// let pool = BlockingPool::new("example", 2);
    /// let (tx, rx) = mpsc::channel();
    /// for i in 0..4 {
    ///     let tx = tx.clone();
    ///     pool.spawn(move || tx.send(i * 10).unwrap());
    /// }
    /// let mut got: Vec<i32> =
    ///     (0..4).map(|_| rx.recv_timeout(Duration::from_secs(5)).unwrap()).collect();
    /// got.sort();
    /// assert_eq!(got, [0, 10, 20, 30]);
    /// assert!(pool.threads() <= 2);
    /// ```
    pub fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        let shared = &self.handle.shared;
        // Boxed before locking: the allocation need not hold up other threads.
        let job: Job = Box::new(job);
        let mut state = shared.lock();
        if state.shutdown {
            drop(state);
            drop_job(job);
            return;
        }
        state.queue.push_back(job);
        if state.idle > 0 {
            state.idle -= 1;
            state.notified += 1;
            drop(state);
            // After unlocking, so that the woken thread does not block on the lock at once.
            shared.work.notify_one();
        } else if state.threads < shared.max_threads {
            state.threads += 1;
            let id = state.next_id;
            state.next_id += 1;
            drop(state);
            Shared::start_thread(shared, id);
        }
    }

    /// Shuts the pool down: later spawns drop their job, queued jobs are dropped unrun, idle
    /// threads exit, running jobs get up to `timeout` to finish, and every thread that has
    /// exited is joined. Returns what it found; see [`PoolShutdown`].
    ///
    /// Idempotent: a later call neither waits nor drops anything, and returns promptly with
    /// the jobs running now (joining any thread that has exited since).
    ///
    /// Called from one of the pool's own jobs, it does not wait for that job (it could not
    /// finish) and never joins its thread, but counts it in `still_running`; see the
    /// [module docs](self#shutdown-from-a-pool-thread).
    ///
    /// # Panics
    ///
    /// Never, not even when a dropped job's destructor panics: that panic is caught and
    /// discarded, like one from a job.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    /// use loopbridge_core::unstable::pool::BlockingPool;
    ///
    /// let pool = BlockingPool::new("example", 1);
    /// let (started_tx, started) = mpsc::channel();
    /// let (release, released) = mpsc::channel::<()>();
    /// pool.spawn(move || {
    ///     started_tx.send(()).unwrap();
    ///     let _ = released.recv();
    /// });
    /// pool.spawn(|| unreachable!("dropped by the shutdown, never run"));
    /// started.recv_timeout(Duration::from_secs(5)).unwrap();
    ///
    /// let report = pool.shutdown(Duration::from_millis(10));
    /// assert_eq!((report.dropped_queued, report.still_running), (1, 1));
    /// assert!(!report.completed_in_time);
    ///
    /// drop(release); // the running job returns; its thread exits
    /// ```
    pub fn shutdown(&self, timeout: Duration) -> PoolShutdown {
        let shared = &self.handle.shared;
        // `None` (the timeout overflows an `Instant`) means wait as long as it takes.
        let deadline = Instant::now().checked_add(timeout);
        let closed = shared.close();
        let first_call = closed.is_some();
        let dropped_queued = closed.map_or(0, drop_jobs);

        // The calling thread, if it is ours, exits only after this call returns.
        let own = usize::from(shared.is_current_worker());
        let mut state = shared.lock();
        while first_call && state.threads > own {
            state = match deadline {
                None => shared.exited.wait(state).unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    let waited = shared.exited.wait_timeout(state, deadline - now);
                    waited.unwrap_or_else(PoisonError::into_inner).0
                }
            };
        }
        let still_running = state.running;
        let to_join = state.take_exited();
        drop(state);
        join_all(to_join);
        PoolShutdown { dropped_queued, still_running, completed_in_time: still_running == 0 }
    }

    /// Threads alive now, idle or running a job (one being started counts).
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = loopbridge_core::unstable::pool::BlockingPool::new("example", 2);
    /// assert_eq!(pool.threads(), 0);
    /// pool.spawn(|| {}); // no idle thread: one is started
    /// assert_eq!(pool.threads(), 1);
    /// ```
    pub fn threads(&self) -> usize {
        self.handle.shared.lock().threads
    }

    /// Jobs executing now.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    ///
    /// let pool = loopbridge_core::unstable::pool::BlockingPool::new("example", 2);
    /// let (started_tx, started) = mpsc::channel();
    /// let (release, released) = mpsc::channel::<()>();
    /// pool.spawn(move || {
    ///     started_tx.send(()).unwrap();
    ///     let _ = released.recv();
    /// });
    /// started.recv_timeout(Duration::from_secs(5)).unwrap();
    /// assert_eq!(pool.running(), 1);
    /// drop(release);
    /// ```
    pub fn running(&self) -> usize {
        self.handle.shared.lock().running
    }

    /// Jobs waiting for a thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    ///
    /// let pool = loopbridge_core::unstable::pool::BlockingPool::new("example", 1);
    /// let (started_tx, started) = mpsc::channel();
    /// let (release, released) = mpsc::channel::<()>();
    /// pool.spawn(move || {
    ///     started_tx.send(()).unwrap();
    ///     let _ = released.recv();
    /// });
    /// started.recv_timeout(Duration::from_secs(5)).unwrap();
    /// pool.spawn(|| {}); // the only thread is busy
    /// assert_eq!(pool.queued(), 1);
    /// drop(release);
    /// ```
    pub fn queued(&self) -> usize {
        self.handle.shared.lock().queue.len()
    }

    /// Whether the pool was shut down; it then drops every job it is given.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let pool = loopbridge_core::unstable::pool::BlockingPool::new("example", 1);
    /// assert!(!pool.is_shut_down());
    /// pool.shutdown(Duration::ZERO);
    /// assert!(pool.is_shut_down());
    /// ```
    pub fn is_shut_down(&self) -> bool {
        self.handle.shared.lock().shutdown
    }
}

#[cfg(all(test, loom))]
impl BlockingPool {
    /// Whether every thread the pool started has been joined (for the loom models).
    pub(crate) fn joined_all(&self) -> bool {
        self.handle.shared.lock().workers.is_empty()
    }
}

impl fmt::Debug for BlockingPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shared = &self.handle.shared;
        let state = shared.lock();
        f.debug_struct("BlockingPool")
            .field("thread_name", &shared.name)
            .field("max_threads", &shared.max_threads)
            .field("threads", &state.threads)
            .field("running", &state.running)
            .field("queued", &state.queue.len())
            .field("shut_down", &state.shutdown)
            .finish()
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // Nobody can spawn or wait any more: close, drop the queue, and let the threads exit
        // on their own; the last one frees the shared state.
        if let Some(queue) = self.shared.close() {
            drop_jobs(queue);
        }
    }
}
