//! The sockets of `loopbridge::net` on each backend's own reactor.
//!
//! | file | concept |
//! | --- | --- |
//! | `mod.rs` | [`Socket`], one socket of either reactor, and the kinds of socket |
//! | `reactor.rs` | [`Reactor`], where a new socket registers: connect, bind, `from_std` |
//! | `tokio_driver.rs` | tokio's I/O driver: each kind's tokio type, entering the socket's runtime |
//! | `async_io_reactor.rs` | async-io's reactor (smol, async-std): each kind's type, bound to its runner |
//! | `stream.rs` | reading and writing a stream or a half, once for every kind that reads or writes |
//! | `ops.rs` | every other operation, per kind |
//! | `paused.rs` | a pending operation tells a paused clock which socket it waits on |
//! | `unsupported.rs` | a build with no reactor (no backend feature): no socket, one `Unsupported` error |
//!
//! A socket is a [`Socket<K>`]: one variant per reactor compiled in, holding the type that
//! reactor uses for the kind `K` ([`Tcp`], [`Udp`]…). Each reactor's module says what its type
//! is for every kind (its `Kind` trait), and what a stream there reads and writes through; the
//! traits below join the reactors compiled into the build, so that code generic over a kind
//! sees both.

#[cfg(any(feature = "smol", feature = "async-std"))]
mod async_io_reactor;
#[cfg(feature = "tokio")]
pub(crate) mod tokio_driver;

#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
mod ops;
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
mod paused;
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
mod reactor;
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
mod stream;
#[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
mod unsupported;

use std::io;

#[cfg(any(feature = "smol", feature = "async-std"))]
pub(crate) use async_io_reactor::{IoWriteHalf, Registered};
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub(crate) use reactor::{FromStd, Reactor};

#[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
pub(crate) use unsupported::{Reactor, Socket};

/// The kinds of socket, the `K` of [`Socket<K>`].
#[derive(Debug)]
pub(crate) struct Tcp;
/// A TCP listener.
#[derive(Debug)]
pub(crate) struct TcpListen;
/// The read half of a split TCP stream.
#[derive(Debug)]
pub(crate) struct ReadHalf;
/// The write half of a split TCP stream.
#[derive(Debug)]
pub(crate) struct WriteHalf;
/// A UDP socket.
#[derive(Debug)]
pub(crate) struct Udp;
/// A Unix stream.
#[cfg(unix)]
#[derive(Debug)]
pub(crate) struct Unix;
/// A Unix listener.
#[cfg(unix)]
#[derive(Debug)]
pub(crate) struct UnixListen;

/// Stands in for the module of a reactor the build does not have (but one): every kind is a
/// kind there, with every capability, and no socket is that reactor's (its variant of
/// [`Socket`] does not exist).
#[cfg(any(
    all(not(feature = "tokio"), any(feature = "smol", feature = "async-std")),
    all(feature = "tokio", not(any(feature = "smol", feature = "async-std")))
))]
#[allow(dead_code, reason = "a build names only the traits of the reactor it lacks")]
mod absent {
    pub(crate) trait Kind {}
    impl<K> Kind for K {}
    pub(crate) trait ReadKind {}
    impl<K> ReadKind for K {}
    pub(crate) trait WriteKind {}
    impl<K> WriteKind for K {}
    pub(crate) trait StreamKind {}
    impl<K> StreamKind for K {}
    pub(crate) trait Register {}
    impl<K> Register for K {}
}
#[cfg(all(feature = "tokio", not(any(feature = "smol", feature = "async-std"))))]
use absent as async_io_reactor;
#[cfg(all(not(feature = "tokio"), any(feature = "smol", feature = "async-std")))]
use absent as tokio_driver;

/// A kind of socket on every reactor of the build.
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub(crate) trait Kind: tokio_driver::Kind + async_io_reactor::Kind {}
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
impl<K: tokio_driver::Kind + async_io_reactor::Kind> Kind for K {}

/// A kind whose sockets read, on every reactor of the build: a stream or its read half.
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub(crate) trait ReadKind:
    Kind + tokio_driver::ReadKind + async_io_reactor::StreamKind
{
}
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
impl<K: Kind + tokio_driver::ReadKind + async_io_reactor::StreamKind> ReadKind for K {}

/// A kind whose sockets write, on every reactor of the build: a stream or its write half.
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub(crate) trait WriteKind:
    Kind + tokio_driver::WriteKind + async_io_reactor::StreamKind
{
}
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
impl<K: Kind + tokio_driver::WriteKind + async_io_reactor::StreamKind> WriteKind for K {}

/// A kind made from a std socket, on every reactor of the build.
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub(crate) trait RegisterKind:
    Kind + FromStd + tokio_driver::Register + async_io_reactor::Register
{
}
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
impl<K: Kind + FromStd + tokio_driver::Register + async_io_reactor::Register> RegisterKind for K {}

/// One socket, registered with the reactor of the backend that made it.
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub(crate) enum Socket<K: Kind> {
    #[cfg(feature = "tokio")]
    Tokio(<K as tokio_driver::Kind>::Socket),
    #[cfg(any(feature = "smol", feature = "async-std"))]
    AsyncIo(<K as async_io_reactor::Kind>::Socket),
}

/// The error of every operation on a socket whose runtime has shut down.
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub(crate) fn shut_down() -> io::Error {
    io::Error::other(
        "the loopbridge runtime this socket belongs to has shut down; \
         make sockets on a runtime that is running",
    )
}

/// The error of making a socket where no reactor can serve it (async-io's serves any).
#[cfg(not(any(feature = "smol", feature = "async-std")))]
pub(crate) fn unsupported(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, format!("loopbridge::net needs a reactor: {why}"))
}
