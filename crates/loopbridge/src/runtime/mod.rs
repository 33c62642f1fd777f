//! Runtimes: running async code from sync code, the loops it runs on, and which one the calling
//! thread is inside — tokio's `tokio::runtime`, over every backend.
//!
//! [`block_on`] runs a future from sync code on the current runtime, else on the *global
//! runner*: a [`Runner`] started on first use and kept, configured by [`configure_global`],
//! [`set_default_backend`] or the `LOOPBRIDGE_BACKEND` variable, and stopped by
//! [`shutdown_global`]. A [`Runner`] of your own gives you its backend, threads and lifecycle; a
//! [`Bridge`] is a cheap handle to any loop; [`current`] and [`in_async_context`] say where the
//! calling thread is. Each name is also at the crate root.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use loopbridge::runtime::{Runner, block_on, current};
//!
//! assert_eq!(current(), None); // a plain thread
//! assert_eq!(block_on(async { 1 + 1 }), 2); // on the global runner
//! let runner = Runner::builder().thread_name("mine").build()?;
//! assert_eq!(runner.block_on(async { current() }), Some(runner.kind()));
//! assert!(runner.shutdown(Duration::from_secs(5)).completed_in_time());
//! # Ok::<(), loopbridge::Error>(())
//! ```

pub(crate) mod ambient;
mod block_on;
mod bridge;
pub(crate) mod config;
pub(crate) mod fork;
mod futures_spawn;
pub(crate) mod global;
mod runner;

pub use crate::backends::Flavor;
pub use block_on::{block_on, try_block_on};
pub use bridge::Bridge;
pub use global::{configure_global, global_is_running, set_default_backend, shutdown_global};
pub use loopbridge_core::{BackendKind, BlockOnError};
pub use runner::{Runner, RunnerBuilder, ShutdownReport};

/// The backend of the runtime the calling thread is inside, or `None` on a plain thread.
///
/// One thread-local read for runtimes loopbridge started; tokio's and async-std's own
/// detection otherwise.
///
/// # Examples
///
/// ```
/// assert_eq!(loopbridge::current(), None);
/// let inside = loopbridge::block_on(async { loopbridge::current() });
/// assert_eq!(inside, Some(loopbridge::Bridge::global().kind()));
/// ```
#[inline]
pub fn current() -> Option<BackendKind> {
    ambient::kind()
}

/// Whether the calling thread is polling futures for a runtime loopbridge knows (a worker, a
/// thread inside `block_on`), as opposed to a plain thread or a [`to_thread`](crate::to_thread) job.
///
/// # Examples
///
/// ```
/// assert!(!loopbridge::in_async_context());
/// assert!(loopbridge::block_on(async { loopbridge::in_async_context() }));
/// assert!(!loopbridge::block_on(loopbridge::to_thread(loopbridge::in_async_context)).unwrap());
/// ```
#[inline]
pub fn in_async_context() -> bool {
    ambient::in_async_context()
}
