//! Sockets on async-io's reactor: smol's and async-std's, and an application's own backend's.
//!
//! async-io's reactor is process-wide and never stops, so a socket would outlive the runner
//! that made it. [`Registered`] binds it to that runner: every operation first checks the
//! runner's lifecycle, and the runner's shutdown shuts the socket down (`shutdown(2)`), which
//! wakes whoever waits on it through the reactor itself — so a pending operation, too,
//! returns an error at once instead of waiting for a peer that may never come.

use std::io::{self, IoSlice, Read, Write};
use std::ops::Deref;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};

use async_io::Async;
use loopbridge_core::unstable::lifecycle::{CloseWatch, Lifecycle, OnClose, UntilClosed};

use super::{FromStd, ReadHalf, Tcp, TcpListen, Udp, WriteHalf, shut_down};
#[cfg(unix)]
use super::{Unix, UnixListen};

/// The trait of a type that lends its socket's descriptor, whatever the platform calls it.
#[cfg(unix)]
pub(crate) use std::os::fd::AsFd as AsSock;
#[cfg(windows)]
pub(crate) use std::os::windows::io::AsSocket as AsSock;

/// What a kind of socket is on async-io: a registered std socket, shared by the halves of a
/// split stream.
pub(crate) trait Kind {
    /// It lends its descriptor, for addresses and options.
    type Socket: AsSock;
}

impl Kind for Tcp {
    type Socket = Arc<Registered<std::net::TcpStream>>;
}

impl Kind for TcpListen {
    type Socket = Arc<Registered<std::net::TcpListener>>;
}

impl Kind for ReadHalf {
    type Socket = Arc<Registered<std::net::TcpStream>>;
}

impl Kind for WriteHalf {
    type Socket = IoWriteHalf;
}

impl Kind for Udp {
    type Socket = Arc<Registered<std::net::UdpSocket>>;
}

#[cfg(unix)]
impl Kind for Unix {
    type Socket = Arc<Registered<std::os::unix::net::UnixStream>>;
}

#[cfg(unix)]
impl Kind for UnixListen {
    type Socket = Arc<Registered<std::os::unix::net::UnixListener>>;
}

/// A kind whose async-io socket is a byte stream: a stream, or either half of one.
pub(crate) trait StreamKind: Kind<Socket: Stream> {}
impl<K: Kind<Socket: Stream>> StreamKind for K {}

/// A kind made from a std socket: registering one (`Async::new` makes it non-blocking), bound
/// to the runtime `owner`.
pub(crate) trait Register: Kind + FromStd {
    fn register(io: Self::Std, owner: Option<&Arc<Lifecycle>>) -> io::Result<Self::Socket>;
}

impl<K> Register for K
where
    K: FromStd<Std: AsFdSocket> + Kind<Socket = Arc<Registered<<K as FromStd>::Std>>>,
{
    fn register(io: Self::Std, owner: Option<&Arc<Lifecycle>>) -> io::Result<Self::Socket> {
        Registered::from_std(owner, io)
    }
}

/// A byte stream on async-io, or a half of one: the polls behind both `AsyncRead` families.
/// Each first checks the owner, and a read that meets the owner's close is an error, not the
/// end of the stream.
pub(crate) trait Stream {
    fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;
    fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>;
    fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>>;
    fn poll_flush(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
    /// Shuts the write direction down (async-io's `close` only flushes).
    fn shutdown_write(&self) -> io::Result<()>;
}

impl<T> Stream for Arc<Registered<T>>
where
    T: AsFdSocket + ShutdownWrite,
    for<'a> &'a T: Read + Write,
{
    fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        match futures_io::AsyncRead::poll_read(Pin::new(&mut self.io()?), cx, buf) {
            // The end of the stream, or the runner's close shutting the socket down in the
            // middle of this poll: the latter is an error.
            Poll::Ready(Ok(0)) => Poll::Ready(self.io().map(|_| 0)),
            other => other,
        }
    }

    fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        futures_io::AsyncWrite::poll_write(Pin::new(&mut self.io()?), cx, buf)
    }

    fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        futures_io::AsyncWrite::poll_write_vectored(Pin::new(&mut self.io()?), cx, bufs)
    }

    fn poll_flush(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures_io::AsyncWrite::poll_flush(Pin::new(&mut self.io()?), cx)
    }

    fn shutdown_write(&self) -> io::Result<()> {
        self.io()?.get_ref().shutdown_write()
    }
}

impl Stream for IoWriteHalf {
    fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.0.poll_read(cx, buf)
    }

    fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.0.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_write_vectored(cx, bufs)
    }

    fn poll_flush(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.poll_flush(cx)
    }

    fn shutdown_write(&self) -> io::Result<()> {
        self.0.shutdown_write()
    }
}

/// The std streams' `shutdown(Write)`, which std has on no trait.
pub(crate) trait ShutdownWrite {
    fn shutdown_write(&self) -> io::Result<()>;
}

impl ShutdownWrite for std::net::TcpStream {
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown(std::net::Shutdown::Write)
    }
}

#[cfg(unix)]
impl ShutdownWrite for std::os::unix::net::UnixStream {
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown(std::net::Shutdown::Write)
    }
}

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

#[cfg(unix)]
impl<T: AsSock> AsSock for Registered<T> {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.io.as_fd()
    }
}

#[cfg(windows)]
impl<T: AsSock> AsSock for Registered<T> {
    fn as_socket(&self) -> std::os::windows::io::BorrowedSocket<'_> {
        self.io.as_socket()
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
pub(crate) trait AsFdSocket: Send + Sync + 'static + AsSock {}

impl<T: Send + Sync + 'static + AsSock> AsFdSocket for T {}

/// The write half of a split stream on async-io: like tokio's, dropping it shuts the write
/// direction down (the peer reads the end of the stream) while the read half reads on.
#[derive(Debug)]
pub(crate) struct IoWriteHalf(pub(crate) Arc<Registered<std::net::TcpStream>>);

#[cfg(unix)]
impl AsSock for IoWriteHalf {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.0.as_fd()
    }
}

#[cfg(windows)]
impl AsSock for IoWriteHalf {
    fn as_socket(&self) -> std::os::windows::io::BorrowedSocket<'_> {
        self.0.as_socket()
    }
}

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
