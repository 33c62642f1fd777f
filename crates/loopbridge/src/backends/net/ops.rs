//! Every socket operation other than reading and writing a stream, per socket type.

use std::io;
use std::net::SocketAddr;

use super::{ReadHalf, Socket, Tcp, TcpListen, Udp, WriteHalf, socket};

impl Socket<Tcp> {
    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        socket!(self, s => s.local_addr())
    }

    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        socket!(self, s => s.peer_addr())
    }

    pub(crate) fn set_nodelay(&self, on: bool) -> io::Result<()> {
        socket!(self, s => s.set_nodelay(on))
    }

    pub(crate) fn nodelay(&self) -> io::Result<bool> {
        socket!(self, s => s.nodelay())
    }

    pub(crate) async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        socket!(self, tokio: s => s.peek(buf).await, async_io: s => s.read_with(|s| s.peek(buf)).await)
    }

    pub(crate) fn into_split(self) -> (Socket<ReadHalf>, Socket<WriteHalf>) {
        socket!(self,
            tokio: s => {
                let (read, write) = s.into_split();
                (Socket::Tokio(read), Socket::Tokio(write))
            },
            async_io: s => (Socket::AsyncIo(std::sync::Arc::clone(&s)), Socket::AsyncIo(super::IoWriteHalf(s)))
        )
    }

    /// The std stream, deregistered and still non-blocking (as tokio's).
    pub(crate) fn into_std(self) -> io::Result<std::net::TcpStream> {
        socket!(self,
            tokio: s => s.into_std(),
            async_io: s => super::Registered::into_std(s)
        )
    }
}

impl Socket<ReadHalf> {
    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        socket!(self, s => s.local_addr())
    }

    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        socket!(self, s => s.peer_addr())
    }

    pub(crate) async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        socket!(self, tokio: s => s.peek(buf).await, async_io: s => s.read_with(|s| s.peek(buf)).await)
    }
}

impl Socket<WriteHalf> {
    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        socket!(self, tokio: s => s.local_addr(), async_io: s => s.0.local_addr())
    }

    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        socket!(self, tokio: s => s.peer_addr(), async_io: s => s.0.peer_addr())
    }
}

impl Socket<TcpListen> {
    /// Accepts a connection; the stream belongs to the listener's runtime.
    pub(crate) async fn accept(&self) -> io::Result<(Socket<Tcp>, SocketAddr)> {
        socket!(self,
            tokio: l => {
                let accepted = super::tokio_driver::Entered::new(&l.handle, l.io.accept()).await;
                accepted.map(|(stream, peer)| (Socket::Tokio(stream), peer))
            },
            async_io: l => {
                let (stream, peer) = l.read_with(|l| l.accept()).await?;
                let stream = super::Registered::from_std(l.owner(), stream)?;
                Ok((Socket::AsyncIo(stream), peer))
            }
        )
    }

    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        socket!(self, s => s.local_addr())
    }
}

impl Socket<Udp> {
    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        socket!(self, s => s.local_addr())
    }

    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        socket!(self, s => s.peer_addr())
    }

    pub(crate) fn set_broadcast(&self, on: bool) -> io::Result<()> {
        socket!(self, s => s.set_broadcast(on))
    }

    pub(crate) fn broadcast(&self) -> io::Result<bool> {
        socket!(self, s => s.broadcast())
    }

    pub(crate) async fn connect(&self, addr: SocketAddr) -> io::Result<()> {
        socket!(self, tokio: s => s.connect(addr).await, async_io: s => s.io()?.get_ref().connect(addr))
    }

    pub(crate) async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        socket!(self, tokio: s => s.send(buf).await, async_io: s => s.write_with(|s| s.send(buf)).await)
    }

    pub(crate) async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        socket!(self, tokio: s => s.recv(buf).await, async_io: s => s.read_with(|s| s.recv(buf)).await)
    }

    pub(crate) async fn send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        socket!(self,
            tokio: s => s.send_to(buf, target).await,
            async_io: s => s.write_with(|s| s.send_to(buf, target)).await
        )
    }

    pub(crate) async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        socket!(self, tokio: s => s.recv_from(buf).await, async_io: s => s.read_with(|s| s.recv_from(buf)).await)
    }

    pub(crate) async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        socket!(self, tokio: s => s.peek_from(buf).await, async_io: s => s.read_with(|s| s.peek_from(buf)).await)
    }
}

#[cfg(unix)]
mod unix {
    use std::io;
    use std::os::unix::net::SocketAddr;

    use super::super::{Socket, Unix, UnixListen, socket};

    impl Socket<Unix> {
        pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
            socket!(self, tokio: s => s.local_addr().map(Into::into), async_io: s => s.local_addr())
        }

        pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
            socket!(self, tokio: s => s.peer_addr().map(Into::into), async_io: s => s.peer_addr())
        }

        pub(crate) fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
            socket!(self,
                tokio: s => s.into_std(),
                async_io: s => super::super::Registered::into_std(s)
            )
        }
    }

    impl Socket<UnixListen> {
        /// Accepts a connection; the stream belongs to the listener's runtime.
        pub(crate) async fn accept(&self) -> io::Result<(Socket<Unix>, SocketAddr)> {
            socket!(self,
                tokio: l => {
                    let accepted = super::super::tokio_driver::Entered::new(&l.handle, l.io.accept()).await;
                    accepted.map(|(stream, peer)| (Socket::Tokio(stream), peer.into()))
                },
                async_io: l => {
                    let (stream, peer) = l.read_with(|l| l.accept()).await?;
                    Ok((Socket::AsyncIo(super::super::Registered::from_std(l.owner(), stream)?), peer))
                }
            )
        }

        pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
            socket!(self, tokio: s => s.local_addr().map(Into::into), async_io: s => s.local_addr())
        }
    }
}
