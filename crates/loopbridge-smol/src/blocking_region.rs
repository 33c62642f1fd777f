//! [`blocking_region`]: blocking a worker of a loopbridge smol executor without starving it.

use loopbridge_core::BackendKind;
use loopbridge_core::BlockOnError;
use loopbridge_core::unstable::context::{self, ThreadRole};

use crate::SmolBackend;

/// Runs `f`, which blocks the calling thread, without starving the smol executor the thread
/// may be a worker of.
///
/// | calling thread | what happens |
/// | --- | --- |
/// | not a worker of a loopbridge smol executor | `f` runs as is |
/// | a worker of a multi-thread one | a replacement worker is started for the duration of `f`, so the executor keeps all its threads (the model is tokio's `block_in_place`); inside `f` the thread is marked as a blocking thread |
/// | the worker of a single-thread one | `f` is not run: blocking would stop the executor's only thread |
///
/// Many workers can block at once, nested too: each brings its own replacement, so progress is
/// never lost. The replacement finishes the task it is running when `f` returns, then exits.
/// Replacements belong to the runtime: its shutdown stops and joins them with its workers.
///
/// # Errors
///
/// [`BlockOnError::in_async_context`] in the last row of the table.
///
/// # Examples
///
/// ```
/// use loopbridge_core::{LoopBackend, RunnerConfig};
///
/// let runtime = loopbridge_smol::SmolRuntime::start(
///     &RunnerConfig::default().with_worker_threads(1), // single-thread
/// ).unwrap();
/// let backend = runtime.backend();
/// let refused = backend.block_on(backend.spawn(async {
///     loopbridge_smol::blocking_region(|| ()).is_err()
/// }));
/// assert!(refused.unwrap());
/// ```
pub fn blocking_region<R>(f: impl FnOnce() -> R) -> Result<R, BlockOnError> {
    let Some(marker) = context::current() else { return Ok(f()) };
    let ThreadRole::Worker { single_threaded } = marker.role() else { return Ok(f()) };
    if marker.kind() != BackendKind::Smol {
        return Ok(f());
    }
    if single_threaded {
        return Err(BlockOnError::in_async_context(
            "the only worker of a single-thread loopbridge smol executor",
        ));
    }
    let Some(backend) = SmolBackend::try_current() else { return Ok(f()) };
    let Some(executor) = backend.shared.executor.upgrade() else { return Ok(f()) };
    let (release, released) = async_channel::bounded::<()>(1);
    let stopped = backend.shared.stopped.clone();
    let replacement_backend = backend.clone();
    let replacement = std::thread::Builder::new()
        .name(format!("{}-replacement", backend.shared.thread_name))
        .spawn(move || {
            let _context = replacement_backend.enter(ThreadRole::Worker { single_threaded: false });
            async_io::block_on(executor.run(futures_lite::future::or(
                async move {
                    let _ = released.recv().await;
                },
                async move {
                    let _ = stopped.recv().await;
                },
            )));
        });
    // Without a replacement the other workers still run; blocking is then merely slower.
    if let Ok(replacement) = replacement {
        backend.shared.keep_replacement(replacement);
    }
    let _context = backend.enter(ThreadRole::Blocking);
    let output = f();
    release.close();
    Ok(output)
}
