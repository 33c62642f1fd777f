//! The synchronization primitives of the shutdown state machine ([`lifecycle`](crate::lifecycle))
//! and of the blocking pool ([`pool`](crate::pool)): std's, or loom's in the unit tests built
//! with `--cfg loom`, so that `cargo xtask loom` can check every interleaving of spawns,
//! blocking jobs and `block_on` callers racing a close, and of jobs handed to pool threads
//! racing a shutdown (the models are in `model_checks.rs` and `pool.rs`). A normal build compiles only the std re-exports: loom is a
//! `cfg(loom)`-only dependency and costs nothing.
//!
//! `Arc` stays std's: the lifecycle's methods take `self: &Arc<Self>`, which stable Rust
//! allows for std's `Arc` only, and its reference count is no part of the state machine.

#[cfg(all(test, loom))]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
#[cfg(all(test, loom))]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};
#[cfg(all(test, loom))]
pub(crate) use loom::{thread, thread_local};
#[cfg(not(all(test, loom)))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
#[cfg(not(all(test, loom)))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};
#[cfg(not(all(test, loom)))]
pub(crate) use std::{thread, thread_local};
