//! The runtimes loopbridge starts and stops: [`OwnedRuntime`], [`start`], and the settings of
//! each [`Flavor`].

use std::time::Duration;

use loopbridge_core::unstable::lifecycle::ShutdownOutcome;
use loopbridge_core::{BackendKind, Error, RunnerConfig};

#[cfg(feature = "async-std")]
use loopbridge_async_std::AsyncStdRuntime;
#[cfg(feature = "smol")]
use loopbridge_smol::SmolRuntime;
#[cfg(feature = "tokio")]
use loopbridge_tokio::TokioRuntime;

use super::{AnyBackend, Flavor};

/// A runtime loopbridge started and must stop.
pub(crate) enum OwnedRuntime {
    #[cfg(feature = "tokio")]
    Tokio(TokioRuntime),
    #[cfg(feature = "smol")]
    Smol(SmolRuntime),
    #[cfg(feature = "async-std")]
    AsyncStd(AsyncStdRuntime),
}

#[cfg_attr(not(any(feature = "tokio", feature = "smol", feature = "async-std")), allow(unused))]
impl OwnedRuntime {
    pub(crate) fn shutdown(self, timeout: Duration) -> ShutdownOutcome {
        match self {
            #[cfg(feature = "tokio")]
            OwnedRuntime::Tokio(runtime) => runtime.shutdown(timeout),
            #[cfg(feature = "smol")]
            OwnedRuntime::Smol(runtime) => runtime.shutdown(timeout),
            #[cfg(feature = "async-std")]
            OwnedRuntime::AsyncStd(runtime) => runtime.shutdown(timeout),
        }
    }

    pub(crate) fn is_alive(&self) -> bool {
        match *self {
            #[cfg(feature = "tokio")]
            OwnedRuntime::Tokio(ref runtime) => runtime.is_alive(),
            #[cfg(feature = "smol")]
            OwnedRuntime::Smol(ref runtime) => runtime.is_alive(),
            #[cfg(feature = "async-std")]
            OwnedRuntime::AsyncStd(ref runtime) => runtime.is_alive(),
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
    crate::runtime::fork::check_and_record(kind)?;
    match kind {
        #[cfg(feature = "tokio")]
        BackendKind::Tokio => {
            let runtime = TokioRuntime::start(config)?;
            Ok((AnyBackend::Tokio(runtime.backend()), OwnedRuntime::Tokio(runtime)))
        }
        #[cfg(feature = "smol")]
        BackendKind::Smol => {
            let runtime = SmolRuntime::start(config)?;
            Ok((AnyBackend::Smol(runtime.backend()), OwnedRuntime::Smol(runtime)))
        }
        #[cfg(feature = "async-std")]
        BackendKind::AsyncStd => {
            let runtime = AsyncStdRuntime::start(config)?;
            Ok((AnyBackend::AsyncStd(runtime.backend()), OwnedRuntime::AsyncStd(runtime)))
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
