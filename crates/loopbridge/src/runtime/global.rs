//! The global runner: one lazily started [`Runner`] of the chosen backend that serves every
//! operation made outside any runtime.
//!
//! # Protocol
//!
//! 1. The first use starts it, exactly once even under contention (the state's mutex), with
//!    the builder given to [`configure_global`] or the defaults (threads named
//!    `loopbridge-<backend>-<n>`), on the backend of [`set_default_backend`] / the
//!    `LOOPBRIDGE_BACKEND` variable / build-time priority.
//! 2. Each thread caches the runner's backend with the *generation* it belongs to; a use costs
//!    one atomic load to validate the cache (and one for the fork check), no lock, and no
//!    reference count: the cached backend is borrowed while the operation runs.
//! 3. [`shutdown_global`] takes the runner out, bumps the generation (invalidating every
//!    cache), and shuts it down; the next use starts a fresh one, and the configuration
//!    functions work again in between.
//! 4. A child process after `fork()` has none of the runner's threads. A `pthread_atfork`
//!    handler (through the `forkguard` crate) counts forks, so each use notices a fork with one
//!    atomic load; in a child it abandons the inherited runner (it cannot be shut down: its
//!    threads do not exist) and starts a fresh one — on tokio; a smol or async-std runtime
//!    cannot start in such a child and says why instead (see `fork.rs`). (A fork while
//!    another thread holds the state's lock — a few instructions at a runner's start or stop —
//!    leaves that lock held in the child, as with any mutex.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use loopbridge_core::{BackendKind, Error};

use crate::backends::{AnyBackend, COMPILED_IN};
use crate::runtime::config;
use crate::{Runner, RunnerBuilder, ShutdownReport};

struct State {
    runner: Option<Arc<Runner>>,
    /// Made when `runner` started: says whether this process is a fork of the one that did.
    fork_guard: Option<forkguard::Guard>,
    /// Set by the test hook that simulates a fork (a real one needs `unsafe`).
    pretend_forked: bool,
    builder: Option<RunnerBuilder>,
    explicit: Option<BackendKind>,
}

static STATE: Mutex<State> = Mutex::new(State {
    runner: None,
    fork_guard: None,
    pretend_forked: false,
    builder: None,
    explicit: None,
});

/// Bumped whenever the global runner is replaced; thread caches of older generations are stale.
static GENERATION: AtomicU64 = AtomicU64::new(1);

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    /// The running global runner of this process, abandoning one inherited through `fork()`.
    fn current(&mut self) -> Option<&Arc<Runner>> {
        let forked = self.fork_guard.as_mut().is_some_and(forkguard::Guard::detected_fork);
        if self.runner.is_some() && (forked || std::mem::take(&mut self.pretend_forked)) {
            // A forked child: the runner's threads exist only in the parent. Joining or
            // stopping them here would hang, so the runner is leaked on purpose.
            debug!("global runner inherited through fork(): abandoned, the next use starts one");
            std::mem::forget(self.runner.take());
            GENERATION.fetch_add(1, Ordering::AcqRel);
        }
        self.runner.as_ref()
    }
}

/// The generation of the running global runner: a thread's cached backend of an older one is
/// stale (see the `ambient` module).
#[inline]
pub(crate) fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// The global runner's backend, starting the runner if none runs, and the generation it
/// belongs to (its thread caches are stale once [`generation`] moves past it).
///
/// # Panics
///
/// If no backend is compiled in, `LOOPBRIDGE_BACKEND` is invalid, or the runner cannot start.
#[track_caller]
pub(crate) fn start_or_get() -> (AnyBackend, u64) {
    let mut state = state();
    let generation = GENERATION.load(Ordering::Acquire);
    let backend = match state.current() {
        Some(runner) => runner.bridge().backend().clone(),
        None => {
            let builder = match &state.builder {
                Some(builder) => builder.clone(),
                None => default_builder(state.explicit),
            };
            let runner = match builder.build_with_default(state.explicit) {
                Ok(runner) => runner,
                Err(err) => panic!("loopbridge could not start its global runner: {err}"),
            };
            let backend = runner.bridge().backend().clone();
            debug!(backend = %runner.kind(), "global runner started");
            state.runner = Some(Arc::new(runner));
            state.fork_guard = Some(forkguard::new());
            backend
        }
    };
    // A replacement started after `generation` was read is newer still: the later number.
    (backend, GENERATION.load(Ordering::Acquire).max(generation))
}

fn default_builder(explicit: Option<BackendKind>) -> RunnerBuilder {
    let mut builder = Runner::builder();
    if let Ok(kind) = config::preferred(explicit) {
        builder = builder.backend(kind).thread_name(format!("loopbridge-{kind}"));
    }
    builder
}

/// The application's explicit default backend, if set.
pub(crate) fn explicit_default() -> Option<BackendKind> {
    state().explicit
}

/// Makes `kind` the backend of the global runner (and of runners built without
/// [`RunnerBuilder::backend`]). Overrides the `LOOPBRIDGE_BACKEND` environment variable. Call
/// it at the start of `main`; operations inside a runtime always use that (ambient) runtime.
///
/// # Errors
///
/// - [`Error::is_not_compiled_in`]: the backend's cargo feature is not enabled;
/// - [`Error::is_too_late`]: the global runner is running (shut it down first with
///   [`shutdown_global`]).
///
/// # Examples
///
/// ```
/// use loopbridge::BackendKind;
///
/// # #[cfg(feature = "tokio")]
/// let kind = BackendKind::Tokio;
/// # #[cfg(not(feature = "tokio"))]
/// # let kind = loopbridge::Flavor::COMPILED_IN[0].kind(); // the backend this build has
/// loopbridge::set_default_backend(kind)?;
/// assert_eq!(loopbridge::Bridge::global().kind(), kind);
/// // Too late now: the global runner is running.
/// assert!(loopbridge::set_default_backend(kind).unwrap_err().is_too_late());
/// # Ok::<(), loopbridge::Error>(())
/// ```
pub fn set_default_backend(kind: BackendKind) -> Result<(), Error> {
    if !COMPILED_IN.contains(&kind) {
        return Err(Error::not_compiled_in(kind));
    }
    let mut state = state();
    if state.current().is_some() {
        return Err(Error::too_late("set_default_backend"));
    }
    state.explicit = Some(kind);
    Ok(())
}

/// Configures the global runner (backend, threads, names) before it starts.
///
/// # Errors
///
/// [`Error::is_too_late`] while the global runner is running.
///
/// # Examples
///
/// ```
/// let configured = loopbridge::configure_global(
///     loopbridge::Runner::builder().worker_threads(2).thread_name("app-loop"),
/// );
/// // Fails if some earlier code already used the global runner.
/// if configured.is_ok() {
///     loopbridge::block_on(async {});
/// }
/// ```
pub fn configure_global(builder: RunnerBuilder) -> Result<(), Error> {
    let mut state = state();
    if state.current().is_some() {
        return Err(Error::too_late("configure_global"));
    }
    state.builder = Some(builder);
    Ok(())
}

/// Shuts the global runner down (see [`Runner::shutdown`]) and returns its report; the next
/// use starts a fresh one. Without a running global runner it does nothing.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// loopbridge::block_on(async {});
/// assert!(loopbridge::global_is_running());
/// let report = loopbridge::shutdown_global(Duration::from_secs(5));
/// assert!(report.completed_in_time());
/// assert!(!loopbridge::global_is_running());
/// loopbridge::block_on(async {}); // a fresh global runner
/// assert!(loopbridge::global_is_running());
/// ```
pub fn shutdown_global(timeout: Duration) -> ShutdownReport {
    let runner = {
        let mut state = state();
        let _ = state.current();
        GENERATION.fetch_add(1, Ordering::AcqRel);
        state.runner.take()
    };
    match runner {
        Some(runner) => runner.shutdown(timeout),
        None => ShutdownReport::nothing_to_do(),
    }
}

/// Whether the global runner is started, in this process, and alive (its threads serving).
///
/// # Examples
///
/// ```
/// loopbridge::block_on(async {});
/// assert!(loopbridge::global_is_running());
/// ```
pub fn global_is_running() -> bool {
    state().current().is_some_and(|runner| runner.is_running())
}

/// Makes the running global runner look as if a parent process had started it, which is the
/// state a child finds after `fork()`. Only for tests: a real `fork()` needs `unsafe`, which
/// every loopbridge crate forbids. The runner it abandons keeps its threads in this process.
pub(crate) fn pretend_inherited_from_parent() {
    state().pretend_forked = true;
}
