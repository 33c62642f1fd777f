//! The runtime-neutral core of [loopbridge](https://docs.rs/loopbridge).
//!
//! Everything here works without a runtime and is shared by every backend adapter:
//!
//! - [`LoopBackend`]: what an adapter (tokio, smol, async-std) must provide — spawn a task,
//!   run a blocking job, block on a future, make a timer — and the neutral operations built on it.
//! - [`JoinHandle`] and [`JoinError`]: one task handle with one set of semantics on every backend
//!   (detach on drop, `abort`, panics reported with their payload), implemented once in
//!   [`task`] so that no backend can drift.
//! - [`context`]: the thread-local marker that says which loopbridge runtime the current thread
//!   belongs to, and in which role, read in well under a nanosecond.
//! - [`lifecycle`]: what a runtime loopbridge started needs to shut down identically on every
//!   backend: closed flag, live-task and running-job counts, an abort registry.
//! - [`local`]: local (`!Send`) tasks, driven by the thread that spawned them while it is
//!   inside a `block_on` or is the thread of a one-thread runner.
//! - [`park`]: waiting for a future on the calling thread with an optional deadline, no runtime.
//! - [`block_on`]: the skeleton of every adapter's `block_on` (deadline, local scope, shutdown),
//!   and [`spin`], the short busy wait before it parks.
//! - [`pool`]: a bounded, joinable pool of named threads for blocking jobs, one per runner.
//! - [`time`]: `sleep`/`timeout`/`yield_now` normalization on top of a backend's raw timer.
//! - [`cancel`]: [`CancellationToken`](cancel::CancellationToken), cooperative cancellation in
//!   a tree of tokens, with no runtime.
//!
//! Application code should depend on the `loopbridge` facade instead; this crate is for adapter
//! authors and for libraries that want the smallest possible dependency tree.
//!
//! # Examples
//!
//! The task machinery needs no runtime at all; any executor can drive a [`task::TaskFuture`]:
//!
//! ```
//! use loopbridge_core::{park, task::TaskFuture};
//!
//! let (task, handle) = TaskFuture::new(async { 40 + 2 });
//! // A real backend hands `task` to its executor; here this thread drives it.
//! park::wait(task);
//! assert_eq!(park::wait(handle).unwrap(), 42);
//! ```

// The `# Errors` and `# Panics` sections clippy can tell are due. Set here, in each published
// crate, not in the workspace lints, which also cover tests and benches (their helpers are
// not API).
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

mod backend;
pub mod block_on;
pub mod cancel;
pub mod context;
mod error;
mod kind;
pub mod lifecycle;
pub mod local;
pub mod park;
pub mod pool;
mod runner_config;
pub mod spin;
mod sync;
pub mod task;
pub mod time;

#[cfg(all(test, loom))]
mod model_checks;

pub use backend::LoopBackend;
pub use error::{BlockOnError, Elapsed, Error};
pub use kind::BackendKind;
pub use local::SpawnLocalError;
pub use runner_config::RunnerConfig;
pub use task::{JoinError, JoinHandle};
