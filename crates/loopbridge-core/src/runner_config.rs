//! [`RunnerConfig`]: the settings every adapter's owned runtime understands.

/// How to build an owned runtime: the settings every adapter understands.
///
/// # Examples
///
/// ```
/// let config = loopbridge_core::RunnerConfig::default();
/// assert!(config.worker_threads >= 1);
/// assert_eq!(config.thread_name, "loopbridge");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunnerConfig {
    /// Executor threads; 1 means the single-thread flavour.
    pub worker_threads: usize,
    /// Upper bound on threads of the blocking pool.
    pub max_blocking_threads: usize,
    /// Prefix of the names of every thread the runtime starts.
    pub thread_name: String,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            worker_threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_blocking_threads: 512,
            thread_name: "loopbridge".to_owned(),
        }
    }
}

impl RunnerConfig {
    /// Sets [`worker_threads`](Self::worker_threads), at least 1.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = loopbridge_core::RunnerConfig::default().with_worker_threads(0);
    /// assert_eq!(c.worker_threads, 1);
    /// ```
    #[must_use]
    pub fn with_worker_threads(mut self, n: usize) -> Self {
        self.worker_threads = n.max(1);
        self
    }

    /// Sets [`max_blocking_threads`](Self::max_blocking_threads), at least 1.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = loopbridge_core::RunnerConfig::default().with_max_blocking_threads(8);
    /// assert_eq!(c.max_blocking_threads, 8);
    /// ```
    #[must_use]
    pub fn with_max_blocking_threads(mut self, n: usize) -> Self {
        self.max_blocking_threads = n.max(1);
        self
    }

    /// Sets [`thread_name`](Self::thread_name).
    ///
    /// # Examples
    ///
    /// ```
    /// let c = loopbridge_core::RunnerConfig::default().with_thread_name("db-loop");
    /// assert_eq!(c.thread_name, "db-loop");
    /// ```
    #[must_use]
    pub fn with_thread_name(mut self, name: impl Into<String>) -> Self {
        self.thread_name = name.into();
        self
    }
}
