//! The synchronization primitives of the shutdown state machine ([`lifecycle`](crate::lifecycle)):
//! std's, or loom's in the unit tests built with `--cfg loom`, so that `cargo xtask loom` can check every interleaving
//! of spawns, blocking jobs and `block_on` callers racing a close (the models are in
//! `model_checks.rs`). A normal build compiles only the std re-exports: loom is a
//! `cfg(loom)`-only dependency and costs nothing.
//!
//! `Arc` stays std's: the lifecycle's methods take `self: &Arc<Self>`, which stable Rust
//! allows for std's `Arc` only, and its reference count is no part of the state machine.

#[cfg(all(test, loom))]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
#[cfg(all(test, loom))]
pub(crate) use loom::sync::{Mutex, MutexGuard};
#[cfg(not(all(test, loom)))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
#[cfg(not(all(test, loom)))]
pub(crate) use std::sync::{Mutex, MutexGuard};
