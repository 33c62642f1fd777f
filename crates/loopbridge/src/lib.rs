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
//! smol, async-std. A [`Bridge`] is a handle to one particular loop; [`current`] and
//! [`in_async_context`] say where the calling thread is.
//!
//! # Feature flags
//!
//! Features are additive: any combination compiles.
//!
//! | feature | default | what |
//! | --- | --- | --- |
//! | `tokio` | yes | the tokio backend, and the [`compat`] module |
//! | `smol` | no | loopbridge's own executor on async-executor and async-io (the crates of smol), with loopbridge's blocking pool |
//! | `async-std` | no | async-std — legacy: discontinued upstream, RUSTSEC-2025-0052 |
//! | `macros` | yes | the [`#[loopbridge::blocking]`][blocking] and [`#[loopbridge::test]`][test] attributes |
//! | `net` | yes | sockets on the reactor of each backend: `loopbridge::net` (TCP, UDP, Unix, name resolution) |
//! | `hyper` | no | HTTP on any backend: `loopbridge::hyper`, hyper's runtime traits (turns on `net`) |
//! | `tracing` | no | [`tracing`](https://docs.rs/tracing) events (target `loopbridge`, level `DEBUG`) for the runners' lifecycle: start, shutdown and its report, the global runner's start and its replacement after `fork()`, the compat runtime's start; `to_thread` jobs and [`ThreadBound`] calls run inside the caller's span. Without it the instrumentation compiles to nothing |
//!
//! A library should depend on `loopbridge` with `default-features = false` and forward the
//! backend features to its users. With no backend at all the crate still compiles, and the
//! first operation panics with a message naming the features to enable.
//!
//! # Runners: sync code calling async code
//!
//! [`block_on`] from sync code runs on the global runner, which starts on first use and
//! stays, so clients, pools and tasks made by one call are still valid in the next. For a loop
//! of your own — its backend, threads, names and lifecycle under your control — build a
//! [`Runner`] with [`Runner::builder`]; [`Runner::shutdown`] cancels its tasks, waits for its
//! `to_thread` jobs, joins its threads and returns a [`ShutdownReport`]. The global runner has
//! the same lifecycle through [`configure_global`], [`shutdown_global`] and
//! [`global_is_running`].
//!
//! ```
//! use std::time::Duration;
//!
//! let runner = loopbridge::Runner::builder().thread_name("db-loop").build()?;
//! let pool = runner.block_on(async { vec!["a connection"] }); // made on the runner...
//! let used = runner.block_on(async move { pool.len() });      // ...used by a later call
//! assert_eq!(used, 1);
//! assert!(runner.shutdown(Duration::from_secs(5)).completed_in_time());
//! # Ok::<(), loopbridge::Error>(())
//! ```
//!
//! # Values bound to one thread
//!
//! A [`ThreadBound<T>`](ThreadBound) owns a value that must stay on one thread — an SQLite
//! connection, a GUI handle, anything `!Send` — on a named thread of its own, and runs calls
//! on it in order: [`call`](ThreadBound::call)`(..).await` from async code,
//! [`call_blocking`](ThreadBound::call_blocking) from sync code.
//!
//! ```
//! use std::{cell::RefCell, rc::Rc};
//!
//! let log = loopbridge::ThreadBound::new("log", || Rc::new(RefCell::new(Vec::new())))?;
//! log.call_blocking(|log| log.borrow_mut().push("from sync code"))?;
//! let len = loopbridge::block_on(log.call(|log| log.borrow().len()))?;
//! assert_eq!(len, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Local tasks
//!
//! [`spawn_local`] runs a `!Send` future on the calling thread, with [`spawn`]'s handle
//! semantics, inside any [`block_on`], in the tasks of a one-thread [`Runner`] and in
//! `#[loopbridge::test]` bodies; the local tasks still pending when their `block_on` returns
//! are cancelled on that thread. Anywhere else it panics at once ([`try_spawn_local`]
//! returns [`SpawnLocalError`]): it never hands out a task that nothing would run.
//!
//! # Periodic timers
//!
//! [`interval`] and [`interval_at`] make an [`Interval`]: ticks that are never early, tokio's
//! [`MissedTickBehavior`] policies for late ones, and a `Stream` of the ticks, on every
//! backend's timers.
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
//! # For library authors
//!
//! Write the library once, as async code over loopbridge, and let the application pick the
//! runtime through your features (`tokio = ["loopbridge/tokio"]` and so on). Two attributes
//! help: [`#[loopbridge::blocking]`][blocking] gives an `async fn` (or every `async fn` of an
//! `impl` block) a blocking twin, `NAME_blocking`, for sync callers;
//! [`#[loopbridge::test]`][test] runs an async test on every backend flavour your features
//! compile in.
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
//! - [`spawn_local`] works, and refuses, in the same places on every backend.
//!
//! The conformance suite in the repository's `tests/` runs every one of these on every backend.
//!
//! # Interoperability
//!
//! - [`Bridge`] implements the futures crate's executor trait, `futures::task::Spawn`: code
//!   generic over `S: Spawn` (or using `SpawnExt`) runs on any loop loopbridge reaches.
//! - Futures bound to tokio — reqwest, hyper's client, `tokio::net` — run on every backend
//!   wrapped in [`compat::Compat`], which enters a tokio runtime's context around each poll
//!   (the `tokio` feature; on the tokio backend it changes nothing).
//! - Coming from `async_executors`, `agnostic`, `executor-trait`, `async-compat` or a hand-written
//!   `Runtime::new().block_on`: see `docs/migrating.md` in the repository.
//!
//! # Cancel safety
//!
//! - Awaiting a [`JoinHandle`] is cancel safe: drop the `.await` and poll the handle again
//!   later. Dropping the handle detaches a task ([`spawn`], [`spawn_local`]) and never cancels
//!   a [`to_thread`] job or a [`ThreadBound::call`]: they run to the end, and their result is
//!   dropped. [`JoinHandle::abort`] is the way to cancel.
//! - Dropping a [`Timeout`] drops its inner future. Dropping a [`Sleep`] cancels the timer.
//! - [`Interval::tick`] is cancel safe: a tick is consumed only when its future completes.
//! - A `Compat` is as cancel safe as the future it wraps.
//!
//! # Panics and deadlocks
//!
//! [`block_on`] never hangs and never raises tokio's "Cannot start a runtime from within a
//! runtime". On a thread where blocking could starve the executor the future needs (a tokio
//! current-thread runtime, a `LocalSet`, a one-thread runner, an async-std task) it panics at
//! once with a message saying what to do; [`try_block_on`] returns the error instead. On a
//! tokio multi-thread worker it completes, through `block_in_place`, and on a smol runner's
//! worker a replacement worker takes over while it blocks. A blocking twin made by
//! `#[loopbridge::blocking]` follows the same rules. [`Bridge::try_block_on_timeout`] keeps a
//! caller-side deadline even when the loop is stuck, and a shutdown answers every caller
//! blocked in its `block_on`.
//!
//! Other misuse panics at once with a message that says what to do, never later: a zero
//! `interval` period, [`spawn_local`] where nothing runs local tasks, and every operation that
//! needs the global runner when it cannot start (no backend feature, an invalid
//! `LOOPBRIDGE_BACKEND`). Panics of user code — in a task, a `to_thread` job, a
//! [`ThreadBound`] call, a destructor — are caught and returned by the handle, and
//! [`ThreadBound::call_blocking`] from inside a call on the same thread is refused instead of
//! deadlocking. See `docs/semantics.md` in the repository for the whole matrix.
//!
// The links to what some builds lack: to docs.rs there.
#![cfg_attr(
    feature = "tokio",
    doc = "[`compat`]: crate::compat\n[`compat::Compat`]: crate::compat::Compat"
)]
#![cfg_attr(
    not(feature = "tokio"),
    doc = "[`compat`]: https://docs.rs/loopbridge/latest/loopbridge/compat/index.html\n\
           [`compat::Compat`]: https://docs.rs/loopbridge/latest/loopbridge/compat/struct.Compat.html"
)]
#![cfg_attr(
    feature = "macros",
    doc = "[blocking]: macro@crate::blocking\n[test]: macro@crate::test"
)]
#![cfg_attr(
    not(feature = "macros"),
    doc = "[blocking]: https://docs.rs/loopbridge/latest/loopbridge/attr.blocking.html\n\
           [test]: https://docs.rs/loopbridge/latest/loopbridge/attr.test.html"
)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// The `# Errors` and `# Panics` sections clippy can tell are due. Set here, in each published
// crate, not in the workspace lints, which also cover tests and benches (their helpers are
// not API).
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

// First: the macros of `trace` are used by the modules below.
#[macro_use]
mod trace;

mod backends;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod compat;
#[cfg(feature = "hyper")]
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
pub mod hyper;
#[cfg(feature = "net")]
pub mod net;
pub mod rt;
pub mod runtime;
pub mod task;
mod thread_bound;
pub mod time;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

// Every name of the modules above is also here, at the root, where it was before they existed.
pub use loopbridge_core::cancel::{
    CancellationToken, Cancelled, DropGuard, DropGuardRef, WaitForCancellationFuture,
    WaitForCancellationFutureOwned,
};
pub use loopbridge_core::{BackendKind, BlockOnError, Elapsed, Error, JoinError, SpawnLocalError};
#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
#[doc(inline)]
pub use loopbridge_macros::{blocking, test};
pub use runtime::{
    Bridge, Flavor, Runner, RunnerBuilder, ShutdownReport, block_on, configure_global, current,
    global_is_running, in_async_context, set_default_backend, shutdown_global, try_block_on,
};
pub use task::{
    AbortHandle, JoinHandle, JoinSet, TaskGroup, spawn, spawn_local, task_group,
    task_group_with_timeout, to_thread, try_spawn_local,
};
pub use thread_bound::ThreadBound;
pub use time::{
    Interval, MissedTickBehavior, Sleep, Timeout, YieldNow, interval, interval_at, sleep,
    sleep_until, timeout, yield_now,
};
