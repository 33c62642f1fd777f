//! The error types shared by every backend: [`BlockOnError`], [`Elapsed`] and [`Error`].
//!
//! They are opaque structs with `is_*` methods (the tokio `JoinError` style), so that new
//! causes can be added without breaking anyone, and each `Display` says what happened and
//! what to do about it.

use std::borrow::Cow;
use std::fmt;
use std::io;

use crate::BackendKind;

/// Why [`block_on`](crate::LoopBackend::block_on) could not run a future.
///
/// # Examples
///
/// ```
/// use loopbridge_core::BlockOnError;
///
/// let err = BlockOnError::in_async_context("a tokio current-thread runtime");
/// assert!(err.is_in_async_context());
/// assert!(err.to_string().contains("to_thread"));
/// ```
#[derive(Debug)]
pub struct BlockOnError {
    kind: BlockOnErrorKind,
}

#[derive(Debug)]
enum BlockOnErrorKind {
    InAsyncContext { context: Cow<'static, str> },
    ShutDown,
    TimedOut,
}

impl BlockOnError {
    /// The calling thread drives an executor that the future may need: blocking it could
    /// deadlock. `context` names the executor, e.g. `"a tokio current-thread runtime"`.
    ///
    /// For backend adapters and the facade; applications only receive this error.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::BlockOnError;
    /// let err = BlockOnError::in_async_context("a LocalSet");
    /// assert!(err.to_string().contains("a LocalSet"));
    /// ```
    pub fn in_async_context(context: impl Into<Cow<'static, str>>) -> Self {
        BlockOnError { kind: BlockOnErrorKind::InAsyncContext { context: context.into() } }
    }

    /// The runner the future was sent to has been shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::BlockOnError;
    /// assert!(BlockOnError::shut_down().is_shut_down());
    /// ```
    pub fn shut_down() -> Self {
        BlockOnError { kind: BlockOnErrorKind::ShutDown }
    }

    /// The caller's deadline passed before the future completed; the future was dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::BlockOnError;
    /// assert!(BlockOnError::timed_out().is_timed_out());
    /// ```
    pub fn timed_out() -> Self {
        BlockOnError { kind: BlockOnErrorKind::TimedOut }
    }

    /// Whether the caller's deadline passed first (see `try_block_on_until`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::BlockOnError;
    /// assert!(!BlockOnError::shut_down().is_timed_out());
    /// ```
    pub fn is_timed_out(&self) -> bool {
        matches!(self.kind, BlockOnErrorKind::TimedOut)
    }

    /// Whether the call was refused because the calling thread is an executor thread that
    /// blocking would starve.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::BlockOnError;
    /// assert!(!BlockOnError::shut_down().is_in_async_context());
    /// ```
    pub fn is_in_async_context(&self) -> bool {
        matches!(self.kind, BlockOnErrorKind::InAsyncContext { .. })
    }

    /// Whether the call was refused because the runner has been shut down.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::BlockOnError;
    /// assert!(!BlockOnError::in_async_context("x").is_shut_down());
    /// ```
    pub fn is_shut_down(&self) -> bool {
        matches!(self.kind, BlockOnErrorKind::ShutDown)
    }
}

impl fmt::Display for BlockOnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            BlockOnErrorKind::InAsyncContext { context } => write!(
                f,
                "cannot block on a future here: this thread is running {context}, and blocking \
                 it would stop the very executor that may have to make progress for the future \
                 to complete, which deadlocks. Use `.await` instead, or run the blocking call on \
                 a thread of its own with `loopbridge::to_thread`"
            ),
            BlockOnErrorKind::ShutDown => f.write_str(
                "cannot block on a future: the runner it was sent to has been shut down. Build a \
                 new `Runner`, or use the global runner, which starts afresh on its next use",
            ),
            BlockOnErrorKind::TimedOut => f.write_str(
                "gave up waiting for a future: the caller's deadline passed before it completed, \
                 and the future was dropped. The runner may be overloaded or blocked; allow a \
                 longer deadline, or find what keeps it busy",
            ),
        }
    }
}

impl std::error::Error for BlockOnError {}

/// A [`timeout`](crate::time::Timeout) expired before its future completed.
///
/// # Examples
///
/// ```
/// use loopbridge_core::Elapsed;
///
/// assert_eq!(Elapsed::new().to_string(), "deadline has elapsed");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Elapsed(());

impl Elapsed {
    /// Creates the error; used by the timeout combinator.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::Elapsed;
    /// let _ = Elapsed::new();
    /// ```
    pub const fn new() -> Self {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

/// A configuration or lifecycle error: an unknown or missing backend, a setting changed too
/// late, a thread that could not be started.
///
/// # Examples
///
/// ```
/// use loopbridge_core::{BackendKind, Error};
///
/// let err = Error::not_compiled_in(BackendKind::Smol);
/// assert!(err.to_string().contains("features = [\"smol\"]"));
/// ```
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
}

#[derive(Debug)]
enum ErrorKind {
    NoBackend,
    UnknownBackend(String),
    NotCompiledIn(BackendKind),
    TooLate(&'static str),
    Io { what: &'static str, source: io::Error },
    InheritedThroughFork(BackendKind),
}

impl Error {
    /// No backend is compiled into this build.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::Error;
    /// assert!(Error::no_backend().to_string().contains("`tokio`, `smol` or `async-std`"));
    /// ```
    pub fn no_backend() -> Self {
        Error { kind: ErrorKind::NoBackend }
    }

    /// `name` is not the name of a backend.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::Error;
    /// assert!(Error::unknown_backend("tokyo").is_unknown_backend());
    /// ```
    pub fn unknown_backend(name: &str) -> Self {
        Error { kind: ErrorKind::UnknownBackend(name.to_owned()) }
    }

    /// The backend exists but its cargo feature is not enabled in this build.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::{BackendKind, Error};
    /// assert!(Error::not_compiled_in(BackendKind::Tokio).is_not_compiled_in());
    /// ```
    pub fn not_compiled_in(kind: BackendKind) -> Self {
        Error { kind: ErrorKind::NotCompiledIn(kind) }
    }

    /// A setting was changed after the thing it configures had started; `what` says what.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::Error;
    /// let err = Error::too_late("set_default_backend");
    /// assert!(err.is_too_late());
    /// ```
    pub fn too_late(what: &'static str) -> Self {
        Error { kind: ErrorKind::TooLate(what) }
    }

    /// An operating-system resource (usually a thread) could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::Error;
    /// let err = Error::io("start a worker thread", std::io::Error::other("no threads left"));
    /// assert!(err.is_io());
    /// ```
    pub fn io(what: &'static str, source: io::Error) -> Self {
        Error { kind: ErrorKind::Io { what, source } }
    }

    /// The backend was started in a parent process before a `fork()`, and its process-wide
    /// parts do not survive one: the child cannot run it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::{BackendKind, Error};
    /// let err = Error::inherited_through_fork(BackendKind::Smol);
    /// assert!(err.is_inherited_through_fork());
    /// assert!(err.to_string().contains("fork()"));
    /// ```
    pub fn inherited_through_fork(kind: BackendKind) -> Self {
        Error { kind: ErrorKind::InheritedThroughFork(kind) }
    }

    /// Whether a backend cannot run because this process is a `fork()` of one that started it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::Error;
    /// assert!(!Error::too_late("x").is_inherited_through_fork());
    /// ```
    pub fn is_inherited_through_fork(&self) -> bool {
        matches!(self.kind, ErrorKind::InheritedThroughFork(_))
    }

    /// Whether a backend name was not recognised.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::Error;
    /// assert!(!Error::too_late("x").is_unknown_backend());
    /// ```
    pub fn is_unknown_backend(&self) -> bool {
        matches!(self.kind, ErrorKind::UnknownBackend(_))
    }

    /// Whether no backend at all, or not the requested one, is compiled into this build.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::Error;
    /// assert!(!Error::too_late("x").is_not_compiled_in());
    /// ```
    pub fn is_not_compiled_in(&self) -> bool {
        matches!(self.kind, ErrorKind::NotCompiledIn(_) | ErrorKind::NoBackend)
    }

    /// Whether a setting came after the thing it configures had started.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::Error;
    /// assert!(Error::too_late("x").is_too_late());
    /// ```
    pub fn is_too_late(&self) -> bool {
        matches!(self.kind, ErrorKind::TooLate(_))
    }

    /// Whether an operating-system resource could not be created.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::Error;
    /// assert!(!Error::too_late("x").is_io());
    /// ```
    pub fn is_io(&self) -> bool {
        matches!(self.kind, ErrorKind::Io { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::NoBackend => f.write_str(
                "loopbridge was built without a runtime backend, so it cannot run anything: \
                 enable a backend feature (`tokio`, `smol` or `async-std`) of the crate you are \
                 building, which forwards it to loopbridge; in an application that depends on \
                 loopbridge directly, that is loopbridge's own (`loopbridge = { version = \
                 \"0.1\", features = [\"tokio\"] }`)",
            ),
            ErrorKind::UnknownBackend(name) => write!(
                f,
                "`{name}` is not a loopbridge backend: expected one of `tokio`, `smol` or \
                 `async-std`"
            ),
            ErrorKind::NotCompiledIn(kind) => match kind.feature() {
                Some(feature) => write!(
                    f,
                    "the {kind} backend is not compiled in: enable it with \
                     `loopbridge = {{ features = [\"{feature}\"] }}` in Cargo.toml"
                ),
                None => write!(
                    f,
                    "`{kind}` is not a backend loopbridge ships, so loopbridge cannot start it: \
                     run it yourself and hand it to `loopbridge::Bridge::from_backend`"
                ),
            },
            ErrorKind::TooLate(what) => write!(
                f,
                "`{what}` was called while the global runner is running: call it at the start \
                 of `main`, before the first loopbridge operation, or shut the global runner \
                 down first with `loopbridge::shutdown_global`"
            ),
            ErrorKind::Io { what, source } => write!(f, "could not {what}: {source}"),
            ErrorKind::InheritedThroughFork(kind) => write!(
                f,
                "the {kind} backend cannot run in this process: it is a fork() of a process \
                 that had started it, and the {kind} backend's process-wide parts ({parts}) \
                 exist only in the parent, so timers, IO or tasks would hang here. In a \
                 process that forks, use the tokio backend, or start {kind} only after the \
                 fork (or exec a new program in the child)",
                parts = match kind {
                    BackendKind::AsyncStd => "async-std's executor threads and async-io's reactor",
                    _ => "async-io's reactor thread and its lock",
                }
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
