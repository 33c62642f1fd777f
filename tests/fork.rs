//! A real `fork()` after the global runner started (docs/semantics.md, "Shutdown"): the child process has none
//! of the runner's threads, and its first use must not wait on threads that do not exist. For
//! each compiled-in backend, the parent starts a global runner and forks; the child reports
//! through its exit status, and a watchdog in the parent kills a child that hangs and fails the
//! test.
//!
//! - tokio: the child's first `block_on` starts a fresh global runner, which runs a task, a
//!   `to_thread` job and a timer, and shuts down cleanly.
//! - smol and async-std: their process-wide parts (async-io's reactor, whose lock the parent's
//!   driver thread holds while it waits; async-std's executor threads) do not survive a fork,
//!   so a fresh runtime would hang on its first timer or task. The child's first use fails
//!   fast instead: `block_on` panics and `Runner::build` returns an error, both saying why and
//!   what to do; a tokio runner (if compiled in) still works in that child.
//!
//! `fork()` needs `unsafe`, which loopbridge's crates forbid: the test uses the `fork` crate's
//! safe wrapper. Unix only; elsewhere the test prints why it does nothing.
//!
//! A forked child of a multi-threaded process may only rely on what survives a fork; the parent
//! therefore forks while its runner is idle, and the child exits with `std::process::exit`,
//! never returning into the copy of the test harness it inherited.

// Built with no backend feature there is no global runner to fork.
#![cfg_attr(
    not(all(unix, any(feature = "tokio", feature = "smol", feature = "async-std"))),
    allow(unused_imports, dead_code)
)]

use std::io::Write;
use std::time::{Duration, Instant};

use loopbridge::BackendKind;
use loopbridge_tests::{compiled_in_kinds, panic_message, with_watchdog_for};

/// How long a child may take before the parent calls it hung.
const CHILD_PATIENCE: Duration = Duration::from_secs(30);

/// The work both processes do through the global runner: a task, a blocking job and a timer.
fn use_the_global_runner(tag: u64) -> u64 {
    loopbridge::block_on(async move {
        let task = loopbridge::spawn(async move { tag * 2 });
        let job = loopbridge::to_thread(move || tag * 3);
        loopbridge::sleep(Duration::from_millis(1)).await;
        task.await.expect("a task") + job.await.expect("a job")
    })
}

/// The child's half when `kind` survives a fork: a fresh global runner does everything.
fn fresh_runner_in_child(kind: BackendKind) {
    // The inherited runner's threads live only in the parent.
    assert!(!loopbridge::global_is_running(), "the child must not count the parent's runner");
    assert_eq!(use_the_global_runner(7), 35);
    assert!(loopbridge::global_is_running(), "the child started a runner of its own");
    assert_eq!(loopbridge::Bridge::global().kind(), kind, "the configured backend");
    let report = loopbridge::shutdown_global(Duration::from_secs(10));
    assert!(report.completed_in_time(), "{report:?}");
}

/// The child's half when `kind` does not survive a fork: refused at once, with the reason.
fn refused_in_child(kind: BackendKind) {
    assert!(!loopbridge::global_is_running(), "the child must not count the parent's runner");
    // The panic is expected: keep the hook from printing it.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let panic = std::panic::catch_unwind(|| use_the_global_runner(7));
    std::panic::set_hook(hook);
    let panic = panic.expect_err("the global runner cannot start in this child");
    let message = panic_message(&*panic);
    assert!(message.contains("fork()") && message.contains("tokio backend"), "{message}");
    let err = loopbridge::Runner::builder().backend(kind).build().expect_err("refused");
    assert!(err.is_inherited_through_fork(), "{err}");
    if cfg!(feature = "tokio") {
        let tokio = loopbridge::Runner::builder().backend(BackendKind::Tokio).build();
        let tokio = tokio.expect("tokio does survive the fork");
        assert_eq!(tokio.block_on(async { loopbridge::spawn(async { 1 }).await.unwrap() }), 1);
        assert!(tokio.shutdown(Duration::from_secs(10)).completed_in_time());
    }
}

/// The child's half: exit status 0 if everything held, 1 with the reason on stderr if not.
#[cfg(unix)]
fn child(kind: BackendKind) -> ! {
    let outcome = std::panic::catch_unwind(|| match kind {
        BackendKind::Tokio => fresh_runner_in_child(kind),
        _ => refused_in_child(kind),
    });
    let code = match outcome {
        Ok(()) => 0,
        Err(payload) => {
            // Straight to the file descriptor: the harness's output capture is not the child's.
            let _ =
                writeln!(std::io::stderr(), "forked child ({kind}): {}", panic_message(&*payload));
            1
        }
    };
    std::process::exit(code)
}

/// Forks; in the parent, waits for the child with a watchdog and returns how it ended.
#[cfg(unix)]
fn fork_and_wait(kind: BackendKind) -> Result<(), String> {
    use fork::{ChildEvent, ProcessFork, Signal};

    let child_pid = match fork::fork_process() {
        Ok(ProcessFork::Child) => child(kind),
        Ok(ProcessFork::Parent(pid)) => pid,
        Err(err) => return Err(format!("fork failed: {err}")),
    };
    let start = Instant::now();
    loop {
        match fork::wait_event_nohang(child_pid) {
            Ok(Some(ChildEvent::Exited { code: 0, .. })) => return Ok(()),
            Ok(Some(ChildEvent::Exited { code, .. })) => {
                return Err(format!("the child exited with status {code} (its stderr says why)"));
            }
            Ok(Some(ChildEvent::Signalled { signal, .. })) => {
                return Err(format!("the child was killed by signal {signal}"));
            }
            Ok(_) => {}
            Err(err) => return Err(format!("waiting for the child failed: {err}")),
        }
        if start.elapsed() > CHILD_PATIENCE {
            let _ = fork::signal_process(child_pid, Signal::KILL);
            let _ = fork::wait_event(child_pid);
            return Err(format!(
                "the child did not finish within {CHILD_PATIENCE:?}: its global runner hangs"
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(all(unix, any(feature = "tokio", feature = "smol", feature = "async-std")))]
#[test]
fn a_forked_child_gets_a_fresh_runner_or_a_clear_refusal_never_a_hang() {
    with_watchdog_for(CHILD_PATIENCE * 4, || {
        let mut failures = Vec::new();
        for kind in compiled_in_kinds() {
            let _ = loopbridge::shutdown_global(Duration::from_secs(10));
            loopbridge::set_default_backend(kind).expect("no global runner is running");
            // The parent's runner is started and has served tasks, jobs and timers.
            assert_eq!(use_the_global_runner(5), 25);
            assert!(loopbridge::global_is_running());

            let outcome = fork_and_wait(kind);
            let what = match kind {
                BackendKind::Tokio => "ok: a fresh runner ran a task, a job and a timer",
                _ => "ok: refused at once with is_inherited_through_fork, no hang",
            };
            println!(
                "fork {kind}: {}",
                outcome.as_ref().map_or_else(String::clone, |()| what.into())
            );
            if let Err(why) = outcome {
                failures.push(format!("{kind}: {why}"));
            }

            // The parent's runner is unaffected by the child's life and death.
            assert_eq!(use_the_global_runner(6), 30, "{kind}: the parent after the fork");
            assert!(loopbridge::shutdown_global(Duration::from_secs(10)).completed_in_time());
        }
        assert!(failures.is_empty(), "forked children failed:\n{}", failures.join("\n"));
    });
}

#[cfg(not(unix))]
#[test]
fn a_forked_child_gets_a_fresh_runner_or_a_clear_refusal_never_a_hang() {
    println!("skipped: fork() exists only on Unix; this platform has no forked children to test");
}
