//! [`UntilClosed`]: a `block_on` future that gives up when its runtime shuts down.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use std::sync::Arc;

use super::{Lifecycle, lock};
use crate::BlockOnError;
use crate::unstable::clock::{self, TaskWork};

pin_project! {
    /// Wraps the future of a `block_on` so that it completes with `Err(shut_down)` as soon as
    /// the lifecycle closes, instead of waiting for a future the stopped runtime can no longer
    /// finish. A future that is ready at its first poll never touches the lifecycle's lock.
    /// Without a lifecycle (a runtime loopbridge did not start) it only forwards the output.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::unstable::lifecycle::{Lifecycle, UntilClosed};
    ///
    /// let lifecycle = Lifecycle::new();
    /// let blocked = UntilClosed::new(Some(&lifecycle), std::future::pending::<()>());
    /// let closer = std::sync::Arc::clone(&lifecycle);
    /// std::thread::spawn(move || closer.close());
    /// let result = loopbridge_core::unstable::park::wait(blocked);
    /// assert!(result.unwrap_err().is_shut_down());
    /// ```
    pub struct UntilClosed<'a, F> {
        #[pin]
        future: F,
        // Borrowed, not counted: the wrapper lives in the `block_on` frame of a caller that
        // holds the lifecycle anyway.
        lifecycle: Option<&'a Lifecycle>,
        slot: Option<usize>,
        // The future's share of its runtime's work while the clock is paused.
        work: TaskWork,
    }

    impl<F> PinnedDrop for UntilClosed<'_, F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let (Some(slot), Some(lifecycle)) = (this.slot.take(), this.lifecycle) {
                let removed = lock(&lifecycle.blocked).try_remove(slot);
                drop(removed);
            }
        }
    }
}

impl<'a, F: Future> UntilClosed<'a, F> {
    /// Wraps `future` to give up when `lifecycle` closes.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::unstable::lifecycle::{Lifecycle, UntilClosed};
    /// use loopbridge_core::unstable::park;
    ///
    /// let lifecycle = Lifecycle::new();
    /// // While the lifecycle is open, the future's output comes through in `Ok`.
    /// assert_eq!(park::wait(UntilClosed::new(Some(&lifecycle), async { 1 })).unwrap(), 1);
    /// // Without a lifecycle it only forwards the output.
    /// assert_eq!(park::wait(UntilClosed::new(None, async { 2 })).unwrap(), 2);
    /// // Once closed, it gives up without polling the future, even a ready one.
    /// lifecycle.close();
    /// let result = park::wait(UntilClosed::new(Some(&lifecycle), async { 3 }));
    /// assert!(result.unwrap_err().is_shut_down());
    /// ```
    pub fn new(lifecycle: Option<&'a Lifecycle>, future: F) -> Self {
        UntilClosed { future, lifecycle, slot: None, work: TaskWork::default() }
    }
}

impl<F: Future> Future for UntilClosed<'_, F> {
    type Output = Result<F::Output, BlockOnError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(lifecycle) = *this.lifecycle else { return this.future.poll(cx).map(Ok) };
        // Checked before polling: after the close the runtime's timers and IO may be gone, and
        // polling futures that use them could panic.
        if lifecycle.is_closed() {
            return Poll::Ready(Err(BlockOnError::shut_down()));
        }
        let polled = if clock::any_ever_paused() {
            let clock = Arc::clone(lifecycle.clock());
            let future = this.future;
            this.work.poll_on(&clock, cx, |cx| future.poll(cx))
        } else {
            let polled = this.future.poll(cx);
            // The first pause of the process may have come in this very poll.
            if clock::any_ever_paused() {
                lifecycle.clock().uncounted_poll_ended(cx.waker());
            }
            polled
        };
        if let Poll::Ready(output) = polled {
            return Poll::Ready(Ok(output));
        }
        // `spin::spin_then` polls again by itself and then hands over to a `block_on` that
        // polls with its own waker: the spin's waker needs no registration (and a future that
        // completes during the spin never takes the lock).
        if crate::spin::is_spin_waker(cx.waker()) {
            return Poll::Pending;
        }
        let mut blocked = lock(&lifecycle.blocked);
        match *this.slot {
            Some(slot) => match blocked.get_mut(slot) {
                Some(known) if known.will_wake(cx.waker()) => {}
                Some(known) => known.clone_from(cx.waker()),
                None => {} // taken by the close: the check below answers
            },
            None => *this.slot = Some(blocked.insert(cx.waker().clone())),
        }
        drop(blocked);
        // A close between the check above and the registration would have missed our waker.
        if lifecycle.is_closed() {
            return Poll::Ready(Err(BlockOnError::shut_down()));
        }
        Poll::Pending
    }
}

impl<F> fmt::Debug for UntilClosed<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UntilClosed").field("lifecycle", &self.lifecycle).finish_non_exhaustive()
    }
}
