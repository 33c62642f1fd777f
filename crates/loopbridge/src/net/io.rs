//! Both `AsyncRead` and both `AsyncWrite` families on every stream type.
//!
//! The I/O itself is written once, generic over the kind of socket (`backends/net/stream.rs`).
//! What is left per type is forwarding each trait method to its socket; a blanket impl over
//! the types cannot do it (the traits are foreign: the orphan rule), and writing it out would
//! be the same eighty lines four times, so one flat macro does: `stream_traits!(read T)` gives
//! `T` `futures_io::AsyncRead`, tokio's with the `tokio` feature and hyper's `Read` with the
//! `hyper` feature; `stream_traits!(write T)` the `AsyncWrite`s and hyper's `Write`, where
//! `close` and `shutdown` shut the write direction down and leave reading open. The methods the
//! write families share are written once (`@writes`, `@shutdown`).

macro_rules! stream_traits {
    (read $ty:ty) => {
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.get_mut().inner.poll_read(cx, buf)
            }
        }

        #[cfg(feature = "tokio")]
        impl tokio::io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                self.get_mut().inner.poll_read_buf(cx, buf)
            }
        }

        #[cfg(feature = "hyper")]
        impl hyper::rt::Read for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                cursor: hyper::rt::ReadBufCursor<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                $crate::hyper::io::poll_read_cursor(self, cx, cursor)
            }
        }
    };
    (write $ty:ty) => {
        impl futures_io::AsyncWrite for $ty {
            $crate::net::io::stream_traits!(@writes);

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                self.get_mut().inner.poll_shutdown(cx)
            }
        }

        #[cfg(feature = "tokio")]
        impl tokio::io::AsyncWrite for $ty {
            $crate::net::io::stream_traits!(@writes);
            $crate::net::io::stream_traits!(@shutdown);
        }

        #[cfg(feature = "hyper")]
        impl hyper::rt::Write for $ty {
            $crate::net::io::stream_traits!(@writes);
            $crate::net::io::stream_traits!(@shutdown);
        }
    };
    // The methods every `Write` family has, with the same signature in each.
    (@writes) => {
        fn poll_write(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            self.get_mut().inner.poll_write(cx, buf)
        }

        fn poll_write_vectored(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            bufs: &[std::io::IoSlice<'_>],
        ) -> std::task::Poll<std::io::Result<usize>> {
            self.get_mut().inner.poll_write_vectored(cx, bufs)
        }

        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            self.get_mut().inner.poll_flush(cx)
        }
    };
    // `shutdown` in tokio's and hyper's `Write`s, which also ask whether writes are vectored.
    (@shutdown) => {
        fn is_write_vectored(&self) -> bool {
            self.inner.is_write_vectored()
        }

        fn poll_shutdown(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            self.get_mut().inner.poll_shutdown(cx)
        }
    };
}

pub(crate) use stream_traits;
