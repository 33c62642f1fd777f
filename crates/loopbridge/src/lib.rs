//! Write async code once and run it on whichever runtime your users chose — tokio, smol or
//! async-std — and cross the sync/async boundary in both directions without deadlocks,
//! runtime-in-runtime panics or lost state.
//!
//! ```
//! use std::time::Duration;
//!
//! // Plain sync code: no runtime in sight. loopbridge starts a global runner on first use
//! // and keeps it, so state created by one call stays valid for the next.
//! let answer = loopbridge::block_on(async {
//!     let task = loopbridge::spawn(async { 6 * 7 });            // runs even if not awaited
//!     let io = loopbridge::to_thread(|| "blocking work");        // off the executor
//!     loopbridge::sleep(Duration::from_millis(5)).await;         // never early
//!     let late = loopbridge::timeout(Duration::from_millis(1), std::future::pending::<()>()).await;
//!     assert!(late.is_err());
//!     assert_eq!(io.await.unwrap(), "blocking work");
//!     task.await.unwrap()
//! });
//! assert_eq!(answer, 42);
//! ```
//!
//! # Choosing the runtime
//!
//! Every operation first uses the runtime the caller is already inside (*ambient*): a tokio
//! runtime, an async-std task, or any runtime loopbridge started. Outside any runtime it uses
//! the *global runner*, whose backend is, in order: the one passed to [`set_default_backend`],
//! the `LOOPBRIDGE_BACKEND` environment variable, or the first compiled-in backend of tokio,
//! smol, async-std. A [`Bridge`] is a handle to one particular loop.
//!
//! # Feature flags
//!
//! Features are additive: any combination compiles.
//!
//! | feature | default | what |
//! | --- | --- | --- |
//! | `tokio` | yes | the tokio backend |
//! | `smol` | no | loopbridge's own async-executor + async-io + blocking (the crates of smol) |
//! | `async-std` | no | async-std — legacy: discontinued upstream, RUSTSEC-2025-0052 |
//! | `macros` | yes | the `#[loopbridge::blocking]` and `#[loopbridge::test]` attributes |
//! | `tracing` | no | [`tracing`](https://docs.rs/tracing) events for the runners' lifecycle (start, shutdown and its report); `to_thread` jobs and `ThreadBound` calls run inside the caller's span |
//!
//! A library should depend on `loopbridge` with `default-features = false` and forward the
//! backend features to its users. With no backend at all the crate still compiles, and the
//! first operation panics with a message naming the features to enable.
//!
//! # For library authors
//!
//! Write the library once, as async code over loopbridge, and let the application pick the
//! runtime through your features (`tokio = ["loopbridge/tokio"]` and so on). Two attributes
//! help: `#[loopbridge::blocking]` gives an `async fn` (or every `async fn` of an `impl`
//! block) a blocking twin, `NAME_blocking`, for sync callers; `#[loopbridge::test]` runs an
//! async test on every backend flavour your features compile in.
//!
//! ```
//! # #[cfg(feature = "macros")]
//! # mod example {
//! /// Fetches a greeting for `name`.
//! #[loopbridge::blocking]
//! pub async fn greet(name: &str) -> String {
//!     loopbridge::yield_now().await;
//!     format!("hello, {name}")
//! }
//!
//! #[loopbridge::test]
//! async fn greets() {
//!     assert_eq!(greet("you").await, "hello, you");
//! }
//! # }
//! # #[cfg(feature = "macros")]
//! assert_eq!(example::greet_blocking("sync code"), "hello, sync code");
//! ```
//!
//! # Semantics, identical on every backend
//!
//! - A spawned task runs even if its [`JoinHandle`] is dropped (smol natively cancels).
//! - A panic in a task or a [`to_thread`] closure — including one in the destructor of a task
//!   being cancelled, which makes async-task abort the process natively — never kills a thread,
//!   a runtime or the process: the handle gives `Err(e)` with `e.is_panic()` and the payload.
//! - [`JoinHandle::abort`] cancels at the next `.await`; the destructor runs; the handle gives
//!   `Err(e)` with `e.is_cancelled()` unless the task had already finished.
//! - `to_thread` jobs are never cancelled by dropping their handle.
//! - [`sleep`] never wakes early; `sleep(Duration::ZERO)` is one yield; `sleep(Duration::MAX)`
//!   never fires and never panics; [`timeout`] polls the inner future first.
//! - [`interval`] never ticks early; a late tick is handled by tokio's [`MissedTickBehavior`]
//!   policies, on every backend's timers.
//! - [`spawn_local`] runs a `!Send` future on the calling thread, with the same handle
//!   semantics, inside any [`block_on`], in the tasks of a one-thread [`Runner`] and in
//!   `#[loopbridge::test]` bodies; the local tasks still pending when their `block_on` returns
//!   are cancelled on that thread. Anywhere else it panics at once ([`try_spawn_local`]
//!   returns the error): it never hands out a task that nothing would run.
//!
//! ```
//! use std::{cell::Cell, rc::Rc, time::Duration};
//!
//! loopbridge::block_on(async {
//!     let beats = Rc::new(Cell::new(0)); // not `Send`: fine for a local task
//!     let counter = loopbridge::spawn_local({
//!         let beats = Rc::clone(&beats);
//!         async move {
//!             let mut interval = loopbridge::interval(Duration::from_millis(2));
//!             for _ in 0..3 {
//!                 interval.tick().await; // at once, then every 2 ms
//!                 beats.set(beats.get() + 1);
//!             }
//!         }
//!     });
//!     counter.await.unwrap();
//!     assert_eq!(beats.get(), 3);
//! });
//! ```
//!
//! The conformance suite in the repository's `tests/` runs every one of these on every backend.
//!
//! # Interoperability
//!
//! - [`Bridge`] implements the futures crate's executor trait, `futures::task::Spawn`: code
//!   generic over `S: Spawn` (or using `SpawnExt`) runs on any loop loopbridge reaches.
//! - Futures bound to tokio — reqwest, hyper's client, `tokio::net` — run on every backend
//!   wrapped in `loopbridge::compat::Compat`, which enters a tokio runtime's context around
//!   each poll (the `tokio` feature; on the tokio backend it changes nothing).
//! - Coming from `async_executors`, `agnostic`, `executor-trait`, `async-compat` or a hand-written
//!   `Runtime::new().block_on`: see `docs/migrating.md` in the repository.
//!
//! # Cancel safety
//!
//! Awaiting a [`JoinHandle`] is cancel safe: drop the `.await` and poll the handle again later.
//! Dropping a [`Timeout`] drops its inner future. Dropping a [`Sleep`] cancels the timer.
//! [`Interval::tick`] is cancel safe: a tick is consumed only when its future completes.
//!
//! # Panics and deadlocks
//!
//! [`block_on`] never hangs and never raises tokio's "Cannot start a runtime from within a
//! runtime". On a thread where blocking could starve the executor the future needs (a tokio
//! current-thread runtime, a `LocalSet`, a loopbridge smol worker, an async-std task) it panics
//! at once with a message saying what to do; [`try_block_on`] returns the error instead. On a
//! tokio multi-thread worker it completes, through `block_in_place`. See `docs/semantics.md`.

#![cfg_attr(docsrs, feature(doc_cfg))]

// First: the macros of `trace` are used by the modules below.
#[macro_use]
mod trace;

mod ambient;
mod bridge;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod compat;
mod config;
mod functions;
mod futures_spawn;
mod global;
mod inherited;
mod interval;
mod local;
mod park;
mod runner;
mod select;
mod thread_bound;
mod time;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use bridge::Bridge;
pub use functions::{
    block_on, current, in_async_context, sleep, sleep_until, spawn, timeout, to_thread,
    try_block_on, yield_now,
};
pub use global::{configure_global, global_is_running, set_default_backend, shutdown_global};
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use local::{spawn_local, try_spawn_local};
pub use loopbridge_core::{
    BackendKind, BlockOnError, Elapsed, Error, JoinError, JoinHandle, SpawnLocalError,
};
#[cfg(feature = "macros")]
#[doc(inline)]
pub use loopbridge_macros::{blocking, test};
pub use runner::{Runner, RunnerBuilder, ShutdownReport};
pub use select::Flavor;
pub use thread_bound::ThreadBound;
pub use time::{Sleep, Timeout, YieldNow};
