//! The timer futures returned by [`sleep`](crate::sleep) and [`timeout`](crate::timeout).
//!
//! They are named types (not `async fn`s) so that they can be stored in structs and polled by
//! hand. The semantics are those of [`loopbridge_core::time`], identical on every backend.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use loopbridge_core::Elapsed;
use pin_project_lite::pin_project;

use crate::backends::AnyTimer;

pub use loopbridge_core::time::YieldNow;

pin_project! {
    /// Completes after a duration; returned by [`sleep`](crate::sleep).
    ///
    /// Never completes early; `Duration::ZERO` is exactly one yield; a deadline too far to
    /// represent (`Duration::MAX`) never fires and never panics; once complete, it is ready
    /// at once if polled again. The timer belongs to the runtime that was current when the
    /// `Sleep` was made, and works when polled anywhere.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let sleep = loopbridge::sleep(Duration::MAX);
    /// assert_eq!(sleep.deadline(), None); // never fires
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Sleep {
        #[pin]
        inner: loopbridge_core::time::Sleep<AnyTimer>,
    }
}

impl Sleep {
    pub(crate) fn new(inner: loopbridge_core::time::Sleep<AnyTimer>) -> Self {
        Sleep { inner }
    }

    /// When the sleep completes, or `None` if it never does.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// assert!(loopbridge::sleep(Duration::ZERO).deadline().is_some());
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        self.inner.deadline()
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().inner.poll(cx)
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep").field("deadline", &self.deadline()).finish()
    }
}

pin_project! {
    /// A future with a deadline; returned by [`timeout`](crate::timeout).
    ///
    /// Completes with `Ok(output)` if the future completes first, else `Err(Elapsed)`. The
    /// inner future is polled before the timer, so a ready future always wins.
    ///
    /// # Cancel safety
    ///
    /// When the deadline passes, the inner future is dropped with the `Timeout`, as with
    /// tokio's `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let out = loopbridge::block_on(loopbridge::timeout(Duration::ZERO, async { 1 }));
    /// assert_eq!(out, Ok(1));
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<F> {
        #[pin]
        inner: loopbridge_core::time::Timeout<F, AnyTimer>,
    }
}

impl<F: Future> Timeout<F> {
    pub(crate) fn new(inner: loopbridge_core::time::Timeout<F, AnyTimer>) -> Self {
        Timeout { inner }
    }

    /// The inner future.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// let t = loopbridge::timeout(Duration::MAX, std::future::ready(5));
    /// let _inner: &std::future::Ready<i32> = t.get_ref();
    /// ```
    pub fn get_ref(&self) -> &F {
        self.inner.get_ref()
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().inner.poll(cx)
    }
}

impl<F> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout").finish_non_exhaustive()
    }
}
