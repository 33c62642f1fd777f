//! TCP: the two halves of a split [`TcpStream`](crate::net::TcpStream), [`OwnedReadHalf`] and
//! [`OwnedWriteHalf`]. The stream and [`TcpListener`](crate::net::TcpListener) themselves are
//! in [`net`](crate::net), as in tokio.

pub(super) mod listener;
mod split;
pub(super) mod stream;

pub use split::{OwnedReadHalf, OwnedWriteHalf};
