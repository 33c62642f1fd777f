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
/// Occupies one thread of `pool` with a job that waits for the gate it returns, once that job
/// has started.
fn block_one(pool: &BlockingPool) -> Gate {
    let (gate, (started_tx, started)) = (Gate::default(), mpsc::channel());
    blocker(pool, &gate, &started_tx);
    started.recv_timeout(WAIT).unwrap();
    gate
}

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
    let gate = block_one(&pool);
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
#[cfg_attr(miri, ignore = "leaks the second payload on purpose (see `contain`), a leak to Miri")]
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
    let gate = block_one(&pool);
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
    let gate = block_one(&pool);
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
    let gate = block_one(&pool);
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
    let gate = block_one(&pool);
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
