//! Time you control (docs/semantics.md, "Paused time"), on every flavour: a runtime whose clock
//! is paused runs an hour of timers in no real time, jumping to the next deadline whenever it
//! has no work — and only then.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use loopbridge::time::{self, Instant};
use loopbridge::{CancellationToken, JoinSet, TaskGroup};
use loopbridge_tests::{builder_for, panic_message, runner_test};

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
/// The most real time a test of virtual hours may take here (a 2-core CI machine).
const REAL: Duration = Duration::from_secs(20);

#[loopbridge::test(start_paused = true)]
async fn an_hour_of_sleep_takes_no_real_time_and_the_clock_moves_exactly_an_hour() {
    assert!(time::is_paused());
    let wall = std::time::Instant::now();
    let start = Instant::now();
    loopbridge::sleep(HOUR).await;
    assert_eq!(start.elapsed(), HOUR, "exactly the deadline, no rounding");
    loopbridge::time::sleep_until(start + 2 * HOUR).await;
    assert_eq!(Instant::now() - start, 2 * HOUR);
    assert!(wall.elapsed() < REAL, "two virtual hours took {:?}", wall.elapsed());
}

#[loopbridge::test(start_paused = true)]
async fn a_timeout_of_a_pending_future_elapses_at_its_deadline() {
    let start = Instant::now();
    let out = loopbridge::timeout(5 * MINUTE, std::future::pending::<()>()).await;
    assert!(out.is_err());
    assert_eq!(start.elapsed(), 5 * MINUTE);
    let ready = loopbridge::timeout(5 * MINUTE, async { 3 }).await;
    assert_eq!(ready, Ok(3));
    assert_eq!(start.elapsed(), 5 * MINUTE, "a ready future takes no time");
}

#[loopbridge::test(start_paused = true)]
async fn tasks_timers_fire_in_deadline_order_each_at_its_deadline() {
    let start = Instant::now();
    let fired = Arc::new(Mutex::new(Vec::new()));
    let mut set = JoinSet::new();
    for minutes in [30_u32, 10, 50, 20, 40] {
        let fired = Arc::clone(&fired);
        set.spawn(async move {
            loopbridge::sleep(minutes * MINUTE).await;
            fired.lock().unwrap().push((minutes, start.elapsed()));
        });
    }
    while set.join_next().await.is_some() {}
    let fired = fired.lock().unwrap().clone();
    let expected: Vec<_> = [10, 20, 30, 40, 50].map(|m| (m, m * MINUTE)).into();
    assert_eq!(fired, expected);
}

#[loopbridge::test(start_paused = true)]
async fn a_running_to_thread_job_holds_the_clock_still() {
    let done = Arc::new(AtomicBool::new(false));
    let job = {
        let done = Arc::clone(&done);
        loopbridge::to_thread(move || {
            std::thread::sleep(Duration::from_millis(50)); // real work, on the wall clock
            done.store(true, Ordering::SeqCst);
        })
    };
    let start = Instant::now();
    loopbridge::sleep(SECOND).await;
    assert!(done.load(Ordering::SeqCst), "the clock jumped while the job ran");
    assert_eq!(start.elapsed(), SECOND);
    job.await.unwrap();
}

#[loopbridge::test(start_paused = true)]
async fn an_interval_ticks_exactly_on_its_period() {
    let period = 10 * MINUTE;
    let mut interval = loopbridge::interval(period);
    let first = interval.tick().await;
    for n in 1..=6 {
        let due = interval.tick().await;
        assert_eq!(due, first + n * period);
        assert_eq!(time::now(), due, "on the tick, not after");
    }
}

#[loopbridge::test(start_paused = true)]
async fn a_group_whose_child_fails_at_ten_minutes_returns_then_while_others_sleep_an_hour() {
    let start = Instant::now();
    let dropped = Arc::new(AtomicUsize::new(0));
    let result: Result<(), String> = loopbridge::task_group(|group: TaskGroup<String>| {
        let dropped = Arc::clone(&dropped);
        async move {
            for _ in 0..5 {
                let guard = loopbridge_tests::DropCounter::new(&dropped);
                group.spawn(async move {
                    let _guard = guard;
                    loopbridge::sleep(HOUR).await;
                    Ok(())
                });
            }
            group.spawn(async {
                loopbridge::sleep(10 * MINUTE).await;
                Err("failed at ten minutes".to_owned())
            });
            Ok(())
        }
    })
    .await;
    assert_eq!(result.unwrap_err(), "failed at ten minutes");
    assert_eq!(start.elapsed(), 10 * MINUTE);
    assert_eq!(dropped.load(Ordering::SeqCst), 5);
}

#[loopbridge::test(start_paused = true)]
async fn a_join_set_of_ten_thousand_random_sleeps_each_ends_at_its_deadline() {
    let wall = std::time::Instant::now();
    let start = Instant::now();
    let mut set = JoinSet::new();
    let mut seed = 0x2545_f491_u64;
    for _ in 0..10_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let wait = Duration::from_secs(1 + seed % 3600);
        set.spawn(async move {
            loopbridge::sleep(wait).await;
            (wait, start.elapsed())
        });
    }
    let mut last = Duration::ZERO;
    while let Some(done) = set.join_next().await {
        let (wait, woke) = done.unwrap();
        assert_eq!(woke, wait, "each at its deadline");
        last = last.max(woke);
    }
    assert!(last <= HOUR && start.elapsed() == last);
    assert!(wall.elapsed() < REAL, "an hour of 10,000 timers took {:?}", wall.elapsed());
}

#[loopbridge::test(start_paused = true)]
async fn a_token_cancelled_at_ten_minutes_cuts_an_hour_short() {
    let token = CancellationToken::new();
    let start = Instant::now();
    let canceller = {
        let token = token.clone();
        loopbridge::spawn(async move {
            loopbridge::sleep(10 * MINUTE).await;
            token.cancel();
        })
    };
    let slept = token.run_until_cancelled(loopbridge::sleep(HOUR)).await;
    assert_eq!(slept, None);
    assert_eq!(start.elapsed(), 10 * MINUTE);
    canceller.await.unwrap();
}

#[loopbridge::test]
async fn pause_advance_and_resume_by_hand() {
    assert!(!time::is_paused());
    assert!(time::try_advance(SECOND).await.unwrap_err().is_running(), "pause first");
    time::pause();
    time::pause(); // a no-op
    let start = Instant::now();
    time::advance(90 * SECOND).await;
    assert_eq!(start.elapsed(), 90 * SECOND);
    // A sleep of 10 s, advanced in two steps: done after the second.
    let done = Arc::new(AtomicBool::new(false));
    let sleeper = {
        let done = Arc::clone(&done);
        loopbridge::spawn(async move {
            loopbridge::sleep(10 * SECOND).await;
            done.store(true, Ordering::SeqCst);
        })
    };
    loopbridge::yield_now().await; // the sleeper registers its timer
    time::advance(Duration::ZERO).await;
    time::resume();
    time::resume(); // a no-op
    assert!(!time::is_paused());
    let resumed = Instant::now();
    std::thread::sleep(Duration::from_millis(2));
    assert!(Instant::now() - resumed >= Duration::from_millis(2), "the wall clock again");
    assert!(Instant::now() - start < 90 * SECOND + SECOND, "no jump on resume");
    time::pause();
    sleeper.await.unwrap(); // finishes on auto-advance, once paused again
    assert!(done.load(Ordering::SeqCst));
    // `advance(Duration::MAX)` and deadlines past the representable range never panic.
    time::advance(Duration::MAX).await;
    let never = loopbridge::timeout(Duration::MAX, std::future::ready(1)).await;
    assert_eq!(never, Ok(1));
    time::resume();
}

#[loopbridge::test(start_paused = true)]
async fn loopback_round_trips_under_timeouts_never_time_out_while_bytes_are_there() {
    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    const ROUNDS: usize = 1_000;
    let limit = 5 * SECOND;
    // The timeouts are the only timers: whenever the runtime looks idle while bytes are on
    // their way through the reactor, the clock would jump straight to one.
    let listener = loopbridge::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = loopbridge::spawn(async move {
        let (mut stream, _) = loopbridge::timeout(limit, listener.accept()).await??;
        stream.set_nodelay(true)?;
        let mut buf = [0_u8; 8];
        for _ in 0..ROUNDS {
            loopbridge::timeout(limit, stream.read_exact(&mut buf)).await??;
            loopbridge::timeout(limit, stream.write_all(&buf)).await??;
        }
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    });
    let mut client = loopbridge::timeout(limit, loopbridge::net::TcpStream::connect(addr))
        .await
        .expect("connect timed out")
        .unwrap();
    client.set_nodelay(true).unwrap();
    let mut buf = [0_u8; 8];
    for round in 0..ROUNDS as u64 {
        let sent = round.to_le_bytes();
        let start = Instant::now();
        let trip = loopbridge::timeout(limit, async {
            client.write_all(&sent).await?;
            client.read_exact(&mut buf).await
        });
        trip.await
            .unwrap_or_else(|_| {
                panic!("round trip {round} timed out after {:?} virtual", start.elapsed())
            })
            .unwrap();
        assert_eq!(buf, sent);
    }
    server.await.unwrap().expect("the server saw no timeout");
}

runner_test! {
    fn a_runner_built_paused_serves_sync_callers(flavor) {
        let runner = builder_for(flavor).start_paused(true).build().expect("a paused runner");
        let wall = std::time::Instant::now();
        let slept = runner.block_on(async {
            let start = Instant::now();
            loopbridge::sleep(HOUR).await;
            start.elapsed()
        });
        assert_eq!(slept, HOUR);
        let callers: Vec<_> = (1..=4_u32)
            .map(|n| {
                let bridge = runner.bridge();
                std::thread::spawn(move || {
                    bridge.block_on(async move {
                        let start = Instant::now();
                        loopbridge::sleep(n * MINUTE).await;
                        start.elapsed() >= n * MINUTE
                    })
                })
            })
            .collect();
        for caller in callers {
            assert!(caller.join().expect("a caller thread"));
        }
        assert!(wall.elapsed() < REAL, "took {:?}", wall.elapsed());
        // A paused runner's shutdown still cancels its sleeping tasks at once.
        let sleeping = runner.spawn(loopbridge::sleep(HOUR));
        let report = runner.shutdown(Duration::from_secs(5));
        assert!(report.completed_in_time());
        let cancelled = futures_lite::future::block_on(sleeping).unwrap_err();
        assert!(cancelled.is_cancelled(), "the sleeping task was cancelled by the shutdown");
    }
}

runner_test! {
    fn pause_where_no_runtime_runs_says_where_it_works(flavor) {
        let _ = flavor;
        let err = time::try_pause().unwrap_err();
        assert!(err.is_no_runtime());
        let payload = std::panic::catch_unwind(time::pause).unwrap_err();
        let message = panic_message(&*payload);
        assert!(message.contains("Runner") && message.contains("start_paused"), "{message}");
        assert!(!time::is_paused());
    }
}
