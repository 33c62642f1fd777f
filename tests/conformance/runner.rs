//! `Runner` (docs/semantics.md, "Shutdown") on every backend flavour, driven from sync code as an application
//! would: state created on a runner (IO objects, channels, background tasks) persists across
//! `block_on` calls from many threads; concurrent callers never get each other's results; a
//! shutdown cancels pending tasks (destructors run), answers every blocked caller, is
//! idempotent and works from the runner's own threads; afterwards every operation is refused
//! at once; a caller's deadline holds even when every worker is busy; threads are named.
//!
//! The thread-count check (no thread outlives its runner) is in `tests/thread_count.rs`: it
//! needs a process where no other test starts threads.

use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use loopbridge::{BlockOnError, JoinError, Runner};
use loopbridge_tests::{
    DropCounter, DropFlag, Flavor, panic_message, runner_for, runner_test, thread_name_for,
};

/// Allowance on top of a timeout for thread scheduling on a loaded 2-CPU machine: a bound
/// that catches "waited for the wrong thing", never a claim about speed.
const SLACK: Duration = Duration::from_secs(3);

/// How long a step that should be immediate may take before the test calls it a hang.
const PATIENCE: Duration = Duration::from_secs(10);

/// An echo server and its clients on the flavour's own IO: the IO objects belong to the runner
/// they were created on, which is what makes them a test of state persistence.
trait EchoNet {
    type Stream: Send + 'static;

    /// Binds a loopback listener and spawns the accept loop on the ambient runner.
    async fn serve() -> SocketAddr;
    async fn connect(addr: SocketAddr) -> Self::Stream;
    /// Writes `msg` and reads its echo.
    async fn round_trip(stream: &mut Self::Stream, msg: &[u8]) -> Vec<u8>;
}

#[cfg(feature = "tokio")]
struct TokioNet;

#[cfg(feature = "tokio")]
impl EchoNet for TokioNet {
    type Stream = tokio::net::TcpStream;

    async fn serve() -> SocketAddr {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let addr = listener.local_addr().expect("the listener's address");
        drop(loopbridge::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                drop(loopbridge::spawn(async move {
                    let mut buf = [0_u8; 256];
                    while let Ok(n @ 1..) = conn.read(&mut buf).await {
                        if conn.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                }));
            }
        }));
        addr
    }

    async fn connect(addr: SocketAddr) -> Self::Stream {
        tokio::net::TcpStream::connect(addr).await.expect("connect to the echo server")
    }

    async fn round_trip(stream: &mut Self::Stream, msg: &[u8]) -> Vec<u8> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        stream.write_all(msg).await.expect("write to the echo server");
        let mut echo = vec![0; msg.len()];
        stream.read_exact(&mut echo).await.expect("read the echo");
        echo
    }
}

/// async-io's `Async`: the IO of smol, and of async-std underneath.
struct AsyncIoNet;

impl EchoNet for AsyncIoNet {
    type Stream = async_io::Async<std::net::TcpStream>;

    async fn serve() -> SocketAddr {
        use futures_lite::{AsyncReadExt, AsyncWriteExt};

        let listener =
            async_io::Async::<std::net::TcpListener>::bind(([127, 0, 0, 1], 0)).expect("bind");
        let addr = listener.get_ref().local_addr().expect("the listener's address");
        drop(loopbridge::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                drop(loopbridge::spawn(async move {
                    let mut buf = [0_u8; 256];
                    while let Ok(n @ 1..) = conn.read(&mut buf).await {
                        if conn.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                }));
            }
        }));
        addr
    }

    async fn connect(addr: SocketAddr) -> Self::Stream {
        async_io::Async::<std::net::TcpStream>::connect(addr)
            .await
            .expect("connect to the echo server")
    }

    async fn round_trip(stream: &mut Self::Stream, msg: &[u8]) -> Vec<u8> {
        use futures_lite::{AsyncReadExt, AsyncWriteExt};

        stream.write_all(msg).await.expect("write to the echo server");
        let mut echo = vec![0; msg.len()];
        stream.read_exact(&mut echo).await.expect("read the echo");
        echo
    }
}

/// One `block_on` starts the server; then 4 threads each connect in one call and talk over
/// that connection in later calls, and open a fresh connection per call too.
fn echo_server_serves_later_calls_from_other_threads<N: EchoNet>(runner: &Arc<Runner>) {
    let addr = runner.block_on(N::serve());
    let clients: Vec<_> = (0..4_u8)
        .map(|t| {
            let runner = Arc::clone(runner);
            thread::spawn(move || {
                // Created by one call, used by the next ones: it must stay registered.
                let mut kept = runner.block_on(N::connect(addr));
                for i in 0..5_u8 {
                    let msg = [b'k', t, i];
                    assert_eq!(runner.block_on(N::round_trip(&mut kept, &msg)), msg);
                    let fresh = format!("fresh {t} {i}").into_bytes();
                    let echo = runner.block_on(async {
                        let mut stream = N::connect(addr).await;
                        N::round_trip(&mut stream, &fresh).await
                    });
                    assert_eq!(echo, fresh);
                }
            })
        })
        .collect();
    for client in clients {
        if let Err(panic) = client.join() {
            std::panic::resume_unwind(panic);
        }
    }
}

runner_test! {
    fn state_created_in_one_block_on_serves_later_calls_from_other_threads(flavor) {
        let runner = Arc::new(runner_for(flavor));
        match flavor {
            #[cfg(feature = "tokio")]
            Flavor::TokioMultiThread | Flavor::TokioCurrentThread => {
                echo_server_serves_later_calls_from_other_threads::<TokioNet>(&runner);
            }
            _ => echo_server_serves_later_calls_from_other_threads::<AsyncIoNet>(&runner),
        }

        // A channel and the task serving it, created by one call, answer later calls.
        let requests = runner.block_on(async {
            let (tx, rx) = async_channel::unbounded::<(u32, async_channel::Sender<u32>)>();
            drop(loopbridge::spawn(async move {
                while let Ok((n, reply)) = rx.recv().await {
                    let _ = reply.send(n * 3).await;
                }
            }));
            tx
        });
        let callers: Vec<_> = (0..4_u32)
            .map(|t| {
                let (runner, requests) = (Arc::clone(&runner), requests.clone());
                thread::spawn(move || {
                    for i in 0..10 {
                        let n = t * 100 + i;
                        let tripled = runner.block_on(async {
                            let (tx, rx) = async_channel::bounded(1);
                            requests.send((n, tx)).await.unwrap();
                            rx.recv().await.unwrap()
                        });
                        assert_eq!(tripled, n * 3);
                    }
                })
            })
            .collect();
        for caller in callers {
            caller.join().unwrap();
        }
        assert!(runner.shutdown(PATIENCE).completed_in_time());
    }
}

runner_test! {
    fn sixteen_threads_block_on_concurrently_without_mix_ups(flavor) {
        let runner = runner_for(flavor);
        let kind = flavor.kind();
        let threads: Vec<_> = (0..16_u64)
            .map(|t| {
                let bridge = runner.bridge();
                thread::spawn(move || {
                    for i in 0..200_u64 {
                        let (value, ambient) = bridge.block_on(async move {
                            // Computed by a task, so the result crosses threads to its caller.
                            let value = loopbridge::spawn(async move { t * 1_000_003 + i * 7 });
                            (value.await.unwrap(), loopbridge::current())
                        });
                        assert_eq!(value, t * 1_000_003 + i * 7, "thread {t}, call {i}");
                        assert_eq!(ambient, Some(kind));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
    }
}

/// What a caller blocked in `try_block_on` while the runner shut down got back.
type Answer<T> = Result<Result<T, JoinError>, BlockOnError>;

/// Waits until `deadline` for `count` answers; fails naming `what` if some never came.
fn collect_answers<T>(
    rx: &mpsc::Receiver<T>,
    count: usize,
    deadline: Instant,
    what: &str,
) -> Vec<T> {
    let mut answers = Vec::with_capacity(count);
    while answers.len() < count {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(answer) => answers.push(answer),
            Err(_) => panic!(
                "{} of {count} callers blocked in try_block_on on {what} got no answer within the \
                 shutdown timeout + {SLACK:?}: they hang",
                count - answers.len()
            ),
        }
    }
    answers
}

runner_test! {
    fn shutdown_cancels_a_thousand_pending_tasks_and_answers_every_blocked_caller(flavor) {
        const TASKS: usize = 1_000;
        const TASK_WAITERS: usize = 4;
        const JOB_WAITERS: usize = 4;
        let runner = runner_for(flavor);
        let dropped = Arc::new(AtomicUsize::new(0));

        let (polled_tx, polled_rx) = mpsc::channel();
        for _ in 0..TASKS {
            let (guard, polled) = (DropCounter::new(&dropped), polled_tx.clone());
            drop(runner.spawn(async move {
                let _guard = guard;
                let _ = polled.send(());
                std::future::pending::<()>().await;
            }));
        }
        // Every task is in flight (polled at least once) before the shutdown.
        for _ in 0..TASKS {
            polled_rx.recv_timeout(PATIENCE).expect("the pending tasks did not all start");
        }

        // Callers blocked on the handles of tasks that never finish by themselves: the
        // shutdown cancels those tasks, which is what must wake the callers.
        let (calling_tx, calling_rx) = mpsc::channel();
        let (task_answer_tx, task_answer_rx) = mpsc::channel::<Answer<()>>();
        for _ in 0..TASK_WAITERS {
            let guard = DropCounter::new(&dropped);
            let handle = runner.spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            });
            let (bridge, calling, answer) =
                (runner.bridge(), calling_tx.clone(), task_answer_tx.clone());
            thread::spawn(move || {
                let _ = calling.send(());
                let _ = answer.send(bridge.try_block_on(handle));
            });
        }
        // Callers blocked on `to_thread` jobs that are running when the shutdown starts:
        // started jobs are never cancelled, so these complete.
        let (job_started_tx, job_started_rx) = mpsc::channel();
        let (job_answer_tx, job_answer_rx) = mpsc::channel::<Answer<&str>>();
        for _ in 0..JOB_WAITERS {
            let started = job_started_tx.clone();
            let handle = runner.to_thread(move || {
                let _ = started.send(());
                thread::sleep(Duration::from_millis(200));
                "job done"
            });
            let (bridge, calling, answer) =
                (runner.bridge(), calling_tx.clone(), job_answer_tx.clone());
            thread::spawn(move || {
                let _ = calling.send(());
                let _ = answer.send(bridge.try_block_on(handle));
            });
        }
        for _ in 0..JOB_WAITERS {
            job_started_rx.recv_timeout(PATIENCE).expect("the to_thread jobs did not start");
        }
        for _ in 0..TASK_WAITERS + JOB_WAITERS {
            calling_rx.recv_timeout(PATIENCE).expect("the callers did not start");
        }
        // Give the callers time to reach their wait. Either way is correct (a caller arriving
        // after the shutdown must get `is_shut_down`), so this is no timing assumption.
        thread::sleep(Duration::from_millis(50));

        let timeout = Duration::from_secs(2);
        let start = Instant::now();
        let report = runner.shutdown(timeout);
        let took = start.elapsed();
        assert!(took <= timeout + SLACK, "shutdown({timeout:?}) took {took:?}");
        assert_eq!(
            report.tasks_cancelled(),
            TASKS + TASK_WAITERS,
            "every pending task is cancelled, and counted once: {report:?}"
        );
        assert_eq!(
            dropped.load(Ordering::SeqCst),
            TASKS + TASK_WAITERS,
            "every cancelled task's destructor ran before shutdown returned"
        );
        assert_eq!(report.blocking_still_running(), 0, "{report:?}");
        assert!(report.completed_in_time(), "{report:?}");
        assert!(!runner.is_running());

        let deadline = start + timeout + SLACK;
        let task_answers =
            collect_answers(&task_answer_rx, TASK_WAITERS, deadline, "a cancelled task's handle");
        for answer in task_answers {
            match answer {
                Ok(Err(err)) => assert!(err.is_cancelled(), "{err}"),
                Err(err) => assert!(err.is_shut_down(), "{err}"),
                Ok(Ok(())) => panic!("a task pending forever cannot have finished"),
            }
        }
        let job_answers =
            collect_answers(&job_answer_rx, JOB_WAITERS, deadline, "a running to_thread job");
        for answer in job_answers {
            match answer {
                Ok(joined) => assert_eq!(joined.unwrap(), "job done", "started jobs complete"),
                Err(err) => assert!(err.is_shut_down(), "{err}"),
            }
        }
    }
}

/// What a caller blocked on a future that never completes by itself got back: a `try_block_on`
/// answer, or the message of a panic that came out of it.
type RawAnswer = (&'static str, Result<Result<(), BlockOnError>, String>);

runner_test! {
    fn shutdown_answers_callers_blocked_on_futures_that_never_complete(flavor) {
        // A thread in `block_on` polls its future itself; nothing but the runner can tell it
        // that the runner it blocks on is gone. Whatever it blocks on, it must not hang.
        let runner = runner_for(flavor);
        let (calling_tx, calling_rx) = mpsc::channel();
        let (answer_tx, answer_rx) = mpsc::channel::<RawAnswer>();
        for what in ["std::future::pending()", "a one-hour loopbridge::sleep"] {
            for _ in 0..2 {
                let (bridge, calling, answer) =
                    (runner.bridge(), calling_tx.clone(), answer_tx.clone());
                thread::spawn(move || {
                    let _ = calling.send(());
                    let out = catch_unwind(AssertUnwindSafe(|| {
                        if what.starts_with("std") {
                            bridge.try_block_on(std::future::pending::<()>())
                        } else {
                            bridge.try_block_on(loopbridge::sleep(Duration::from_secs(3600)))
                        }
                    }));
                    let _ = answer.send((what, out.map_err(|p| panic_message(&*p))));
                });
            }
        }
        for _ in 0..4 {
            calling_rx.recv_timeout(PATIENCE).expect("the callers did not start");
        }
        thread::sleep(Duration::from_millis(100)); // let them reach their wait (see above)

        let timeout = Duration::from_secs(2);
        let start = Instant::now();
        let report = runner.shutdown(timeout);
        assert!(start.elapsed() <= timeout + SLACK, "shutdown took {:?}", start.elapsed());
        assert!(report.completed_in_time(), "{report:?}");

        let deadline = start + timeout + SLACK;
        let mut answered = Vec::new();
        while answered.len() < 4 {
            match answer_rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(answer) => answered.push(answer),
                Err(_) => panic!(
                    "on {flavor:?}, {} of 4 threads blocked in try_block_on (2 on \
                     std::future::pending(), 2 on a one-hour loopbridge::sleep) never returned \
                     after the runner shut down; answered: {answered:?}",
                    4 - answered.len()
                ),
            }
        }
        for (what, answer) in answered {
            match answer {
                Ok(Err(err)) => assert!(err.is_shut_down(), "{what}: {err}"),
                Ok(Ok(())) => panic!("{what} completed, but it never completes by itself"),
                Err(panic) => panic!("try_block_on on {what} panicked after the shutdown: {panic}"),
            }
        }
    }
}

runner_test! {
    fn shutdown_is_idempotent_and_concurrent_calls_get_the_same_report(flavor) {
        let runner = Arc::new(runner_for(flavor));
        drop(runner.spawn(std::future::pending::<()>()));
        let shutters: Vec<_> = (0..4)
            .map(|_| {
                let runner = Arc::clone(&runner);
                thread::spawn(move || runner.shutdown(PATIENCE))
            })
            .collect();
        let reports: Vec<_> = shutters.into_iter().map(|s| s.join().unwrap()).collect();
        assert!(reports.iter().all(|r| *r == reports[0]), "{reports:?}");
        assert_eq!(reports[0].tasks_cancelled(), 1);
        assert!(reports[0].completed_in_time());
        // Later calls return the first report at once.
        assert_eq!(runner.shutdown(Duration::ZERO), reports[0]);
        assert!(!runner.is_running());
    }
}

runner_test! {
    fn shutdown_from_a_task_of_the_runner_itself(flavor) {
        let runner = Arc::new(runner_for(flavor));
        let (guard, dropped) = DropFlag::new(false);
        drop(runner.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        }));
        let timeout = Duration::from_secs(1);
        let (tx, rx) = mpsc::channel();
        let inner = Arc::clone(&runner);
        // The handle may resolve cancelled (the shutdown cancels this very task), so the
        // report travels over a channel.
        drop(runner.spawn(async move {
            let start = Instant::now();
            let report = inner.shutdown(timeout);
            let _ = tx.send((report, start.elapsed()));
        }));
        let (report, took) = rx
            .recv_timeout(timeout + SLACK)
            .expect("shutdown called from a task of the runner never returned: a self-join?");
        assert!(took <= timeout + SLACK, "took {took:?}");
        assert!(!report.completed_in_time(), "it cannot wait for its own thread: {report:?}");
        assert!(!runner.is_running());
        // Idempotent: the outside call gets the first report.
        assert_eq!(runner.shutdown(PATIENCE), report);
        let start = Instant::now();
        while !dropped.load(Ordering::SeqCst) {
            assert!(start.elapsed() < PATIENCE, "the other pending task was never cancelled");
            thread::sleep(Duration::from_millis(5));
        }
        assert!(runner.try_block_on(async {}).unwrap_err().is_shut_down());
    }
}

runner_test! {
    fn shutdown_from_a_to_thread_job_of_the_runner(flavor) {
        let runner = Arc::new(runner_for(flavor));
        let timeout = Duration::from_secs(1);
        let (tx, rx) = mpsc::channel();
        let inner = Arc::clone(&runner);
        drop(runner.to_thread(move || {
            let start = Instant::now();
            let report = inner.shutdown(timeout);
            let _ = tx.send((report, start.elapsed()));
        }));
        let (report, took) = rx
            .recv_timeout(timeout + SLACK)
            .expect("shutdown called from a to_thread job never returned: a self-join?");
        assert!(took <= timeout + SLACK, "took {took:?}");
        assert!(!report.completed_in_time(), "it cannot wait for its own thread: {report:?}");
        assert!(!runner.is_running());
        assert_eq!(runner.shutdown(PATIENCE), report);
        assert!(runner.try_block_on(async {}).unwrap_err().is_shut_down());
    }
}

runner_test! {
    fn after_shutdown_every_operation_is_refused_at_once(flavor) {
        let runner = runner_for(flavor);
        let bridge = runner.bridge(); // handles outlive the runner's loop
        assert!(runner.is_running());
        assert!(runner.shutdown(PATIENCE).completed_in_time());
        assert!(!runner.is_running());

        let spawned = [runner.spawn(async { 1 }), bridge.spawn(async { 2 })];
        let jobs = [runner.to_thread(|| 3), bridge.to_thread(|| 4)];
        // Resolved already: awaiting them can hang nowhere.
        assert!(spawned.iter().all(|h| h.is_finished()), "spawn after shutdown resolves at once");
        assert!(jobs.iter().all(|h| h.is_finished()), "to_thread after shutdown resolves at once");
        for handle in spawned {
            let err = futures_lite::future::block_on(handle).unwrap_err();
            assert!(err.is_cancelled() && !err.is_panic(), "{err}");
        }
        for handle in jobs {
            let err = futures_lite::future::block_on(handle).unwrap_err();
            assert!(err.is_cancelled() && !err.is_panic(), "{err}");
        }

        for err in [
            runner.try_block_on(async {}).unwrap_err(),
            bridge.try_block_on(async {}).unwrap_err(),
            runner.try_block_on_timeout(async {}, PATIENCE).unwrap_err(),
            bridge.try_block_on_timeout(async {}, PATIENCE).unwrap_err(),
        ] {
            assert!(err.is_shut_down(), "{err}");
            assert!(!err.is_in_async_context() && !err.is_timed_out(), "{err}");
        }
        for payload in [
            catch_unwind(AssertUnwindSafe(|| runner.block_on(async {}))).unwrap_err(),
            catch_unwind(AssertUnwindSafe(|| bridge.block_on(async {}))).unwrap_err(),
        ] {
            let msg = panic_message(&*payload);
            assert!(msg.contains("shut down"), "{msg}");
            assert!(!msg.contains("Cannot start a runtime from within a runtime"), "{msg}");
        }
        // Shutting down again changes nothing.
        assert!(!runner.is_running());
    }
}

runner_test! {
    fn dropping_a_runner_shuts_it_down_without_waiting_for_blocking_jobs(flavor) {
        let runner = runner_for(flavor);
        let bridge = runner.bridge();
        let (guard, task_dropped) = DropFlag::new(false);
        drop(runner.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        }));
        let job_done = Arc::new(AtomicBool::new(false));
        let (started_tx, started_rx) = mpsc::channel();
        let done = Arc::clone(&job_done);
        drop(runner.to_thread(move || {
            let _ = started_tx.send(());
            thread::sleep(Duration::from_secs(2));
            done.store(true, Ordering::SeqCst);
        }));
        started_rx.recv_timeout(PATIENCE).expect("the job did not start");
        drop(runner);
        // Correctness, not speed: had the drop waited for the job, the job would be done.
        assert!(!job_done.load(Ordering::SeqCst), "dropping the runner waited for a blocking job");
        assert!(bridge.try_block_on(async {}).unwrap_err().is_shut_down());
        let start = Instant::now();
        while !(task_dropped.load(Ordering::SeqCst) && job_done.load(Ordering::SeqCst)) {
            assert!(
                start.elapsed() < PATIENCE,
                "after the drop: task destructor ran = {}, started job finished = {}",
                task_dropped.load(Ordering::SeqCst),
                job_done.load(Ordering::SeqCst)
            );
            thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Executor threads a flavour's runner has (async-std: its global runtime's, one per CPU by
/// default).
fn workers_of(flavor: Flavor) -> usize {
    match flavor {
        Flavor::TokioCurrentThread => 1,
        Flavor::TokioMultiThread | Flavor::Smol => 2,
        _ => thread::available_parallelism().map_or(2, usize::from),
    }
}

runner_test! {
    fn try_block_on_timeout_keeps_its_deadline_while_every_worker_is_busy(flavor) {
        let runner = runner_for(flavor);
        let workers = workers_of(flavor);
        let release = Arc::new(AtomicBool::new(false));
        let (busy_tx, busy_rx) = mpsc::channel();
        for _ in 0..workers * 2 {
            let (release, busy) = (Arc::clone(&release), busy_tx.clone());
            drop(runner.spawn(async move {
                let _ = busy.send(());
                // Blocks its worker (deliberately, as a misbehaving task would), in 500 ms
                // steps, until released; at most 20 s so that a failed test cannot pin it.
                for _ in 0..40 {
                    if release.load(Ordering::SeqCst) {
                        break;
                    }
                    thread::sleep(Duration::from_millis(500));
                }
            }));
        }
        for _ in 0..workers {
            busy_rx.recv_timeout(PATIENCE).expect("the busy tasks did not start");
        }

        // Much shorter than the time the workers stay busy, so waiting for a worker to free
        // up would show.
        let timeout = Duration::from_millis(200);
        let start = Instant::now();
        let err = runner.try_block_on_timeout(std::future::pending::<()>(), timeout).unwrap_err();
        let took = start.elapsed();
        assert!(err.is_timed_out() && !err.is_shut_down() && !err.is_in_async_context(), "{err}");
        assert!(took >= timeout, "gave up early, after {took:?}");
        assert!(took <= timeout + SLACK, "gave up after {took:?}, not {timeout:?}");

        let start = Instant::now();
        let err = runner
            .try_block_on_timeout(loopbridge::sleep(Duration::from_secs(3600)), timeout)
            .unwrap_err();
        assert!(err.is_timed_out(), "{err}");
        assert!(start.elapsed() <= timeout + SLACK, "gave up after {:?}", start.elapsed());

        // A future that needs no worker completes while they are all busy.
        assert_eq!(runner.try_block_on_timeout(async { 7 }, PATIENCE).unwrap(), 7);

        release.store(true, Ordering::SeqCst);
        // And one that needs a task completes once they are free.
        let out = runner.try_block_on_timeout(
            async { loopbridge::spawn(async { 8 }).await.unwrap() },
            Duration::from_secs(20),
        );
        assert_eq!(out.unwrap(), 8);
        assert!(runner.shutdown(PATIENCE).completed_in_time());
    }
}

runner_test! {
    fn threads_are_named_after_the_configured_thread_name(flavor) {
        let runner = runner_for(flavor);
        let prefix = thread_name_for(flavor);
        let name = || thread::current().name().unwrap_or("<unnamed>").to_owned();

        let jobs: Vec<_> = (0..4).map(|_| runner.to_thread(name)).collect();
        for job in jobs {
            let job_thread = runner.block_on(job).unwrap();
            assert!(job_thread.starts_with(&prefix), "to_thread ran on {job_thread:?}");
        }

        // async-std's executor threads are async-std's own, shared by every runner.
        if flavor != Flavor::AsyncStd {
            let workers = runner.block_on(async move {
                let before = loopbridge::spawn(async move { name() }).await.unwrap();
                let after_timer = loopbridge::spawn(async move {
                    loopbridge::sleep(Duration::from_millis(2)).await;
                    name()
                });
                (before, after_timer.await.unwrap())
            });
            assert!(workers.0.starts_with(&prefix), "a task ran on {:?}", workers.0);
            assert!(workers.1.starts_with(&prefix), "a task resumed on {:?}", workers.1);
        }
    }
}

runner_test! {
    fn free_functions_inside_the_runner_use_that_runner(flavor) {
        // docs/semantics.md, "Detection": a runner is the ambient runtime inside its block_on calls, its tasks
        // and its to_thread jobs. Work the free functions start there belongs to the runner:
        // its shutdown cancels those tasks, and its pool runs those jobs.
        let runner = runner_for(flavor);
        let prefix = thread_name_for(flavor);
        let dropped = Arc::new(AtomicUsize::new(0));
        let spawn_pending = |dropped: &Arc<AtomicUsize>| {
            let guard = DropCounter::new(dropped);
            drop(loopbridge::spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            }));
        };
        let job_thread = || loopbridge::to_thread(|| thread::current().name().map(str::to_owned));

        let in_block_on = runner.block_on(async {
            spawn_pending(&dropped);
            job_thread().await.unwrap()
        });
        let counter = Arc::clone(&dropped);
        let in_task = runner.block_on(runner.spawn(async move {
            spawn_pending(&counter);
            job_thread().await.unwrap()
        }));
        let counter = Arc::clone(&dropped);
        let in_job = runner.block_on(runner.to_thread(move || {
            spawn_pending(&counter);
            loopbridge::block_on(job_thread()).unwrap()
        }));
        let mut misplaced = Vec::new();
        for (context, name) in [
            ("its block_on", in_block_on),
            ("its task", in_task.unwrap()),
            ("its to_thread job", in_job.unwrap()),
        ] {
            let name = name.unwrap_or_default();
            if !name.starts_with(&prefix) {
                misplaced.push(format!("inside {context} it ran on {name:?}"));
            }
        }

        let report = runner.shutdown(PATIENCE);
        let cancelled = (report.tasks_cancelled(), dropped.load(Ordering::SeqCst));
        assert!(
            misplaced.is_empty() && cancelled == (3, 3),
            "work started by the free functions inside the runner must be the runner's: \
             loopbridge::to_thread jobs must run on its pool ({prefix}-…), but {misplaced:?}; \
             the 3 tasks loopbridge::spawn started inside its block_on, task and to_thread job \
             must be cancelled by its shutdown, but (cancelled, destructors run) = {cancelled:?}"
        );
    }
}

/// How many runners the race test below drops or shuts down with `Duration::ZERO`, per flavour.
const RACE_TRIES: usize = 200;

runner_test! {
    fn drop_and_shutdown_zero_resolve_every_pending_handle_before_they_return(flavor) {
        // As a new user would: spawn tasks that never finish, then drop the runner or shut it
        // down without waiting, and look at the handles at once. Every handle must be resolved
        // (cancelled) by then, on every backend, as tokio does for its own runtime: only the
        // wait for running `to_thread` jobs may be cut by the timeout. Repeated: the tasks are
        // in every state at that moment (queued, polled once, being woken).
        let mut unresolved = Vec::new();
        for attempt in 0..RACE_TRIES {
            let runner = runner_for(flavor);
            let handles: Vec<_> =
                (0..4).map(|_| runner.spawn(std::future::pending::<()>())).collect();
            let how = if attempt % 2 == 0 {
                drop(runner);
                "drop(runner)"
            } else {
                let report = runner.shutdown(Duration::ZERO);
                assert_eq!(report.tasks_cancelled(), 4, "attempt {attempt}: {report:?}");
                "runner.shutdown(Duration::ZERO)"
            };
            let left = handles.iter().filter(|handle| !handle.is_finished()).count();
            if left > 0 {
                unresolved.push(format!("attempt {attempt}, {how}: {left} of 4 unresolved"));
            }
            for handle in handles {
                let err = futures_lite::future::block_on(handle).expect_err("pending forever");
                assert!(err.is_cancelled(), "{err}");
            }
        }
        assert!(
            unresolved.is_empty(),
            "on {flavor:?}, {} of {RACE_TRIES} tries left handles of pending tasks unresolved \
             when the drop or shutdown returned: {unresolved:?}",
            unresolved.len()
        );
    }
}
