//! HTTP on any backend: hyper's runtime traits on loopbridge (feature `hyper`).
//!
//! hyper 1.x is runtime-neutral through `hyper::rt`; this module implements it once for every
//! backend:
//!
//! - [`Executor`] spawns hyper's background tasks (HTTP/2 streams, a client connection's
//!   task) like [`spawn`](crate::spawn), or on one loop with [`Executor::on`];
//! - [`Timer`] drives hyper's timeouts (`header_read_timeout`, keep-alive) with loopbridge's
//!   timers;
//! - [`net::TcpStream`](crate::net::TcpStream), its
//!   [halves](crate::net::TcpStream::into_split) and [`net::UnixStream`](crate::net::UnixStream)
//!   implement `hyper::rt::Read` and `hyper::rt::Write` themselves: no wrapper.
//!
//! hyper's HTTP/1 and HTTP/2 clients and servers, and hyper-util's pooled `Client` (given a
//! connector over `net::TcpStream`, as in `examples/http_any_runtime.rs`), then run on tokio,
//! smol or async-std alike — with smol or async-std alone, no tokio runtime is built (hyper
//! itself depends on tokio's `sync` primitives only).
//!
//! # Examples
//!
//! An HTTP/1 server and a client on one connection, on whichever backend runs them:
//!
//! ```
//! use http_body_util::{BodyExt, Full};
//! use hyper::body::{Bytes, Incoming};
//! use hyper::{Request, Response, server, client, service::service_fn};
//! use loopbridge::net::{TcpListener, TcpStream};
//!
//! async fn hello(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
//!     Ok(Response::new(Full::new(Bytes::from(format!("hello, {}", request.uri().path())))))
//! }
//!
//! loopbridge::block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     let server = loopbridge::spawn(async move {
//!         let (stream, _) = listener.accept().await?;
//!         server::conn::http1::Builder::new()
//!             .timer(loopbridge::hyper::Timer)
//!             .serve_connection(stream, service_fn(hello))
//!             .await
//!             .map_err(std::io::Error::other)
//!     });
//!
//!     let stream = TcpStream::connect(addr).await?;
//!     let (mut sender, connection) = client::conn::http1::handshake(stream).await?;
//!     drop(loopbridge::spawn(connection)); // detached: it ends with the connection
//!     let request = Request::get("/world").body(Full::new(Bytes::new()))?;
//!     let response = sender.send_request(request).await?;
//!     let body = response.into_body().collect().await?.to_bytes();
//!     assert_eq!(body, "hello, /world");
//!     drop(sender); // the connection closes; the server's `serve_connection` returns
//!     server.await??;
//!     Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
//! })?;
//! # Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
//! ```

mod executor;
pub(crate) mod io;
mod timer;

pub use executor::Executor;
pub use timer::Timer;
