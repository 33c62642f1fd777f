//! [`Pipeline`]: many commands in one write, their replies in order.

use crate::client::Client;
use crate::cmd::Cmd;
use crate::error::Error;
use crate::resp::Value;

/// Commands to send together, made by [`Client::pipeline`]: one write, one round trip, the
/// replies in the order of the commands. Redis runs them one after another, but other clients'
/// commands may run in between (this is not `MULTI`).
///
/// # Examples
///
/// ```
/// use tinykv::{Client, Config, Value};
///
/// let addr = std::env::var("TINYKV_REDIS_ADDR").unwrap_or("127.0.0.1:6379".into());
/// let client = Client::new(Config::new(addr));
/// let prefix = format!("doc:many:{}", std::process::id());
/// let mut pipeline = client.pipeline();
/// for i in 0..100 {
///     pipeline.set(&format!("{prefix}:{i}"), i.to_string());
/// }
/// pipeline.get(&format!("{prefix}:7"));
/// let replies = pipeline.query_blocking()?;
/// assert_eq!(replies.len(), 101);
/// assert_eq!(replies[100], Value::Bulk(Some(b"7".to_vec())));
/// # Ok::<(), tinykv::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Pipeline {
    client: Client,
    cmds: Vec<Cmd>,
}

impl Pipeline {
    pub(crate) fn new(client: Client) -> Pipeline {
        Pipeline { client, cmds: Vec::new() }
    }

    /// Adds any command.
    ///
    /// # Examples
    ///
    /// ```
    /// use tinykv::{Client, Cmd, Config};
    ///
    /// let client = Client::new(Config::new("127.0.0.1:6379"));
    /// let mut pipeline = client.pipeline();
    /// pipeline.cmd(Cmd::new("PING")).cmd(Cmd::new("ECHO").arg("hi"));
    /// assert_eq!(pipeline.len(), 2);
    /// ```
    pub fn cmd(&mut self, cmd: Cmd) -> &mut Pipeline {
        self.cmds.push(cmd);
        self
    }

    /// Adds `GET key`.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = tinykv::Client::new(tinykv::Config::new("127.0.0.1:6379"));
    /// assert_eq!(client.pipeline().get("a").get("b").len(), 2);
    /// ```
    pub fn get(&mut self, key: &str) -> &mut Pipeline {
        self.cmd(Cmd::new("GET").arg(key))
    }

    /// Adds `SET key value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = tinykv::Client::new(tinykv::Config::new("127.0.0.1:6379"));
    /// assert_eq!(client.pipeline().set("a", "1").len(), 1);
    /// ```
    pub fn set(&mut self, key: &str, value: impl AsRef<[u8]>) -> &mut Pipeline {
        self.cmd(Cmd::new("SET").arg(key).arg(value))
    }

    /// Adds `INCR key`.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = tinykv::Client::new(tinykv::Config::new("127.0.0.1:6379"));
    /// assert_eq!(client.pipeline().incr("n").len(), 1);
    /// ```
    pub fn incr(&mut self, key: &str) -> &mut Pipeline {
        self.cmd(Cmd::new("INCR").arg(key))
    }

    /// Adds `DEL key`.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = tinykv::Client::new(tinykv::Config::new("127.0.0.1:6379"));
    /// assert_eq!(client.pipeline().del("n").len(), 1);
    /// ```
    pub fn del(&mut self, key: &str) -> &mut Pipeline {
        self.cmd(Cmd::new("DEL").arg(key))
    }

    /// How many commands the pipeline holds.
    pub fn len(&self) -> usize {
        self.cmds.len()
    }

    /// Whether the pipeline holds no command.
    pub fn is_empty(&self) -> bool {
        self.cmds.is_empty()
    }
}

#[loopbridge::blocking]
impl Pipeline {
    /// Sends the commands and returns their replies, in order; the pipeline is kept, so it
    /// can be sent again. An error reply to one command is a [`Value::Error`] in its place.
    ///
    /// # Errors
    ///
    /// The errors of [`Connection::pipeline`](crate::Connection::pipeline): the server closing
    /// the connection before the last reply ([`Error::Closed`]), the command timeout for the
    /// whole pipeline ([`Error::Timeout`]), a malformed reply ([`Error::Protocol`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use tinykv::{Client, Config, Value};
    ///
    /// let addr = std::env::var("TINYKV_REDIS_ADDR").unwrap_or("127.0.0.1:6379".into());
    /// let client = Client::new(Config::new(addr));
    /// let replies = loopbridge::block_on(client.pipeline().get("doc:no such key").query())?;
    /// assert_eq!(replies, [Value::Bulk(None)]);
    /// # Ok::<(), tinykv::Error>(())
    /// ```
    pub async fn query(&self) -> Result<Vec<Value>, Error> {
        self.client.run(&self.cmds).await
    }
}
