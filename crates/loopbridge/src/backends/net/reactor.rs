//! [`Reactor`]: where a new socket registers — the reactor of the backend that runs the caller.

use std::io;
use std::net::SocketAddr;
#[cfg(unix)]
use std::path::Path;
#[cfg(any(feature = "smol", feature = "async-std"))]
use std::sync::Arc;

#[cfg(any(feature = "smol", feature = "async-std"))]
use loopbridge_core::unstable::lifecycle::Lifecycle;

#[cfg(any(feature = "smol", feature = "async-std"))]
use super::Registered;
#[cfg(unix)]
use super::Unix;
#[cfg(unix)]
use super::UnixListen;
#[cfg(feature = "tokio")]
use super::paused::Duplicate;
use super::paused::{Waitable as _, Wants};
#[cfg(feature = "tokio")]
use super::tokio_driver::{self, Entered};
use super::{RegisterKind, Socket, Tcp, TcpListen, Udp, shut_down};
use crate::backends::AnyBackend;

/// Where a new socket registers: the reactor of the backend that runs the caller.
#[derive(Clone)]
pub(crate) enum Reactor {
    #[cfg(feature = "tokio")]
    Tokio(::tokio::runtime::Handle),
    /// async-io's, bound to a runner's lifecycle (`None`: a runtime loopbridge did not start).
    #[cfg(any(feature = "smol", feature = "async-std"))]
    AsyncIo(Option<Arc<Lifecycle>>),
}

impl Reactor {
    /// The reactor of the backend that runs the caller: ambient, else the global runner's.
    #[track_caller]
    pub(crate) fn current() -> io::Result<Reactor> {
        crate::runtime::ambient::with_current(Reactor::of)
    }

    /// The reactor of `backend`; an error if it is a runner that has shut down, or an
    /// application's own backend in a build without async-io (smol or async-std).
    pub(crate) fn of(backend: &AnyBackend) -> io::Result<Reactor> {
        if backend.is_shut_down() {
            return Err(shut_down());
        }
        match backend {
            #[cfg(feature = "tokio")]
            AnyBackend::Tokio(b) => Ok(Reactor::Tokio(b.handle().clone())),
            #[cfg(feature = "smol")]
            AnyBackend::Smol(b) => Ok(Reactor::AsyncIo(b.lifecycle().cloned())),
            #[cfg(feature = "async-std")]
            AnyBackend::AsyncStd(b) => Ok(Reactor::AsyncIo(b.lifecycle().cloned())),
            // async-io's reactor serves any executor (with a thread of its own).
            #[cfg(any(feature = "smol", feature = "async-std"))]
            AnyBackend::Custom(_) => Ok(Reactor::AsyncIo(None)),
            #[cfg(not(any(feature = "smol", feature = "async-std")))]
            AnyBackend::Custom(b) => Err(super::unsupported(&format!(
                "the backend {:?} has none in this build: enable loopbridge's `smol` or \
                 `async-std` feature (async-io's reactor serves any executor)",
                loopbridge_core::LoopBackend::kind(b)
            ))),
        }
    }

    /// Registers the std socket `io` (made non-blocking here) as a socket of kind `K`.
    pub(crate) fn register<K: RegisterKind>(&self, io: K::Std) -> io::Result<Socket<K>> {
        match self {
            #[cfg(feature = "tokio")]
            Reactor::Tokio(handle) => {
                <K as tokio_driver::Register>::register(io, handle).map(Socket::Tokio)
            }
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Reactor::AsyncIo(owner) => {
                <K as super::async_io_reactor::Register>::register(io, owner.as_ref())
                    .map(Socket::AsyncIo)
            }
        }
    }

    /// Connects a TCP stream to `addr`.
    pub(crate) async fn connect_tcp(&self, addr: SocketAddr) -> io::Result<Socket<Tcp>> {
        match self {
            #[cfg(feature = "tokio")]
            Reactor::Tokio(handle) => {
                let socket = match addr {
                    SocketAddr::V4(_) => ::tokio::net::TcpSocket::new_v4()?,
                    SocketAddr::V6(_) => ::tokio::net::TcpSocket::new_v6()?,
                };
                let waiting = Duplicate::of(&socket);
                let connect = Entered::new(handle, socket.connect(addr));
                waiting.watched(Wants::Write, connect).await.map(Socket::Tokio)
            }
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Reactor::AsyncIo(owner) => {
                let socket = start_connect(socket2::Domain::for_address(addr), addr.into())?;
                let connect = async {
                    let stream = ::async_io::Async::new_nonblocking(socket.into())?;
                    stream.watched(Wants::Write, stream.writable()).await?;
                    match std::net::TcpStream::take_error(stream.get_ref())? {
                        None => Ok(stream),
                        Some(error) => Err(error),
                    }
                };
                Registered::connect(owner.as_ref(), connect).await.map(Socket::AsyncIo)
            }
        }
    }

    /// Connects a Unix stream to the socket at `path`.
    #[cfg(unix)]
    pub(crate) async fn connect_unix(&self, path: &Path) -> io::Result<Socket<Unix>> {
        let socket = start_connect(socket2::Domain::UNIX, socket2::SockAddr::unix(path)?)?;
        let stream = std::os::unix::net::UnixStream::from(std::os::fd::OwnedFd::from(socket));
        match self {
            #[cfg(feature = "tokio")]
            Reactor::Tokio(handle) => {
                let stream = {
                    let _context = handle.enter();
                    ::tokio::net::UnixStream::from_std(stream)?
                };
                stream.watched(Wants::Write, stream.writable()).await?;
                connected_unix(&stream).map(|()| Socket::Tokio(stream))
            }
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Reactor::AsyncIo(owner) => {
                let connect = async {
                    let stream = ::async_io::Async::new_nonblocking(stream)?;
                    stream.watched(Wants::Write, stream.writable()).await?;
                    connected_unix(stream.get_ref()).map(|()| stream)
                };
                Registered::connect(owner.as_ref(), connect).await.map(Socket::AsyncIo)
            }
        }
    }
}

/// A non-blocking stream socket whose connect to `addr` has begun — what tokio's and
/// async-io's connects do before they wait for the socket to be writable, here so that a
/// paused clock can be told of the socket while it waits (see `paused.rs`).
fn start_connect(domain: socket2::Domain, addr: socket2::SockAddr) -> io::Result<socket2::Socket> {
    let protocol = (domain != socket2::Domain::UNIX).then_some(socket2::Protocol::TCP);
    let socket = socket2::Socket::new(domain, socket2::Type::STREAM, protocol)?;
    socket.set_nonblocking(true)?;
    match socket.connect(&addr) {
        Ok(()) => Ok(socket),
        Err(error) if error.kind() == io::ErrorKind::WouldBlock || in_progress(&error) => {
            Ok(socket)
        }
        Err(error) => Err(error),
    }
}

/// Whether a connect's error says it goes on in the background (`EINPROGRESS`).
fn in_progress(error: &io::Error) -> bool {
    #[cfg(unix)]
    return error.raw_os_error() == Some(rustix::io::Errno::INPROGRESS.raw_os_error());
    #[cfg(not(unix))]
    return false;
}

/// Whether a Unix stream whose socket became writable connected: on Linux a failed connect
/// can make it writable too, and then it has no peer (async-io's check).
#[cfg(unix)]
fn connected_unix(stream: &impl std::os::fd::AsFd) -> io::Result<()> {
    let sock = socket2::SockRef::from(stream);
    match sock.take_error()? {
        Some(error) => Err(error),
        None => sock.peer_addr().map(drop),
    }
}

/// A kind made from a std socket — by `from_std`, a bind or an accept: that socket's type.
pub(crate) trait FromStd {
    type Std;
}

impl FromStd for Tcp {
    type Std = std::net::TcpStream;
}

impl FromStd for TcpListen {
    type Std = std::net::TcpListener;
}

impl FromStd for Udp {
    type Std = std::net::UdpSocket;
}

#[cfg(unix)]
impl FromStd for Unix {
    type Std = std::os::unix::net::UnixStream;
}

#[cfg(unix)]
impl FromStd for UnixListen {
    type Std = std::os::unix::net::UnixListener;
}
