//! Backend selection: the only module of the facade with backend `#[cfg]`s.
//!
//! Like tokio's `runtime/blocking/mod.rs`, this module isolates conditional compilation: it
//! defines [`AnyBackend`] (one variant per compiled-in backend) and everything that must name a
//! concrete backend — ambient detection, starting owned runtimes, and the checks a `block_on`
//! needs for runtimes other than its target. Every other module calls these functions.
//!
//! **Architecture invariant:** with no backend feature the crate still compiles, and the first
//! operation panics with a message naming the features (the global runner cannot be built;
//! `AnyBackend::Unavailable` exists only so that this build has no dead code).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use loopbridge_core::lifecycle::ShutdownOutcome;
use loopbridge_core::task::{BlockingJob, TaskFuture};
use loopbridge_core::{BackendKind, BlockOnError, Error, LoopBackend, RunnerConfig};

#[cfg(feature = "async-std")]
use loopbridge_async_std::{AsyncStdBackend, AsyncStdRunner};
#[cfg(feature = "smol")]
use loopbridge_smol::{SmolBackend, SmolExecutor};
#[cfg(feature = "tokio")]
use loopbridge_tokio::{TokioBackend, TokioRuntime};

/// The backends compiled into this build, in build-time priority order.
pub(crate) const COMPILED_IN: &[BackendKind] = &[
    #[cfg(feature = "tokio")]
    BackendKind::Tokio,
    #[cfg(feature = "smol")]
    BackendKind::Smol,
    #[cfg(feature = "async-std")]
    BackendKind::AsyncStd,
];

/// One backend of any compiled-in kind.
#[derive(Clone)]
pub(crate) enum AnyBackend {
    #[cfg(feature = "tokio")]
    Tokio(TokioBackend),
    #[cfg(feature = "smol")]
    Smol(SmolBackend),
    #[cfg(feature = "async-std")]
    AsyncStd(AsyncStdBackend),
    /// Only in a build without backends, so that the type stays inhabited (code handling a
    /// backend is then not dead code); every operation on it panics with [`no_backend`].
    #[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
    #[allow(dead_code, reason = "never built: it only keeps the type inhabited without backends")]
    Unavailable,
}

/// The panic of an operation in a build without backends.
#[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
#[track_caller]
fn no_backend() -> ! {
    panic!("{}", Error::no_backend())
}

/// Runs `$body` with `$b` bound to the concrete backend inside `$any`.
macro_rules! dispatch {
    ($any:expr, $b:ident => $body:expr) => {
        match *$any {
            #[cfg(feature = "tokio")]
            AnyBackend::Tokio(ref $b) => $body,
            #[cfg(feature = "smol")]
            AnyBackend::Smol(ref $b) => $body,
            #[cfg(feature = "async-std")]
            AnyBackend::AsyncStd(ref $b) => $body,
            #[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
            AnyBackend::Unavailable => no_backend(),
        }
    };
}

/// The timer of any compiled-in backend; each is `Unpin`.
pub(crate) enum AnyTimer {
    #[cfg(feature = "tokio")]
    Tokio(<TokioBackend as LoopBackend>::Timer),
    #[cfg(feature = "smol")]
    Smol(<SmolBackend as LoopBackend>::Timer),
    #[cfg(feature = "async-std")]
    AsyncStd(<AsyncStdBackend as LoopBackend>::Timer),
}

impl Future for AnyTimer {
    type Output = ();

    #[cfg_attr(not(any(feature = "tokio", feature = "smol", feature = "async-std")), allow(unused))]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match *self.get_mut() {
            #[cfg(feature = "tokio")]
            AnyTimer::Tokio(ref mut timer) => Pin::new(timer).poll(cx),
            #[cfg(feature = "smol")]
            AnyTimer::Smol(ref mut timer) => Pin::new(timer).poll(cx).map(drop),
            #[cfg(feature = "async-std")]
            AnyTimer::AsyncStd(ref mut timer) => Pin::new(timer).poll(cx).map(drop),
        }
    }
}

#[cfg_attr(not(any(feature = "tokio", feature = "smol", feature = "async-std")), allow(unused))]
impl LoopBackend for AnyBackend {
    type Timer = AnyTimer;

    fn kind(&self) -> BackendKind {
        dispatch!(self, b => b.kind())
    }

    fn spawn_task<F>(&self, task: TaskFuture<F>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        dispatch!(self, b => b.spawn_task(task))
    }

    fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        dispatch!(self, b => b.spawn_blocking_job(job))
    }

    /// Adds to the target adapter's own checks those for the other compiled-in runtimes,
    /// which it cannot see: the calling thread may belong to any of them.
    fn try_block_on_until<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        // The common case, sync code calling async code: one pass of cheap checks, then the
        // target alone.
        if is_plain_thread() {
            return self.try_block_on_plain(future, deadline);
        }
        #[cfg(feature = "async-std")]
        if !matches!(self, AnyBackend::AsyncStd(_)) {
            loopbridge_async_std::check_blocking()?;
        }
        let block = move || dispatch!(self, b => b.try_block_on_until(future, deadline));
        // A smol worker hands its duties to a replacement thread while it blocks.
        #[cfg(feature = "smol")]
        let block = {
            let target_is_smol = matches!(self, AnyBackend::Smol(_));
            move || {
                if target_is_smol { block() } else { loopbridge_smol::blocking_region(block)? }
            }
        };
        // A tokio multi-thread worker uses `block_in_place`; a current-thread one refuses.
        #[cfg(feature = "tokio")]
        if !matches!(self, AnyBackend::Tokio(_)) {
            return loopbridge_tokio::blocking_region(block)?;
        }
        block()
    }

    fn timer_at(&self, deadline: Instant) -> AnyTimer {
        match *self {
            #[cfg(feature = "tokio")]
            AnyBackend::Tokio(ref b) => AnyTimer::Tokio(b.timer_at(deadline)),
            #[cfg(feature = "smol")]
            AnyBackend::Smol(ref b) => AnyTimer::Smol(b.timer_at(deadline)),
            #[cfg(feature = "async-std")]
            AnyBackend::AsyncStd(ref b) => AnyTimer::AsyncStd(b.timer_at(deadline)),
            #[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
            AnyBackend::Unavailable => no_backend(),
        }
    }
}

#[cfg_attr(not(any(feature = "tokio", feature = "smol", feature = "async-std")), allow(unused))]
impl AnyBackend {
    /// [`try_block_on_until`](LoopBackend::try_block_on_until) for a caller known to be on a
    /// plain thread ([`is_plain_thread`]): no other runtime can own it, so only the target
    /// adapter's own checks run.
    pub(crate) fn try_block_on_plain<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        match *self {
            // The adapters' own checks for worker threads would find nothing here (and cost
            // tokio a second `Handle::try_current`).
            #[cfg(feature = "tokio")]
            AnyBackend::Tokio(ref b) => b.try_block_on_plain_thread(future, deadline),
            #[cfg(feature = "smol")]
            AnyBackend::Smol(ref b) => b.try_block_on_plain_thread(future, deadline),
            #[cfg(feature = "async-std")]
            AnyBackend::AsyncStd(ref b) => b.try_block_on_until(future, deadline),
            #[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
            AnyBackend::Unavailable => no_backend(),
        }
    }

    /// Whether this is a runtime loopbridge started that has been shut down (it then refuses
    /// work). An application's own runtime is never reported shut down: it is not ours to know.
    pub(crate) fn is_shut_down(&self) -> bool {
        match *self {
            #[cfg(feature = "tokio")]
            AnyBackend::Tokio(ref b) => b.lifecycle().is_some_and(|l| l.is_closed()),
            #[cfg(feature = "smol")]
            AnyBackend::Smol(ref b) => b.lifecycle().is_closed(),
            #[cfg(feature = "async-std")]
            AnyBackend::AsyncStd(ref b) => b.lifecycle().is_some_and(|l| l.is_closed()),
            #[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
            AnyBackend::Unavailable => no_backend(),
        }
    }
}

impl fmt::Debug for AnyBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            #[cfg(feature = "tokio")]
            AnyBackend::Tokio(ref b) => fmt::Debug::fmt(b, f),
            #[cfg(feature = "smol")]
            AnyBackend::Smol(ref b) => fmt::Debug::fmt(b, f),
            #[cfg(feature = "async-std")]
            AnyBackend::AsyncStd(ref b) => fmt::Debug::fmt(b, f),
            #[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
            AnyBackend::Unavailable => f.write_str("Unavailable"),
        }
    }
}

/// The backend of the runtime the calling thread is inside, if it is compiled in: first the
/// loopbridge marker (runtimes loopbridge started), then tokio's and async-std's own APIs.
pub(crate) fn ambient() -> Option<AnyBackend> {
    if let Some(ambient) = loopbridge_core::context::current() {
        let found = match ambient.kind() {
            #[cfg(feature = "tokio")]
            BackendKind::Tokio => TokioBackend::try_current().map(AnyBackend::Tokio),
            #[cfg(feature = "smol")]
            BackendKind::Smol => SmolBackend::try_current().map(AnyBackend::Smol),
            #[cfg(feature = "async-std")]
            BackendKind::AsyncStd => AsyncStdBackend::try_current().map(AnyBackend::AsyncStd),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    #[cfg(feature = "tokio")]
    if let Some(backend) = TokioBackend::try_current() {
        return Some(AnyBackend::Tokio(backend));
    }
    #[cfg(feature = "async-std")]
    if let Some(backend) = AsyncStdBackend::try_current() {
        return Some(AnyBackend::AsyncStd(backend));
    }
    None
}

/// The kind of [`ambient`], without building a backend: one thread-local read for every
/// runtime loopbridge started.
#[inline]
pub(crate) fn ambient_kind() -> Option<BackendKind> {
    if let Some(ambient) = loopbridge_core::context::current() {
        if COMPILED_IN.contains(&ambient.kind()) {
            return Some(ambient.kind());
        }
    }
    #[cfg(feature = "tokio")]
    if tokio::runtime::Handle::try_current().is_ok() {
        return Some(BackendKind::Tokio);
    }
    #[cfg(feature = "async-std")]
    if async_std::task::try_current().is_some() {
        return Some(BackendKind::AsyncStd);
    }
    None
}

/// Whether the calling thread belongs to no runtime loopbridge can see: no loopbridge marker,
/// no tokio context, no async-std task. Each check is one thread-local read.
#[inline]
pub(crate) fn is_plain_thread() -> bool {
    if loopbridge_core::context::current().is_some() {
        return false;
    }
    #[cfg(feature = "tokio")]
    if tokio::runtime::Handle::try_current().is_ok() {
        return false;
    }
    #[cfg(feature = "async-std")]
    if async_std::task::try_current().is_some() {
        return false;
    }
    true
}

/// Whether the calling thread is polling futures for some runtime loopbridge can see.
#[inline]
pub(crate) fn in_async_context() -> bool {
    use loopbridge_core::context::ThreadRole;
    if let Some(ambient) = loopbridge_core::context::current() {
        return !matches!(ambient.role(), ThreadRole::Blocking);
    }
    #[cfg(feature = "tokio")]
    if tokio::runtime::Handle::try_current().is_ok() {
        return true;
    }
    #[cfg(feature = "async-std")]
    if async_std::task::try_current().is_some() {
        return true;
    }
    false
}

/// A runtime flavour loopbridge can start: what `#[loopbridge::test]` runs each test on, and
/// what a test function may take as its one argument to know where it runs.
///
/// # Examples
///
/// ```
/// use loopbridge::{BackendKind, Flavor};
///
/// // The flavours of this build: tokio's two with the default features.
/// for flavor in Flavor::COMPILED_IN {
///     assert!(BackendKind::ALL.contains(&flavor.kind()));
/// }
/// assert_eq!(Flavor::TokioCurrentThread.kind(), BackendKind::Tokio);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Flavor {
    /// A tokio multi-thread runtime.
    TokioMultiThread,
    /// A tokio current-thread runtime (one driver thread).
    TokioCurrentThread,
    /// A loopbridge-owned smol executor.
    Smol,
    /// async-std's global runtime.
    AsyncStd,
}

impl Flavor {
    /// The flavours compiled into this build, in the order tokio, smol, async-std.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge::Flavor;
    ///
    /// # #[cfg(feature = "tokio")]
    /// assert!(Flavor::COMPILED_IN.contains(&Flavor::TokioCurrentThread));
    /// for flavor in Flavor::COMPILED_IN {
    ///     println!("{flavor:?} runs on {}", flavor.kind());
    /// }
    /// ```
    pub const COMPILED_IN: &'static [Flavor] = &[
        #[cfg(feature = "tokio")]
        Flavor::TokioMultiThread,
        #[cfg(feature = "tokio")]
        Flavor::TokioCurrentThread,
        #[cfg(feature = "smol")]
        Flavor::Smol,
        #[cfg(feature = "async-std")]
        Flavor::AsyncStd,
    ];

    /// The backend the flavour runs on.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge::{BackendKind, Flavor};
    ///
    /// assert_eq!(Flavor::TokioMultiThread.kind(), BackendKind::Tokio);
    /// assert_eq!(Flavor::Smol.kind(), BackendKind::Smol);
    /// ```
    pub fn kind(self) -> BackendKind {
        match self {
            Flavor::TokioMultiThread | Flavor::TokioCurrentThread => BackendKind::Tokio,
            Flavor::Smol => BackendKind::Smol,
            Flavor::AsyncStd => BackendKind::AsyncStd,
        }
    }
}

// The gates of `#[loopbridge::test]`: each expands to its input when its backend is compiled
// in and to nothing otherwise, so the facade's features decide which flavours' tests exist,
// never `#[cfg]`s evaluated in the user's crate. Reached as `__private::if_tokio!` & co.

/// Keeps its input: the tokio backend is compiled in.
#[cfg(feature = "tokio")]
#[doc(hidden)]
#[macro_export]
macro_rules! __loopbridge_if_tokio {
    ($($item:tt)*) => { $($item)* };
}

/// Drops its input: the tokio backend is not compiled in.
#[cfg(not(feature = "tokio"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __loopbridge_if_tokio {
    ($($item:tt)*) => {};
}

/// Keeps its input: the smol backend is compiled in.
#[cfg(feature = "smol")]
#[doc(hidden)]
#[macro_export]
macro_rules! __loopbridge_if_smol {
    ($($item:tt)*) => { $($item)* };
}

/// Drops its input: the smol backend is not compiled in.
#[cfg(not(feature = "smol"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __loopbridge_if_smol {
    ($($item:tt)*) => {};
}

/// Keeps its input: the async-std backend is compiled in.
#[cfg(feature = "async-std")]
#[doc(hidden)]
#[macro_export]
macro_rules! __loopbridge_if_async_std {
    ($($item:tt)*) => { $($item)* };
}

/// Drops its input: the async-std backend is not compiled in.
#[cfg(not(feature = "async-std"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __loopbridge_if_async_std {
    ($($item:tt)*) => {};
}

/// A runtime loopbridge started and must stop.
pub(crate) enum OwnedRuntime {
    #[cfg(feature = "tokio")]
    Tokio(TokioRuntime),
    #[cfg(feature = "smol")]
    Smol(SmolExecutor),
    #[cfg(feature = "async-std")]
    AsyncStd(AsyncStdRunner),
}

#[cfg_attr(not(any(feature = "tokio", feature = "smol", feature = "async-std")), allow(unused))]
impl OwnedRuntime {
    pub(crate) fn shutdown(self, timeout: Duration) -> ShutdownOutcome {
        match self {
            #[cfg(feature = "tokio")]
            OwnedRuntime::Tokio(runtime) => runtime.shutdown(timeout),
            #[cfg(feature = "smol")]
            OwnedRuntime::Smol(executor) => executor.shutdown(timeout),
            #[cfg(feature = "async-std")]
            OwnedRuntime::AsyncStd(runner) => runner.shutdown(timeout),
        }
    }

    pub(crate) fn is_alive(&self) -> bool {
        match *self {
            #[cfg(feature = "tokio")]
            OwnedRuntime::Tokio(ref runtime) => runtime.is_alive(),
            #[cfg(feature = "smol")]
            OwnedRuntime::Smol(ref executor) => executor.is_alive(),
            #[cfg(feature = "async-std")]
            OwnedRuntime::AsyncStd(ref runner) => runner.is_alive(),
        }
    }
}

/// Starts a runtime of `kind` configured by `config`.
///
/// # Errors
///
/// The kind is not compiled in, or its threads cannot start.
#[cfg_attr(not(any(feature = "tokio", feature = "smol", feature = "async-std")), allow(unused))]
pub(crate) fn start(
    kind: BackendKind,
    config: &RunnerConfig,
) -> Result<(AnyBackend, OwnedRuntime), Error> {
    crate::inherited::check_and_record(kind)?;
    match kind {
        #[cfg(feature = "tokio")]
        BackendKind::Tokio => {
            let runtime = TokioRuntime::start(config)?;
            Ok((AnyBackend::Tokio(runtime.backend()), OwnedRuntime::Tokio(runtime)))
        }
        #[cfg(feature = "smol")]
        BackendKind::Smol => {
            let executor = SmolExecutor::start(config)?;
            Ok((AnyBackend::Smol(executor.backend()), OwnedRuntime::Smol(executor)))
        }
        #[cfg(feature = "async-std")]
        BackendKind::AsyncStd => {
            let runner = AsyncStdRunner::start(config)?;
            Ok((AnyBackend::AsyncStd(runner.backend()), OwnedRuntime::AsyncStd(runner)))
        }
        other => Err(Error::not_compiled_in(other)),
    }
}

/// The backend kind and configuration of a flavour.
pub(crate) fn flavor_settings(flavor: Flavor) -> (BackendKind, RunnerConfig) {
    let config = RunnerConfig::default().with_thread_name(format!("loopbridge-{flavor:?}"));
    match flavor {
        Flavor::TokioMultiThread => (BackendKind::Tokio, config.with_worker_threads(2)),
        Flavor::TokioCurrentThread => (BackendKind::Tokio, config.with_worker_threads(1)),
        Flavor::Smol => (BackendKind::Smol, config.with_worker_threads(2)),
        Flavor::AsyncStd => (BackendKind::AsyncStd, config),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
    #[test]
    #[should_panic(expected = "enable one of the cargo features `tokio`, `smol` or `async-std`")]
    fn without_a_backend_the_first_operation_names_the_features() {
        drop(crate::spawn(async {}));
    }

    #[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
    #[test]
    fn without_a_backend_nothing_is_ambient_or_selectable() {
        assert!(COMPILED_IN.is_empty() && Flavor::COMPILED_IN.is_empty());
        assert_eq!(crate::current(), None);
        assert!(!crate::in_async_context());
        let err = crate::set_default_backend(BackendKind::Tokio).unwrap_err();
        assert!(err.is_not_compiled_in());
    }

    #[test]
    fn flavors_and_kinds_agree() {
        for flavor in Flavor::COMPILED_IN {
            let (kind, config) = flavor_settings(*flavor);
            assert!(COMPILED_IN.contains(&kind));
            assert!(config.worker_threads >= 1);
        }
    }
}
