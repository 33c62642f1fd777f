//! loom models of the pool (`cargo xtask loom`): jobs handed to pool threads, threads started,
//! claimed, exiting and joined, racing a shutdown. Every job runs or is dropped exactly once,
//! no thread is left unjoined, and nothing waits forever (loom reports a deadlock).

use std::sync::Arc;
use std::time::Duration;

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;

use crate::unstable::pool::BlockingPool;

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
        assert!(pool.joined_all(), "every thread joined");
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
