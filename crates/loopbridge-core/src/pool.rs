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

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::mem;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

// std's types, or loom's under `cfg(loom)`: see `sync.rs`.
use crate::sync::thread::{self, JoinHandle};
use crate::sync::{Condvar, Mutex, MutexGuard, thread_local};

/// How long a thread waits for a job before it exits, unless
/// [`with_idle_timeout`](BlockingPool::with_idle_timeout) says otherwise (tokio's default).
const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

type Job = Box<dyn FnOnce() + Send + 'static>;

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
/// use loopbridge_core::pool::BlockingPool;
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
/// use loopbridge_core::pool::{BlockingPool, PoolShutdown};
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

/// What the pool threads share with the handle.
struct Shared {
    name: String,
    max_threads: usize,
    state: Mutex<State>,
    /// Wakes idle threads: one per spawned job, all at shutdown.
    work: Condvar,
    /// Wakes `shutdown` when a thread exits after the close.
    exited: Condvar,
}

struct State {
    queue: VecDeque<Job>,
    shutdown: bool,
    idle_timeout: Duration,
    /// Threads alive, counting one reserved by `spawn` and not yet started.
    threads: usize,
    /// Jobs executing now.
    running: usize,
    /// Waiting threads that no spawn has claimed yet. `idle + notified` is always the number
    /// of threads waiting, which is how a timed-out thread knows its exit is accounted for.
    idle: usize,
    /// Claims made by spawns and not yet taken by a waiting thread.
    notified: usize,
    /// Number for the next thread's name.
    next_id: usize,
    /// Handles of started threads, by number, until someone takes them to join.
    workers: HashMap<usize, JoinHandle<()>>,
    /// Threads that have exited, whose handle nobody has taken yet. A number can be here
    /// before its handle is in `workers`, if the thread exited before `spawn` stored it.
    exited: Vec<usize>,
}

impl BlockingPool {
    /// A pool whose threads are named `"{thread_name}-blocking-{n}"` (n = 0, 1, …), of at most
    /// `max_threads` threads (at least one). No thread is started until the first job.
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = loopbridge_core::pool::BlockingPool::new("my-runner", 0); // clamped to 1
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
    /// use loopbridge_core::pool::BlockingPool;
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
    /// use loopbridge_core::pool::BlockingPool;
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
    /// use loopbridge_core::pool::BlockingPool;
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
    /// let pool = loopbridge_core::pool::BlockingPool::new("example", 2);
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
    /// let pool = loopbridge_core::pool::BlockingPool::new("example", 2);
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
    /// let pool = loopbridge_core::pool::BlockingPool::new("example", 1);
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
    /// let pool = loopbridge_core::pool::BlockingPool::new("example", 1);
    /// assert!(!pool.is_shut_down());
    /// pool.shutdown(Duration::ZERO);
    /// assert!(pool.is_shut_down());
    /// ```
    pub fn is_shut_down(&self) -> bool {
        self.handle.shared.lock().shutdown
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

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // No user code runs while the lock is held, so a poisoned lock can only come from an
        // allocation failure; the counters are still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the calling thread is one of this pool's.
    fn is_current_worker(&self) -> bool {
        let me = std::ptr::from_ref(self).addr();
        // `try_with`: `shutdown` may run in a thread-local destructor, after ours is gone.
        WORKER_OF.try_with(|marker| marker.get() == me).unwrap_or(false)
    }

    /// Closes the pool and wakes every idle thread so that it exits. Returns the queued jobs
    /// for the caller to drop outside the lock, or `None` if the pool was already closed.
    fn close(&self) -> Option<VecDeque<Job>> {
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
    fn start_thread(this: &Arc<Self>, id: usize) {
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
    fn work_loop(self: Arc<Self>, id: usize) {
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
    fn wait_for_work<'a>(
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
    fn take_exited(&mut self) -> Vec<JoinHandle<()>> {
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
fn contain(f: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
        // The payload's destructor is user code too. Should it panic as well, leak that second
        // payload rather than unwind out of the pool.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
            mem::forget(payload);
        }
    }
}

/// Drops a job that will never run; its destructor runs user code, so never under the lock.
fn drop_job(job: Job) {
    contain(move || drop(job));
}

/// Drops jobs that will never run, returning how many there were.
fn drop_jobs(jobs: VecDeque<Job>) -> usize {
    let count = jobs.len();
    for job in jobs {
        drop_job(job);
    }
    count
}

/// Joins threads that have left their loop. Never the calling thread: a thread records its
/// own exit only after it has taken the handles it joins, and a thread still in its loop
/// (a job calling `shutdown`) has not recorded it at all.
fn join_all(handles: Vec<JoinHandle<()>>) {
    for handle in handles {
        // The thread body catches every panic, so a join error is impossible.
        let _ = handle.join();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::mpsc::{self, Sender};
    use std::sync::{Arc, Condvar, Mutex};
    use std::thread;
    use std::time::{Duration, Instant};

    use super::{BlockingPool, PoolShutdown};

    /// Upper bound on every wait, so that a broken pool fails a test instead of hanging it.
    const WAIT: Duration = Duration::from_secs(10);

    /// A door jobs wait at until the test opens it (or `WAIT` passes).
    #[derive(Clone, Default)]
    struct Gate(Arc<(Mutex<bool>, Condvar)>);

    impl Gate {
        fn open(&self) {
            *self.0.0.lock().unwrap() = true;
            self.0.1.notify_all();
        }

        fn wait(&self) {
            let open = self.0.0.lock().unwrap();
            let (open, _) = self.0.1.wait_timeout_while(open, WAIT, |open| !*open).unwrap();
            assert!(*open, "gate never opened");
        }
    }

    /// Counts its drop and reports it on a channel.
    struct DropProbe {
        drops: Arc<AtomicUsize>,
        tx: Option<Sender<()>>,
    }

    impl Drop for DropProbe {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Ordering::SeqCst);
            if let Some(tx) = &self.tx {
                let _ = tx.send(());
            }
        }
    }

    /// Polls a condition that has no event to wait on (a thread's exit), for at most `WAIT`.
    fn eventually(mut condition: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if condition() {
                return true;
            }
            thread::sleep(Duration::from_millis(1));
        }
        condition()
    }

    /// Occupies a pool thread until `gate` opens; reports its start on `started`.
    fn blocker(pool: &BlockingPool, gate: &Gate, started: &Sender<()>) {
        let (gate, started) = (gate.clone(), started.clone());
        pool.spawn(move || {
            started.send(()).unwrap();
            gate.wait();
        });
    }

    #[test]
    fn is_send_sync_and_debug() {
        fn assert_send_sync<T: Send + Sync + Clone + std::fmt::Debug + 'static>() {}
        assert_send_sync::<BlockingPool>();
        assert_send_sync::<PoolShutdown>();
        let debug = format!("{:?}", BlockingPool::new("dbg", 3));
        assert!(debug.contains("\"dbg\"") && debug.contains("max_threads: 3"), "{debug}");
    }

    #[test]
    fn jobs_run_and_return_results() {
        let pool = BlockingPool::new("results", 4);
        let (tx, rx) = mpsc::channel();
        for i in 0..20_u64 {
            let tx = tx.clone();
            pool.spawn(move || tx.send(i * i).unwrap());
        }
        let mut got: Vec<u64> = (0..20).map(|_| rx.recv_timeout(WAIT).unwrap()).collect();
        got.sort_unstable();
        assert_eq!(got, (0..20).map(|i| i * i).collect::<Vec<_>>());
        assert!(pool.shutdown(WAIT).completed_in_time);
    }

    #[test]
    fn jobs_start_in_fifo_order() {
        let pool = BlockingPool::new("fifo", 1);
        let (gate, (started_tx, started)) = (Gate::default(), mpsc::channel());
        blocker(&pool, &gate, &started_tx);
        started.recv_timeout(WAIT).unwrap();
        let (tx, rx) = mpsc::channel();
        for i in 0..10 {
            let tx = tx.clone();
            pool.spawn(move || tx.send(i).unwrap());
        }
        assert_eq!(pool.queued(), 10);
        gate.open();
        let order: Vec<i32> = (0..10).map(|_| rx.recv_timeout(WAIT).unwrap()).collect();
        assert_eq!(order, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn max_threads_bound_holds_under_50_blocking_jobs() {
        const MAX: usize = 4;
        let pool = BlockingPool::new("bounded", MAX);
        let (gate, (started_tx, started)) = (Gate::default(), mpsc::channel());
        let (current, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (done_tx, done) = mpsc::channel();
        for _ in 0..50 {
            let (gate, started_tx, done_tx) = (gate.clone(), started_tx.clone(), done_tx.clone());
            let (current, peak) = (Arc::clone(&current), Arc::clone(&peak));
            pool.spawn(move || {
                let now = current.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                started_tx.send(()).unwrap();
                gate.wait();
                current.fetch_sub(1, Ordering::SeqCst);
                done_tx.send(()).unwrap();
            });
            assert!(pool.threads() <= MAX);
        }
        for _ in 0..MAX {
            started.recv_timeout(WAIT).unwrap();
        }
        // Every thread is held at the gate: a fifth job cannot start.
        assert!(started.recv_timeout(Duration::from_millis(50)).is_err());
        assert_eq!((pool.threads(), pool.running(), pool.queued()), (MAX, MAX, 50 - MAX));
        gate.open();
        for _ in 0..50 {
            done.recv_timeout(WAIT).unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), MAX);
        assert!(pool.threads() <= MAX);
        assert!(pool.shutdown(WAIT).completed_in_time);
    }

    #[test]
    fn max_threads_is_clamped_to_one() {
        let pool = BlockingPool::new("clamped", 0);
        let (gate, (started_tx, started)) = (Gate::default(), mpsc::channel());
        blocker(&pool, &gate, &started_tx);
        blocker(&pool, &gate, &started_tx);
        started.recv_timeout(WAIT).unwrap();
        assert_eq!((pool.threads(), pool.queued()), (1, 1));
        gate.open();
        started.recv_timeout(WAIT).unwrap();
    }

    #[test]
    fn threads_are_named() {
        let pool = BlockingPool::new("namer", 2);
        let (tx, rx) = mpsc::channel();
        pool.spawn(move || tx.send(thread::current().name().map(String::from)).unwrap());
        let name = rx.recv_timeout(WAIT).unwrap().expect("pool threads are named");
        let number = name.strip_prefix("namer-blocking-").expect("named after the pool");
        assert!(number.parse::<usize>().is_ok(), "{name}");
    }

    #[test]
    fn spawn_wakes_an_idle_thread_instead_of_starting_one() {
        let pool = BlockingPool::new("reuse", 8);
        let (tx, rx) = mpsc::channel();
        let first = tx.clone();
        pool.spawn(move || first.send(thread::current().id()).unwrap());
        let id = rx.recv_timeout(WAIT).unwrap();
        for _ in 0..20 {
            // The last job has sent its result but may not be back in the idle state yet.
            assert!(eventually(|| pool.handle.shared.lock().idle == 1));
            let tx = tx.clone();
            pool.spawn(move || tx.send(thread::current().id()).unwrap());
            assert_eq!(pool.threads(), 1, "an idle thread existed");
            assert_eq!(rx.recv_timeout(WAIT).unwrap(), id);
        }
    }

    #[test]
    fn idle_threads_exit_after_the_idle_timeout() {
        let pool = BlockingPool::new("idler", 4).with_idle_timeout(Duration::from_millis(50));
        let (gate, (started_tx, started)) = (Gate::default(), mpsc::channel());
        for _ in 0..3 {
            blocker(&pool, &gate, &started_tx);
        }
        for _ in 0..3 {
            started.recv_timeout(WAIT).unwrap();
        }
        assert_eq!(pool.threads(), 3);
        gate.open();
        assert!(eventually(|| pool.threads() == 0), "idle threads did not exit");
        // Exited threads are reaped: at most the last one's handle is left.
        assert!(pool.handle.shared.lock().workers.len() <= 1);
        // The pool starts threads again on demand.
        let (tx, rx) = mpsc::channel();
        pool.spawn(move || tx.send(()).unwrap());
        rx.recv_timeout(WAIT).unwrap();
        let report = pool.shutdown(WAIT);
        assert!(report.completed_in_time);
        assert!(pool.handle.shared.lock().workers.is_empty(), "shutdown joins every thread");
    }

    #[test]
    fn panicking_job_does_not_kill_the_pool() {
        let pool = BlockingPool::new("panicky", 1);
        let (tx, rx) = mpsc::channel();
        let panicker = tx.clone();
        pool.spawn(move || {
            panicker.send(thread::current().id()).unwrap();
            // `resume_unwind` skips the panic hook: no noise in the test output.
            std::panic::resume_unwind(Box::new("job panic"));
        });
        let first = rx.recv_timeout(WAIT).unwrap();
        pool.spawn(move || tx.send(thread::current().id()).unwrap());
        assert_eq!(rx.recv_timeout(WAIT).unwrap(), first, "the same thread serves on");
        assert_eq!(pool.threads(), 1);
        assert!(pool.shutdown(WAIT).completed_in_time);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "leaks the second payload on purpose (see `contain`), a leak to Miri"
    )]
    fn panic_payload_whose_drop_panics_is_contained() {
        struct Nasty;
        impl Drop for Nasty {
            fn drop(&mut self) {
                std::panic::resume_unwind(Box::new("payload drop panic"));
            }
        }
        let pool = BlockingPool::new("nasty", 1);
        pool.spawn(|| std::panic::resume_unwind(Box::new(Nasty)));
        let (tx, rx) = mpsc::channel();
        pool.spawn(move || tx.send(()).unwrap());
        rx.recv_timeout(WAIT).unwrap();
        assert_eq!(pool.threads(), 1);
    }

    #[test]
    fn shutdown_drops_queued_jobs_unrun() {
        let pool = BlockingPool::new("dropper", 1);
        let (gate, (started_tx, started)) = (Gate::default(), mpsc::channel());
        blocker(&pool, &gate, &started_tx);
        started.recv_timeout(WAIT).unwrap();
        let (drops, ran) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)));
        let (dropped_tx, dropped) = mpsc::channel();
        for _ in 0..5 {
            let probe = DropProbe { drops: Arc::clone(&drops), tx: Some(dropped_tx.clone()) };
            let ran = Arc::clone(&ran);
            pool.spawn(move || {
                let _probe = probe;
                ran.store(true, Ordering::SeqCst);
            });
        }
        // Release the blocker only once the queue is gone, so it cannot take a queued job.
        let releaser = thread::spawn(move || {
            for _ in 0..5 {
                dropped.recv_timeout(WAIT).unwrap();
            }
            gate.open();
        });
        let report = pool.shutdown(WAIT);
        releaser.join().unwrap();
        assert_eq!(
            (report.dropped_queued, report.still_running, report.completed_in_time),
            (5, 0, true)
        );
        assert_eq!(drops.load(Ordering::SeqCst), 5);
        assert!(!ran.load(Ordering::SeqCst));
        assert_eq!((pool.threads(), pool.queued()), (0, 0));
    }

    #[test]
    fn shutdown_waits_for_a_job_that_finishes_in_time() {
        let pool = BlockingPool::new("waiter", 2);
        let (started_tx, started) = mpsc::channel();
        let finished = Arc::new(AtomicBool::new(false));
        let job_finished = Arc::clone(&finished);
        pool.spawn(move || {
            started_tx.send(()).unwrap();
            thread::sleep(Duration::from_millis(100)); // the work shutdown must wait for
            job_finished.store(true, Ordering::SeqCst);
        });
        started.recv_timeout(WAIT).unwrap();
        let report = pool.shutdown(WAIT);
        assert!(finished.load(Ordering::SeqCst), "shutdown returned before the job finished");
        assert_eq!(
            report,
            PoolShutdown { dropped_queued: 0, still_running: 0, completed_in_time: true }
        );
        assert_eq!(pool.threads(), 0);
    }

    #[test]
    fn shutdown_reports_a_job_that_outlives_the_timeout() {
        let pool = BlockingPool::new("outlive", 2);
        let (gate, (started_tx, started)) = (Gate::default(), mpsc::channel());
        blocker(&pool, &gate, &started_tx);
        started.recv_timeout(WAIT).unwrap();
        let begun = Instant::now();
        let report = pool.shutdown(Duration::from_millis(50));
        assert!(begun.elapsed() >= Duration::from_millis(50));
        assert_eq!(
            report,
            PoolShutdown { dropped_queued: 0, still_running: 1, completed_in_time: false }
        );
        assert!(pool.is_shut_down());
        gate.open();
        // The detached thread exits when its job returns.
        assert!(eventually(|| pool.threads() == 0));
        // A second call returns promptly with the state now, and joins what has exited.
        let begun = Instant::now();
        let again = pool.shutdown(Duration::from_secs(60));
        assert!(begun.elapsed() < Duration::from_secs(5));
        assert_eq!(
            again,
            PoolShutdown { dropped_queued: 0, still_running: 0, completed_in_time: true }
        );
        assert!(pool.handle.shared.lock().workers.is_empty());
    }

    #[test]
    fn second_shutdown_does_not_wait() {
        let pool = BlockingPool::new("twice", 1);
        let (gate, (started_tx, started)) = (Gate::default(), mpsc::channel());
        blocker(&pool, &gate, &started_tx);
        started.recv_timeout(WAIT).unwrap();
        assert_eq!(pool.shutdown(Duration::ZERO).still_running, 1);
        let begun = Instant::now();
        let again = pool.shutdown(Duration::from_secs(60));
        assert!(begun.elapsed() < Duration::from_secs(5));
        assert_eq!((again.still_running, again.completed_in_time), (1, false));
        gate.open();
    }

    #[test]
    fn shutdown_from_inside_a_job_does_not_deadlock() {
        let pool = BlockingPool::new("inside", 2);
        let (gate, (started_tx, started)) = (Gate::default(), mpsc::channel());
        blocker(&pool, &gate, &started_tx); // job B, which the shutdown must wait for
        started.recv_timeout(WAIT).unwrap();
        let (report_tx, report) = mpsc::channel();
        let go = Gate::default();
        let (inner, inner_go, inner_started) = (pool.clone(), go.clone(), started_tx.clone());
        pool.spawn(move || {
            inner_started.send(()).unwrap();
            inner_go.wait();
            // A long timeout: returning early proves the caller's own job is not waited for.
            report_tx.send(inner.shutdown(Duration::from_secs(60))).unwrap();
        });
        started.recv_timeout(WAIT).unwrap();
        pool.spawn(|| unreachable!("queued behind two busy threads, dropped by the shutdown"));
        assert_eq!(pool.queued(), 1);
        go.open();
        // Let the inner shutdown start before releasing B, so that it really waits for it.
        assert!(eventually(|| pool.is_shut_down()));
        gate.open();
        let report = report.recv_timeout(WAIT).expect("shutdown from a job returned");
        // The calling job is still running, and says so.
        assert_eq!(
            report,
            PoolShutdown { dropped_queued: 1, still_running: 1, completed_in_time: false }
        );
        assert!(eventually(|| pool.threads() == 0));
        let after = pool.shutdown(WAIT);
        assert!(after.completed_in_time);
        assert!(pool.handle.shared.lock().workers.is_empty());
    }

    #[test]
    fn spawn_after_shutdown_drops_the_job() {
        let pool = BlockingPool::new("late", 1);
        assert!(pool.shutdown(WAIT).completed_in_time);
        let drops = Arc::new(AtomicUsize::new(0));
        let probe = DropProbe { drops: Arc::clone(&drops), tx: None };
        let ran = Arc::new(AtomicBool::new(false));
        let job_ran = Arc::clone(&ran);
        pool.spawn(move || {
            let _probe = probe;
            job_ran.store(true, Ordering::SeqCst);
        });
        assert_eq!(drops.load(Ordering::SeqCst), 1, "dropped before spawn returned");
        assert!(!ran.load(Ordering::SeqCst));
        assert_eq!((pool.threads(), pool.queued()), (0, 0));
    }

    #[test]
    fn dropping_the_last_clone_shuts_down_and_lets_threads_exit() {
        let pool = BlockingPool::new("dropped", 1).with_idle_timeout(Duration::from_secs(600));
        let shared = Arc::downgrade(&pool.handle.shared);
        let (gate, (started_tx, started)) = (Gate::default(), mpsc::channel());
        blocker(&pool, &gate, &started_tx);
        started.recv_timeout(WAIT).unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let probe = DropProbe { drops: Arc::clone(&drops), tx: None };
        pool.spawn(move || drop(probe));
        let clone = pool.clone();
        drop(pool);
        assert!(!clone.is_shut_down(), "a clone is left");
        drop(clone);
        assert_eq!(drops.load(Ordering::SeqCst), 1, "the queued job was dropped at once");
        gate.open();
        // With the last thread gone, nothing holds the shared state.
        assert!(eventually(|| shared.upgrade().is_none()), "pool threads kept running");
    }

    #[test]
    fn dropping_the_last_clone_wakes_idle_threads() {
        let pool = BlockingPool::new("idle-drop", 3).with_idle_timeout(Duration::from_secs(600));
        let shared = Arc::downgrade(&pool.handle.shared);
        let (tx, rx) = mpsc::channel();
        pool.spawn(move || tx.send(()).unwrap());
        rx.recv_timeout(WAIT).unwrap();
        drop(pool);
        assert!(eventually(|| shared.upgrade().is_none()), "an idle thread kept waiting");
    }

    /// Pool threads of this test still alive in the process, by name (tests run in parallel,
    /// so the total count of the process's threads is not stable; names are).
    #[cfg(target_os = "linux")]
    fn live_threads_named(prefix: &str) -> usize {
        std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
            .filter(|comm| comm.starts_with(prefix))
            .count()
    }

    #[cfg(target_os = "linux")]
    #[test]
    #[cfg_attr(miri, ignore = "counts the OS threads in /proc: Miri's threads are not OS threads")]
    fn process_threads_return_to_initial_count_after_20_pools() {
        // Thread names are cut to 15 bytes in /proc: "lbtc-blocking-N" fits.
        let initial = live_threads_named("lbtc-");
        let pools: Vec<BlockingPool> = (0..20).map(|_| BlockingPool::new("lbtc", 3)).collect();
        let (tx, rx) = mpsc::channel();
        let (gate, (started_tx, started)) = (Gate::default(), mpsc::channel());
        for pool in &pools {
            for _ in 0..3 {
                blocker(pool, &gate, &started_tx);
            }
            for _ in 0..5 {
                let tx = tx.clone();
                pool.spawn(move || tx.send(()).unwrap());
            }
        }
        for _ in 0..60 {
            started.recv_timeout(WAIT).unwrap();
        }
        assert_eq!(live_threads_named("lbtc-"), initial + 60, "the count reads the pool threads");
        gate.open();
        for _ in 0..100 {
            rx.recv_timeout(WAIT).unwrap();
        }
        for pool in &pools {
            let report = pool.shutdown(WAIT);
            assert_eq!((report.dropped_queued, report.completed_in_time), (0, true));
        }
        // A joined thread can linger in /proc for a moment while the kernel reaps it.
        assert!(eventually(|| live_threads_named("lbtc-") == initial), "threads leaked");
    }
}

/// loom models of the pool (`cargo xtask loom`): jobs handed to pool threads, threads started,
/// claimed, exiting and joined, racing a shutdown. Every job runs or is dropped exactly once,
/// no thread is left unjoined, and nothing waits forever (loom reports a deadlock).
#[cfg(all(test, loom))]
mod model_checks {
    use std::sync::Arc;
    use std::time::Duration;

    use loom::sync::atomic::{AtomicUsize, Ordering};
    use loom::thread;

    use super::BlockingPool;

    /// Counts, for one job, whether it ran and whether it was dropped unrun.
    #[derive(Default)]
    struct Fate {
        ran: AtomicUsize,
        dropped: AtomicUsize,
    }

    /// A job whose closure records that it ran, and whose drop without running records that.
    fn job(fate: &Arc<Fate>) -> impl FnOnce() + Send + 'static {
        struct Probe(Arc<Fate>, bool);
        impl Drop for Probe {
            fn drop(&mut self) {
                if !self.1 {
                    self.0.dropped.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        let mut probe = Probe(Arc::clone(fate), false);
        move || {
            probe.1 = true;
            probe.0.ran.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn exactly_once(fate: &Fate) -> bool {
        fate.ran.load(Ordering::SeqCst) + fate.dropped.load(Ordering::SeqCst) == 1
    }

    /// Two jobs on a one-thread pool: the second is queued or claims the thread as it goes
    /// idle; the shutdown runs or drops each exactly once and joins the thread.
    #[test]
    fn jobs_run_or_are_dropped_exactly_once_and_the_thread_is_joined() {
        loom::model(|| {
            let pool = BlockingPool::new("loom", 1);
            let (a, b) = (Arc::new(Fate::default()), Arc::new(Fate::default()));
            pool.spawn(job(&a));
            pool.spawn(job(&b));
            let report = pool.shutdown(Duration::from_secs(3600));
            assert!(report.completed_in_time, "{report:?}");
            assert!(exactly_once(&a) && exactly_once(&b));
            assert_eq!(pool.threads(), 0);
            assert!(pool.handle.shared.lock().workers.is_empty(), "every thread joined");
        });
    }

    /// A job handed to a thread that is idle (or about to be) runs without any shutdown to
    /// wake the thread: the claim and its notification are never lost.
    #[test]
    fn a_job_for_an_idle_thread_runs_without_a_shutdown() {
        loom::model(|| {
            let pool = BlockingPool::new("loom", 1);
            let (done_tx, done) = loom::sync::mpsc::channel();
            for round in 0..2 {
                let done_tx = done_tx.clone();
                pool.spawn(move || done_tx.send(round).expect("the model waits"));
                assert_eq!(done.recv().expect("the job ran"), round);
            }
            assert!(pool.shutdown(Duration::from_secs(3600)).completed_in_time);
            assert_eq!(pool.threads(), 0);
        });
    }

    /// A spawn from another thread racing the shutdown: the job runs or is dropped exactly
    /// once, and no thread outlives the shutdown.
    #[test]
    fn a_spawn_racing_a_shutdown_is_run_or_dropped_exactly_once() {
        loom::model(|| {
            let pool = BlockingPool::new("loom", 2);
            let fate = Arc::new(Fate::default());
            let (spawner, spawned) = (pool.clone(), Arc::clone(&fate));
            let spawn = thread::spawn(move || spawner.spawn(job(&spawned)));
            let report = pool.shutdown(Duration::from_secs(3600));
            spawn.join().expect("the spawning thread");
            assert_eq!(report.still_running, 0, "{report:?}");
            // A thread started by a spawn that won the race has exited, or exits now.
            let late = pool.shutdown(Duration::from_secs(3600));
            assert!(late.completed_in_time, "{late:?}");
            assert!(exactly_once(&fate));
            assert_eq!(pool.threads(), 0);
        });
    }
}
