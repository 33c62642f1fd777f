//! The backend a free function uses: the ambient runtime's, else the global runner's — with a
//! per-thread cache for the threads of runtimes loopbridge started, so that a `spawn` from one
//! of their tasks builds no backend value (no reference counts touched).
//!
//! # Protocol
//!
//! 1. A thread that a loopbridge runtime owns — a worker, or a thread running its blocking
//!    jobs — carries a marker naming the runtime instance (its lifecycle's id). The first
//!    lookup there finds the backend the slow way ([`select::ambient`]) and keeps it with that
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

use loopbridge_core::context::{self, ThreadRole};
use loopbridge_core::{BackendKind, BlockOnError, LoopBackend};

use crate::global;
use crate::select::{self, AnyBackend};

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
        None => match select::ambient() {
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
    if select::is_plain_thread() {
        return global::with_backend(|b| b.try_block_on_plain(future, None));
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
    let Some(backend) = select::ambient() else { return global::with_backend(f) };
    // Replaced only when no operation borrows the entry (see the protocol, step 4).
    let _ = CACHE.try_with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            *cache = Some((key, backend.clone()));
        }
    });
    f(&backend)
}

#[cfg(all(test, feature = "tokio"))]
mod tests {
    use loopbridge_core::BackendKind;

    use crate::Runner;

    /// On a thread of a runtime loopbridge started, its marker decides the ambient runtime,
    /// even where user code entered another tokio runtime's context on top.
    #[test]
    fn the_marker_decides_on_a_runner_thread() {
        let runner = Runner::builder()
            .backend(BackendKind::Tokio)
            .worker_threads(2)
            .thread_name("the-runner")
            .build()
            .expect("runner");
        let foreign = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("foreign")
            .build()
            .expect("foreign runtime");
        let foreign_handle = foreign.handle().clone();
        let where_it_ran = runner
            .block_on(runner.spawn(async move {
                for _ in 0..2 {
                    let task = {
                        let _entered = foreign_handle.enter();
                        crate::spawn(async { std::thread::current().name().map(str::to_owned) })
                    };
                    let name = task.await.expect("task").unwrap_or_default();
                    if !name.starts_with("the-runner") {
                        return name;
                    }
                }
                "the-runner".to_owned()
            }))
            .expect("measured task");
        assert_eq!(where_it_ran, "the-runner");
    }
}
