//! The [tokio](https://docs.rs/tokio) backend of [loopbridge](https://docs.rs/loopbridge).
//!
//! - [`TokioBackend`]: a [`LoopBackend`](loopbridge_core::LoopBackend) over a tokio
//!   [`Handle`](tokio::runtime::Handle) — of a runtime loopbridge started, or of the
//!   application's own (ambient) runtime.
//! - [`TokioRuntime`]: a runtime owned by loopbridge, multi-thread or current-thread, with named
//!   threads marked in [`loopbridge_core::unstable::context`].
//! - [`blocking_region`]: makes blocking the current thread safe if it belongs to a tokio
//!   runtime (`block_in_place` on multi-thread runtimes), or refuses with a clear error where
//!   blocking would deadlock (current-thread runtimes, `LocalSet`).
//!
//! # Examples
//!
//! ```
//! use loopbridge_core::{LoopBackend, RunnerConfig};
//! use loopbridge_tokio::TokioRuntime;
//!
//! let runtime = TokioRuntime::start(&RunnerConfig::default().with_worker_threads(2)).unwrap();
//! let backend = runtime.backend();
//! let answer = backend.block_on(backend.spawn(async { 42 })).unwrap();
//! assert_eq!(answer, 42);
//! ```

// The `# Errors` and `# Panics` sections clippy can tell are due. Set here, in each published
// crate, not in the workspace lints, which also cover tests and benches (their helpers are
// not API).
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

mod backend;
mod blocking_region;
mod runtime;

pub use backend::TokioBackend;
pub use blocking_region::blocking_region;
pub use runtime::TokioRuntime;
