//! [`TcpListener`]: accepts TCP connections on the reactor of the runtime that made it.

use std::fmt;
use std::io;
use std::net::SocketAddr;

use super::stream::TcpStream;
use crate::backends::net::{Reactor, Socket, TcpListen};
use crate::net::addr::{ToSocketAddrs, bind_first};

/// A TCP socket listening for connections.
///
/// # Examples
///
/// ```
/// use loopbridge::net::{TcpListener, TcpStream};
///
/// loopbridge::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?; // port 0: any free port
///     let client = TcpStream::connect(listener.local_addr()?).await?;
///     let (server, peer) = listener.accept().await?;
///     assert_eq!(peer, client.local_addr()?);
///     assert_eq!(server.peer_addr()?, client.local_addr()?);
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<_, std::io::Error>(())
/// ```
pub struct TcpListener {
    inner: Socket<TcpListen>,
}

impl TcpListener {
    /// Binds to `addr` (the first address it resolves to that can be bound) and listens.
    /// An address already in use is `AddrInUse`; malformed input `InvalidInput`.
    ///
    /// # Examples
    ///
    /// ```
    /// loopbridge::block_on(async {
    ///     let first = loopbridge::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let taken = first.local_addr()?;
    ///     let err = loopbridge::net::TcpListener::bind(taken).await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        let inner = bind_first(addr, std::net::TcpListener::bind, Reactor::register).await?;
        Ok(TcpListener { inner })
    }

    /// Waits for a connection and returns it with the peer's address. The stream belongs to
    /// this listener's runtime, whichever task or runtime called `accept`.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: an `accept` dropped before it completes has accepted nothing, and the
    /// next `accept` returns the connection.
    ///
    /// # Examples
    ///
    /// See [`TcpListener`].
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (inner, peer) = self.inner.accept().await?;
        Ok((TcpStream { inner }, peer))
    }

    /// The address this listener is bound to (with the port chosen for port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Registers a bound std listener with the reactor of the runtime that runs the caller,
    /// putting it in non-blocking mode first.
    ///
    /// # Examples
    ///
    /// ```
    /// let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let addr = std_listener.local_addr()?;
    /// loopbridge::block_on(async {
    ///     let listener = loopbridge::net::TcpListener::from_std(std_listener)?;
    ///     let _client = loopbridge::net::TcpStream::connect(addr).await?;
    ///     listener.accept().await.map(drop)
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener { inner: Reactor::current()?.register(listener)? })
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener").field("local_addr", &self.local_addr().ok()).finish()
    }
}
