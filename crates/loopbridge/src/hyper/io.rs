//! hyper's `Read` on the streams of [`net`](crate::net), whose impls (with `Write`'s, which
//! forwards to the streams' own polls) are written with every other I/O trait of theirs, in
//! `net/io.rs`.
//!
//! `Read` must fill hyper's `ReadBufCursor`,
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

/// The most one read takes: hyper's first read buffer is 8 KiB and grows with large bodies.
const CHUNK: usize = 64 * 1024;

thread_local! {
    static CHUNK_BUFFER: RefCell<Box<[u8]>> = RefCell::new(vec![0; CHUNK].into_boxed_slice());
}

/// Reads from `stream` into the cursor through this thread's buffer.
pub(crate) fn poll_read_cursor<S: AsyncRead + Unpin>(
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
