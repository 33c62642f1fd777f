//! loom models of the shutdown state machine ([`Lifecycle`]): every interleaving (up to loom's
//! preemption bound) of a close racing a spawn, a blocking job and a blocked `block_on`; and of
//! the task cell shared by a task and its handle: an abort racing a task that parks, and a
//! result racing a handle that waits, each side polled again with the waker it recorded (the
//! cell's lock-free path); of the blocking pool (`pool.rs`: jobs handed to its threads racing
//! a shutdown); and of the cancellation token (`cancel.rs`: a cancel racing a waiter, and
//! the creation of a child; a middle token's last handle dropped while the root is cancelled or
//! a child is made).
//!
//! Run with `cargo xtask loom` (`RUSTFLAGS="--cfg loom"`, release mode, a bounded
//! `LOOM_MAX_PREEMPTIONS`). Compiled only under `cfg(all(test, loom))`.
//!
//! Wakers here are std wakers whose `wake` notifies a loom `Notify`: a wake-up that is lost
//! leaves a thread waiting forever, which loom reports as a deadlock.

mod cancel;
mod cell;
mod lifecycle;
mod pool;

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::Notify;

/// A waker that notifies a loom `Notify`.
struct NotifyWaker(loom::sync::Arc<Notify>);

impl Wake for NotifyWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.notify();
    }
}

/// Polls `future` on this loom thread until it is ready, sleeping on its waker in between.
pub(super) fn block_on<F: Future>(future: F) -> F::Output {
    let notify = loom::sync::Arc::new(Notify::new());
    let waker = Waker::from(std::sync::Arc::new(NotifyWaker(loom::sync::Arc::clone(&notify))));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        notify.wait();
    }
}

pub(super) fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}
