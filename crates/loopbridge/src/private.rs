//! Hidden support for loopbridge's own macros and test suites. Not a public API: it may
//! change in any release.
//!
//! The test harness lives here, in the facade, so that which backends exist is decided by the
//! facade's cargo features and never by `#[cfg]`s evaluated in the user's crate.

use std::future::Future;
use std::panic;
use std::time::Instant;

use loopbridge_core::LoopBackend;

use crate::Bridge;
use crate::select::{self, OwnedRuntime};
use loopbridge_core::park;

// What the expansions of `#[loopbridge::blocking]` and `#[loopbridge::test]` name. They reach
// everything through this module, so it alone decides what they call.
pub use crate::__loopbridge_if_async_std as if_async_std;
pub use crate::__loopbridge_if_smol as if_smol;
pub use crate::__loopbridge_if_tokio as if_tokio;
pub use crate::block_on;
pub use crate::select::Flavor;
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
        let (kind, config) = select::flavor_settings(flavor);
        match select::start(kind, &config) {
            Ok((backend, runtime)) => TestRuntime {
                flavor,
                bridge: Bridge::from_backend(backend),
                runtime: Some(runtime),
            },
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

/// Runs the body that `make` builds for `flavor` as a task on a fresh runtime of that flavour
/// and waits for it from the calling thread with a watchdog: a body still running after
/// `timeout` fails the test instead of hanging it. Returns the body's output (a test may
/// return a `Result`). A panic in the body is re-raised here unchanged, so `#[should_panic]`
/// works. What `#[loopbridge::test]` expands to, once per flavour.
///
/// # Panics
///
/// If the body panics, is cancelled, or outlives `timeout`.
#[track_caller]
pub fn run_test<M, F>(flavor: Flavor, timeout: Duration, make: M) -> F::Output
where
    M: FnOnce(Flavor) -> F,
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let runtime = TestRuntime::start(flavor);
    let handle = runtime.bridge.backend().spawn(make(flavor));
    match park::wait_until(handle, Instant::now() + timeout) {
        Some(Ok(output)) => {
            drop(runtime);
            output
        }
        Some(Err(err)) => {
            drop(runtime);
            match err.try_into_panic() {
                Ok(payload) => panic::resume_unwind(payload),
                Err(err) => panic!("the test task on {flavor:?} ended early: {err}"),
            }
        }
        None => {
            // The runtime may be stuck in the body; stopping it could hang too. Leak it.
            std::mem::forget(runtime);
            panic!(
                "the test did not finish within {timeout:?} on {flavor:?}: something in it hangs \
                 (a deadlock, or a wait for an event that never comes)"
            );
        }
    }
}

/// Makes the running global runner look inherited through `fork()` (see the facade's
/// `global` module): the next use must abandon it and start a fresh one. For tests only.
pub fn pretend_global_runner_was_forked() {
    crate::global::pretend_inherited_from_parent();
}
