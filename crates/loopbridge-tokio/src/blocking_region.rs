//! [`blocking_region`]: blocking safely on threads that belong to a tokio runtime.

use std::panic::{self, AssertUnwindSafe};

use loopbridge_core::BackendKind;
use loopbridge_core::BlockOnError;
use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
use tokio::runtime::{Handle, RuntimeFlavor};

/// Runs `f`, which blocks the calling thread, in a way that cannot starve a tokio runtime.
///
/// | calling thread | what happens |
/// | --- | --- |
/// | outside any tokio runtime, or running a loopbridge `to_thread` job | `f` runs as is |
/// | a multi-thread runtime's worker or `block_on` thread | `f` runs inside [`tokio::task::block_in_place`], which hands the worker's other tasks to a new thread |
/// | a current-thread runtime, or a `LocalSet` | `f` is not run: blocking would stop the only thread that can complete the work |
///
/// Inside `f`, the thread is marked as a blocking thread of tokio ([`ThreadRole::Blocking`]),
/// and tokio's runtime context is exited, so `Handle::block_on` works there.
///
/// # Errors
///
/// [`BlockOnError::in_async_context`] in the last row of the table.
///
/// # Limitations
///
/// tokio's public API cannot tell a current-thread runtime's own thread from a thread of its
/// blocking pool started by a raw `tokio::task::spawn_blocking` (the check tokio uses itself is
/// crate-private), so the latter is refused too. loopbridge's `to_thread` marks its threads and
/// is not affected.
///
/// # Examples
///
/// ```
/// // Outside tokio, the closure simply runs.
/// assert_eq!(loopbridge_tokio::blocking_region(|| 7).unwrap(), 7);
///
/// // On a current-thread runtime it is refused instead of deadlocking.
/// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let refused = rt.block_on(async { loopbridge_tokio::blocking_region(|| 7) });
/// assert!(refused.unwrap_err().is_in_async_context());
/// ```
pub fn blocking_region<R>(f: impl FnOnce() -> R) -> Result<R, BlockOnError> {
    if matches!(context::current().map(Marker::role), Some(ThreadRole::Blocking)) {
        return Ok(f());
    }
    let Ok(handle) = Handle::try_current() else {
        return Ok(f());
    };
    if handle.runtime_flavor() != RuntimeFlavor::MultiThread {
        return Err(refusal());
    }
    // `block_in_place` also panics inside a `LocalSet`, before it calls its closure. Turn that
    // one case into our error; a panic from `f` itself is propagated unchanged.
    let mut f = Some(f);
    let mut output = None;
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        tokio::task::block_in_place(|| {
            if let Some(f) = f.take() {
                // A tokio thread, now a blocking one. A thread that another runtime marks as
                // its own (a smol worker polling a `loopbridge::compat::Compat`) has only
                // entered tokio's context: `block_in_place` handed nothing off, and that
                // runtime's own check, made inside `f`, must still see its worker.
                let marker = context::current();
                let tokio_thread = marker.is_none_or(|m| m.kind() == BackendKind::Tokio);
                let runtime = marker.and_then(Marker::runtime).unwrap_or(0);
                let _role = tokio_thread.then(|| {
                    context::enter(
                        Marker::new(BackendKind::Tokio, ThreadRole::Blocking).with_runtime(runtime),
                    )
                });
                output = Some(f());
            }
        });
    }));
    match (outcome, output) {
        (Ok(()), Some(output)) => Ok(output),
        (Err(_), None) if f.is_some() => Err(refusal()),
        (Err(payload), _) => panic::resume_unwind(payload),
        (Ok(()), None) => unreachable!("block_in_place returned without running its closure"),
    }
}

fn refusal() -> BlockOnError {
    BlockOnError::in_async_context("a tokio current-thread runtime or a `LocalSet`")
}
