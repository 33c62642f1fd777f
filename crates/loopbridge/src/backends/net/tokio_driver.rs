//! Sockets on tokio's I/O driver.
//!
//! A tokio socket registers with the driver of the runtime whose context is entered when it
//! is created — for `connect`, at its first poll. [`Entered`] enters the socket's runtime
//! around each poll, so a socket can be made for one runtime from any thread or task,
//! including one of another runtime. After the runtime shuts down, tokio's driver fails every
//! operation on its sockets itself, pending ones included.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use tokio::runtime::Handle;

pin_project! {
    /// `future`, polled inside `handle`'s runtime context.
    pub(crate) struct Entered<'a, F> {
        handle: &'a Handle,
        #[pin]
        future: F,
    }
}

impl<'a, F: Future> Entered<'a, F> {
    pub(crate) fn new(handle: &'a Handle, future: F) -> Self {
        Entered { handle, future }
    }
}

impl<F: Future> Future for Entered<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _context = this.handle.enter();
        this.future.poll(cx)
    }
}

/// A tokio listener and the runtime it belongs to: tokio registers an accepted stream with
/// the runtime of the *calling* context, so `accept` enters the listener's own (the stream
/// belongs to the listener's runtime, and a task of another runtime may call it).
#[derive(Debug)]
pub(crate) struct Bound<T> {
    pub(crate) io: T,
    pub(crate) handle: Handle,
}

impl<T> std::ops::Deref for Bound<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.io
    }
}

/// Runs the synchronous `make` (a `from_std`, a `bind`) inside `handle`'s runtime context.
pub(crate) fn entered<R>(handle: &Handle, make: impl FnOnce() -> R) -> R {
    let _context = handle.enter();
    make()
}
