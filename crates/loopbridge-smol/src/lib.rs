//! The smol backend of [loopbridge](https://docs.rs/loopbridge), built from the crates
//! [smol](https://docs.rs/smol) is made of: [async-executor] for tasks and [async-io] for timers
//! and IO, plus loopbridge's own bounded [`BlockingPool`](loopbridge_core::unstable::pool::BlockingPool)
//! for `to_thread` jobs.
//!
//! Unlike `smol::spawn`, which uses one global executor that can never be shut down, every
//! [`SmolRuntime`] is an executor of its own, driven by named threads that loopbridge starts,
//! marks (see [`loopbridge_core::unstable::context`]), hands off while they block, and joins.
//!
//! [async-executor]: https://docs.rs/async-executor
//! [async-io]: https://docs.rs/async-io
//!
//! # Examples
//!
//! ```
//! use loopbridge_core::{LoopBackend, RunnerConfig};
//! use loopbridge_smol::SmolRuntime;
//!
//! let runtime = SmolRuntime::start(&RunnerConfig::default().with_worker_threads(2)).unwrap();
//! let backend = runtime.backend();
//! assert_eq!(backend.block_on(backend.spawn(async { 42 })).unwrap(), 42);
//! ```

// The `# Errors` and `# Panics` sections clippy can tell are due. Set here, in each published
// crate, not in the workspace lints, which also cover tests and benches (their helpers are
// not API).
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

mod backend;
mod blocking_region;
mod runtime;

pub use backend::SmolBackend;
pub use blocking_region::blocking_region;
pub use runtime::SmolRuntime;
