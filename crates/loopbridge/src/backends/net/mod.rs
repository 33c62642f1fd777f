//! The sockets of `loopbridge::net` on each backend's own reactor.
//!
//! | file | concept |
//! | --- | --- |
//! | `mod.rs` | [`Socket`], one socket of any backend; [`Reactor`], where a new one registers |
//! | `tokio_driver.rs` | tokio's I/O driver: entering the socket's runtime to register |
//! | `async_io_reactor.rs` | async-io's reactor (smol, async-std): a socket bound to its runner |
//! | `stream.rs` | reading and writing a stream or a half, in both `AsyncRead` families |
//! | `ops.rs` | every other operation, per socket type |
//!
//! A socket is a [`Socket<K>`]: one variant per reactor compiled in, the socket type of each
//! named by the marker `K` ([`Kind`]). [`socket!`] matches on it, so that no other file names a
//! backend.

// With no backend compiled in, no socket can exist and the operations' arguments go unused.
#![cfg_attr(
    not(any(feature = "tokio", feature = "smol", feature = "async-std")),
    allow(unused_variables, dead_code)
)]

#[cfg(any(feature = "smol", feature = "async-std"))]
mod async_io_reactor;
mod ops;
mod stream;
#[cfg(feature = "tokio")]
pub(crate) mod tokio_driver;

use std::convert::Infallible;
use std::io;
use std::marker::PhantomData;
use std::net::SocketAddr;
#[cfg(unix)]
use std::path::Path;

#[cfg(any(feature = "smol", feature = "async-std"))]
use std::sync::Arc;

use super::AnyBackend;
#[cfg(any(feature = "smol", feature = "async-std"))]
pub(crate) use async_io_reactor::{IoWriteHalf, Registered};
#[cfg(any(feature = "smol", feature = "async-std"))]
use loopbridge_core::unstable::lifecycle::Lifecycle;

/// The socket type each reactor uses for one kind of socket.
pub(crate) trait Kind {
    #[cfg(feature = "tokio")]
    type Tokio;
    #[cfg(any(feature = "smol", feature = "async-std"))]
    type AsyncIo;
}

/// One socket, registered with the reactor of the backend that made it.
pub(crate) enum Socket<K: Kind> {
    #[cfg(feature = "tokio")]
    Tokio(K::Tokio),
    #[cfg(any(feature = "smol", feature = "async-std"))]
    AsyncIo(K::AsyncIo),
    /// Keeps `K` used in a build with no backend, where no socket can exist.
    #[allow(dead_code)]
    Never(Infallible, PhantomData<K>),
}

/// Matches on a [`Socket`]: `socket!(socket, s => body)` when both reactors' types have the
/// method, `socket!(socket, tokio: s => body, async_io: s => body)` when they differ.
macro_rules! socket {
    ($socket:expr, $s:ident => $body:expr) => {
        $crate::backends::net::socket!($socket, tokio: $s => $body, async_io: $s => $body)
    };
    ($socket:expr, tokio: $t:pat => $tokio:expr, async_io: $a:pat => $async_io:expr) => {
        match $socket {
            #[cfg(feature = "tokio")]
            $crate::backends::net::Socket::Tokio($t) => $tokio,
            #[cfg(any(feature = "smol", feature = "async-std"))]
            $crate::backends::net::Socket::AsyncIo($a) => $async_io,
            $crate::backends::net::Socket::Never(never, _) => $crate::backends::net::Absurd::absurd(never),
        }
    };
}
pub(crate) use socket;

/// The arm of [`socket!`] for [`Socket::Never`], which cannot be reached: whatever the binding
/// mode, an uninhabited value yields any type.
pub(crate) trait Absurd {
    fn absurd<R>(self) -> R;
}

impl Absurd for Infallible {
    fn absurd<R>(self) -> R {
        match self {}
    }
}

impl Absurd for &Infallible {
    fn absurd<R>(self) -> R {
        match *self {}
    }
}

impl Absurd for &mut Infallible {
    fn absurd<R>(self) -> R {
        match *self {}
    }
}

macro_rules! kinds {
    ($($(#[$attr:meta])* $kind:ident: tokio $tokio:ty, async_io $async_io:ty;)*) => {$(
        $(#[$attr])*
        #[derive(Debug)]
        pub(crate) struct $kind;
        $(#[$attr])*
        impl Kind for $kind {
            #[cfg(feature = "tokio")]
            type Tokio = $tokio;
            #[cfg(any(feature = "smol", feature = "async-std"))]
            type AsyncIo = $async_io;
        }
    )*};
}

kinds! {
    Tcp: tokio ::tokio::net::TcpStream, async_io Arc<Registered<std::net::TcpStream>>;
    TcpListen: tokio tokio_driver::Bound<::tokio::net::TcpListener>, async_io Arc<Registered<std::net::TcpListener>>;
    ReadHalf: tokio ::tokio::net::tcp::OwnedReadHalf, async_io Arc<Registered<std::net::TcpStream>>;
    WriteHalf: tokio ::tokio::net::tcp::OwnedWriteHalf, async_io IoWriteHalf;
    Udp: tokio ::tokio::net::UdpSocket, async_io Arc<Registered<std::net::UdpSocket>>;
    #[cfg(unix)]
    Unix: tokio ::tokio::net::UnixStream, async_io Arc<Registered<std::os::unix::net::UnixStream>>;
    #[cfg(unix)]
    UnixListen: tokio tokio_driver::Bound<::tokio::net::UnixListener>, async_io Arc<Registered<std::os::unix::net::UnixListener>>;
}

/// The error of every operation on a socket whose runtime has shut down.
pub(crate) fn shut_down() -> io::Error {
    io::Error::other(
        "the loopbridge runtime this socket belongs to has shut down; \
         make sockets on a runtime that is running",
    )
}

/// Registers the std socket `$io`, made non-blocking first: with tokio's `$from_std` inside the
/// runtime's context (`bound`: keeping the runtime's handle beside it, for a listener's
/// `accept`), or with async-io's reactor, bound to the runner.
macro_rules! register {
    ($reactor:expr, $io:expr, $from_std:path $(, $bound:ident)?) => {{
        let io = $io;
        io.set_nonblocking(true)?;
        match *$reactor {
            #[cfg(feature = "tokio")]
            Reactor::Tokio(ref handle) => {
                let io = tokio_driver::entered(handle, || $from_std(io))?;
                Ok(Socket::Tokio(register!(@wrap io, handle $(, $bound)?)))
            }
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Reactor::AsyncIo(ref owner) => Registered::from_std(owner.as_ref(), io).map(Socket::AsyncIo),
        }
    }};
    (@wrap $io:ident, $handle:ident) => {
        $io
    };
    (@wrap $io:ident, $handle:ident, bound) => {
        tokio_driver::Bound { io: $io, handle: $handle.clone() }
    };
}

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
            AnyBackend::Custom(b) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "loopbridge::net needs a reactor, and the backend {:?} has none in this \
                     build: enable loopbridge's `smol` or `async-std` feature (async-io's \
                     reactor serves any executor)",
                    loopbridge_core::LoopBackend::kind(b)
                ),
            )),
        }
    }

    /// Connects a TCP stream to `addr`.
    pub(crate) async fn connect_tcp(&self, addr: SocketAddr) -> io::Result<Socket<Tcp>> {
        match *self {
            #[cfg(feature = "tokio")]
            Reactor::Tokio(ref handle) => {
                let socket = match addr {
                    SocketAddr::V4(_) => ::tokio::net::TcpSocket::new_v4()?,
                    SocketAddr::V6(_) => ::tokio::net::TcpSocket::new_v6()?,
                };
                tokio_driver::Entered::new(handle, socket.connect(addr)).await.map(Socket::Tokio)
            }
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Reactor::AsyncIo(ref owner) => {
                let connect = ::async_io::Async::<std::net::TcpStream>::connect(addr);
                Registered::connect(owner.as_ref(), connect).await.map(Socket::AsyncIo)
            }
        }
    }

    /// Registers a std stream (made non-blocking here).
    pub(crate) fn tcp_stream(&self, stream: std::net::TcpStream) -> io::Result<Socket<Tcp>> {
        register!(self, stream, ::tokio::net::TcpStream::from_std)
    }

    /// Registers a std listener (made non-blocking here).
    pub(crate) fn tcp_listener(
        &self,
        listener: std::net::TcpListener,
    ) -> io::Result<Socket<TcpListen>> {
        register!(self, listener, ::tokio::net::TcpListener::from_std, bound)
    }

    /// Registers a std UDP socket (made non-blocking here).
    pub(crate) fn udp(&self, socket: std::net::UdpSocket) -> io::Result<Socket<Udp>> {
        register!(self, socket, ::tokio::net::UdpSocket::from_std)
    }

    /// Connects a Unix stream to the socket at `path`.
    #[cfg(unix)]
    pub(crate) async fn connect_unix(&self, path: &Path) -> io::Result<Socket<Unix>> {
        match *self {
            #[cfg(feature = "tokio")]
            Reactor::Tokio(ref handle) => {
                tokio_driver::Entered::new(handle, ::tokio::net::UnixStream::connect(path))
                    .await
                    .map(Socket::Tokio)
            }
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Reactor::AsyncIo(ref owner) => {
                let connect = ::async_io::Async::<std::os::unix::net::UnixStream>::connect(path);
                Registered::connect(owner.as_ref(), connect).await.map(Socket::AsyncIo)
            }
        }
    }

    /// Registers a std Unix stream (made non-blocking here).
    #[cfg(unix)]
    pub(crate) fn unix_stream(
        &self,
        stream: std::os::unix::net::UnixStream,
    ) -> io::Result<Socket<Unix>> {
        register!(self, stream, ::tokio::net::UnixStream::from_std)
    }

    /// Registers a std Unix listener (made non-blocking here).
    #[cfg(unix)]
    pub(crate) fn unix_listener(
        &self,
        listener: std::os::unix::net::UnixListener,
    ) -> io::Result<Socket<UnixListen>> {
        register!(self, listener, ::tokio::net::UnixListener::from_std, bound)
    }
}
