//! Every socket operation other than reading and writing a stream, per kind of socket.
//!
//! Addresses and options are one call on the socket's descriptor, for every kind that lends
//! one (socket2's `SockRef`, the calls std makes); waiting operations are tokio's own, or the
//! std call run each time async-io says the socket is ready.

use std::io;
use std::net::SocketAddr;

use socket2::SockRef;

use super::paused::{Waitable as _, Wants};
use super::{Kind, ReadHalf, Socket, Tcp, TcpListen, Udp, WriteHalf};

impl<K: Kind> Socket<K> {
    /// The socket's descriptor, for the calls that do not wait. After the runtime's shutdown
    /// they still answer.
    pub(super) fn sock(&self) -> SockRef<'_> {
        match self {
            #[cfg(feature = "tokio")]
            Socket::Tokio(s) => <K as super::tokio_driver::Kind>::sock(s),
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Socket::AsyncIo(s) => SockRef::from(s),
        }
    }

    /// The local address of an IP socket.
    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        ip(self.sock().local_addr()?)
    }

    /// The peer's address of a connected IP socket.
    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        ip(self.sock().peer_addr()?)
    }

    pub(crate) fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.sock().set_tcp_nodelay(on)
    }

    pub(crate) fn nodelay(&self) -> io::Result<bool> {
        self.sock().tcp_nodelay()
    }

    pub(crate) fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.sock().set_broadcast(on)
    }

    pub(crate) fn broadcast(&self) -> io::Result<bool> {
        self.sock().broadcast()
    }
}

/// The IP address of a TCP or UDP socket (socket2 reads any family).
fn ip(addr: socket2::SockAddr) -> io::Result<SocketAddr> {
    addr.as_socket().ok_or_else(|| io::Error::other("the socket has no IP address"))
}

impl Socket<Tcp> {
    pub(crate) async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        let op = async {
            match self {
                #[cfg(feature = "tokio")]
                Socket::Tokio(s) => s.peek(buf).await,
                #[cfg(any(feature = "smol", feature = "async-std"))]
                Socket::AsyncIo(s) => s.read_with(|s| s.peek(buf)).await,
            }
        };
        self.watched(Wants::Read, op).await
    }

    pub(crate) fn into_split(self) -> (Socket<ReadHalf>, Socket<WriteHalf>) {
        match self {
            #[cfg(feature = "tokio")]
            Socket::Tokio(s) => {
                let (read, write) = s.into_split();
                (Socket::Tokio(read), Socket::Tokio(write))
            }
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Socket::AsyncIo(s) => {
                (Socket::AsyncIo(std::sync::Arc::clone(&s)), Socket::AsyncIo(super::IoWriteHalf(s)))
            }
        }
    }

    /// The std stream, deregistered and still non-blocking (as tokio's).
    pub(crate) fn into_std(self) -> io::Result<std::net::TcpStream> {
        match self {
            #[cfg(feature = "tokio")]
            Socket::Tokio(s) => s.into_std(),
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Socket::AsyncIo(s) => super::Registered::into_std(s),
        }
    }
}

impl Socket<ReadHalf> {
    pub(crate) async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        let op = async {
            match self {
                // tokio's half peeks through `&mut`, the stream it shares through `&`.
                #[cfg(feature = "tokio")]
                Socket::Tokio(s) => s.as_ref().peek(buf).await,
                #[cfg(any(feature = "smol", feature = "async-std"))]
                Socket::AsyncIo(s) => s.read_with(|s| s.peek(buf)).await,
            }
        };
        self.watched(Wants::Read, op).await
    }
}

impl Socket<TcpListen> {
    /// Accepts a connection; the stream belongs to the listener's runtime.
    pub(crate) async fn accept(&self) -> io::Result<(Socket<Tcp>, SocketAddr)> {
        let op = async {
            match self {
                #[cfg(feature = "tokio")]
                Socket::Tokio(l) => {
                    let accepted =
                        super::tokio_driver::Entered::new(&l.handle, l.io.accept()).await;
                    accepted.map(|(stream, peer)| (Socket::Tokio(stream), peer))
                }
                #[cfg(any(feature = "smol", feature = "async-std"))]
                Socket::AsyncIo(l) => {
                    let (stream, peer) = l.read_with(|l| l.accept()).await?;
                    Ok((Socket::AsyncIo(super::Registered::from_std(l.owner(), stream)?), peer))
                }
            }
        };
        self.watched(Wants::Read, op).await
    }
}

#[cfg(unix)]
mod unix {
    use std::io;
    use std::os::unix::net::SocketAddr;

    use super::super::paused::{Waitable as _, Wants};
    use super::super::{Socket, Unix, UnixListen};

    impl Socket<Unix> {
        pub(crate) fn unix_local_addr(&self) -> io::Result<SocketAddr> {
            match self {
                #[cfg(feature = "tokio")]
                Socket::Tokio(s) => s.local_addr().map(Into::into),
                #[cfg(any(feature = "smol", feature = "async-std"))]
                Socket::AsyncIo(s) => s.local_addr(),
            }
        }

        pub(crate) fn unix_peer_addr(&self) -> io::Result<SocketAddr> {
            match self {
                #[cfg(feature = "tokio")]
                Socket::Tokio(s) => s.peer_addr().map(Into::into),
                #[cfg(any(feature = "smol", feature = "async-std"))]
                Socket::AsyncIo(s) => s.peer_addr(),
            }
        }

        pub(crate) fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
            match self {
                #[cfg(feature = "tokio")]
                Socket::Tokio(s) => s.into_std(),
                #[cfg(any(feature = "smol", feature = "async-std"))]
                Socket::AsyncIo(s) => super::super::Registered::into_std(s),
            }
        }
    }

    impl Socket<UnixListen> {
        /// Accepts a connection; the stream belongs to the listener's runtime.
        pub(crate) async fn accept(&self) -> io::Result<(Socket<Unix>, SocketAddr)> {
            let op = async {
                match self {
                    #[cfg(feature = "tokio")]
                    Socket::Tokio(l) => {
                        let accept = l.io.accept();
                        let accepted =
                            super::super::tokio_driver::Entered::new(&l.handle, accept).await;
                        accepted.map(|(stream, peer)| (Socket::Tokio(stream), peer.into()))
                    }
                    #[cfg(any(feature = "smol", feature = "async-std"))]
                    Socket::AsyncIo(l) => {
                        let (stream, peer) = l.read_with(|l| l.accept()).await?;
                        let stream = super::super::Registered::from_std(l.owner(), stream)?;
                        Ok((Socket::AsyncIo(stream), peer))
                    }
                }
            };
            self.watched(Wants::Read, op).await
        }

        pub(crate) fn unix_local_addr(&self) -> io::Result<SocketAddr> {
            match self {
                #[cfg(feature = "tokio")]
                Socket::Tokio(l) => l.local_addr().map(Into::into),
                #[cfg(any(feature = "smol", feature = "async-std"))]
                Socket::AsyncIo(l) => l.local_addr(),
            }
        }
    }
}

impl Socket<Udp> {
    pub(crate) async fn connect(&self, addr: SocketAddr) -> io::Result<()> {
        match self {
            #[cfg(feature = "tokio")]
            Socket::Tokio(s) => s.connect(addr).await,
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Socket::AsyncIo(s) => s.io()?.get_ref().connect(addr),
        }
    }

    pub(crate) async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        let op = async {
            match self {
                #[cfg(feature = "tokio")]
                Socket::Tokio(s) => s.send(buf).await,
                #[cfg(any(feature = "smol", feature = "async-std"))]
                Socket::AsyncIo(s) => s.write_with(|s| s.send(buf)).await,
            }
        };
        self.watched(Wants::Write, op).await
    }

    pub(crate) async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let op = async {
            match self {
                #[cfg(feature = "tokio")]
                Socket::Tokio(s) => s.recv(buf).await,
                #[cfg(any(feature = "smol", feature = "async-std"))]
                Socket::AsyncIo(s) => s.read_with(|s| s.recv(buf)).await,
            }
        };
        self.watched(Wants::Read, op).await
    }

    pub(crate) async fn send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        let op = async {
            match self {
                #[cfg(feature = "tokio")]
                Socket::Tokio(s) => s.send_to(buf, target).await,
                #[cfg(any(feature = "smol", feature = "async-std"))]
                Socket::AsyncIo(s) => s.write_with(|s| s.send_to(buf, target)).await,
            }
        };
        self.watched(Wants::Write, op).await
    }

    pub(crate) async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let op = async {
            match self {
                #[cfg(feature = "tokio")]
                Socket::Tokio(s) => s.recv_from(buf).await,
                #[cfg(any(feature = "smol", feature = "async-std"))]
                Socket::AsyncIo(s) => s.read_with(|s| s.recv_from(buf)).await,
            }
        };
        self.watched(Wants::Read, op).await
    }

    pub(crate) async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let op = async {
            match self {
                #[cfg(feature = "tokio")]
                Socket::Tokio(s) => s.peek_from(buf).await,
                #[cfg(any(feature = "smol", feature = "async-std"))]
                Socket::AsyncIo(s) => s.read_with(|s| s.peek_from(buf)).await,
            }
        };
        self.watched(Wants::Read, op).await
    }
}
