//! Which runtime the calling thread is inside: one [`detect`] behind every question the facade
//! asks about it, each answer one thread-local read per runtime at most.
//!
//! The loopbridge marker ([`loopbridge_core::unstable::context`]) answers for every runtime loopbridge
//! started and for an application's own backend; tokio's and async-std's own APIs answer for
//! runtimes the application started itself.

use loopbridge_core::BackendKind;
use loopbridge_core::unstable::context::{self, Ambient, ThreadRole};

#[cfg(feature = "async-std")]
use loopbridge_async_std::AsyncStdBackend;
#[cfg(feature = "smol")]
use loopbridge_smol::SmolBackend;
#[cfg(feature = "tokio")]
use loopbridge_tokio::TokioBackend;

use super::{AnyBackend, COMPILED_IN, CustomBackend};

/// What the calling thread is inside.
#[derive(Clone, Copy)]
enum Inside {
    /// A thread loopbridge marked: a runtime it started, or an application's own backend.
    Marked(Ambient),
    /// A runtime the application started itself, found through its own API.
    Native(BackendKind),
    /// No runtime loopbridge can see: a plain thread.
    Nothing,
}

#[inline]
fn detect() -> Inside {
    if let Some(ambient) = context::current() {
        return Inside::Marked(ambient);
    }
    match native_kind() {
        Some(kind) => Inside::Native(kind),
        None => Inside::Nothing,
    }
}

/// The runtime the application started itself that the calling thread is inside, if any.
#[inline]
fn native_kind() -> Option<BackendKind> {
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

/// Whether this build can serve a marker of `kind`: a compiled-in backend, or an
/// application's own (markers of an adapter used without its facade feature are not).
#[inline]
fn servable(kind: BackendKind) -> bool {
    !kind.is_shipped() || COMPILED_IN.contains(&kind)
}

/// The backend of the runtime the calling thread is inside, if this build can serve it.
pub(crate) fn ambient() -> Option<AnyBackend> {
    match detect() {
        Inside::Marked(ambient) => marked(ambient).or_else(native),
        Inside::Native(_) => native(),
        Inside::Nothing => None,
    }
}

/// The typed backend that goes with a marker.
fn marked(ambient: Ambient) -> Option<AnyBackend> {
    match ambient.kind() {
        #[cfg(feature = "tokio")]
        BackendKind::Tokio => TokioBackend::try_current().map(AnyBackend::Tokio),
        #[cfg(feature = "smol")]
        BackendKind::Smol => SmolBackend::try_current().map(AnyBackend::Smol),
        #[cfg(feature = "async-std")]
        BackendKind::AsyncStd => AsyncStdBackend::try_current().map(AnyBackend::AsyncStd),
        BackendKind::Other(_) => CustomBackend::try_current().map(AnyBackend::Custom),
        _ => None,
    }
}

/// The backend of a runtime the application started itself.
fn native() -> Option<AnyBackend> {
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
    match detect() {
        Inside::Marked(ambient) if servable(ambient.kind()) => Some(ambient.kind()),
        Inside::Marked(_) => native_kind(),
        Inside::Native(kind) => Some(kind),
        Inside::Nothing => None,
    }
}

/// Whether the calling thread belongs to no runtime loopbridge can see: no loopbridge marker,
/// no tokio context, no async-std task.
#[inline]
pub(crate) fn is_plain_thread() -> bool {
    matches!(detect(), Inside::Nothing)
}

/// Whether the calling thread is polling futures for some runtime loopbridge can see.
#[inline]
pub(crate) fn in_async_context() -> bool {
    match detect() {
        Inside::Marked(ambient) => !matches!(ambient.role(), ThreadRole::Blocking),
        Inside::Native(_) => true,
        Inside::Nothing => false,
    }
}
