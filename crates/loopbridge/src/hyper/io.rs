//! hyper's `Read` and `Write` on the streams of [`net`](crate::net).
//!
//! `Write` forwards to the streams' own polls. `Read` must fill hyper's `ReadBufCursor`,
//! whose unfilled part may be uninitialized: reading into it in place needs `unsafe`
//! (`as_mut` and `advance`), which loopbridge forbids, and wrappers that do it (smol-hyper's
//! `FuturesIo`, hyper-util's `TokioIo`) would make every user wrap the stream. So a read goes
//! through a per-thread buffer, allocated once and never zeroed again, and is copied into the
//! cursor with `put_slice` — one `memcpy` of the bytes received, nothing per empty poll.

use std::cell::RefCell;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_io::AsyncRead;
use hyper::rt::ReadBufCursor;

use crate::net::TcpStream;
#[cfg(unix)]
use crate::net::UnixStream;
use crate::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// The most one read takes: hyper's first read buffer is 8 KiB and grows with large bodies.
const CHUNK: usize = 64 * 1024;

thread_local! {
    static CHUNK_BUFFER: RefCell<Box<[u8]>> = RefCell::new(vec![0; CHUNK].into_boxed_slice());
}

/// Reads from `stream` into the cursor through this thread's buffer.
fn poll_read_cursor<S: AsyncRead + Unpin>(
    stream: Pin<&mut S>,
    cx: &mut Context<'_>,
    mut cursor: ReadBufCursor<'_>,
) -> Poll<io::Result<()>> {
    let want = cursor.remaining().min(CHUNK);
    if want == 0 {
        return Poll::Ready(Ok(()));
    }
    CHUNK_BUFFER.with(|buffer| {
        // A read never re-enters this function on the same thread, so the borrow is free;
        // should a waker do something unusual, a fresh buffer keeps it correct.
        match buffer.try_borrow_mut() {
            Ok(mut buffer) => read_into(stream, cx, &mut buffer[..want], &mut cursor),
            Err(_) => read_into(stream, cx, &mut vec![0; want], &mut cursor),
        }
    })
}

fn read_into<S: AsyncRead + Unpin>(
    stream: Pin<&mut S>,
    cx: &mut Context<'_>,
    chunk: &mut [u8],
    cursor: &mut ReadBufCursor<'_>,
) -> Poll<io::Result<()>> {
    let n = ready!(stream.poll_read(cx, chunk))?;
    cursor.put_slice(&chunk[..n]);
    Poll::Ready(Ok(()))
}

/// `hyper::rt::Read` over the stream's `futures_io::AsyncRead`.
macro_rules! hyper_read {
    ($($ty:ty),*) => {$(
        impl hyper::rt::Read for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                cursor: ReadBufCursor<'_>,
            ) -> Poll<io::Result<()>> {
                poll_read_cursor(self, cx, cursor)
            }
        }
    )*};
}

/// `hyper::rt::Write` over the stream's `futures_io::AsyncWrite`; shutting down sends FIN.
macro_rules! hyper_write {
    ($($ty:ty),*) => {$(
        impl hyper::rt::Write for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                futures_io::AsyncWrite::poll_write(self, cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[io::IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                futures_io::AsyncWrite::poll_write_vectored(self, cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                futures_io::AsyncWrite::poll_flush(self, cx)
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                futures_io::AsyncWrite::poll_close(self, cx)
            }
        }
    )*};
}

hyper_read!(TcpStream, OwnedReadHalf);
hyper_write!(TcpStream, OwnedWriteHalf);
#[cfg(unix)]
hyper_read!(UnixStream);
#[cfg(unix)]
hyper_write!(UnixStream);
