//! Backends that do not survive `fork()`: refusing them in a child instead of hanging there.
//!
//! A child process after `fork()` has only the thread that forked. tokio keeps nothing
//! process-wide, so a fresh tokio runtime in the child works (the global runner starts afresh,
//! see `global.rs`). smol and async-std do: async-io's reactor is one per process, and its
//! driver thread sleeps in `epoll_wait` *holding the reactor's lock*; in the child that thread
//! is gone and the lock stays held forever, so every timer and every IO object hangs. async-std
//! also runs every task on one process-wide executor whose threads are gone in the child.
//! Nothing public in either crate can reset them.
//!
//! So the first start of a smol or async-std runtime in a process records a fork guard, and a
//! start in a child of that process fails with [`Error::is_inherited_through_fork`], whose
//! message says what to do, instead of starting a runtime that would hang.

use std::sync::{Mutex, PoisonError};

use loopbridge_core::{BackendKind, Error};

/// Per backend that does not survive a fork: the guard made at its first start in this
/// process lineage, and whether a fork has been seen since (sticky: a guard reports a fork once).
struct Started {
    kind: BackendKind,
    guard: forkguard::Guard,
    forked: bool,
}

static STARTED: Mutex<Vec<Started>> = Mutex::new(Vec::new());

/// Whether a fresh runtime of `kind` works in a child of a process that ran one.
fn survives_fork(kind: BackendKind) -> bool {
    kind == BackendKind::Tokio
}

/// Records that a runtime of `kind` is about to start, or refuses if this process is a fork of
/// one where `kind` had started.
///
/// # Errors
///
/// [`Error::is_inherited_through_fork`] in that child.
pub(crate) fn check_and_record(kind: BackendKind) -> Result<(), Error> {
    if survives_fork(kind) {
        return Ok(());
    }
    let mut started = STARTED.lock().unwrap_or_else(PoisonError::into_inner);
    match started.iter_mut().find(|s| s.kind == kind) {
        Some(entry) => {
            entry.forked |= entry.guard.detected_fork();
            if entry.forked {
                return Err(Error::inherited_through_fork(kind));
            }
        }
        None => started.push(Started { kind, guard: forkguard::new(), forked: false }),
    }
    Ok(())
}
