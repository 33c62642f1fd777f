//! [`TcpStream`]: a TCP connection on the reactor of the runtime that made it.

use std::fmt;
use std::io;
use std::net::SocketAddr;

use super::{OwnedReadHalf, OwnedWriteHalf};
use crate::backends::net::{Reactor, Socket, Tcp};
use crate::net::addr::{ToSocketAddrs, first_ok, resolve};
use crate::net::io::stream_traits;

/// A TCP connection, registered with the reactor of the runtime that made it: tokio's I/O
/// driver under tokio, async-io's reactor under smol and async-std.
///
/// It implements `AsyncRead` and `AsyncWrite` of both families — `futures_io`'s always,
/// tokio's with the `tokio` feature — so the `*Ext` traits of either ecosystem work on it.
/// Closing (futures) or shutting down (tokio) the write side sends FIN; reading goes on.
/// It may be moved to any thread and used from any task of any runtime while the runtime that
/// made it runs; once that runtime has shut down, every I/O operation returns an error at once.
/// Reads are cancel-safe: a read future dropped before it completes has consumed nothing.
///
/// # Examples
///
/// ```
/// use futures_util::{AsyncReadExt, AsyncWriteExt};
/// use loopbridge::net::{TcpListener, TcpStream};
///
/// loopbridge::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let addr = listener.local_addr()?;
///     let server = loopbridge::spawn(async move {
///         let (mut stream, _) = listener.accept().await?;
///         let mut request = String::new();
///         stream.read_to_string(&mut request).await?; // until the client's FIN
///         stream.write_all(request.to_uppercase().as_bytes()).await?;
///         Ok::<_, std::io::Error>(())
///     });
///     let mut client = TcpStream::connect(addr).await?;
///     client.write_all(b"hello").await?;
///     client.close().await?; // FIN: the server's read_to_string ends; we can still read
///     let mut reply = String::new();
///     client.read_to_string(&mut reply).await?;
///     assert_eq!(reply, "HELLO");
///     server.await.expect("server task")?;
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<_, std::io::Error>(())
/// ```
pub struct TcpStream {
    pub(super) inner: Socket<Tcp>,
}

impl TcpStream {
    /// Connects to `addr`, trying each address it resolves to in turn; the error is the last
    /// address's (`ConnectionRefused` where nothing listens), or `InvalidInput` quoting
    /// malformed input. For a deadline, wrap it in [`loopbridge::timeout`](crate::timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// loopbridge::block_on(async {
    ///     // Port 1 on loopback: nothing listens there.
    ///     let err = loopbridge::net::TcpStream::connect("127.0.0.1:1").await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    /// });
    /// ```
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        let addrs = resolve(addr).await?;
        let reactor = Reactor::current()?;
        let inner = first_ok(addrs, |addr| {
            let reactor = &reactor;
            async move {
                reactor
                    .connect_tcp(addr)
                    .await
                    .map_err(|e| io::Error::new(e.kind(), format!("connect to {addr}: {e}")))
            }
        })
        .await?;
        Ok(TcpStream { inner })
    }

    /// Registers a connected std stream with the reactor of the runtime that runs the caller,
    /// putting it in non-blocking mode first (tokio leaves that to the caller; loopbridge
    /// does not).
    ///
    /// # Examples
    ///
    /// ```
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// let stream = loopbridge::block_on(async { loopbridge::net::TcpStream::from_std(std_stream) })?;
    /// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream { inner: Reactor::current()?.register(stream)? })
    }

    /// The std stream, deregistered from the reactor; it stays in non-blocking mode.
    ///
    /// # Examples
    ///
    /// ```
    /// loopbridge::block_on(async {
    ///     let listener = loopbridge::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = loopbridge::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let std_stream = stream.into_std()?;
    ///     std_stream.set_nonblocking(false)?;
    ///     assert_eq!(std_stream.peer_addr()?, listener.local_addr()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        self.inner.into_std()
    }

    /// The local address of this connection.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// The address of the peer.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// Sets `TCP_NODELAY`: with `true`, small writes go out at once instead of being
    /// coalesced (Nagle's algorithm).
    ///
    /// # Examples
    ///
    /// ```
    /// loopbridge::block_on(async {
    ///     let listener = loopbridge::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = loopbridge::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     stream.set_nodelay(true)?;
    ///     assert!(stream.nodelay()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.inner.set_nodelay(on)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.nodelay()
    }

    /// Reads received data into `buf` without consuming it: the next read returns it again.
    /// Waits until data or the end of the stream arrives. Cancel-safe.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::{AsyncReadExt, AsyncWriteExt};
    ///
    /// loopbridge::block_on(async {
    ///     let listener = loopbridge::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let mut client = loopbridge::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut server, _) = listener.accept().await?;
    ///     client.write_all(b"ping").await?;
    ///     let mut peeked = [0; 4];
    ///     let n = server.peek(&mut peeked).await?;
    ///     let mut read = [0; 4];
    ///     server.read_exact(&mut read[..n]).await?; // the same bytes again
    ///     assert_eq!(peeked[..n], read[..n]);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.peek(buf).await
    }

    /// Splits the stream into a read half and a write half that can be used (and moved)
    /// independently. Dropping the write half shuts the write direction down, as closing it
    /// does.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::{AsyncReadExt, AsyncWriteExt};
    ///
    /// loopbridge::block_on(async {
    ///     let listener = loopbridge::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let client = loopbridge::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut server, _) = listener.accept().await?;
    ///     let (mut read, mut write) = client.into_split();
    ///     let writer = loopbridge::spawn(async move { write.write_all(b"through the write half").await });
    ///     let mut echoed = vec![0; 22];
    ///     server.read_exact(&mut echoed).await?;
    ///     server.write_all(&echoed).await?;
    ///     let mut back = vec![0; 22];
    ///     read.read_exact(&mut back).await?;
    ///     assert_eq!(back, b"through the write half");
    ///     writer.await.expect("writer task")?;
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        let (read, write) = self.inner.into_split();
        (OwnedReadHalf { inner: read }, OwnedWriteHalf { inner: write })
    }
}

stream_traits!(read TcpStream);
stream_traits!(write TcpStream);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}
