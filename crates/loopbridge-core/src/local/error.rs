//! [`SpawnLocalError`]: why a local task could not be spawned.

use std::borrow::Cow;
use std::fmt;

use crate::context::{self, ThreadRole};

/// A local task could not be spawned: no local executor runs on the calling thread, so the
/// task would never run. The future was dropped without being polled.
///
/// Its `Display` says where the thread is and where `spawn_local` works instead.
///
/// # Examples
///
/// ```
/// let err = loopbridge_core::local::try_spawn_local(async {}).unwrap_err();
/// assert!(err.to_string().contains("block_on"));
/// ```
#[derive(Debug)]
pub struct SpawnLocalError {
    context: Cow<'static, str>,
}

impl SpawnLocalError {
    /// The error for a thread that is `context` (e.g. `"a worker of a multi-thread tokio
    /// runtime"`), which drives no local tasks.
    ///
    /// For the facade, which can name runtimes this crate cannot see; applications only
    /// receive this error.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = loopbridge_core::local::SpawnLocalError::outside_local_executor("a GUI thread");
    /// assert!(err.to_string().contains("a GUI thread"));
    /// ```
    pub fn outside_local_executor(context: impl Into<Cow<'static, str>>) -> Self {
        SpawnLocalError { context: context.into() }
    }

    /// The error for the calling thread, described from its loopbridge marker.
    pub(crate) fn here() -> Self {
        let context: Cow<'static, str> = match context::current() {
            None => "a thread outside any loopbridge `block_on`".into(),
            Some(marker) => match marker.role() {
                ThreadRole::Worker { single_threaded: false } => format!(
                    "a worker of a multi-thread loopbridge {} executor, whose tasks may move \
                     between threads",
                    marker.kind()
                )
                .into(),
                ThreadRole::Worker { single_threaded: true } => {
                    format!("a thread of a loopbridge {} executor", marker.kind()).into()
                }
                ThreadRole::Blocking => "a `to_thread` job, outside any `block_on`".into(),
                ThreadRole::BlockOn => "a thread inside `block_on`, outside its local scope".into(),
            },
        };
        SpawnLocalError { context }
    }
}

impl fmt::Display for SpawnLocalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot spawn a local task here ({}): no local executor runs on this thread, so \
             the task would never run. `spawn_local` works inside `loopbridge::block_on` (on \
             any thread), in the tasks of a one-thread `Runner`, and in `#[loopbridge::test]` \
             bodies. Use `spawn` for a `Send` future, or run the `!Send` work inside \
             `block_on` (from a plain thread, or in `to_thread`)",
            self.context
        )
    }
}

impl std::error::Error for SpawnLocalError {}
