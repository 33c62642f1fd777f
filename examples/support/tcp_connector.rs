//! A connector for hyper-util's pooled `Client` over `loopbridge::net::TcpStream`: with it,
//! and `loopbridge::hyper::{Executor, Timer}`, the pooled client runs on every backend.
//! Shared by `examples/http_any_runtime.rs`, `examples/tests/http_interop.rs` and the
//! conformance suite's `tests/conformance/http_client.rs` (every flavour).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection};
use loopbridge::net::{TcpStream, lookup_host};

/// Connects to a `http://` URI's host and port (80 by default); names resolve through
/// `loopbridge::net`'s `lookup_host`, every address in turn.
#[derive(Clone, Debug, Default)]
pub(crate) struct TcpConnector;

/// The connection hyper-util pools: a `TcpStream` with `TCP_NODELAY` (requests are small
/// writes that must leave at once), plus the `Connection` metadata hyper-util asks for.
#[derive(Debug)]
pub(crate) struct TcpConnection(TcpStream);

impl tower_service::Service<Uri> for TcpConnector {
    type Response = TcpConnection;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<TcpConnection>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        Box::pin(async move {
            let invalid =
                |why: &str| io::Error::new(io::ErrorKind::InvalidInput, format!("{uri}: {why}"));
            if uri.scheme_str().is_some_and(|scheme| scheme != "http") {
                return Err(invalid("only http:// is supported (no TLS here)"));
            }
            let host = uri.host().ok_or_else(|| invalid("no host"))?;
            // `[::1]` in a URI is `::1` to the resolver.
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let addrs: Vec<_> = lookup_host((host, uri.port_u16().unwrap_or(80))).await?.collect();
            let stream = TcpStream::connect(&addrs[..]).await?;
            stream.set_nodelay(true)?;
            Ok(TcpConnection(stream))
        })
    }
}

impl Connection for TcpConnection {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl hyper::rt::Read for TcpConnection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for TcpConnection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        hyper::rt::Write::is_write_vectored(&self.0)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
