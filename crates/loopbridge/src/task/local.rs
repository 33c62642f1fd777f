//! [`spawn_local`] and [`try_spawn_local`]: tasks for `!Send` futures, run by the thread that
//! spawns them. The executor is [`loopbridge_core::local`], the same on every backend.

use std::future::Future;

use loopbridge_core::local;
use loopbridge_core::{BackendKind, JoinHandle, SpawnLocalError};

/// Spawns a `!Send` future as a *local task* of the calling thread and returns its
/// [`JoinHandle`].
///
/// The task runs on this thread, interleaved with the code that spawned it, while the thread
/// drives local tasks:
///
/// - inside [`block_on`](crate::block_on) (any `block_on` of loopbridge, on any thread, on every
///   backend): the calling thread runs its local tasks while it waits;
/// - in the tasks of a one-thread [`Runner`](crate::Runner) (tokio with `worker_threads(1)`,
///   smol with `worker_threads(1)`): its only thread runs them beside its other tasks;
/// - in a `#[loopbridge::test]` body, on every flavour (the body runs in a `block_on`).
///
/// The handle behaves exactly like [`spawn`](crate::spawn)'s: dropping it detaches the task,
/// [`abort`](JoinHandle::abort) cancels it at its next `.await`, a panic comes back as a
/// [`JoinError`](crate::JoinError) with its payload and the thread lives on. A local task lives
/// as long as the `block_on` (or runner) that drives it: the tasks still pending when it
/// returns are cancelled, and their destructors run on this thread. Local tasks run in the
/// order they are spawned (and later in the order they are woken). The handle is `Send` when
/// the output is, so a `Send` task (of a one-thread runner, say) can await a local task that
/// keeps its `!Send` state inside and returns a `Send` value.
///
/// A tokio `LocalSet` of your own is not a loopbridge local executor: tokio offers no way to
/// ask whether one is running, short of calling `tokio::task::spawn_local` and catching its
/// panic. Inside one, use `tokio::task::spawn_local`, or wrap the work in `block_on` on a
/// thread of its own.
///
/// # Panics
///
/// Where no local executor runs — a worker of a multi-thread runtime (whose tasks may move
/// between threads), a plain thread outside `block_on`, a [`to_thread`](crate::to_thread) job
/// outside `block_on`, a runtime loopbridge did not start, any async-std task — it panics at
/// once with a message saying where it can be used; [`try_spawn_local`] returns the error
/// instead. It never returns a handle to a task that nothing would run.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// let total = loopbridge::block_on(async {
///     let shared = Rc::new(RefCell::new(0)); // `Rc`: these futures are not `Send`
///     let tasks: Vec<_> = (1..=3)
///         .map(|i| {
///             let shared = Rc::clone(&shared);
///             loopbridge::spawn_local(async move { *shared.borrow_mut() += i })
///         })
///         .collect();
///     for task in tasks {
///         task.await.unwrap();
///     }
///     let total = *shared.borrow();
///     total
/// });
/// assert_eq!(total, 6);
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match try_spawn_local(future) {
        Ok(handle) => handle,
        Err(err) => panic!("{err}"),
    }
}

/// Like [`spawn_local`], but returns an error instead of panicking where no local executor
/// runs.
///
/// # Errors
///
/// [`SpawnLocalError`] where the calling thread drives no local tasks (see [`spawn_local`]);
/// `future` is dropped without being polled. Its message says where `spawn_local` works.
///
/// # Examples
///
/// ```
/// // A plain thread drives no local tasks...
/// assert!(loopbridge::try_spawn_local(async {}).is_err());
/// // ...a `block_on` does.
/// let out = loopbridge::block_on(async {
///     loopbridge::try_spawn_local(async { std::rc::Rc::new(1) }).unwrap().await.unwrap()
/// });
/// assert_eq!(*out, 1);
/// ```
pub fn try_spawn_local<F>(future: F) -> Result<JoinHandle<F::Output>, SpawnLocalError>
where
    F: Future + 'static,
    F::Output: 'static,
{
    local::try_spawn_local(future).map_err(|err| {
        // The core describes the threads loopbridge marks; name the runtimes it cannot see.
        if loopbridge_core::unstable::context::current().is_some() {
            return err;
        }
        match crate::runtime::ambient::kind() {
            Some(BackendKind::Tokio) => SpawnLocalError::outside_local_executor(
                "a thread of a tokio runtime that loopbridge does not drive (inside a tokio \
                 `LocalSet`, tokio's own `tokio::task::spawn_local` works)",
            ),
            Some(kind) => SpawnLocalError::outside_local_executor(format!(
                "a thread running {kind} tasks that loopbridge does not drive"
            )),
            None => err,
        }
    })
}
