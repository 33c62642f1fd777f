//! Both `AsyncRead`/`AsyncWrite` families on every stream type, over the polls of
//! `backends::net` (`stream.rs`).

/// `futures_io::AsyncRead` always, and `tokio::io::AsyncRead` with the `tokio` feature.
macro_rules! async_read {
    ($ty:ty) => {
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
    };
}

/// The methods of both `AsyncWrite` traits that have the same signature in each.
macro_rules! write_polls {
    () => {
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
}

/// `futures_io::AsyncWrite` always, and `tokio::io::AsyncWrite` with the `tokio` feature;
/// `close` and `shutdown` shut the write direction down and leave reading open.
macro_rules! async_write {
    ($ty:ty) => {
        impl futures_io::AsyncWrite for $ty {
            $crate::net::io_traits::write_polls!();

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                self.get_mut().inner.poll_shutdown(cx)
            }
        }

        #[cfg(feature = "tokio")]
        impl tokio::io::AsyncWrite for $ty {
            $crate::net::io_traits::write_polls!();

            fn is_write_vectored(&self) -> bool {
                self.inner.is_write_vectored()
            }

            fn poll_shutdown(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                self.get_mut().inner.poll_shutdown(cx)
            }
        }
    };
}

pub(crate) use {async_read, async_write, write_polls};
