//! [`UdpSocket`]: datagrams on the reactor of the runtime that made the socket.

use std::fmt;
use std::io;
use std::net::SocketAddr;

use super::addr::{ToSocketAddrs, bind_first, first_ok, resolve};
use crate::backends::net::{Reactor, Socket, Udp};

/// A UDP socket. Unconnected, it sends to and receives from any address
/// ([`send_to`](Self::send_to), [`recv_from`](Self::recv_from)); after
/// [`connect`](Self::connect), [`send`](Self::send) and [`recv`](Self::recv) talk to that
/// peer only. The receiving futures are cancel-safe.
///
/// # Examples
///
/// ```
/// use loopbridge::net::UdpSocket;
///
/// loopbridge::block_on(async {
///     let a = UdpSocket::bind("127.0.0.1:0").await?;
///     let b = UdpSocket::bind("127.0.0.1:0").await?;
///     a.send_to(b"ping", b.local_addr()?).await?;
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await?;
///     assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
///
///     b.connect(from).await?; // now b talks to a only
///     b.send(b"pong").await?;
///     let n = a.recv(&mut buf).await?;
///     assert_eq!(&buf[..n], b"pong");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<_, std::io::Error>(())
/// ```
pub struct UdpSocket {
    inner: Socket<Udp>,
}

impl UdpSocket {
    /// Binds to `addr` (the first address it resolves to that can be bound).
    ///
    /// # Examples
    ///
    /// ```
    /// loopbridge::block_on(async {
    ///     let socket = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(socket.local_addr()?.ip().is_loopback());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        let inner = bind_first(addr, std::net::UdpSocket::bind, Reactor::register).await?;
        Ok(UdpSocket { inner })
    }

    /// Registers a bound std socket with the reactor of the runtime that runs the caller,
    /// putting it in non-blocking mode first.
    ///
    /// # Examples
    ///
    /// ```
    /// let std_socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let addr = std_socket.local_addr()?;
    /// let socket = loopbridge::block_on(async { loopbridge::net::UdpSocket::from_std(std_socket) })?;
    /// assert_eq!(socket.local_addr()?, addr);
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket { inner: Reactor::current()?.register(socket)? })
    }

    /// Sets the peer of [`send`](Self::send) and [`recv`](Self::recv) (the first address
    /// `addr` resolves to that works); datagrams from other addresses are dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// loopbridge::block_on(async {
    ///     let a = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     assert_eq!(a.peer_addr()?, b.local_addr()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let addrs = resolve(addr).await?;
        first_ok(addrs, |addr| self.inner.connect(addr)).await
    }

    /// Sends `buf` to the connected peer; returns the bytes sent.
    ///
    /// # Examples
    ///
    /// ```
    /// loopbridge::block_on(async {
    ///     let a = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     b.connect(a.local_addr()?).await?;
    ///     a.send(b"datagram").await?;
    ///     let mut buf = [0; 16];
    ///     assert_eq!(b.recv(&mut buf).await?, 8);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.send(buf).await
    }

    /// Receives one datagram from the connected peer into `buf` (the rest of a longer one is
    /// lost); returns its length. Cancel-safe.
    ///
    /// # Examples
    ///
    /// ```
    /// loopbridge::block_on(async {
    ///     let a = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     b.connect(a.local_addr()?).await?;
    ///     a.send(b"datagram").await?;
    ///     let mut buf = [0; 16];
    ///     assert_eq!(b.recv(&mut buf).await?, 8);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.recv(buf).await
    }

    /// Sends `buf` to `target` (its first address); returns the bytes sent.
    ///
    /// # Examples
    ///
    /// ```
    /// loopbridge::block_on(async {
    ///     let a = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"hello", b.local_addr()?).await?;
    ///     let mut buf = [0; 16];
    ///     let (n, from) = b.recv_from(&mut buf).await?;
    ///     assert_eq!((n, from), (5, a.local_addr()?));
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub async fn send_to(&self, buf: &[u8], target: impl ToSocketAddrs) -> io::Result<usize> {
        let addrs = resolve(target).await?;
        first_ok(addrs, |addr| self.inner.send_to(buf, addr)).await
    }

    /// Receives one datagram into `buf`; returns its length and sender. Cancel-safe.
    ///
    /// # Examples
    ///
    /// ```
    /// loopbridge::block_on(async {
    ///     let a = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"hello", b.local_addr()?).await?;
    ///     let mut buf = [0; 16];
    ///     let (n, from) = b.recv_from(&mut buf).await?;
    ///     assert_eq!((n, from), (5, a.local_addr()?));
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.recv_from(buf).await
    }

    /// Like [`recv_from`](Self::recv_from), but leaves the datagram queued. Cancel-safe.
    ///
    /// # Examples
    ///
    /// ```
    /// loopbridge::block_on(async {
    ///     let a = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"hi", a.local_addr()?).await?;
    ///     let mut buf = [0; 2];
    ///     assert_eq!(a.peek_from(&mut buf).await?.0, 2);
    ///     assert_eq!(a.recv_from(&mut buf).await?.0, 2); // still there
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.peek_from(buf).await
    }

    /// The address this socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// The connected peer; `NotConnected` before [`connect`](Self::connect).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// Sets `SO_BROADCAST`: whether this socket may send to a broadcast address.
    ///
    /// # Examples
    ///
    /// ```
    /// loopbridge::block_on(async {
    ///     let socket = loopbridge::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_broadcast(true)?;
    ///     assert!(socket.broadcast()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<_, std::io::Error>(())
    /// ```
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.inner.set_broadcast(on)
    }

    /// Whether `SO_BROADCAST` is set.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.inner.broadcast()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket").field("local_addr", &self.local_addr().ok()).finish()
    }
}
