//! The [async-std](https://docs.rs/async-std) backend of [loopbridge](https://docs.rs/loopbridge).
//!
//! **Legacy.** async-std has been discontinued upstream ("use smol instead"; advisory
//! RUSTSEC-2025-0052, unmaintained, no patched version). This adapter keeps existing users
//! working; new code should choose the `smol` backend, which is built from the same
//! executor, timer and blocking-pool crates.
//!
//! async-std has one global runtime that cannot be shut down or configured beyond the
//! `ASYNC_STD_THREAD_COUNT` variable, so [`AsyncStdBackend`] is a unit struct that always
//! refers to it.
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

use std::future::Future;
use std::time::Instant;

use loopbridge_core::context::{self, Ambient, ThreadRole};
use loopbridge_core::task::{BlockingJob, TaskFuture};
use loopbridge_core::{BackendKind, BlockOnError, LoopBackend};

/// A [`LoopBackend`] over async-std's global runtime.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge_core::LoopBackend;
///
/// let backend = loopbridge_async_std::AsyncStdBackend::new();
/// backend.block_on(backend.sleep(Duration::from_millis(1)));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AsyncStdBackend;

impl AsyncStdBackend {
    /// The backend of async-std's global runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = loopbridge_async_std::AsyncStdBackend::new();
    /// ```
    pub const fn new() -> Self {
        AsyncStdBackend
    }

    /// The backend if the calling thread is running an async-std task (or is inside a
    /// loopbridge async-std `block_on` or `to_thread` job).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(loopbridge_async_std::AsyncStdBackend::try_current().is_none());
    /// ```
    pub fn try_current() -> Option<Self> {
        let marked = context::current().is_some_and(|a| a.kind() == BackendKind::AsyncStd);
        (marked || async_std::task::try_current().is_some()).then_some(AsyncStdBackend)
    }
}

/// Refuses to block a thread that is running an async-std task (other than a loopbridge
/// `block_on` or `to_thread` job): async-std would let the nested `block_on` run and then hang
/// whenever the future needs the blocked thread.
///
/// # Errors
///
/// [`BlockOnError::in_async_context`] inside an async-std task.
///
/// # Examples
///
/// ```
/// assert!(loopbridge_async_std::check_blocking().is_ok());
/// let inside = async_std::task::block_on(async_std::task::spawn(async {
///     loopbridge_async_std::check_blocking()
/// }));
/// assert!(inside.unwrap_err().is_in_async_context());
/// ```
pub fn check_blocking() -> Result<(), BlockOnError> {
    let allowed_role = matches!(
        context::current().map(Ambient::role),
        Some(ThreadRole::Blocking | ThreadRole::BlockOn)
    );
    if !allowed_role && async_std::task::try_current().is_some() {
        return Err(BlockOnError::in_async_context("an async-std task"));
    }
    Ok(())
}

impl LoopBackend for AsyncStdBackend {
    type Timer = async_io::Timer;

    fn kind(&self) -> BackendKind {
        BackendKind::AsyncStd
    }

    fn spawn_task<F>(&self, task: TaskFuture<F>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // async-std detaches on drop already.
        drop(async_std::task::spawn(task));
    }

    fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        drop(async_std::task::spawn_blocking(move || {
            let _role = context::enter(Ambient::new(BackendKind::AsyncStd, ThreadRole::Blocking));
            job.run();
        }));
    }

    fn try_block_on<F: Future>(&self, future: F) -> Result<F::Output, BlockOnError> {
        context::check_not_worker(None)?;
        check_blocking()?;
        let _role = context::enter(Ambient::new(BackendKind::AsyncStd, ThreadRole::BlockOn));
        Ok(async_std::task::block_on(future))
    }

    fn timer_at(&self, deadline: Instant) -> Self::Timer {
        async_io::Timer::at(deadline)
    }
}
