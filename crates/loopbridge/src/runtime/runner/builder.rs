//! [`RunnerBuilder`]: how a [`Runner`] is configured and started.

use std::sync::{Condvar, Mutex};

use loopbridge_core::{BackendKind, Error, RunnerConfig};

use super::Runner;
use crate::Bridge;
use crate::backends;
use crate::runtime::config;

/// Configures and starts a [`Runner`]; from [`Runner::builder`].
///
/// # Examples
///
/// ```
/// use loopbridge::{BackendKind, Runner};
///
/// let runner = Runner::builder()
///     .worker_threads(2)             // 1 = single-thread flavour
///     .max_blocking_threads(16)      // bound of the to_thread pool
///     .thread_name("db-loop")        // every thread it starts is named from this
///     .build()?;
/// assert_eq!(runner.block_on(async { 1 + 1 }), 2);
/// # Ok::<(), loopbridge::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct RunnerBuilder {
    backend: Option<BackendKind>,
    config: RunnerConfig,
    start_paused: bool,
}

impl RunnerBuilder {
    /// The backend; by default the application's choice as for the global runner
    /// ([`set_default_backend`](crate::set_default_backend), `LOOPBRIDGE_BACKEND`, then tokio,
    /// smol, async-std).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "tokio")] {
    /// let runner = loopbridge::Runner::builder().backend(loopbridge::BackendKind::Tokio).build().unwrap();
    /// assert_eq!(runner.kind(), loopbridge::BackendKind::Tokio);
    /// # }
    /// ```
    pub fn backend(mut self, kind: BackendKind) -> Self {
        self.backend = Some(kind);
        self
    }

    /// Executor threads; `1` is the single-thread flavour. Default: one per CPU. async-std runs
    /// every runner's tasks on its one global runtime, so there it has no effect.
    ///
    /// The one thread of a single-thread runner (tokio or smol) also runs the local tasks its
    /// tasks spawn with [`spawn_local`](crate::spawn_local).
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = loopbridge::Runner::builder().worker_threads(1).build()?;
    /// # // async-std has no one-thread runner: its tasks cannot spawn local tasks.
    /// # if runner.kind() != loopbridge::BackendKind::AsyncStd {
    /// let out = runner.block_on(runner.spawn(async {
    ///     let local = loopbridge::spawn_local(async {
    ///         let not_send = std::rc::Rc::new(7); // held across an `.await`: a `!Send` future
    ///         loopbridge::yield_now().await;
    ///         *not_send
    ///     });
    ///     local.await.unwrap()
    /// }));
    /// assert_eq!(out.unwrap(), 7);
    /// # }
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    pub fn worker_threads(mut self, n: usize) -> Self {
        self.config = self.config.with_worker_threads(n);
        self
    }

    /// Upper bound on the threads of the `to_thread` pool. Default: 512.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = loopbridge::Runner::builder().max_blocking_threads(4).build().unwrap();
    /// # drop(runner);
    /// ```
    pub fn max_blocking_threads(mut self, n: usize) -> Self {
        self.config = self.config.with_max_blocking_threads(n);
        self
    }

    /// Prefix of the name of every thread the runner starts. Default: `loopbridge`.
    ///
    /// # Examples
    ///
    /// ```
    /// let runner = loopbridge::Runner::builder().thread_name("db-loop").build().unwrap();
    /// let name = runner.block_on(loopbridge::to_thread(|| {
    ///     std::thread::current().name().map(str::to_owned)
    /// }));
    /// # let _ = name;
    /// ```
    pub fn thread_name(mut self, name: impl Into<String>) -> Self {
        self.config = self.config.with_thread_name(name);
        self
    }

    /// Starts the runner with its clock paused: time stands still, and jumps to the next
    /// timer whenever the runner has no work — tokio's `start_paused`, on every backend and
    /// flavour (see [`time::pause`](crate::time::pause)). For tests of code that waits: an
    /// hour of retries takes as long as the work it does.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let runner = loopbridge::Runner::builder().start_paused(true).build()?;
    /// let wall = std::time::Instant::now();
    /// let slept = runner.block_on(async {
    ///     let start = loopbridge::time::Instant::now();
    ///     loopbridge::sleep(Duration::from_secs(3600)).await;
    ///     start.elapsed()
    /// });
    /// assert_eq!(slept, Duration::from_secs(3600)); // exactly, on the runner's clock
    /// assert!(wall.elapsed() < Duration::from_secs(60));
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    pub fn start_paused(mut self, paused: bool) -> Self {
        self.start_paused = paused;
        self
    }

    /// Starts the runner.
    ///
    /// # Errors
    ///
    /// The backend is not compiled in (or none is), `LOOPBRIDGE_BACKEND` is invalid, or the
    /// runtime's threads cannot start.
    ///
    /// # Examples
    ///
    /// See [`RunnerBuilder`].
    pub fn build(self) -> Result<Runner, Error> {
        self.build_with_default(crate::runtime::global::explicit_default())
    }

    /// Builds with `explicit` as the application's default backend (the global runner passes
    /// the one it holds under its lock, which `build` would otherwise take a second time).
    pub(crate) fn build_with_default(self, explicit: Option<BackendKind>) -> Result<Runner, Error> {
        let kind = match self.backend {
            Some(kind) => kind,
            None => config::preferred(explicit)?,
        };
        let (backend, runtime) = backends::start(kind, &self.config)?;
        if self.start_paused
            && let Some(clock) = backend.clock()
        {
            clock.pause();
        }
        debug!(
            backend = %kind,
            worker_threads = self.config.worker_threads,
            max_blocking_threads = self.config.max_blocking_threads,
            thread_name = %self.config.thread_name,
            "runner started",
        );
        Ok(Runner {
            bridge: Bridge::new(backend),
            runtime: Mutex::new(Some(runtime)),
            report: (Mutex::new(None), Condvar::new()),
        })
    }
}
