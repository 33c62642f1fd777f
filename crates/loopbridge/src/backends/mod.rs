//! Backend dispatch: the only module of the facade with backend `#[cfg]`s.
//!
//! Like tokio's `runtime/blocking/mod.rs`, this module isolates conditional compilation. It
//! defines [`AnyBackend`] (one variant per compiled-in backend, and one for an application's
//! own backend) and everything that must name a concrete backend; every other module calls it.
//!
//! | file | concept |
//! | --- | --- |
//! | `mod.rs` | [`AnyBackend`], `dispatch!`, and the checks a `block_on` adds for the runtimes other than its target |
//! | `custom.rs` | an application's own [`LoopBackend`], type-erased ([`Bridge::from_backend`](crate::Bridge::from_backend)) |
//! | `timer.rs` | [`AnyTimer`], the timer of any backend |
//! | `owned.rs` | the runtimes loopbridge starts and stops ([`OwnedRuntime`]) |
//! | `flavor.rs` | the public [`Flavor`] |
//! | `net/` | the sockets of [`loopbridge::net`](crate::net) on each backend's reactor |
//! | `gates.rs` | the `#[loopbridge::test]` gates, one per backend feature |
//!
//! **Architecture invariant:** with no backend feature the crate still compiles, and the first
//! operation that needs the global runner panics with a message naming the features; a
//! backend the application hands over with `Bridge::from_backend` works in every build.

mod custom;
mod flavor;
mod gates;
#[cfg(feature = "net")]
pub(crate) mod net;
mod owned;
mod timer;

#[cfg(test)]
mod tests;

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use loopbridge_core::task::{BlockingJob, TaskFuture};
use loopbridge_core::unstable::clock::Clock;
use loopbridge_core::{BackendKind, BlockOnError, JoinHandle, LoopBackend};

#[cfg(feature = "async-std")]
use loopbridge_async_std::AsyncStdBackend;
#[cfg(feature = "smol")]
use loopbridge_smol::SmolBackend;
#[cfg(feature = "tokio")]
use loopbridge_tokio::TokioBackend;

pub(crate) use custom::CustomBackend;
pub use flavor::Flavor;
pub use gates::{if_async_std, if_no_backend, if_smol, if_tokio};
pub(crate) use owned::{OwnedRuntime, flavor_settings, start};
pub(crate) use timer::{AnyTimer, NativeTimer};

/// The backends compiled into this build, in build-time priority order.
pub(crate) const COMPILED_IN: &[BackendKind] = &[
    #[cfg(feature = "tokio")]
    BackendKind::Tokio,
    #[cfg(feature = "smol")]
    BackendKind::Smol,
    #[cfg(feature = "async-std")]
    BackendKind::AsyncStd,
];

/// One backend of any compiled-in kind, or the application's own.
#[derive(Clone)]
pub(crate) enum AnyBackend {
    #[cfg(feature = "tokio")]
    Tokio(TokioBackend),
    #[cfg(feature = "smol")]
    Smol(SmolBackend),
    #[cfg(feature = "async-std")]
    AsyncStd(AsyncStdBackend),
    Custom(CustomBackend),
}

/// Runs `$body` with `$b` bound to the concrete backend inside `$any`; with `$wrap from`, the
/// result goes into the variant of the same name of the enum `$wrap` (one per backend too).
macro_rules! dispatch {
    ($any:expr, $b:ident => $wrap:ident from $body:expr) => {
        match *$any {
            #[cfg(feature = "tokio")]
            AnyBackend::Tokio(ref $b) => $wrap::Tokio($body),
            #[cfg(feature = "smol")]
            AnyBackend::Smol(ref $b) => $wrap::Smol($body),
            #[cfg(feature = "async-std")]
            AnyBackend::AsyncStd(ref $b) => $wrap::AsyncStd($body),
            AnyBackend::Custom(ref $b) => $wrap::Custom($body),
        }
    };
    ($any:expr, $b:ident => $body:expr) => {
        match *$any {
            #[cfg(feature = "tokio")]
            AnyBackend::Tokio(ref $b) => $body,
            #[cfg(feature = "smol")]
            AnyBackend::Smol(ref $b) => $body,
            #[cfg(feature = "async-std")]
            AnyBackend::AsyncStd(ref $b) => $body,
            AnyBackend::Custom(ref $b) => $body,
        }
    };
}

impl AnyBackend {
    /// `backend` as the variant of its type: a backend loopbridge ships keeps its own variant
    /// (and its fast paths); any other is type-erased.
    pub(crate) fn from_backend<B: LoopBackend>(backend: B) -> Self {
        let any: &dyn Any = &backend;
        #[cfg(feature = "tokio")]
        if let Some(backend) = any.downcast_ref::<TokioBackend>() {
            return AnyBackend::Tokio(backend.clone());
        }
        #[cfg(feature = "smol")]
        if let Some(backend) = any.downcast_ref::<SmolBackend>() {
            return AnyBackend::Smol(backend.clone());
        }
        #[cfg(feature = "async-std")]
        if let Some(backend) = any.downcast_ref::<AsyncStdBackend>() {
            return AnyBackend::AsyncStd(backend.clone());
        }
        let _ = any;
        AnyBackend::Custom(CustomBackend::new(backend))
    }

    /// The clock of a runtime loopbridge started (which can be paused); `None` for one the
    /// application started.
    #[inline]
    pub(crate) fn clock(&self) -> Option<&Arc<Clock>> {
        dispatch!(self, b => b.lifecycle().map(|l| l.clock()))
    }

    /// The runtime's own timer for `deadline` on the wall clock.
    pub(crate) fn native_timer_at(&self, deadline: Instant) -> NativeTimer {
        dispatch!(self, b => NativeTimer from b.timer_at(deadline))
    }

    /// Whether this is a runtime loopbridge started that has been shut down (it then refuses
    /// work). An application's own runtime is never reported shut down: it is not ours to know.
    pub(crate) fn is_shut_down(&self) -> bool {
        dispatch!(self, b => b.lifecycle().is_some_and(|l| l.is_closed()))
    }
}

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

    // Each adapter's own spawn, which may hand out the runtime's native handle (tokio).
    fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        dispatch!(self, b => b.spawn(future))
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
        if crate::runtime::ambient::is_plain_thread() {
            return self.try_block_on_plain_thread(future, deadline);
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

    /// For a caller known to be on a plain thread ([`is_plain_thread`]): no other runtime can
    /// own it, so only the target adapter's own checks run, or none where it can skip them.
    fn try_block_on_plain_thread<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        dispatch!(self, b => b.try_block_on_plain_thread(future, deadline))
    }

    fn timer_at(&self, deadline: Instant) -> AnyTimer {
        AnyTimer::at(self, deadline)
    }

    /// The runtime's clock; while every clock of the process is the wall clock (none was ever
    /// paused, no application backend with a `now` of its own was made), the wall clock — or
    /// tokio's own, which tokio may have paused — without asking the adapter.
    #[inline]
    fn now(&self) -> Instant {
        if loopbridge_core::unstable::clock::wall_clock_everywhere() {
            return crate::time::unpaused_now();
        }
        dispatch!(self, b => b.now())
    }
}

/// `future`, polled outside tokio's cooperative budget where tokio is compiled in: tokio's
/// handles charge every poll to the polling task's budget (128 polls) and report `Pending`
/// once it is spent, which a poll that must see what is ready (`JoinSet::try_join_next`) cannot
/// accept — tokio's own `try_join_next` skips the budget for the same reason. No other runtime
/// has a budget.
pub(crate) fn unconstrained<F: Future>(future: F) -> impl Future<Output = F::Output> {
    #[cfg(feature = "tokio")]
    let future = tokio::task::unconstrained(future);
    future
}

impl fmt::Debug for AnyBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        dispatch!(self, b => fmt::Debug::fmt(b, f))
    }
}
