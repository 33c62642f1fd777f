//! tinykv: a small Redis (RESP2) client, and loopbridge's example of a library written once.
//!
//! Its API is async and uses only loopbridge for sockets and time (`loopbridge::net`,
//! `loopbridge::timeout`), so it runs on whichever runtime the application uses — tokio, smol
//! or async-std — chosen by the application through this crate's features, which it forwards
//! to loopbridge. `#[loopbridge::blocking]` gives every async method a blocking twin,
//! `NAME_blocking`, for sync callers; the tests (`tests/api.rs`) are written once with
//! `#[loopbridge::test]` and run on every runtime flavour compiled in, against a real
//! `redis-server` (`cargo xtask test` starts one).
//!
//! - [`Client`]: `get`, `set`, `incr`, `del`, any [`Cmd`], and [`Pipeline`]s, over a pool of
//!   connections that replaces any connection a failure left in doubt.
//! - [`Connection`]: one connection, every command under the [`Config`]'s timeout.
//! - [`Error`]: typed, each saying what happened and what to do.
//!
//! ```
//! use tinykv::{Client, Config, Error};
//!
//! // The server of `cargo xtask test`, else a local one.
//! let addr = std::env::var("TINYKV_REDIS_ADDR").unwrap_or("127.0.0.1:6379".into());
//! let client = Client::new(Config::new(addr).pool_size(4));
//! let key = format!("doc:crate:{}", std::process::id());
//!
//! // Sync code: the blocking twins.
//! client.set_blocking(&key, "41")?;
//! assert_eq!(client.incr_blocking(&key)?, 42);
//!
//! // Async code, on any runtime: the same API, awaited.
//! let value = loopbridge::block_on(async {
//!     client.set(&key, "db-1").await?;
//!     client.get(&key).await
//! })?;
//! assert_eq!(value.as_deref(), Some("db-1"));
//!
//! // Errors are typed: INCR on text is refused by the server.
//! assert!(matches!(client.incr_blocking(&key), Err(Error::Server(_))));
//! assert_eq!(client.del_blocking(&key)?, 1);
//! # Ok::<(), tinykv::Error>(())
//! ```
//!
//! Not here, deliberately: authentication, database selection, TLS, RESP3, pub/sub and
//! cluster — a real client's concerns, not this example's.

mod client;
mod cmd;
mod config;
mod connection;
mod error;
mod pipeline;
mod pool;
mod resp;

pub use client::Client;
pub use cmd::Cmd;
pub use config::Config;
pub use connection::Connection;
pub use error::Error;
pub use pipeline::Pipeline;
pub use resp::Value;
