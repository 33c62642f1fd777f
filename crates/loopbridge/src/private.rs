//! Hidden support for loopbridge's own macros and test suites. Not a public API: it may
//! change in any release.
//!
//! The test harness lives here, in the facade, so that which backends exist is decided by the
//! facade's cargo features and never by `#[cfg]`s evaluated in the user's crate.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;

use crate::Bridge;
use crate::backends::{self, OwnedRuntime};

// What the expansions of `#[loopbridge::blocking]` and `#[loopbridge::test]` name. They reach
// everything through this module, so it alone decides what they call.
pub use crate::backends::Flavor;
pub use crate::backends::{if_async_std, if_no_backend, if_smol, if_tokio};
pub use crate::block_on;
pub use std::process::Termination;
pub use std::time::Duration;

/// The watchdog of a `#[loopbridge::test]` without `timeout = "..."`: long enough for any
/// honest test on a loaded CI machine, short enough that a hang fails the run in a minute.
pub const DEFAULT_TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A fresh runtime of one flavour, for one test.
#[derive(Debug)]
pub struct TestRuntime {
    flavor: Flavor,
    bridge: Bridge,
    runtime: Option<OwnedRuntime>,
}

impl TestRuntime {
    /// Starts a runtime of `flavor`.
    ///
    /// # Panics
    ///
    /// If the flavour is not compiled in or its threads cannot start.
    #[track_caller]
    pub fn start(flavor: Flavor) -> Self {
        let (kind, config) = backends::flavor_settings(flavor);
        match backends::start(kind, &config) {
            Ok((backend, runtime)) => {
                TestRuntime { flavor, bridge: Bridge::new(backend), runtime: Some(runtime) }
            }
            Err(err) => panic!("cannot start a {flavor:?} runtime for the test: {err}"),
        }
    }

    /// A bridge to the runtime.
    pub fn bridge(&self) -> &Bridge {
        &self.bridge
    }

    /// The flavour.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }
}

impl Drop for TestRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            let _outcome = runtime.shutdown(Duration::from_secs(5));
        }
    }
}

impl std::fmt::Debug for OwnedRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnedRuntime")
    }
}

/// Runs the body that `make` builds for `flavor` on a fresh runtime of that flavour and
/// returns its output (a test may return a `Result`). What `#[loopbridge::test]` expands to,
/// once per flavour.
///
/// As `#[tokio::test]` does, the body runs through the runtime's `block_on`, so it may be
/// `!Send` and may use `spawn_local` on every flavour (the `block_on` drives local tasks). It
/// does so on a thread of its own, named like the test's, while this thread keeps a watchdog:
/// a body still running after `timeout` fails the test instead of hanging it, even if it is
/// stuck in a synchronous call. A panic in the body is re-raised here unchanged, so
/// `#[should_panic]` works.
///
/// # Panics
///
/// If the body panics or outlives `timeout`, or its thread cannot start.
#[track_caller]
pub fn run_test<M, F>(flavor: Flavor, timeout: Duration, make: M) -> F::Output
where
    M: FnOnce(Flavor) -> F + Send + 'static,
    F: Future,
    F::Output: Send + 'static,
{
    run_test_on(TestRuntime::start(flavor), timeout, make)
}

/// [`run_test`] on a runtime whose clock starts paused (`start_paused = true`).
#[track_caller]
pub fn run_test_paused<M, F>(flavor: Flavor, timeout: Duration, make: M) -> F::Output
where
    M: FnOnce(Flavor) -> F + Send + 'static,
    F: Future,
    F::Output: Send + 'static,
{
    let runtime = TestRuntime::start(flavor);
    if let Some(clock) = runtime.bridge.backend().clock() {
        clock.pause();
    }
    run_test_on(runtime, timeout, make)
}

#[track_caller]
fn run_test_on<M, F>(runtime: TestRuntime, timeout: Duration, make: M) -> F::Output
where
    M: FnOnce(Flavor) -> F + Send + 'static,
    F: Future,
    F::Output: Send + 'static,
{
    let flavor = runtime.flavor;
    let bridge = runtime.bridge.clone();
    let (done, outcome) = mpsc::channel();
    let name = thread::current().name().unwrap_or("loopbridge-test").to_owned();
    let body = thread::Builder::new().name(name).spawn(move || {
        // `make` runs here: the body's future never crosses a thread.
        let output = panic::catch_unwind(AssertUnwindSafe(|| bridge.try_block_on(make(flavor))));
        let _ = done.send(output);
    });
    let body = match body {
        Ok(body) => body,
        Err(err) => panic!("cannot start the thread of the test body on {flavor:?}: {err}"),
    };
    let output = match outcome.recv_timeout(timeout) {
        Ok(output) => output,
        Err(_) => {
            // The body may be stuck in the runtime, or the runtime in the body; stopping it
            // could hang too. Leak both.
            std::mem::forget(runtime);
            panic!(
                "the test did not finish within {timeout:?} on {flavor:?}: something in it hangs \
                 (a deadlock, or a wait for an event that never comes)"
            );
        }
    };
    // The body has returned: its thread is leaving.
    let _ = body.join();
    drop(runtime);
    match output {
        Ok(Ok(output)) => output,
        Ok(Err(err)) => panic!("cannot run the test body on {flavor:?}: {err}"),
        Err(payload) => panic::resume_unwind(payload),
    }
}

/// The body of the test that a `#[loopbridge::test]` becomes when no backend is compiled in:
/// it fails, naming the features to enable, so that such a build is not green with nothing
/// tested.
///
/// # Panics
///
/// Always.
#[track_caller]
pub fn fail_without_backend() -> ! {
    panic!(
        "`#[loopbridge::test]` has no backend flavour to run this test on. {}",
        crate::Error::no_backend()
    )
}

/// Makes the running global runner look inherited through `fork()` (see the facade's
/// `global` module): the next use must abandon it and start a fresh one. For tests only.
pub fn pretend_global_runner_was_forked() {
    crate::runtime::global::pretend_inherited_from_parent();
}
