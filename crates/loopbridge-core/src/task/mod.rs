//! One task handle with one set of semantics for every backend.
//!
//! A backend hands users a [`JoinHandle`] of this crate. [`TaskFuture::new`] wraps the user's
//! future and returns it together with that handle; the backend spawns the wrapper and
//! detaches its own handle. Everything users can observe — detach on drop, [`abort`], panics
//! reported with their payload, the result of a finished task — is decided here, once, so no
//! runtime can drift from the others.
//!
//! The one exception is tokio (the `tokio` feature, which the tokio adapter turns on): its own
//! `JoinHandle` already has these semantics, so the adapter spawns the user's future in a
//! [`NativeTask`](crate::lifecycle::NativeTask), which adds the one rule tokio lacks (a
//! destructor that panics after the last poll fails the task), and
//! [`JoinHandle::from_tokio`] wraps tokio's handle: one allocation and one state machine per
//! task, as with `tokio::spawn`. The conformance suite runs the same tests on it.
//!
//! # Protocol
//!
//! The wrapper and the handle share one cell (an `Arc` holding a small mutex-protected
//! state and two atomic flags; it is the only allocation added to the runtime's own).
//!
//! 1. Each poll of the wrapper first checks the abort flag (an atomic load). When the user's
//!    future returns `Pending`, the wrapper records the task's waker under the lock, so that
//!    [`abort`] can wake a sleeping task, and re-checks the flag there: an abort requested
//!    in between is carried out at once. A task that completes in its first poll never
//!    records a waker.
//! 2. The user's future is polled inside `catch_unwind`. `Ready(v)` drops the future, then
//!    stores `Ok(v)`; a panic drops the future and stores `Err(panic)`.
//! 3. An abort drops the future (its destructor runs on the executor thread) and stores
//!    `Err(cancelled)`. A panic raised by that destructor is caught too and stored as
//!    `Err(panic)` — async-task would abort the whole process if it escaped.
//! 4. If the executor drops the wrapper before completion (runtime shutdown, or a spawn on a
//!    runtime that is already gone), its destructor does step 3.
//! 5. Storing the result wakes the [`JoinHandle`], whose poll takes the result out.
//!
//! [`BlockingJob`] is the same contract for closures run on a blocking pool, and [`Promise`]
//! for any other work that must complete a handle.
//!
//! [`abort`]: JoinHandle::abort

mod abort_handle;
mod blocking;
mod cell;
mod id;
mod join_error;
mod join_handle;
mod promise;
mod task_future;

pub use abort_handle::AbortHandle;
pub use blocking::BlockingJob;
pub use id::{Id, id, try_id};
pub use join_error::JoinError;
pub use join_handle::JoinHandle;
pub use promise::Promise;
pub use task_future::TaskFuture;
pub(crate) use task_future::{Stage, StageProj, drop_future};

#[cfg(test)]
mod tests;
