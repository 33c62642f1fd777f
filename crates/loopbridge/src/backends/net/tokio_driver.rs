//! Sockets on tokio's I/O driver: what each kind of socket is there, and registering one.
//!
//! A tokio socket registers with the driver of the runtime whose context is entered when it
//! is created — for `connect`, at its first poll. [`Entered`] enters the socket's runtime
//! around each poll, so a socket can be made for one runtime from any thread or task,
//! including one of another runtime. After the runtime shuts down, tokio's driver fails every
//! operation on its sockets itself, pending ones included.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::runtime::Handle;

use socket2::SockRef;

use super::{FromStd, ReadHalf, Tcp, TcpListen, Udp, WriteHalf};
#[cfg(unix)]
use super::{Unix, UnixListen};

/// What a kind of socket is on tokio, and its descriptor (for addresses and options).
pub(crate) trait Kind {
    type Socket;
    fn sock(socket: &Self::Socket) -> SockRef<'_>;
}

impl Kind for Tcp {
    type Socket = tokio::net::TcpStream;
    fn sock(socket: &Self::Socket) -> SockRef<'_> {
        SockRef::from(socket)
    }
}

impl Kind for TcpListen {
    type Socket = Bound<tokio::net::TcpListener>;
    fn sock(socket: &Self::Socket) -> SockRef<'_> {
        SockRef::from(&socket.io)
    }
}

impl Kind for ReadHalf {
    type Socket = tokio::net::tcp::OwnedReadHalf;
    fn sock(socket: &Self::Socket) -> SockRef<'_> {
        SockRef::from(socket.as_ref())
    }
}

impl Kind for WriteHalf {
    type Socket = tokio::net::tcp::OwnedWriteHalf;
    fn sock(socket: &Self::Socket) -> SockRef<'_> {
        SockRef::from(socket.as_ref())
    }
}

impl Kind for Udp {
    type Socket = tokio::net::UdpSocket;
    fn sock(socket: &Self::Socket) -> SockRef<'_> {
        SockRef::from(socket)
    }
}

#[cfg(unix)]
impl Kind for Unix {
    type Socket = tokio::net::UnixStream;
    fn sock(socket: &Self::Socket) -> SockRef<'_> {
        SockRef::from(socket)
    }
}

#[cfg(unix)]
impl Kind for UnixListen {
    type Socket = Bound<tokio::net::UnixListener>;
    fn sock(socket: &Self::Socket) -> SockRef<'_> {
        SockRef::from(&socket.io)
    }
}

/// A kind whose tokio socket reads: tokio's `AsyncRead`.
pub(crate) trait ReadKind: Kind<Socket: AsyncRead + Unpin> {}
impl<K: Kind<Socket: AsyncRead + Unpin>> ReadKind for K {}

/// A kind whose tokio socket writes: tokio's `AsyncWrite`.
pub(crate) trait WriteKind: Kind<Socket: AsyncWrite + Unpin> {}
impl<K: Kind<Socket: AsyncWrite + Unpin>> WriteKind for K {}

/// A kind made from a std socket: registering one, made non-blocking first (tokio's `from_std`
/// leaves that to the caller), with the driver of `handle`'s runtime.
pub(crate) trait Register: Kind + FromStd {
    fn register(io: Self::Std, handle: &Handle) -> io::Result<Self::Socket>;
}

impl Register for Tcp {
    fn register(io: std::net::TcpStream, handle: &Handle) -> io::Result<Self::Socket> {
        from_std_in(handle, io, tokio::net::TcpStream::from_std)
    }
}

impl Register for TcpListen {
    fn register(io: std::net::TcpListener, handle: &Handle) -> io::Result<Self::Socket> {
        let io = from_std_in(handle, io, tokio::net::TcpListener::from_std)?;
        Ok(Bound { io, handle: handle.clone() })
    }
}

impl Register for Udp {
    fn register(io: std::net::UdpSocket, handle: &Handle) -> io::Result<Self::Socket> {
        from_std_in(handle, io, tokio::net::UdpSocket::from_std)
    }
}

#[cfg(unix)]
impl Register for Unix {
    fn register(io: std::os::unix::net::UnixStream, handle: &Handle) -> io::Result<Self::Socket> {
        from_std_in(handle, io, tokio::net::UnixStream::from_std)
    }
}

#[cfg(unix)]
impl Register for UnixListen {
    fn register(io: std::os::unix::net::UnixListener, handle: &Handle) -> io::Result<Self::Socket> {
        let io = from_std_in(handle, io, tokio::net::UnixListener::from_std)?;
        Ok(Bound { io, handle: handle.clone() })
    }
}

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

/// `from_std(io)` inside `handle`'s runtime context, `io` made non-blocking first (tokio's
/// `from_std` leaves that to the caller).
fn from_std_in<S, T>(
    handle: &Handle,
    io: S,
    from_std: impl FnOnce(S) -> io::Result<T>,
) -> io::Result<T>
where
    for<'a> SockRef<'a>: From<&'a S>,
{
    SockRef::from(&io).set_nonblocking(true)?;
    let _context = handle.enter();
    from_std(io)
}
