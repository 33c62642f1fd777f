//! The futures that wait for a [`CancellationToken`] to be cancelled.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::CancellationToken;

/// Completes once its token is cancelled; from [`CancellationToken::cancelled`]. Cancel-safe.
///
/// # Examples
///
/// ```
/// use loopbridge_core::{cancel::CancellationToken, park};
///
/// let token = CancellationToken::new();
/// let canceller = token.clone();
/// std::thread::spawn(move || canceller.cancel());
/// park::wait(token.cancelled());
/// assert!(token.is_cancelled());
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct WaitForCancellationFuture<'a> {
    token: &'a CancellationToken,
    slot: Option<usize>,
}

/// Completes once its token is cancelled, owning the token; from
/// [`CancellationToken::cancelled_owned`]. Cancel-safe.
///
/// # Examples
///
/// ```
/// use loopbridge_core::{cancel::CancellationToken, park};
///
/// let token = CancellationToken::new();
/// let wait = token.clone().cancelled_owned(); // 'static: can move into a task
/// token.cancel();
/// park::wait(wait);
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct WaitForCancellationFutureOwned {
    token: CancellationToken,
    slot: Option<usize>,
}

impl<'a> WaitForCancellationFuture<'a> {
    pub(super) fn new(token: &'a CancellationToken) -> Self {
        WaitForCancellationFuture { token, slot: None }
    }
}

impl WaitForCancellationFutureOwned {
    pub(super) fn new(token: CancellationToken) -> Self {
        WaitForCancellationFutureOwned { token, slot: None }
    }
}

impl Future for WaitForCancellationFuture<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.token.register(&mut this.slot, cx.waker()) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Future for WaitForCancellationFutureOwned {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.token.register(&mut this.slot, cx.waker()) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for WaitForCancellationFuture<'_> {
    fn drop(&mut self) {
        self.token.unregister(self.slot.take());
    }
}

impl Drop for WaitForCancellationFutureOwned {
    fn drop(&mut self) {
        self.token.unregister(self.slot.take());
    }
}

impl fmt::Debug for WaitForCancellationFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForCancellationFuture").field("token", self.token).finish()
    }
}

impl fmt::Debug for WaitForCancellationFutureOwned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForCancellationFutureOwned").field("token", &self.token).finish()
    }
}
