//! [`UnixStream`] and [`UnixListener`]: Unix domain sockets on the reactor of the runtime
//! that made them.

use std::fmt;
use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;

use super::io_traits::{async_read, async_write};
use crate::backends::net::{Reactor, Socket, Unix, UnixListen};

/// A connected Unix domain stream socket: `AsyncRead + AsyncWrite` of both families, like
/// [`TcpStream`](super::TcpStream), under the same rules.
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
    inner: Socket<Unix>,
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
        Ok((
            UnixStream { inner: reactor.unix_stream(a)? },
            UnixStream { inner: reactor.unix_stream(b)? },
        ))
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
        Ok(UnixStream { inner: Reactor::current()?.unix_stream(stream)? })
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
        self.inner.local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }
}

async_read!(UnixStream);
async_write!(UnixStream);

/// A Unix domain socket listening for connections.
///
/// # Examples
///
/// ```
/// use loopbridge::net::{UnixListener, UnixStream};
///
/// let dir = std::env::temp_dir().join(format!("loopbridge-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("sock");
/// loopbridge::block_on(async {
///     let listener = UnixListener::bind(&path)?;
///     let client = UnixStream::connect(&path).await?;
///     let (server, _) = listener.accept().await?;
///     assert_eq!(server.local_addr()?.as_pathname(), Some(path.as_path()));
///     drop(client);
///     Ok::<_, std::io::Error>(())
/// })?;
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<_, std::io::Error>(())
/// ```
pub struct UnixListener {
    inner: Socket<UnixListen>,
}

impl UnixListener {
    /// Creates the socket file at `path` and listens on it. A path too long for a socket
    /// address is `InvalidInput`; an existing file `AddrInUse`.
    ///
    /// # Examples
    ///
    /// ```
    /// let too_long = std::env::temp_dir().join("x".repeat(200));
    /// let err = loopbridge::block_on(async { loopbridge::net::UnixListener::bind(&too_long) }).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let path = checked(path.as_ref())?;
        // The reactor first: no socket file is left behind if there is none.
        let reactor = Reactor::current()?;
        let listener = std::os::unix::net::UnixListener::bind(path)
            .map_err(|e| io::Error::new(e.kind(), format!("bind {}: {e}", path.display())))?;
        Ok(UnixListener { inner: reactor.unix_listener(listener)? })
    }

    /// Waits for a connection. The stream belongs to this listener's runtime.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`TcpListener::accept`](super::TcpListener::accept).
    ///
    /// # Examples
    ///
    /// See [`UnixListener`].
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (inner, peer) = self.inner.accept().await?;
        Ok((UnixStream { inner }, peer))
    }

    /// The address this listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Registers a bound std listener with the reactor of the runtime that runs the caller,
    /// putting it in non-blocking mode first.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("loopbridge-doc-std-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let std_listener = std::os::unix::net::UnixListener::bind(dir.join("sock"))?;
    /// let listener = loopbridge::block_on(async { loopbridge::net::UnixListener::from_std(std_listener) })?;
    /// assert!(listener.local_addr()?.as_pathname().is_some());
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener { inner: Reactor::current()?.unix_listener(listener)? })
    }
}

/// `path`, if it fits in a socket address: the same `InvalidInput` on every backend (the
/// runtimes' own connects report `ENAMETOOLONG` or `InvalidInput` differently).
fn checked(path: &Path) -> io::Result<&Path> {
    match SocketAddr::from_pathname(path) {
        Ok(_) => Ok(path),
        Err(e) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: {e} (a Unix socket path has at most 107 bytes here)", path.display()),
        )),
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream").field("local_addr", &self.local_addr().ok()).finish()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener").field("local_addr", &self.local_addr().ok()).finish()
    }
}
