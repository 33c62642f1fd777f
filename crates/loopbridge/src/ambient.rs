//! The backend a free function uses: the ambient runtime's, else the global runner's — with a
//! per-thread cache for the threads of runtimes loopbridge started, so that a `spawn` from one
//! of their tasks builds no backend value (no reference counts touched).
//!
//! # Protocol
//!
//! 1. A thread that a loopbridge runtime owns — a worker, or a thread running its blocking
//!    jobs — carries a marker naming the runtime instance (its lifecycle's id). The first
//!    lookup there finds the backend the slow way ([`backends::ambient`]) and keeps it with that
//!    key; later lookups with the same key borrow it.
//! 2. The cached backend holds the runtime's lifecycle, so the id cannot be reused by another
//!    runtime while the entry exists: a key match always means the same runtime.
//! 3. Threads in a `block_on` are borrowed from the application, not owned: they use the slow
//!    path and never keep a runtime's backend alive after they leave it. An owned thread keeps
//!    the entry until it exits (tokio's and loopbridge's threads exit at the runtime's
//!    shutdown; async-std's global threads keep one entry each).
//! 4. The entry is borrowed while the operation runs. An operation nested inside it (a
//!    `block_on` whose future spawns) that needs another entry cannot replace the borrowed one
//!    and takes the slow path instead.

use std::cell::RefCell;
use std::future::Future;

use loopbridge_core::unstable::context::{self, ThreadRole};
use loopbridge_core::{BackendKind, BlockOnError, LoopBackend};

use crate::backends::{self, AnyBackend};
use crate::runtime::global;

thread_local! {
    static CACHE: RefCell<Option<((BackendKind, usize), AnyBackend)>> = const { RefCell::new(None) };
}

/// Runs `f` with the ambient backend, else the global runner's, without cloning either.
#[track_caller]
pub(crate) fn with_current<R>(f: impl FnOnce(&AnyBackend) -> R) -> R {
    let key = context::current().and_then(|ambient| match ambient.role() {
        ThreadRole::Worker { .. } | ThreadRole::Blocking => {
            ambient.runtime().map(|id| (ambient.kind(), id))
        }
        _ => None,
    });
    match key {
        Some(key) => with_owned(key, f),
        None => match backends::ambient() {
            Some(backend) => f(&backend),
            None => global::with_backend(f),
        },
    }
}

/// `try_block_on` on the current runtime. From a plain thread (the common case: sync code
/// calling async code) the runtime checks are done once, here, and the global runner's adapter
/// runs the future directly.
#[track_caller]
pub(crate) fn try_block_on<F: Future>(future: F) -> Result<F::Output, BlockOnError> {
    if backends::is_plain_thread() {
        return global::with_backend(|b| b.try_block_on_plain_thread(future, None));
    }
    with_current(|b| b.try_block_on(future))
}

/// [`with_current`] on a thread owned by the runtime `key`.
#[track_caller]
fn with_owned<R>(key: (BackendKind, usize), f: impl FnOnce(&AnyBackend) -> R) -> R {
    let mut f = Some(f);
    let hit = CACHE.try_with(|cache| {
        if let Ok(cache) = cache.try_borrow() {
            if let Some((cached, backend)) = cache.as_ref() {
                if *cached == key {
                    return f.take().map(|f| f(backend));
                }
            }
        }
        None
    });
    if let Ok(Some(output)) = hit {
        return output;
    }
    let Some(f) = f else { unreachable!("`f` is only taken when it runs") };
    let Some(backend) = backends::ambient() else { return global::with_backend(f) };
    // Replaced only when no operation borrows the entry (see the protocol, step 4).
    let _ = CACHE.try_with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            *cache = Some((key, backend.clone()));
        }
    });
    f(&backend)
}

#[cfg(all(test, feature = "tokio"))]
mod tests;
