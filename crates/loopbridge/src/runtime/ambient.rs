//! Which backend serves a call: the runtime the calling thread is inside (the *ambient*
//! runtime), else the global runner. Every free function, `Bridge::current` and
//! `Bridge::global` ask here, and nowhere else.
//!
//! # Detection
//!
//! 1. The loopbridge marker (`loopbridge_core`'s thread marker): set on every thread of a
//!    runtime loopbridge started, inside its `block_on` calls and its blocking jobs, and by an
//!    application's own backend. One thread-local read. The adapter of the marked kind keeps
//!    the typed backend beside it.
//! 2. Otherwise the runtime's own API, for a runtime the application started itself: tokio's
//!    `Handle::try_current`, async-std's `task::try_current`.
//! 3. Otherwise a plain thread: the global runner (`global.rs`), started on first use.
//!
//! # The per-thread cache
//!
//! A `spawn` from a worker, or a `block_on` from a plain thread, must not build a backend
//! value (no reference counts touched), so each thread keeps one entry: a backend and the
//! runtime it belongs to.
//!
//! 1. A thread that a loopbridge runtime owns — a worker, or a thread running its blocking
//!    jobs — is keyed by its marker's runtime (kind and lifecycle id). The cached backend holds
//!    that runtime's lifecycle, so the id cannot be reused by another runtime while the entry
//!    exists: a key match always means the same runtime.
//! 2. A plain thread's entry is the global runner's, keyed by the runner's *generation* (bumped
//!    whenever the global runner is replaced) and a fork guard: one atomic load and one fork
//!    check validate it.
//! 3. Threads in a `block_on` are borrowed from the application, not owned: they use the slow
//!    path and never keep a runtime's backend alive after they leave it. An owned thread keeps
//!    its entry until it exits (tokio's and loopbridge's threads exit at the runtime's
//!    shutdown; async-std's global threads keep one entry each).
//! 4. The entry is borrowed while the operation runs. An operation nested inside it (a
//!    `block_on` whose future spawns) that needs another entry cannot replace the borrowed one
//!    and takes the slow path instead.

use std::cell::{Cell, RefCell};
use std::future::Future;

use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
use loopbridge_core::{BackendKind, BlockOnError, LoopBackend};

#[cfg(feature = "async-std")]
use loopbridge_async_std::AsyncStdBackend;
#[cfg(feature = "smol")]
use loopbridge_smol::SmolBackend;
#[cfg(feature = "tokio")]
use loopbridge_tokio::TokioBackend;

use crate::backends::{AnyBackend, COMPILED_IN, CustomBackend};
use crate::runtime::global;

thread_local! {
    static CACHE: RefCell<Option<Cached>> = const { RefCell::new(None) };
}

/// A thread's cached backend and whose it is.
struct Cached {
    owner: Owner,
    backend: AnyBackend,
}

enum Owner {
    /// The runtime that owns the thread: its kind and lifecycle id.
    Runtime(BackendKind, usize),
    /// The global runner of `generation` (0 once a fork made the entry stale: never current).
    Global { generation: Cell<u64>, fork_guard: RefCell<forkguard::Guard> },
}

impl Owner {
    fn global(generation: u64) -> Self {
        Owner::Global {
            generation: Cell::new(generation),
            fork_guard: RefCell::new(forkguard::new()),
        }
    }

    /// Whether this is the running global runner's entry: same generation, no fork since.
    fn is_current_global(&self) -> bool {
        let Owner::Global { generation, fork_guard } = self else { return false };
        if generation.get() != global::generation() {
            return false;
        }
        // `detected_fork` answers true once; the generation keeps the answer.
        let forked = fork_guard.try_borrow_mut().map_or(true, |mut g| g.detected_fork());
        if forked {
            generation.set(0);
        }
        !forked
    }
}

/// Runs `f` with the ambient backend, else the global runner's, without cloning either.
#[track_caller]
pub(crate) fn with_current<R>(f: impl FnOnce(&AnyBackend) -> R) -> R {
    match owning_runtime() {
        Some((kind, id)) => with_cached(
            |owner| matches!(*owner, Owner::Runtime(k, i) if k == kind && i == id),
            f,
            || entered().map(|backend| (Owner::Runtime(kind, id), backend)),
        ),
        None => match entered() {
            Some(backend) => f(&backend),
            None => with_global(f),
        },
    }
}

/// Runs `f` with the backend of the runtime that runs the caller, or with `None` on a plain
/// thread — where [`with_current`] would start the global runner, this starts nothing (the
/// global runner's clock is the wall clock, which is all a plain thread can ask it for).
#[inline]
pub(crate) fn with_running<R>(f: impl FnOnce(Option<&AnyBackend>) -> R) -> R {
    if is_plain_thread() { f(None) } else { with_current(|backend| f(Some(backend))) }
}

/// Runs `f` with the global runner's backend, starting the runner on first use.
///
/// # Panics
///
/// If no backend is compiled in, `LOOPBRIDGE_BACKEND` is invalid, or the runner cannot start.
#[track_caller]
pub(crate) fn with_global<R>(f: impl FnOnce(&AnyBackend) -> R) -> R {
    with_cached(Owner::is_current_global, f, || {
        let (backend, generation) = global::start_or_get();
        Some((Owner::global(generation), backend))
    })
}

/// `try_block_on` on the current runtime. From a plain thread (the common case: sync code
/// calling async code) the runtime checks are done once, here, and the global runner's adapter
/// runs the future directly.
#[track_caller]
pub(crate) fn try_block_on<F: Future>(future: F) -> Result<F::Output, BlockOnError> {
    if is_plain_thread() {
        return with_global(|b| b.try_block_on_plain_thread(future, None));
    }
    with_current(|b| b.try_block_on(future))
}

/// Runs `f` with the cached backend if `fresh` accepts the entry's owner; else with the one
/// `slow` finds (the global runner's if it finds none), kept for the next call.
#[inline]
#[track_caller]
fn with_cached<R>(
    fresh: impl Fn(&Owner) -> bool,
    f: impl FnOnce(&AnyBackend) -> R,
    slow: impl FnOnce() -> Option<(Owner, AnyBackend)>,
) -> R {
    let mut f = Some(f);
    let hit = CACHE.try_with(|cache| {
        let cache = cache.try_borrow().ok()?;
        let cached = cache.as_ref().filter(|cached| fresh(&cached.owner))?;
        f.take().map(|f| f(&cached.backend))
    });
    if let Ok(Some(output)) = hit {
        return output;
    }
    let Some(f) = f else { unreachable!("`f` is only taken when it runs") };
    missed(f, slow)
}

/// [`with_cached`] on a miss: out of line, so that the hit, the path of every call but a
/// thread's first, stays small enough for what it calls to be inlined into it.
#[cold]
#[inline(never)]
#[track_caller]
fn missed<R>(
    f: impl FnOnce(&AnyBackend) -> R,
    slow: impl FnOnce() -> Option<(Owner, AnyBackend)>,
) -> R {
    let Some((owner, backend)) = slow() else { return with_global(f) };
    // Replaced only when no operation borrows the entry (see the cache's rule 4).
    let _ = CACHE.try_with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            *cache = Some(Cached { owner, backend: backend.clone() });
        }
    });
    f(&backend)
}

/// The runtime that owns the calling thread (a worker, or a thread running its blocking
/// jobs), by its marker: the key of the thread's cache entry.
#[inline]
fn owning_runtime() -> Option<(BackendKind, usize)> {
    let marker = context::current()?;
    match marker.role() {
        ThreadRole::Worker { .. } | ThreadRole::Blocking => {
            marker.runtime().map(|id| (marker.kind(), id))
        }
        _ => None,
    }
}

/// What the calling thread is inside.
#[derive(Clone, Copy)]
enum Inside {
    /// A thread loopbridge marked: a runtime it started, or an application's own backend.
    Marked(Marker),
    /// A runtime the application started itself, found through its own API.
    Native(BackendKind),
    /// No runtime loopbridge can see: a plain thread.
    Nothing,
}

#[inline]
fn detect() -> Inside {
    if let Some(marker) = context::current() {
        return Inside::Marked(marker);
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

/// The backend of the runtime the calling thread is inside, if this build can serve it (the
/// slow path: it builds the backend value).
fn entered() -> Option<AnyBackend> {
    match detect() {
        Inside::Marked(marker) => marked(marker).or_else(native),
        Inside::Native(_) => native(),
        Inside::Nothing => None,
    }
}

/// The typed backend that goes with a marker.
fn marked(marker: Marker) -> Option<AnyBackend> {
    match marker.kind() {
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

/// The kind of [`entered`], without building a backend: one thread-local read for every
/// runtime loopbridge started.
#[inline]
pub(crate) fn kind() -> Option<BackendKind> {
    match detect() {
        Inside::Marked(marker) if servable(marker.kind()) => Some(marker.kind()),
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
        Inside::Marked(marker) => !matches!(marker.role(), ThreadRole::Blocking),
        Inside::Native(_) => true,
        Inside::Nothing => false,
    }
}

#[cfg(all(test, feature = "tokio"))]
mod tests;
