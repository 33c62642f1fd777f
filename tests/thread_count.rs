//! No thread outlives its runner: creating and shutting down 100 runners of a flavour, each
//! having run a task, a `to_thread` job and a timer, leaves the process with as many threads
//! as before (counted in `/proc/self/task`, so on Linux only); so does a runner whose workers
//! were replaced while their tasks blocked.
//!
//! Under tokio, `loopbridge::net` starts no second reactor: its sockets are on tokio's
//! driver, so no "async-io" thread appears (checked first, before any smol or async-std
//! runner has started async-io's).
//!
//! Thread counts are process-wide, so this binary holds a single test, which checks the
//! flavours one after another.

// Built with no backend feature there is no flavour to check, and off Linux no `/proc`.
#![cfg_attr(
    any(
        not(target_os = "linux"),
        not(any(feature = "tokio", feature = "smol", feature = "async-std"))
    ),
    allow(unused_imports, dead_code)
)]

use std::time::{Duration, Instant};

use loopbridge_tests::{Flavor, one_runner_lifetime, with_watchdog};

/// How long threads that were joined may take to disappear from `/proc` — and the bound on
/// waiting for a leak to resolve itself before calling it a leak.
const SETTLE: Duration = Duration::from_secs(5);

fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task").expect("read /proc/self/task").count()
}

/// Waits until the thread count holds still for 200 ms (or `SETTLE` passes) and returns it.
fn settled_thread_count() -> usize {
    let start = Instant::now();
    let mut last = thread_count();
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let now = thread_count();
        if now == last || start.elapsed() > SETTLE {
            return now;
        }
        last = now;
    }
}

/// One runner's life: every kind of thread it can start, started, then a full shutdown.
fn one_runner(flavor: Flavor) {
    one_runner_lifetime(flavor, SETTLE);
}

fn no_thread_outlives_its_runner(flavor: Flavor) {
    // Threads a backend starts once per process and keeps (async-io's reactor, async-std's
    // executor) belong to the baseline, not to any runner.
    one_runner(flavor);
    let baseline = settled_thread_count();
    for _ in 0..100 {
        one_runner(flavor);
    }
    let start = Instant::now();
    let mut now = thread_count();
    while now != baseline && start.elapsed() < SETTLE {
        std::thread::sleep(Duration::from_millis(20));
        now = thread_count();
    }
    assert_eq!(
        now, baseline,
        "{flavor:?}: {baseline} threads before 100 runners, {now} after their shutdowns"
    );
}

/// A worker that blocks in a task gets a replacement thread (tokio's `block_in_place`, the
/// smol executor's replacement worker): 20 tasks block at once, the runner shuts down while
/// they do, and the threads are counted right after `shutdown` returns. A smol runner joins
/// its replacements in the shutdown, so they must be gone at once; tokio's threads leave its
/// blocking pool on their own, so they get the settling time.
fn no_replacement_outlives_its_runner(flavor: Flavor) {
    let baseline = settled_thread_count();
    let runner = loopbridge_tests::runner_for(flavor);
    let (blocked_tx, blocked) = std::sync::mpsc::channel();
    for _ in 0..20 {
        let (bridge, blocked_tx) = (runner.bridge(), blocked_tx.clone());
        drop(runner.spawn(async move {
            let _ = blocked_tx.send(());
            // Blocks this worker until the shutdown answers it.
            let _ = bridge.try_block_on(std::future::pending::<()>());
        }));
    }
    for _ in 0..20 {
        blocked.recv_timeout(SETTLE).expect("the blocking tasks did not start");
    }
    let report = runner.shutdown(SETTLE);
    let now = thread_count();
    if flavor == Flavor::Smol {
        assert_eq!(
            now, baseline,
            "{flavor:?}: replacement workers outlived the shutdown: {report:?}"
        );
    }
    let start = Instant::now();
    let mut now = now;
    while now != baseline && start.elapsed() < SETTLE {
        std::thread::sleep(Duration::from_millis(20));
        now = thread_count();
    }
    assert_eq!(now, baseline, "{flavor:?}: {baseline} threads before, {now} after the shutdown");
}

/// The names of this process's threads.
#[cfg(feature = "tokio")]
fn thread_names() -> Vec<String> {
    let tasks = std::fs::read_dir("/proc/self/task").expect("read /proc/self/task");
    tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_owned())
        .collect()
}

/// TCP, UDP and Unix sockets used on a tokio runner start no async-io thread.
#[cfg(feature = "tokio")]
fn tokio_sockets_start_no_second_reactor() {
    use futures_lite::{AsyncReadExt, AsyncWriteExt};

    let runner = loopbridge_tests::runner_for(Flavor::TokioMultiThread);
    runner
        .block_on(async {
            let listener = loopbridge::net::TcpListener::bind("127.0.0.1:0").await?;
            let mut client = loopbridge::net::TcpStream::connect(listener.local_addr()?).await?;
            let (mut server, _) = listener.accept().await?;
            client.write_all(b"x").await?;
            server.read_exact(&mut [0; 1]).await?;
            let udp = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
            udp.send_to(b"x", udp.local_addr()?).await?;
            udp.recv_from(&mut [0; 1]).await?;
            let (mut a, mut b) = loopbridge::net::UnixStream::pair()?;
            a.write_all(b"x").await?;
            b.read_exact(&mut [0; 1]).await?;
            loopbridge::net::lookup_host("localhost:80").await.map(drop)
        })
        .expect("sockets on a tokio runner");
    let names = thread_names();
    assert!(
        !names.iter().any(|name| name.starts_with("async-io")),
        "a second reactor thread started under tokio: {names:?}"
    );
    runner.shutdown(Duration::from_secs(5));
}

#[cfg(target_os = "linux")]
#[test]
fn runners_leave_no_thread_behind() {
    #[cfg(feature = "tokio")]
    with_watchdog(tokio_sockets_start_no_second_reactor);
    for &flavor in Flavor::COMPILED_IN {
        with_watchdog(move || no_thread_outlives_its_runner(flavor));
        if loopbridge_tests::blocking_in_task_completes(flavor) {
            with_watchdog(move || no_replacement_outlives_its_runner(flavor));
        }
    }
}
