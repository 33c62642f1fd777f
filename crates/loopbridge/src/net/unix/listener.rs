//! [`UnixListener`]: accepts Unix domain socket connections on the reactor of the runtime
//! that made it.

use std::fmt;
use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;

use super::{UnixStream, checked};
use crate::backends::net::{Reactor, Socket, UnixListen};

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
        Ok(UnixListener { inner: reactor.register(listener)? })
    }

    /// Waits for a connection. The stream belongs to this listener's runtime.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, as [`TcpListener::accept`](crate::net::TcpListener::accept).
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
        self.inner.unix_local_addr()
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
        Ok(UnixListener { inner: Reactor::current()?.register(listener)? })
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener").field("local_addr", &self.local_addr().ok()).finish()
    }
}
