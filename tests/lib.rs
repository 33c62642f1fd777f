//! Support for the conformance suite: [`conformance!`] writes a test once and runs it on every
//! compiled-in runtime flavour (the model is tokio's `rt_test!`).
//!
//! The suite itself is the `conformance` integration test (`tests/conformance/`): one binary,
//! one module per area.

use std::future::Future;
use std::time::Duration;

pub use loopbridge::__private::Flavor;
use loopbridge::BackendKind;

/// How long one test body may run before its watchdog fails it.
pub const WATCHDOG: Duration = Duration::from_secs(30);

/// Runs the body made by `make` as a task on a fresh runtime of `flavor`, with the watchdog.
#[track_caller]
pub fn run<F, Fut>(flavor: Flavor, make: F)
where
    F: FnOnce(Flavor) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    loopbridge::__private::run_test(flavor, WATCHDOG, make(flavor));
}

/// Runs a plain (not per-flavour) test body on a thread of its own and fails the test if it has
/// not finished within [`WATCHDOG`]; a panic in the body is re-raised unchanged.
#[track_caller]
pub fn with_watchdog<T: Send + 'static>(body: impl FnOnce() -> T + Send + 'static) -> T {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let body = std::thread::Builder::new()
        .name("watched-test".to_owned())
        .spawn(move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
            let _ = done_tx.send(out);
        })
        .expect("spawn the watched test thread");
    match done_rx.recv_timeout(WATCHDOG) {
        Ok(Ok(out)) => {
            let _ = body.join();
            out
        }
        Ok(Err(payload)) => std::panic::resume_unwind(payload),
        Err(_) => panic!("the test did not finish within {WATCHDOG:?}: something in it hangs"),
    }
}

/// The backend a flavour runs on.
pub fn kind_of(flavor: Flavor) -> BackendKind {
    match flavor {
        Flavor::TokioMultiThread | Flavor::TokioCurrentThread => BackendKind::Tokio,
        Flavor::Smol => BackendKind::Smol,
        Flavor::AsyncStd => BackendKind::AsyncStd,
        other => panic!("the suite does not know the flavour {other:?} yet"),
    }
}

/// Whether a task of this flavour runs on a worker that blocking can safely hand off.
pub fn blocking_in_task_completes(flavor: Flavor) -> bool {
    matches!(flavor, Flavor::TokioMultiThread)
}

/// Writes one `#[test]` per compiled-in flavour, in a module named after the test:
///
/// ```ignore
/// conformance! {
///     async fn spawn_and_await(flavor) {
///         assert_eq!(loopbridge::spawn(async { 1 }).await.unwrap(), 1);
///     }
/// }
/// ```
///
/// generates `spawn_and_await::tokio_multi_thread`, `::tokio_current_thread`, `::smol` and
/// `::async_std`. The body runs as a task on a fresh runtime of that flavour; `flavor` (any
/// name) is bound to the flavour. Attributes such as `#[should_panic]` are copied to each test.
#[macro_export]
macro_rules! conformance {
    ($(#[$attr:meta])* async fn $name:ident() $body:block) => {
        $crate::conformance! { $(#[$attr])* async fn $name(_flavor) $body }
    };
    ($(#[$attr:meta])* async fn $name:ident($flavor:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[cfg(feature = "tokio")]
            #[test]
            $(#[$attr])*
            fn tokio_multi_thread() {
                $crate::run($crate::Flavor::TokioMultiThread, |$flavor| async move $body);
            }

            #[cfg(feature = "tokio")]
            #[test]
            $(#[$attr])*
            fn tokio_current_thread() {
                $crate::run($crate::Flavor::TokioCurrentThread, |$flavor| async move $body);
            }

            #[cfg(feature = "smol")]
            #[test]
            $(#[$attr])*
            fn smol() {
                $crate::run($crate::Flavor::Smol, |$flavor| async move $body);
            }

            #[cfg(feature = "async-std")]
            #[test]
            $(#[$attr])*
            fn async_std() {
                $crate::run($crate::Flavor::AsyncStd, |$flavor| async move $body);
            }
        }
    };
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
