//! [`JoinError`]: why a task did not produce its value.

use std::any::Any;
use std::fmt;
use std::sync::Mutex;

use super::Id;

/// A task (or `to_thread` job) did not return a value: it was cancelled, or it panicked.
///
/// The panic payload is kept, so [`into_panic`](Self::into_panic) plus
/// [`std::panic::resume_unwind`] re-raises the original panic.
///
/// # Examples
///
/// ```
/// use loopbridge_core::JoinError;
///
/// let err = JoinError::panic(Box::new("boom"));
/// assert!(err.is_panic());
/// assert_eq!(err.to_string(), "task panicked with message \"boom\"");
/// let payload = err.into_panic();
/// assert_eq!(*payload.downcast_ref::<&str>().unwrap(), "boom");
/// ```
pub struct JoinError {
    // Boxed: a task's `Result<T, JoinError>` is moved through every layer between the task and
    // its awaiter, and failures are rare; one pointer keeps the success path's copies small.
    inner: Box<Inner>,
}

struct Inner {
    repr: Repr,
    /// The task's: stamped by the handle that delivers the error (see [`JoinError::id`]).
    id: Id,
}

enum Repr {
    Cancelled(Option<&'static str>),
    // The mutex makes the error `Sync` without requiring `Sync` of the payload; it is only
    // ever locked to read a message for `Display`.
    Panic(Mutex<Box<dyn Any + Send + 'static>>),
}

impl JoinError {
    /// The error of a task that was cancelled before it finished.
    ///
    /// For backend adapters; users receive it from a [`JoinHandle`](super::JoinHandle).
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::JoinError;
    /// assert!(JoinError::cancelled().is_cancelled());
    /// ```
    pub fn cancelled() -> Self {
        JoinError::new(Repr::Cancelled(None))
    }

    /// The error of work that was cancelled — never run — for the stated `reason`, e.g. because
    /// running it would deadlock. [`is_cancelled`](Self::is_cancelled) is true.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::JoinError;
    /// let err = JoinError::cancelled_because("the runner is shut down");
    /// assert!(err.is_cancelled());
    /// assert_eq!(err.to_string(), "task was cancelled: the runner is shut down");
    /// ```
    pub fn cancelled_because(reason: &'static str) -> Self {
        JoinError::new(Repr::Cancelled(Some(reason)))
    }

    /// The error of a task that panicked with `payload`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::JoinError;
    /// assert!(JoinError::panic(Box::new(7_u8)).is_panic());
    /// ```
    pub fn panic(payload: Box<dyn Any + Send + 'static>) -> Self {
        JoinError::new(Repr::Panic(Mutex::new(payload)))
    }

    /// The same error, from tokio's: a panic keeps its payload; anything else was a
    /// cancellation. For a [`JoinHandle`](super::JoinHandle) over tokio's own.
    #[cfg(feature = "tokio")]
    pub(crate) fn from_tokio(err: tokio::task::JoinError) -> Self {
        let id = Id::from_tokio(err.id());
        match err.try_into_panic() {
            Ok(payload) => JoinError::panic(payload),
            Err(_) => JoinError::cancelled(),
        }
        .with_id(id)
    }

    /// The same error, naming the task `id` (the handle that delivers it knows which).
    pub(crate) fn with_id(mut self, id: Id) -> Self {
        self.inner.id = id;
        self
    }

    fn new(repr: Repr) -> Self {
        JoinError { inner: Box::new(Inner { repr, id: Id::next() }) }
    }

    /// The id of the task that failed, as its [`JoinHandle::id`](super::JoinHandle::id) —
    /// tokio's `JoinError::id`. An error made by hand (by a backend, before a handle delivers
    /// it) has an id of its own until then.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::task::TaskFuture;
    /// use loopbridge_core::unstable::park;
    ///
    /// let (task, handle) = TaskFuture::new(async { panic!("boom") });
    /// let id = handle.id();
    /// park::wait(task);
    /// assert_eq!(park::wait(handle).unwrap_err().id(), id);
    /// ```
    pub fn id(&self) -> Id {
        self.inner.id
    }

    /// Whether the task was cancelled (by `abort`, or by the shutdown of its runner).
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::JoinError;
    /// assert!(!JoinError::cancelled().is_panic());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self.inner.repr, Repr::Cancelled(_))
    }

    /// Whether the task panicked.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::JoinError;
    /// assert!(!JoinError::panic(Box::new(())).is_cancelled());
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self.inner.repr, Repr::Panic(_))
    }

    /// The panic payload.
    ///
    /// # Panics
    ///
    /// If the error is not a panic; use [`try_into_panic`](Self::try_into_panic) to check.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::JoinError;
    /// let payload = JoinError::panic(Box::new(String::from("x"))).into_panic();
    /// assert_eq!(payload.downcast_ref::<String>().unwrap(), "x");
    /// ```
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        match self.try_into_panic() {
            Ok(payload) => payload,
            Err(_) => panic!("`JoinError::into_panic` called on an error that is not a panic"),
        }
    }

    /// The panic payload, or the error itself if it is not a panic.
    ///
    /// # Errors
    ///
    /// Returns `self` unchanged when the task was cancelled rather than panicking.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::JoinError;
    /// assert!(JoinError::cancelled().try_into_panic().is_err());
    /// ```
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        if !self.is_panic() {
            return Err(self);
        }
        match self.inner.repr {
            Repr::Panic(payload) => {
                Ok(payload.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner))
            }
            Repr::Cancelled(_) => unreachable!("checked above"),
        }
    }

    fn panic_message(&self) -> Option<String> {
        let Repr::Panic(payload) = &self.inner.repr else { return None };
        let payload = payload.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(s) = payload.downcast_ref::<&'static str>() {
            Some((*s).to_owned())
        } else {
            payload.downcast_ref::<String>().cloned()
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.inner.repr, self.panic_message()) {
            (Repr::Cancelled(None), _) => f.write_str("task was cancelled"),
            (Repr::Cancelled(Some(reason)), _) => write!(f, "task was cancelled: {reason}"),
            (Repr::Panic(_), Some(message)) => write!(f, "task panicked with message {message:?}"),
            (Repr::Panic(_), None) => f.write_str("task panicked"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.inner.repr, self.panic_message()) {
            (Repr::Cancelled(None), _) => f.write_str("JoinError::Cancelled"),
            (Repr::Cancelled(Some(reason)), _) => write!(f, "JoinError::Cancelled({reason:?})"),
            (Repr::Panic(_), Some(message)) => write!(f, "JoinError::Panic({message:?}, ...)"),
            (Repr::Panic(_), None) => f.write_str("JoinError::Panic(...)"),
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for std::io::Error {
    fn from(err: JoinError) -> Self {
        std::io::Error::other(err)
    }
}
