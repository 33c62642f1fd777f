//! Sockets on async-io's reactor: smol's and async-std's, and an application's own backend's.
//!
//! async-io's reactor is process-wide and never stops, so a socket would outlive the runner
//! that made it. [`Registered`] binds it to that runner: every operation first checks the
//! runner's lifecycle, and the runner's shutdown shuts the socket down (`shutdown(2)`), which
//! wakes whoever waits on it through the reactor itself — so a pending operation, too,
//! returns an error at once instead of waiting for a peer that may never come.

use std::io;
use std::ops::Deref;
use std::sync::{Arc, Weak};

use async_io::Async;
use loopbridge_core::unstable::lifecycle::{CloseWatch, Lifecycle, OnClose, UntilClosed};

use super::shut_down;

/// A socket registered with async-io's reactor and bound to the runtime that made it.
pub(crate) struct Registered<T> {
    io: Async<T>,
    owner: Option<Arc<Lifecycle>>,
    // Dropped with the socket: the lifecycle's registration of `self`.
    _watch: Option<CloseWatch>,
}

impl<T: AsFdSocket> Registered<T> {
    /// Binds `io` to `owner` (`None`: a runtime loopbridge did not start, which it cannot see
    /// shut down). Fails if `owner` has already closed.
    pub(crate) fn new(owner: Option<&Arc<Lifecycle>>, io: Async<T>) -> io::Result<Arc<Self>> {
        let Some(owner) = owner else {
            return Ok(Arc::new(Registered { io, owner: None, _watch: None }));
        };
        let registered = Arc::new_cyclic(|me: &Weak<Self>| {
            let watch = owner.watch(me.clone() as Weak<dyn OnClose>);
            Registered { io, owner: Some(Arc::clone(owner)), _watch: watch }
        });
        // A close that ran while `new_cyclic` built the socket could not upgrade its `Weak` (so
        // did not shut it down): pairs with the fence in `Lifecycle::close`, so that either
        // the close sees this socket or this check sees the close.
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        match registered._watch {
            Some(_) if !owner.is_closed() => Ok(registered),
            _ => Err(shut_down()),
        }
    }

    /// The stream `connect` makes, bound to `owner`; the connect gives up with the "shut down"
    /// error when `owner` closes (the reactor would otherwise wait out the kernel's connect
    /// timeout for a runner that is gone).
    pub(crate) async fn connect(
        owner: Option<&Arc<Lifecycle>>,
        connect: impl std::future::Future<Output = io::Result<Async<T>>>,
    ) -> io::Result<Arc<Self>> {
        let until_closed = UntilClosed::new(owner.map(Arc::as_ref), connect);
        let stream = until_closed.await.map_err(|_| shut_down())??;
        Registered::new(owner, stream)
    }

    /// A std socket made non-blocking and registered.
    pub(crate) fn from_std(owner: Option<&Arc<Lifecycle>>, io: T) -> io::Result<Arc<Self>> {
        Registered::new(owner, Async::new(io)?)
    }

    /// The socket for one operation; an error once the owner has shut down.
    #[inline]
    pub(crate) fn io(&self) -> io::Result<&Async<T>> {
        match &self.owner {
            Some(owner) if owner.is_closed() => Err(shut_down()),
            _ => Ok(&self.io),
        }
    }

    /// The runtime this socket belongs to (a socket it accepts belongs to it too).
    pub(crate) fn owner(&self) -> Option<&Arc<Lifecycle>> {
        self.owner.as_ref()
    }

    /// Runs the non-blocking `op` each time the socket is readable, checking the owner first.
    pub(crate) async fn read_with<R>(
        &self,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        self.io()?.read_with(|io| self.io().and_then(|_| op(io))).await
    }

    /// Runs the non-blocking `op` each time the socket is writable, checking the owner first.
    pub(crate) async fn write_with<R>(
        &self,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        self.io()?.write_with(|io| self.io().and_then(|_| op(io))).await
    }

    /// The std socket, deregistered; an error while another handle shares it.
    pub(crate) fn into_std(this: Arc<Self>) -> io::Result<T> {
        match Arc::into_inner(this) {
            Some(registered) => registered.io.into_inner(),
            None => Err(io::Error::other(
                "the socket is still shared with another handle; drop it first",
            )),
        }
    }
}

impl<T> Deref for Registered<T> {
    type Target = T;

    /// The std socket, for the calls that do not wait (addresses, options).
    fn deref(&self) -> &T {
        self.io.get_ref()
    }
}

impl<T: AsFdSocket> OnClose for Registered<T> {
    fn on_close(&self) {
        // Wakes every reader and writer through the reactor (Linux reports a shut-down socket,
        // listeners and unconnected UDP sockets included, as ready); each then sees the
        // closed owner. An error (e.g. already shut down) changes nothing.
        #[cfg(unix)]
        let _ = rustix::net::shutdown(&self.io, rustix::net::Shutdown::Both);
    }
}

/// The socket types registered here: a descriptor that `shutdown(2)` can stop.
pub(crate) trait AsFdSocket: Send + Sync + 'static + AsFd {}

#[cfg(unix)]
use std::os::fd::AsFd;
#[cfg(not(unix))]
use std::os::windows::io::AsSocket as AsFd;

impl<T: Send + Sync + 'static + AsFd> AsFdSocket for T {}

/// The write half of a split stream on async-io: like tokio's, dropping it shuts the write
/// direction down (the peer reads the end of the stream) while the read half reads on.
#[derive(Debug)]
pub(crate) struct IoWriteHalf(pub(crate) Arc<Registered<std::net::TcpStream>>);

impl Drop for IoWriteHalf {
    fn drop(&mut self) {
        // Already shut down, or the peer gone: nothing left to tell it.
        drop(self.0.shutdown(std::net::Shutdown::Write));
    }
}

impl<T> std::fmt::Debug for Registered<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registered").field("owner", &self.owner.as_ref().map(|o| o.id())).finish()
    }
}
