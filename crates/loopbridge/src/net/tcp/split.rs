//! The two halves of a [`TcpStream`](crate::net::TcpStream), from
//! [`into_split`](crate::net::TcpStream::into_split).

use std::fmt;
use std::io;
use std::net::SocketAddr;

use crate::backends::net::{ReadHalf, Socket, WriteHalf};
use crate::net::io::stream_traits;

/// The read half of a [`TcpStream`](crate::net::TcpStream): `AsyncRead` of both families.
///
/// # Examples
///
/// ```
/// use futures_util::{AsyncReadExt, AsyncWriteExt};
///
/// loopbridge::block_on(async {
///     let listener = loopbridge::net::TcpListener::bind("127.0.0.1:0").await?;
///     let mut client = loopbridge::net::TcpStream::connect(listener.local_addr()?).await?;
///     let (mut read, _write) = listener.accept().await?.0.into_split();
///     client.write_all(b"to the read half").await?;
///     client.close().await?;
///     let mut got = String::new();
///     read.read_to_string(&mut got).await?;
///     assert_eq!(got, "to the read half");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<_, std::io::Error>(())
/// ```
pub struct OwnedReadHalf {
    pub(super) inner: Socket<ReadHalf>,
}

/// The write half of a [`TcpStream`](crate::net::TcpStream): `AsyncWrite` of both families.
/// Dropping it, or closing it, shuts the write direction down (the peer reads the end of the
/// stream); the read half reads on.
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
///     write.write_all(b"last words").await?;
///     drop(write); // FIN: the server reads to the end...
///     let mut got = Vec::new();
///     server.read_to_end(&mut got).await?;
///     server.write_all(b"reply").await?; // ...and the read half still reads
///     let mut reply = [0; 5];
///     read.read_exact(&mut reply).await?;
///     assert_eq!((&got[..], &reply), (&b"last words"[..], b"reply"));
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<_, std::io::Error>(())
/// ```
pub struct OwnedWriteHalf {
    pub(super) inner: Socket<WriteHalf>,
}

impl OwnedReadHalf {
    /// The local address of the connection.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// The address of the peer.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// Reads received data without consuming it, as [`TcpStream::peek`](crate::net::TcpStream::peek).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::AsyncWriteExt;
    ///
    /// loopbridge::block_on(async {
    ///     let listener = loopbridge::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let mut client = loopbridge::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut read, _write) = listener.accept().await?.0.into_split();
    ///     client.write_all(b"x").await?;
    ///     let mut buf = [0; 1];
    ///     assert_eq!(read.peek(&mut buf).await?, 1);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.peek(buf).await
    }
}

impl OwnedWriteHalf {
    /// The local address of the connection.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// The address of the peer.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }
}

stream_traits!(read OwnedReadHalf);
stream_traits!(write OwnedWriteHalf);

impl fmt::Debug for OwnedReadHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedReadHalf").field("peer_addr", &self.peer_addr().ok()).finish()
    }
}

impl fmt::Debug for OwnedWriteHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedWriteHalf").field("peer_addr", &self.peer_addr().ok()).finish()
    }
}
