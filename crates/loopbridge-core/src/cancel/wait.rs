//! The futures that wait for a [`CancellationToken`] to be cancelled.

use std::borrow::Borrow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::CancellationToken;

/// Completes once its token is cancelled; cancel-safe. `T` is how it holds the token: by
/// reference ([`WaitForCancellationFuture`], from [`CancellationToken::cancelled`]) or owned
/// ([`WaitForCancellationFutureOwned`], from [`CancellationToken::cancelled_owned`]).
///
/// # Examples
///
/// ```
/// use loopbridge_core::cancel::CancellationToken;
/// use loopbridge_core::unstable::park;
///
/// let token = CancellationToken::new();
/// let canceller = token.clone();
/// std::thread::spawn(move || canceller.cancel());
/// park::wait(token.cancelled());
/// assert!(token.is_cancelled());
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Cancelled<T: Borrow<CancellationToken>> {
    token: T,
    /// Where its waker is registered with the token, once it is.
    slot: Option<usize>,
}

/// A [`Cancelled`] that borrows its token; from [`CancellationToken::cancelled`].
///
/// # Examples
///
/// ```
/// use loopbridge_core::cancel::{CancellationToken, WaitForCancellationFuture};
///
/// let token = CancellationToken::new();
/// let wait: WaitForCancellationFuture<'_> = token.cancelled();
/// token.cancel();
/// loopbridge_core::unstable::park::wait(wait);
/// ```
pub type WaitForCancellationFuture<'a> = Cancelled<&'a CancellationToken>;

/// A [`Cancelled`] that owns its token, so it is `'static` and can move into a task; from
/// [`CancellationToken::cancelled_owned`].
///
/// # Examples
///
/// ```
/// use loopbridge_core::cancel::CancellationToken;
/// use loopbridge_core::unstable::park;
///
/// let token = CancellationToken::new();
/// let wait = token.clone().cancelled_owned(); // 'static: can move into a task
/// token.cancel();
/// park::wait(wait);
/// ```
pub type WaitForCancellationFutureOwned = Cancelled<CancellationToken>;

impl<T: Borrow<CancellationToken>> Cancelled<T> {
    pub(super) fn new(token: T) -> Self {
        Cancelled { token, slot: None }
    }
}

impl<T: Borrow<CancellationToken> + Unpin> Future for Cancelled<T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.token.borrow().register(&mut this.slot, cx.waker()) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl<T: Borrow<CancellationToken>> Drop for Cancelled<T> {
    fn drop(&mut self) {
        self.token.borrow().unregister(self.slot.take());
    }
}

impl<T: Borrow<CancellationToken>> fmt::Debug for Cancelled<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancelled").field("token", self.token.borrow()).finish()
    }
}
