//! Reading and writing a stream or a half — the polls behind both `AsyncRead` and both
//! `AsyncWrite` families, written once for every kind that reads ([`ReadKind`]) or writes
//! ([`WriteKind`]).
//!
//! Each reactor's type implements its own family natively (tokio's `AsyncRead` with a
//! `ReadBuf`, async-io's the futures one with a slice); the other family is a thin
//! translation, so a loopbridge stream implements both with no buffer in between.

use std::io::{self, IoSlice};
#[cfg(feature = "tokio")]
use std::pin::Pin;
use std::task::{Context, Poll};

#[cfg(any(feature = "smol", feature = "async-std"))]
use super::async_io_reactor::Stream as _;
use super::paused::{Waitable as _, Wants};
use super::{ReadKind, Socket, WriteKind};

impl<K: ReadKind> Socket<K> {
    pub(crate) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let polled = self.poll_read_native(cx, buf);
        if polled.is_pending() {
            self.pending(Wants::Read);
        }
        polled
    }

    fn poll_read_native(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        match self {
            #[cfg(feature = "tokio")]
            Socket::Tokio(s) => {
                let mut buf = ::tokio::io::ReadBuf::new(buf);
                std::task::ready!(::tokio::io::AsyncRead::poll_read(Pin::new(s), cx, &mut buf))?;
                Poll::Ready(Ok(buf.filled().len()))
            }
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Socket::AsyncIo(s) => s.poll_read(cx, buf),
        }
    }

    #[cfg(feature = "tokio")]
    pub(crate) fn poll_read_buf(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut ::tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let polled = self.poll_read_buf_native(cx, buf);
        if polled.is_pending() {
            self.pending(Wants::Read);
        }
        polled
    }

    #[cfg(feature = "tokio")]
    fn poll_read_buf_native(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut ::tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self {
            Socket::Tokio(s) => ::tokio::io::AsyncRead::poll_read(Pin::new(s), cx, buf),
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Socket::AsyncIo(s) => {
                let read = std::task::ready!(s.poll_read(cx, buf.initialize_unfilled()))?;
                buf.advance(read);
                Poll::Ready(Ok(()))
            }
        }
    }
}

impl<K: WriteKind> Socket<K> {
    pub(crate) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = match self {
            #[cfg(feature = "tokio")]
            Socket::Tokio(s) => ::tokio::io::AsyncWrite::poll_write(Pin::new(s), cx, buf),
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Socket::AsyncIo(s) => s.poll_write(cx, buf),
        };
        self.wrote(&polled);
        polled
    }

    pub(crate) fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = match self {
            #[cfg(feature = "tokio")]
            Socket::Tokio(s) => ::tokio::io::AsyncWrite::poll_write_vectored(Pin::new(s), cx, bufs),
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Socket::AsyncIo(s) => s.poll_write_vectored(cx, bufs),
        };
        self.wrote(&polled);
        polled
    }

    /// After a write: pending, it waits on the socket; done, the bytes may be on their way to
    /// another task of a paused runtime (see `paused.rs`).
    fn wrote<T>(&self, polled: &Poll<io::Result<T>>) {
        match polled {
            Poll::Pending => self.pending(Wants::Write),
            Poll::Ready(Ok(_)) => loopbridge_core::unstable::clock::wrote_io(),
            Poll::Ready(Err(_)) => {}
        }
    }

    /// Asked by tokio's and hyper's `Write`s.
    #[cfg(any(feature = "tokio", feature = "hyper"))]
    pub(crate) fn is_write_vectored(&self) -> bool {
        match self {
            #[cfg(feature = "tokio")]
            Socket::Tokio(s) => ::tokio::io::AsyncWrite::is_write_vectored(s),
            // `writev(2)` underneath.
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Socket::AsyncIo(_) => true,
        }
    }

    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self {
            #[cfg(feature = "tokio")]
            Socket::Tokio(s) => ::tokio::io::AsyncWrite::poll_flush(Pin::new(s), cx),
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Socket::AsyncIo(s) => s.poll_flush(cx),
        }
    }

    /// Shuts the write direction down (the peer reads the end of the stream); reading goes
    /// on. It does not wait.
    pub(crate) fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = self.poll_shutdown_native(cx);
        self.wrote(&polled); // the end of the stream is on its way too
        polled
    }

    fn poll_shutdown_native(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self {
            #[cfg(feature = "tokio")]
            Socket::Tokio(s) => ::tokio::io::AsyncWrite::poll_shutdown(Pin::new(s), cx),
            #[cfg(any(feature = "smol", feature = "async-std"))]
            Socket::AsyncIo(s) => {
                let _ = cx;
                // A connection already gone (reset, or both FINs exchanged) has nothing left to
                // shut: `Ok`, as tokio answers the kernel's `ENOTCONN` (tokio#4665).
                Poll::Ready(match s.shutdown_write() {
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
                    done => done,
                })
            }
        }
    }
}
