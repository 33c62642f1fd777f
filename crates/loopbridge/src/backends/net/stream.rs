//! Reading and writing a stream or a half: the polls behind both `AsyncRead` families.
//!
//! Each reactor's type implements its own family natively (tokio's `AsyncRead` with a
//! `ReadBuf`, async-io's the futures one with a slice); the other family is a thin
//! translation, so a loopbridge stream implements both with no buffer in between.

use std::io::{self, IoSlice};
use std::task::{Context, Poll};

use super::{ReadHalf, Socket, Tcp, WriteHalf, socket};

macro_rules! read_polls {
    ($kind:ty) => {
        impl Socket<$kind> {
            pub(crate) fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
                socket!(self,
                    tokio: s => {
                        let mut buf = ::tokio::io::ReadBuf::new(buf);
                        std::task::ready!(::tokio::io::AsyncRead::poll_read(std::pin::Pin::new(s), cx, &mut buf))?;
                        Poll::Ready(Ok(buf.filled().len()))
                    },
                    async_io: s => {
                        let read = futures_io::AsyncRead::poll_read(std::pin::Pin::new(&mut s.io()?), cx, buf);
                        match read {
                            // The end of the stream, or the runner's close shutting the
                            // socket down in the middle of this poll: the latter is an error.
                            Poll::Ready(Ok(0)) => Poll::Ready(s.io().map(|_| 0)),
                            other => other,
                        }
                    }
                )
            }

            #[cfg(feature = "tokio")]
            pub(crate) fn poll_read_buf(
                &mut self,
                cx: &mut Context<'_>,
                buf: &mut ::tokio::io::ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                socket!(self,
                    tokio: s => ::tokio::io::AsyncRead::poll_read(std::pin::Pin::new(s), cx, buf),
                    async_io: _s => {
                        let read = std::task::ready!(self.poll_read(cx, buf.initialize_unfilled()))?;
                        buf.advance(read);
                        Poll::Ready(Ok(()))
                    }
                )
            }
        }
    };
}

macro_rules! write_polls {
    ($kind:ty, |$s:ident| $registered:expr) => {
        impl Socket<$kind> {
            pub(crate) fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
                socket!(self,
                    tokio: s => ::tokio::io::AsyncWrite::poll_write(std::pin::Pin::new(s), cx, buf),
                    async_io: $s => futures_io::AsyncWrite::poll_write(std::pin::Pin::new(&mut $registered.io()?), cx, buf)
                )
            }

            pub(crate) fn poll_write_vectored(
                &mut self,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                socket!(self,
                    tokio: s => ::tokio::io::AsyncWrite::poll_write_vectored(std::pin::Pin::new(s), cx, bufs),
                    async_io: $s => {
                        futures_io::AsyncWrite::poll_write_vectored(std::pin::Pin::new(&mut $registered.io()?), cx, bufs)
                    }
                )
            }

            #[cfg(feature = "tokio")]
            pub(crate) fn is_write_vectored(&self) -> bool {
                socket!(self,
                    tokio: s => ::tokio::io::AsyncWrite::is_write_vectored(s),
                    async_io: _s => true // `writev(2)` underneath
                )
            }

            pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                socket!(self,
                    tokio: s => ::tokio::io::AsyncWrite::poll_flush(std::pin::Pin::new(s), cx),
                    async_io: $s => futures_io::AsyncWrite::poll_flush(std::pin::Pin::new(&mut $registered.io()?), cx)
                )
            }

            /// Shuts the write direction down (the peer reads the end of the stream); reading
            /// goes on.
            pub(crate) fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                socket!(self,
                    tokio: s => ::tokio::io::AsyncWrite::poll_shutdown(std::pin::Pin::new(s), cx),
                    // async-io's `close` only flushes (async-net shuts down itself).
                    async_io: $s => {
                        let _ = cx; // a shutdown does not wait
                        Poll::Ready($registered.io()?.get_ref().shutdown(std::net::Shutdown::Write))
                    }
                )
            }
        }
    };
}

read_polls!(Tcp);
read_polls!(ReadHalf);
write_polls!(Tcp, |s| s);
write_polls!(WriteHalf, |s| s.0);
#[cfg(unix)]
read_polls!(super::Unix);
#[cfg(unix)]
write_polls!(super::Unix, |s| s);
