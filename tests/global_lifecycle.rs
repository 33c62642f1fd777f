//! The global runner's lifecycle (docs/semantics.md, "Shutdown"): it starts on first use, with the backend of
//! `set_default_backend` or the builder of `configure_global` — both accepted before that use
//! and refused with `is_too_late` while it runs; `global_is_running` tells the truth;
//! `shutdown_global` cancels its tasks (destructors run) and reports them; the next use starts
//! a fresh runner, and configuring works again in between; its threads are named
//! `loopbridge-<backend>-…` unless configured otherwise.
//!
//! The global runner is process-wide and shutting it down would disturb any test running
//! beside this one, so this binary holds a single test that runs the steps in order — plus one
//! that checks an invalid `LOOPBRIDGE_BACKEND` in a child process of its own, where the variable
//! cannot leak into any other test.

// Built with no backend feature there is no global runner to test.
#![cfg_attr(
    not(any(feature = "tokio", feature = "smol", feature = "async-std")),
    allow(unused_imports, dead_code)
)]

use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use loopbridge::{BackendKind, Bridge, Runner};
use loopbridge_tests::{DropFlag, with_watchdog};

/// Bound on a shutdown or a wait that should be immediate.
const PATIENCE: Duration = Duration::from_secs(10);

fn compiled_in() -> Vec<BackendKind> {
    loopbridge_tests::compiled_in_kinds()
}

fn thread_name() -> String {
    std::thread::current().name().unwrap_or("<unnamed>").to_owned()
}

/// The names of a `to_thread` thread and of a worker running a task of the global runner
/// (`None` for async-std, whose executor threads are its own).
fn global_thread_names(kind: BackendKind) -> (String, Option<String>) {
    loopbridge::block_on(async move {
        let job = loopbridge::to_thread(thread_name).await.expect("a to_thread job");
        let worker = match kind {
            BackendKind::AsyncStd => None,
            _ => Some(loopbridge::spawn(async { thread_name() }).await.expect("a task")),
        };
        (job, worker)
    })
}

/// Starts the global runner on `kind` through `set_default_backend`, checks it, and shuts it
/// down with a background task in flight.
fn default_runner_of(kind: BackendKind) {
    assert!(!loopbridge::global_is_running());
    loopbridge::set_default_backend(kind).expect("accepted while no global runner runs");
    assert!(!loopbridge::global_is_running(), "configuring must not start it");

    // The first use starts it.
    let (job, worker) = global_thread_names(kind);
    assert!(loopbridge::global_is_running());
    assert_eq!(Bridge::global().kind(), kind);
    assert_eq!(loopbridge::block_on(async { loopbridge::current() }), Some(kind));
    let prefix = format!("loopbridge-{kind}-");
    assert!(job.starts_with(&prefix), "a to_thread job of the global {kind} runner ran on {job:?}");
    if let Some(worker) = worker {
        assert!(
            worker.starts_with(&prefix),
            "a task of the global {kind} runner ran on {worker:?}"
        );
    }

    // Too late while it runs.
    let err = loopbridge::set_default_backend(kind).expect_err("too late");
    assert!(err.is_too_late(), "{err}");
    let err = loopbridge::configure_global(Runner::builder()).expect_err("too late");
    assert!(err.is_too_late(), "{err}");
    assert!(err.to_string().contains("configure_global"), "{err}");

    // Background work the shutdown must cancel: a detached task and one whose handle is kept.
    let old = Bridge::global();
    let (flag, dropped) = DropFlag::new(false);
    let (started_tx, started_rx) = mpsc::channel();
    drop(loopbridge::spawn(async move {
        let _flag = flag;
        let _ = started_tx.send(());
        std::future::pending::<()>().await;
    }));
    let kept = loopbridge::spawn(std::future::pending::<()>());
    started_rx.recv_timeout(PATIENCE).expect("the background task did not start");

    let report = loopbridge::shutdown_global(PATIENCE);
    assert_eq!(report.tasks_cancelled(), 2, "{kind}: {report:?}");
    assert_eq!(report.blocking_still_running(), 0, "{kind}: {report:?}");
    assert!(report.completed_in_time(), "{kind}: {report:?}");
    assert!(dropped.load(std::sync::atomic::Ordering::SeqCst), "the destructor ran");
    assert!(!loopbridge::global_is_running());
    assert!(kept.is_finished(), "a cancelled task's handle resolves by the end of the shutdown");
    assert!(futures_lite::future::block_on(kept).expect_err("cancelled").is_cancelled());

    // A handle to the old runner reports it shut down, and does not start a new one.
    assert!(old.try_block_on(async {}).expect_err("shut down").is_shut_down());
    assert!(old.spawn(async {}).is_finished());
    assert!(!loopbridge::global_is_running());
}

/// `configure_global` before the first use decides the runner's backend and thread names.
fn configured_runner(kind: BackendKind) {
    assert!(!loopbridge::global_is_running());
    let builder = Runner::builder()
        .backend(kind)
        .worker_threads(2)
        .max_blocking_threads(4)
        .thread_name("app-loop");
    loopbridge::configure_global(builder).expect("accepted while no global runner runs");
    assert!(!loopbridge::global_is_running(), "configuring must not start it");

    let (job, worker) = global_thread_names(kind);
    assert!(loopbridge::global_is_running());
    assert_eq!(Bridge::global().kind(), kind);
    assert!(job.starts_with("app-loop"), "{job:?}");
    if let Some(worker) = worker {
        assert!(worker.starts_with("app-loop"), "{worker:?}");
    }
    let err = loopbridge::configure_global(Runner::builder()).expect_err("too late");
    assert!(err.is_too_late(), "{err}");

    let report = loopbridge::shutdown_global(PATIENCE);
    assert!(report.completed_in_time(), "{report:?}");
    assert!(!loopbridge::global_is_running());
}

#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
#[test]
fn the_global_runner_starts_stops_and_restarts() {
    with_watchdog(|| {
        // This binary's only test: nothing has used the global runner yet.
        assert!(!loopbridge::global_is_running());
        let report = loopbridge::shutdown_global(PATIENCE);
        assert_eq!(report.tasks_cancelled(), 0);
        assert!(report.completed_in_time(), "nothing to shut down: {report:?}");
        assert!(!loopbridge::global_is_running(), "shutting nothing down starts nothing");

        // One fresh global runner after another, on every compiled-in backend.
        let kinds = compiled_in();
        for &kind in &kinds {
            default_runner_of(kind);
        }
        configured_runner(kinds[kinds.len() - 1]);

        // After all those shutdowns, plain use simply works again.
        let out = loopbridge::block_on(async {
            loopbridge::sleep(Duration::from_millis(1)).await;
            loopbridge::spawn(async { 9 }).await.unwrap()
        });
        assert_eq!(out, 9);
        assert!(loopbridge::global_is_running());
        let callers: Vec<_> = (0..8)
            .map(|i| std::thread::spawn(move || loopbridge::block_on(async move { i * 2 })))
            .collect();
        for (i, caller) in callers.into_iter().enumerate() {
            assert_eq!(caller.join().unwrap(), i * 2);
        }
        assert!(loopbridge::shutdown_global(PATIENCE).completed_in_time());
        assert!(!loopbridge::global_is_running());

        started_exactly_once_under_contention();
        a_forked_child_gets_a_fresh_runner();
    });
}

/// Names (as `/proc` shows them, cut to 15 bytes) of this process's threads.
#[cfg(target_os = "linux")]
fn thread_names() -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return Vec::new() };
    tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim_end().to_owned())
        .collect()
}

/// Sixteen threads race to be the first user: one runner starts, not several. The runner is
/// configured with two workers and a name of its own, on a backend whose worker threads are
/// loopbridge's (not async-std, whose executor threads are its own), so they can be counted.
fn started_exactly_once_under_contention() {
    let kind = compiled_in().into_iter().find(|kind| *kind != BackendKind::AsyncStd);
    let builder = loopbridge::Runner::builder().worker_threads(2).thread_name("racer");
    let builder = match kind {
        Some(kind) => builder.backend(kind),
        None => builder,
    };
    loopbridge::configure_global(builder).expect("the global runner was shut down just before");
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(16));
    let racers: Vec<_> = (0..16)
        .map(|_| {
            let barrier = std::sync::Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                loopbridge::block_on(async { loopbridge::current() })
            })
        })
        .collect();
    let seen: Vec<_> =
        racers.into_iter().map(|racer| racer.join().expect("a racer panicked")).collect();
    assert!(seen.iter().all(|k| *k == seen[0] && k.is_some()), "{seen:?}");
    #[cfg(target_os = "linux")]
    if kind.is_some() {
        // A new thread names itself once it first runs, so a worker just started may not show
        // its name yet: wait (boundedly) for both, and never accept more than one runner's.
        let count = || thread_names().into_iter().filter(|n| n.starts_with("racer-")).count();
        let deadline = std::time::Instant::now() + PATIENCE;
        let mut ours = count();
        while ours < 2 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
            ours = count();
        }
        assert_eq!(ours, 2, "one runner's two workers, not a set per racer");
    }
    assert!(loopbridge::shutdown_global(PATIENCE).completed_in_time());
}

/// A child process after `fork()` finds a runner whose threads exist only in its parent; its
/// next use must start a fresh runner instead of waiting on threads that are not there.
fn a_forked_child_gets_a_fresh_runner() {
    loopbridge::block_on(async {});
    assert!(loopbridge::global_is_running());
    loopbridge::__private::pretend_global_runner_was_forked();
    assert!(!loopbridge::global_is_running(), "an inherited runner is not this process's");
    let out = loopbridge::block_on(async {
        loopbridge::spawn(async { "fresh" }).await.expect("the fresh runner runs tasks")
    });
    assert_eq!(out, "fresh");
    assert!(loopbridge::global_is_running());
    // Last step on purpose: the abandoned runner's threads still run in this process.
    assert!(loopbridge::shutdown_global(PATIENCE).completed_in_time());
}

/// Set only in the child process that the test below starts.
const CHILD_MARK: &str = "LOOPBRIDGE_TESTS_INVALID_BACKEND_CHILD";

/// The child's half of the test below; a no-op in any other process.
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
#[test]
fn child_first_use_with_an_invalid_backend_variable() {
    if std::env::var_os(CHILD_MARK).is_some() {
        loopbridge::block_on(async {});
    }
}

#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
#[test]
fn an_invalid_backend_variable_makes_the_first_use_panic_instead_of_hanging() {
    // docs/semantics.md, "Detection": an explicit choice this build cannot honour is an error that says so,
    // never a silent replacement and never a hang.
    let mut child = Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", "child_first_use_with_an_invalid_backend_variable", "--nocapture"])
        .env(CHILD_MARK, "1")
        .env("LOOPBRIDGE_BACKEND", "tokyo")
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the child process");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll the child") {
            break status;
        }
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "with LOOPBRIDGE_BACKEND=tokyo, the first loopbridge::block_on did not return \
                 within {PATIENCE:?}: it hangs instead of panicking"
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = child.wait_with_output().expect("the child's output");
    let text = String::from_utf8_lossy(&output.stderr) + String::from_utf8_lossy(&output.stdout);
    assert!(!status.success(), "the first use must panic: {text}");
    assert!(text.contains("`tokyo` is not a loopbridge backend"), "{text}");
}
