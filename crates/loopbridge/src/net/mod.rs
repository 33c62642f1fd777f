//! Sockets on every backend: TCP, UDP, Unix domain sockets and name resolution, each on the
//! reactor of the runtime that runs the caller (feature `net`, on by default).
//!
//! A socket registers, when it is made, with the reactor of the backend that runs the caller
//! — the ambient runtime, else the global runner; inside a [`Runner`](crate::Runner)'s tasks
//! and `block_on` calls, that runner's: tokio's I/O driver under tokio, async-io's reactor
//! under smol and async-std. There is never a second reactor thread (under tokio, no
//! async-io thread starts). The same code therefore runs at native speed on every backend.
//!
//! - Streams implement `AsyncRead` and `AsyncWrite` of both families: `futures_io`'s always,
//!   tokio's with the `tokio` feature. Closing the write side sends FIN and leaves reading
//!   open; dropping a split write half does too.
//! - Every `from_std` puts the socket in non-blocking mode itself.
//! - A socket may be moved to any thread and used from any task of any runtime while the
//!   runtime that made it runs; an accepted stream belongs to its listener's runtime. Once
//!   that runtime has shut down, every I/O operation on the socket returns an error at once —
//!   including one already waiting.
//! - `accept`, reads and receives are cancel-safe: dropped before they complete, they lose
//!   nothing.
//! - An IP literal is parsed in place; a host name is resolved on a
//!   [`to_thread`](crate::to_thread) job. Malformed input is an `InvalidInput` error that
//!   quotes it. For deadlines, [`loopbridge::timeout`](crate::timeout).
//!
//! # Errors
//!
//! Every operation returns an [`io::Error`](std::io::Error): the operating system's, with
//! the address or path added to the message where one was given (`ConnectionRefused`,
//! `AddrInUse`, `NotFound`…); `InvalidInput` naming malformed input; and, once the runtime
//! that made the socket has shut down, an error saying so. The methods' docs add only what is
//! particular to them.
//!
//! ```
//! use futures_util::{AsyncBufReadExt, AsyncWriteExt, io::BufReader};
//! use loopbridge::net::{TcpListener, TcpStream};
//!
//! // A line echo server and a client: the same code on tokio, smol and async-std.
//! loopbridge::block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     loopbridge::spawn(async move {
//!         while let Ok((stream, _)) = listener.accept().await {
//!             loopbridge::spawn(async move {
//!                 let (read, mut write) = stream.into_split();
//!                 let mut lines = BufReader::new(read).lines();
//!                 while let Some(Ok(line)) = futures_util::StreamExt::next(&mut lines).await {
//!                     if write.write_all(format!("{line}\n").as_bytes()).await.is_err() {
//!                         break;
//!                     }
//!                 }
//!             });
//!         }
//!     });
//!     let stream = TcpStream::connect(addr).await?;
//!     let (read, mut write) = stream.into_split();
//!     write.write_all(b"hello\n").await?;
//!     let mut line = String::new();
//!     BufReader::new(read).read_line(&mut line).await?;
//!     assert_eq!(line, "hello\n");
//!     Ok::<_, std::io::Error>(())
//! })?;
//! # Ok::<_, std::io::Error>(())
//! ```

// The module docs' `# Errors` covers every method here (each returns `io::Result`).
#![allow(clippy::missing_errors_doc)]

mod addr;
mod io;
pub mod tcp;
mod udp;
#[cfg(unix)]
mod unix;

pub use addr::{ToSocketAddrs, lookup_host};
pub use tcp::listener::TcpListener;
pub use tcp::stream::TcpStream;
pub use udp::UdpSocket;
#[cfg(unix)]
pub use unix::{UnixListener, UnixStream};
