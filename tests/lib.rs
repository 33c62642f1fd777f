//! Support for the conformance suite. Its async tests are written with `#[loopbridge::test]`
//! (one `#[test]` per compiled-in runtime flavour, each on a fresh runtime, the body in its
//! `block_on`, under a watchdog: a body is not a task, so tests about tasks spawn one);
//! [`runner_test!`] does the same for tests that drive a [`runner_for`] the flavour from sync
//! code, on a plain thread.
//!
//! The suite itself is the `conformance` integration test (`tests/conformance/`): one binary,
//! one module per area. Tests of process-wide state — the global runner's lifecycle
//! (`global_lifecycle.rs`) and thread counts (`thread_count.rs`) — are binaries of their own,
//! each with a single test, so that no test running beside them disturbs what they measure.
//! The attributes' compile errors are checked by the `ui` test (trybuild, `ui/`).

use std::time::Duration;

use loopbridge::BackendKind;
pub use loopbridge::Flavor;

/// How long one [`runner_test!`] or [`with_watchdog`] body may run before its watchdog fails
/// it (`#[loopbridge::test]` has a watchdog of its own).
pub const WATCHDOG: Duration = Duration::from_secs(30);

/// Runs a plain (not per-flavour) test body on a thread of its own and fails the test if it has
/// not finished within [`WATCHDOG`]; a panic in the body is re-raised unchanged.
#[track_caller]
pub fn with_watchdog<T: Send + 'static>(body: impl FnOnce() -> T + Send + 'static) -> T {
    with_watchdog_for(WATCHDOG, body)
}

/// [`with_watchdog`] with a limit of the caller's choice, for tests whose size is configurable
/// (the reliability binary's stress runs).
#[track_caller]
pub fn with_watchdog_for<T: Send + 'static>(
    limit: Duration,
    body: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let body = std::thread::Builder::new()
        .name("watched-test".to_owned())
        .spawn(move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
            let _ = done_tx.send(out);
        })
        .expect("spawn the watched test thread");
    match done_rx.recv_timeout(limit) {
        Ok(Ok(out)) => {
            let _ = body.join();
            out
        }
        Ok(Err(payload)) => std::panic::resume_unwind(payload),
        Err(_) => panic!("the test did not finish within {limit:?}: something in it hangs"),
    }
}

/// Whether a task of this flavour runs on a worker that blocking can safely hand off: a tokio
/// multi-thread worker (`block_in_place`) or a worker of a multi-thread loopbridge smol
/// executor (a replacement thread takes its duties). docs/semantics.md, "block_on".
pub fn blocking_in_task_completes(flavor: Flavor) -> bool {
    matches!(flavor, Flavor::TokioMultiThread | Flavor::Smol)
}

/// The `thread_name` that [`runner_for`] gives a flavour's runner: every thread the runner
/// starts is named from it.
pub fn thread_name_for(flavor: Flavor) -> String {
    format!("rt-{flavor:?}")
}

/// A fresh [`Runner`](loopbridge::Runner) of `flavor`, built through the public builder (the
/// runtimes of `#[loopbridge::test]` are built by the facade's test harness instead): tokio
/// multi-thread and smol with 2 workers, tokio current-thread with 1, async-std on its global
/// runtime; its threads are named [`thread_name_for`] `flavor`.
///
/// # Panics
///
/// If the flavour is unknown to the suite or its runner cannot start.
#[track_caller]
pub fn runner_for(flavor: Flavor) -> loopbridge::Runner {
    match builder_for(flavor).build() {
        Ok(runner) => runner,
        Err(err) => panic!("cannot build a {flavor:?} runner: {err}"),
    }
}

/// Writes one plain, synchronous `#[test]` per compiled-in flavour, in a module named after the
/// test, for tests that drive a [`Runner`](loopbridge::Runner) from sync code (typically one
/// made by [`runner_for`]):
///
/// ```text
/// runner_test! {
///     fn block_on_works(flavor) {
///         let runner = loopbridge_tests::runner_for(flavor);
///         assert_eq!(runner.block_on(async { 1 }), 1);
///     }
/// }
/// ```
///
/// Unlike a `#[loopbridge::test]`, the body is not a task: it runs on a plain thread under
/// [`with_watchdog`], with `flavor` (any name) bound to the flavour. That is why these tests
/// keep a macro of their own: blocking on a runner from inside a task is refused on some
/// flavours (docs/semantics.md, "block_on"), and `#[loopbridge::test]` only takes an `async fn`.
#[macro_export]
macro_rules! runner_test {
    ($(#[$attr:meta])* fn $name:ident($flavor:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[cfg(feature = "tokio")]
            #[test]
            $(#[$attr])*
            fn tokio_multi_thread() {
                $crate::with_watchdog(|| {
                    let $flavor = $crate::Flavor::TokioMultiThread;
                    $body
                });
            }

            #[cfg(feature = "tokio")]
            #[test]
            $(#[$attr])*
            fn tokio_current_thread() {
                $crate::with_watchdog(|| {
                    let $flavor = $crate::Flavor::TokioCurrentThread;
                    $body
                });
            }

            #[cfg(feature = "smol")]
            #[test]
            $(#[$attr])*
            fn smol() {
                $crate::with_watchdog(|| {
                    let $flavor = $crate::Flavor::Smol;
                    $body
                });
            }

            #[cfg(feature = "async-std")]
            #[test]
            $(#[$attr])*
            fn async_std() {
                $crate::with_watchdog(|| {
                    let $flavor = $crate::Flavor::AsyncStd;
                    $body
                });
            }
        }
    };
}

/// Counts its drops in a shared counter: proves that many futures' destructors ran.
#[derive(Debug)]
pub struct DropCounter(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl DropCounter {
    /// A guard that adds one to `counter` when dropped.
    pub fn new(counter: &std::sync::Arc<std::sync::atomic::AtomicUsize>) -> Self {
        DropCounter(std::sync::Arc::clone(counter))
    }
}

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The text of a panic payload (`&str` or `String`), empty for any other payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    match payload.downcast_ref::<String>() {
        Some(msg) => msg.clone(),
        None => payload.downcast_ref::<&str>().map(|s| (*s).to_owned()).unwrap_or_default(),
    }
}

/// Sets a flag when dropped: proves a future's destructor ran.
#[derive(Debug)]
pub struct DropFlag {
    flag: std::sync::Arc<std::sync::atomic::AtomicBool>,
    panic_on_drop: bool,
}

impl DropFlag {
    /// A flag and the value whose drop sets it; `panic_on_drop` makes the drop panic after.
    pub fn new(panic_on_drop: bool) -> (Self, std::sync::Arc<std::sync::atomic::AtomicBool>) {
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        (DropFlag { flag: std::sync::Arc::clone(&flag), panic_on_drop }, flag)
    }
}

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.flag.store(true, std::sync::atomic::Ordering::SeqCst);
        if self.panic_on_drop {
            panic!("panic in a destructor");
        }
    }
}

/// The builder that [`runner_for`] builds: also what a test hands to
/// [`configure_global`](loopbridge::configure_global) to make the global runner of a flavour.
pub fn builder_for(flavor: Flavor) -> loopbridge::RunnerBuilder {
    let builder =
        loopbridge::Runner::builder().backend(flavor.kind()).thread_name(thread_name_for(flavor));
    match flavor {
        Flavor::TokioMultiThread | Flavor::Smol => builder.worker_threads(2),
        Flavor::TokioCurrentThread => builder.worker_threads(1),
        // async-std runs every runner's tasks on its one global runtime: no worker count.
        _ => builder,
    }
}

/// The backends compiled into this build of the tests, in build-time priority order.
pub fn compiled_in_kinds() -> Vec<BackendKind> {
    [
        (BackendKind::Tokio, cfg!(feature = "tokio")),
        (BackendKind::Smol, cfg!(feature = "smol")),
        (BackendKind::AsyncStd, cfg!(feature = "async-std")),
    ]
    .into_iter()
    .filter_map(|(kind, compiled)| compiled.then_some(kind))
    .collect()
}

/// One runner's whole life, for the leak checks: a [`runner_for`] the flavour starts every kind
/// of thread it has (a task, a `to_thread` job, a timer), then shuts down within `timeout`.
///
/// # Panics
///
/// If any of that fails or the shutdown does not complete in time.
#[track_caller]
pub fn one_runner_lifetime(flavor: Flavor, timeout: Duration) {
    let runner = runner_for(flavor);
    let out = runner.block_on(async {
        let task = loopbridge::spawn(async { 1 });
        let job = loopbridge::to_thread(|| 2);
        loopbridge::sleep(Duration::from_millis(1)).await;
        task.await.expect("the task") + job.await.expect("the job")
    });
    assert_eq!(out, 3);
    let report = runner.shutdown(timeout);
    assert!(report.completed_in_time(), "{flavor:?}: {report:?}");
}

/// Raises this process's soft limit on open files to at least `wanted` (up to the hard limit),
/// for tests that hold many sockets at once.
///
/// # Panics
///
/// If the hard limit is below `wanted`, with a message saying how to raise it.
pub fn raise_fd_limit(wanted: u64) {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.current.is_none_or(|current| current >= wanted) {
            return;
        }
        let hard = limit.maximum.unwrap_or(u64::MAX);
        assert!(
            hard >= wanted,
            "this test holds {wanted} open files and the hard limit is {hard}: raise it (`ulimit -Hn {wanted}` as root)"
        );
        let raised = Rlimit { current: Some(wanted), maximum: limit.maximum };
        if let Err(err) = setrlimit(Resource::Nofile, raised) {
            panic!("cannot raise the open-file limit to {wanted}: {err}");
        }
    }
    #[cfg(not(unix))]
    let _ = wanted;
}

/// A fresh empty directory for this test's files (Unix socket paths), under the system's
/// temporary directory.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let unique = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("lb-{name}-{}-{unique}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(err) = std::fs::create_dir_all(&dir) {
        panic!("cannot create {}: {err}", dir.display());
    }
    dir
}
