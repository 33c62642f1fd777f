//! The synchronization primitives of the shutdown state machine ([`lifecycle`](crate::lifecycle)),
//! the blocking pool ([`pool`](crate::unstable::pool)), the task cell and the cancellation token: std's,
//! or loom's in the unit tests built with `--cfg loom`, so that `cargo xtask loom` can check
//! every interleaving of spawns, blocking jobs and `block_on` callers racing a close, of jobs
//! handed to pool threads racing a shutdown, of an abort or a result racing a task or handle,
//! and of a cancel racing a waiter or a token's drop (the models are in `model_checks/`, one
//! file per module: `lifecycle.rs`, `pool.rs`, `cell.rs`, `cancel.rs`). A normal build
//! compiles only the std re-exports: loom is a `cfg(loom)`-only dependency and costs nothing.
//!
//! `Arc` stays std's: the lifecycle's methods take `self: &Arc<Self>`, which stable Rust
//! allows for std's `Arc` only, and its reference count is no part of the state machine. The
//! one exception is [`CountedArc`]: the cancellation token's handle count, whose last drop takes
//! a node out of the tree, so loom must see it to try every thread as the one that drops last.

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

/// The `Arc` shared by a cancellation token and its clones: its count is part of the token's
/// protocol (see above).
#[cfg(all(test, loom))]
pub(crate) use loom::sync::Arc as CountedArc;
/// The `Arc` shared by a cancellation token and its clones: its count is part of the token's
/// protocol (see above).
#[cfg(not(all(test, loom)))]
pub(crate) use std::sync::Arc as CountedArc;
