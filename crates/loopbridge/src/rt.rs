//! What it takes to run loopbridge on an executor it does not ship — a GUI main loop, a game
//! engine, another runtime: implement [`LoopBackend`] and hand the backend to
//! [`Bridge::from_backend`](crate::Bridge::from_backend). The whole facade then works on it:
//! `spawn`, `to_thread`, `block_on` from every context, timers, [`JoinHandle`](crate::JoinHandle)
//! semantics, [`ThreadBound`](crate::ThreadBound).
//!
//! A backend runs what loopbridge gives it: a [`TaskFuture`] (the user's future with the
//! handle's semantics already inside: detach, abort, panics reported), a [`BlockingJob`], a
//! future to block on, a timer. [`park`] waits for a future on the calling thread, with or
//! without a deadline, for a backend whose executor has no `block_on` of its own.
//! `examples/custom_backend.rs` is a complete one over a single-thread event loop.
//!
//! # Examples
//!
//! ```
//! use std::time::Instant;
//! use loopbridge::{BackendKind, BlockOnError, Bridge, JoinHandle};
//! use loopbridge::rt::{BlockingJob, LoopBackend, TaskFuture, park};
//!
//! /// Every task and job on a thread of its own: the least a backend can be.
//! #[derive(Clone, Debug)]
//! struct ThreadPerTask;
//!
//! impl LoopBackend for ThreadPerTask {
//!     type Timer = JoinHandle<()>;
//!     fn kind(&self) -> BackendKind { BackendKind::Other("thread-per-task") }
//!     fn spawn_task<F>(&self, task: TaskFuture<F>)
//!     where F: Future + Send + 'static, F::Output: Send + 'static {
//!         std::thread::spawn(move || park::wait(task));
//!     }
//!     fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
//!     where F: FnOnce() -> T + Send + 'static, T: Send + 'static {
//!         std::thread::spawn(move || job.run());
//!     }
//!     fn try_block_on_until<F: Future>(&self, future: F, deadline: Option<Instant>)
//!         -> Result<F::Output, BlockOnError> {
//!         park::wait_with_deadline(future, deadline)
//!     }
//!     fn timer_at(&self, deadline: Instant) -> Self::Timer {
//!         self.spawn_blocking(move || std::thread::sleep(deadline.saturating_duration_since(Instant::now())))
//!     }
//! }
//!
//! let bridge = Bridge::from_backend(ThreadPerTask);
//! let doubled = bridge.block_on(async { loopbridge::spawn(async { 21 * 2 }).await });
//! assert_eq!(doubled.unwrap(), 42);
//! ```

pub use loopbridge_core::LoopBackend;
pub use loopbridge_core::task::{BlockingJob, TaskFuture};
pub use loopbridge_core::unstable::park;
