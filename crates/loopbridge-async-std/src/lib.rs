//! The [async-std](https://docs.rs/async-std) backend of [loopbridge](https://docs.rs/loopbridge).
//!
//! **Legacy.** async-std has been discontinued upstream ("use smol instead"; advisory
//! RUSTSEC-2025-0052, unmaintained, no patched version). This adapter keeps existing users
//! working; new code should choose the `smol` backend, which is built from the same
//! executor, timer and blocking-pool crates.
//!
//! async-std has one global runtime that can be neither shut down nor configured beyond the
//! `ASYNC_STD_THREAD_COUNT` variable. An [`AsyncStdRuntime`] therefore owns no executor threads:
//! it runs its tasks on that global runtime, tracks them so that its shutdown can cancel them,
//! and runs its `to_thread` jobs on a bounded pool of its own.
//!
//! # Examples
//!
//! ```
//! use loopbridge_core::LoopBackend;
//! use loopbridge_async_std::AsyncStdBackend;
//!
//! let backend = AsyncStdBackend::new();
//! assert_eq!(backend.block_on(backend.spawn(async { 42 })).unwrap(), 42);
//! ```

// The `# Errors` and `# Panics` sections clippy can tell are due. Set here, in each published
// crate, not in the workspace lints, which also cover tests and benches (their helpers are
// not API).
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

mod backend;
mod runtime;

pub use backend::{AsyncStdBackend, check_blocking};
pub use runtime::AsyncStdRuntime;
