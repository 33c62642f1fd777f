//! The runtime-neutral core of [loopbridge](https://docs.rs/loopbridge).
//!
//! Everything here works without a runtime and is shared by every backend adapter:
//!
//! - [`LoopBackend`]: what an adapter (tokio, smol, async-std) must provide — spawn a task,
//!   run a blocking job, block on a future, make a timer — and the neutral operations built on it.
//! - [`JoinHandle`] and [`JoinError`]: one task handle with one set of semantics on every backend
//!   (detach on drop, `abort`, panics reported with their payload), implemented in [`task`]
//!   for every backend but tokio, whose own handle already has these semantics and is
//!   wrapped instead (the `tokio` feature, which the tokio adapter turns on); the same
//!   conformance suite holds every backend to them.
//! - [`local`]: local (`!Send`) tasks, driven by the thread that spawned them while it is
//!   inside a `block_on` or is the thread of a one-thread runner.
//! - [`time`]: `sleep`/`timeout`/`yield_now` normalization on top of a backend's raw timer.
//! - [`cancel`]: [`CancellationToken`](cancel::CancellationToken), cooperative cancellation in
//!   a tree of tokens, with no runtime.
//!
//! Application code should depend on the `loopbridge` facade instead; this crate is for adapter
//! authors and for libraries that want the smallest possible dependency tree. What the adapter
//! crates share beyond this — the thread marker, the shutdown lifecycle, the blocking pool, the
//! `block_on` skeleton, parking — lives in a hidden `unstable` module: public only because the
//! adapters are separate crates, and no semver promise. A backend of your own needs only
//! [`LoopBackend`], [`task`] and the facade's `loopbridge::rt`.
//!
//! # Examples
//!
//! The task machinery needs no runtime at all; any executor can drive a [`task::TaskFuture`]:
//!
//! ```
//! use loopbridge_core::task::TaskFuture;
//! use loopbridge_core::unstable::park; // `loopbridge::rt::park` in the facade
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
pub mod cancel;
mod error;
mod kind;
pub mod local;
mod runner_config;
mod sync;
pub mod task;
pub mod time;
#[doc(hidden)]
pub mod unstable;

// The unstable modules by their short paths, inside this crate.
use unstable::{context, lifecycle, park, spin};

#[cfg(all(test, loom))]
mod model_checks;

pub use backend::LoopBackend;
pub use error::{BlockOnError, Elapsed, Error};
pub use kind::BackendKind;
pub use local::SpawnLocalError;
pub use runner_config::RunnerConfig;
pub use task::{JoinError, JoinHandle};
