//! [`Client`]: the commands, typed, over a pool of connections.

use std::sync::Arc;

use crate::cmd::Cmd;
use crate::config::Config;
use crate::error::Error;
use crate::pipeline::Pipeline;
use crate::pool::Pool;
use crate::resp::Value;

/// A Redis client: cheap to clone, every clone sharing one pool of connections (see
/// [`Config::pool_size`]), usable from many tasks and threads at once. Connections are made
/// when first needed, and one that failed is replaced by the next command.
///
/// Every async method has a blocking twin, `NAME_blocking`, for sync code.
///
/// # Examples
///
/// ```
/// use tinykv::{Client, Config};
///
/// let addr = std::env::var("TINYKV_REDIS_ADDR").unwrap_or("127.0.0.1:6379".into());
/// let client = Client::new(Config::new(addr).pool_size(2));
/// let key = format!("doc:client:{}", std::process::id());
/// client.set_blocking(&key, "41")?;
/// assert_eq!(client.incr_blocking(&key)?, 42);
/// assert_eq!(client.del_blocking(&key)?, 1);
/// # Ok::<(), tinykv::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pool: Arc<Pool>,
}

impl Client {
    /// A client of the server in `config`. Nothing connects yet: the first command does.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = tinykv::Client::new(tinykv::Config::new("127.0.0.1:6379"));
    /// assert_eq!(client.config().addr(), "127.0.0.1:6379");
    /// ```
    pub fn new(config: Config) -> Client {
        Client { pool: Arc::new(Pool::new(config)) }
    }

    /// The configuration the client was made with.
    pub fn config(&self) -> &Config {
        self.pool.config()
    }

    /// How many connections wait idle in the pool now.
    pub fn idle_connections(&self) -> usize {
        self.pool.idle_count()
    }

    /// A pipeline: commands sent in one write, their replies read in order, on one connection
    /// of this client's pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use tinykv::{Client, Config, Value};
    ///
    /// let addr = std::env::var("TINYKV_REDIS_ADDR").unwrap_or("127.0.0.1:6379".into());
    /// let client = Client::new(Config::new(addr));
    /// let key = format!("doc:pipeline:{}", std::process::id());
    /// let replies = client.pipeline().set(&key, "1").incr(&key).del(&key).query_blocking()?;
    /// assert_eq!(replies, [Value::Simple("OK".into()), Value::Integer(2), Value::Integer(1)]);
    /// # Ok::<(), tinykv::Error>(())
    /// ```
    pub fn pipeline(&self) -> Pipeline {
        Pipeline::new(self.clone())
    }

    /// Runs `cmds` as one pipeline on a pooled connection.
    pub(crate) async fn run(&self, cmds: &[Cmd]) -> Result<Vec<Value>, Error> {
        // Dropped at the end of this call: back to the pool unless the command broke it.
        let mut conn = self.pool.get().await?;
        conn.pipeline(cmds).await
    }
}

#[loopbridge::blocking]
impl Client {
    /// Sends any command and returns its reply.
    ///
    /// # Errors
    ///
    /// [`Error::Server`] for an error reply; the connection errors of
    /// [`Connection::query`](crate::Connection::query).
    ///
    /// # Examples
    ///
    /// ```
    /// use tinykv::{Client, Cmd, Config, Value};
    ///
    /// let addr = std::env::var("TINYKV_REDIS_ADDR").unwrap_or("127.0.0.1:6379".into());
    /// let client = Client::new(Config::new(addr));
    /// let echo = client.query_blocking(&Cmd::new("ECHO").arg("hi"))?;
    /// assert_eq!(echo, Value::Bulk(Some(b"hi".to_vec())));
    /// # Ok::<(), tinykv::Error>(())
    /// ```
    pub async fn query(&self, cmd: &Cmd) -> Result<Value, Error> {
        let mut conn = self.pool.get().await?;
        conn.query(cmd).await
    }

    /// `PING`: checks that the server answers.
    ///
    /// # Errors
    ///
    /// The errors of [`query`](Client::query), and [`Error::Type`] if the reply is not `PONG`.
    ///
    /// # Examples
    ///
    /// ```
    /// let addr = std::env::var("TINYKV_REDIS_ADDR").unwrap_or("127.0.0.1:6379".into());
    /// tinykv::Client::new(tinykv::Config::new(addr)).ping_blocking()?;
    /// # Ok::<(), tinykv::Error>(())
    /// ```
    pub async fn ping(&self) -> Result<(), Error> {
        match self.query(&Cmd::new("PING")).await? {
            Value::Simple(pong) if pong == "PONG" => Ok(()),
            other => Err(other.unexpected("PONG")),
        }
    }

    /// `GET key`: the value as text, `None` if there is no such key.
    ///
    /// # Errors
    ///
    /// [`Error::Server`] if the key holds another type (`WRONGTYPE`), [`Error::Type`] if the
    /// value is not UTF-8, and the errors of [`query`](Client::query).
    ///
    /// # Examples
    ///
    /// ```
    /// let addr = std::env::var("TINYKV_REDIS_ADDR").unwrap_or("127.0.0.1:6379".into());
    /// let client = tinykv::Client::new(tinykv::Config::new(addr));
    /// assert_eq!(client.get_blocking("doc:no such key")?, None);
    /// # Ok::<(), tinykv::Error>(())
    /// ```
    pub async fn get(&self, key: &str) -> Result<Option<String>, Error> {
        self.query(&Cmd::new("GET").arg(key)).await?.into_string()
    }

    /// `SET key value`: stores `value` (bytes or text) under `key`, replacing what was there.
    ///
    /// # Errors
    ///
    /// The errors of [`query`](Client::query).
    ///
    /// # Examples
    ///
    /// ```
    /// let addr = std::env::var("TINYKV_REDIS_ADDR").unwrap_or("127.0.0.1:6379".into());
    /// let client = tinykv::Client::new(tinykv::Config::new(addr));
    /// let key = format!("doc:set:{}", std::process::id());
    /// client.set_blocking(&key, "v")?;
    /// assert_eq!(client.get_blocking(&key)?.as_deref(), Some("v"));
    /// # client.del_blocking(&key)?;
    /// # Ok::<(), tinykv::Error>(())
    /// ```
    pub async fn set(&self, key: &str, value: impl AsRef<[u8]>) -> Result<(), Error> {
        match self.query(&Cmd::new("SET").arg(key).arg(value)).await? {
            Value::Simple(ok) if ok == "OK" => Ok(()),
            other => Err(other.unexpected("OK")),
        }
    }

    /// `INCR key`: adds one to the integer under `key` (0 if missing) and returns the result.
    ///
    /// # Errors
    ///
    /// [`Error::Server`] if the value is not an integer, and the errors of
    /// [`query`](Client::query).
    ///
    /// # Examples
    ///
    /// ```
    /// let addr = std::env::var("TINYKV_REDIS_ADDR").unwrap_or("127.0.0.1:6379".into());
    /// let client = tinykv::Client::new(tinykv::Config::new(addr));
    /// let key = format!("doc:incr:{}", std::process::id());
    /// assert_eq!(client.incr_blocking(&key)?, 1);
    /// # client.del_blocking(&key)?;
    /// # Ok::<(), tinykv::Error>(())
    /// ```
    pub async fn incr(&self, key: &str) -> Result<i64, Error> {
        self.query(&Cmd::new("INCR").arg(key)).await?.into_integer()
    }

    /// `DEL key`: removes `key` and returns how many keys were removed (0 or 1).
    ///
    /// # Errors
    ///
    /// The errors of [`query`](Client::query).
    ///
    /// # Examples
    ///
    /// ```
    /// let addr = std::env::var("TINYKV_REDIS_ADDR").unwrap_or("127.0.0.1:6379".into());
    /// let client = tinykv::Client::new(tinykv::Config::new(addr));
    /// assert_eq!(client.del_blocking("doc:no such key")?, 0);
    /// # Ok::<(), tinykv::Error>(())
    /// ```
    pub async fn del(&self, key: &str) -> Result<u64, Error> {
        let count = self.query(&Cmd::new("DEL").arg(key)).await?.into_integer()?;
        u64::try_from(count)
            .map_err(|_| Error::Type { expected: "a count", got: count.to_string() })
    }
}
