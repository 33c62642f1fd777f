//! [`UnixStream`]: a Unix domain socket connection on the reactor of the runtime that made it.

use std::fmt;
use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;

use super::checked;
use crate::backends::net::{Reactor, Socket, Unix};
use crate::net::io::stream_traits;

/// A connected Unix domain stream socket: `AsyncRead + AsyncWrite` of both families, like
/// [`TcpStream`](crate::net::TcpStream), under the same rules.
///
/// # Examples
///
/// ```
/// use futures_util::{AsyncReadExt, AsyncWriteExt};
///
/// loopbridge::block_on(async {
///     let (mut a, mut b) = loopbridge::net::UnixStream::pair()?;
///     a.write_all(b"over a socketpair").await?;
///     a.close().await?;
///     let mut got = String::new();
///     b.read_to_string(&mut got).await?;
///     assert_eq!(got, "over a socketpair");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<_, std::io::Error>(())
/// ```
pub struct UnixStream {
    pub(super) inner: Socket<Unix>,
}

impl UnixStream {
    /// Connects to the socket at `path`. Where nothing listens it is `NotFound` or
    /// `ConnectionRefused`; a path too long for a socket address `InvalidInput`.
    ///
    /// # Examples
    ///
    /// ```
    /// loopbridge::block_on(async {
    ///     let missing = std::env::temp_dir().join("loopbridge-nobody-listens-here.sock");
    ///     let err = loopbridge::net::UnixStream::connect(&missing).await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// });
    /// ```
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let path = checked(path.as_ref())?;
        let inner = Reactor::current()?
            .connect_unix(path)
            .await
            .map_err(|e| io::Error::new(e.kind(), format!("connect to {}: {e}", path.display())))?;
        Ok(UnixStream { inner })
    }

    /// Two connected streams (`socketpair(2)`).
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, b) = loopbridge::block_on(async { loopbridge::net::UnixStream::pair() })?;
    /// assert!(a.peer_addr()?.is_unnamed() && b.local_addr()?.is_unnamed());
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = std::os::unix::net::UnixStream::pair()?;
        let reactor = Reactor::current()?;
        Ok((UnixStream { inner: reactor.register(a)? }, UnixStream { inner: reactor.register(b)? }))
    }

    /// Registers a connected std stream with the reactor of the runtime that runs the
    /// caller, putting it in non-blocking mode first.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// let a = loopbridge::block_on(async { loopbridge::net::UnixStream::from_std(a) })?;
    /// assert!(a.peer_addr()?.is_unnamed());
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream { inner: Reactor::current()?.register(stream)? })
    }

    /// The std stream, deregistered from the reactor; it stays in non-blocking mode.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _b) = loopbridge::block_on(async { loopbridge::net::UnixStream::pair() })?;
    /// let a: std::os::unix::net::UnixStream = a.into_std()?;
    /// a.set_nonblocking(false)?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        self.inner.into_std()
    }

    /// The local address (unnamed for a client or a pair).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.unix_local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.unix_peer_addr()
    }
}

stream_traits!(read UnixStream);
stream_traits!(write UnixStream);

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream").field("local_addr", &self.local_addr().ok()).finish()
    }
}
