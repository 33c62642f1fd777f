//! [`Config`]: where the server is, how many connections to keep, and how long to wait.

use std::time::Duration;

/// How a [`Client`](crate::Client) or a [`Connection`](crate::Connection) reaches its server.
///
/// The defaults: a pool of 8 connections, 5 seconds to connect, 5 seconds for each command's
/// reply (a pipeline counts as one command).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use tinykv::Config;
///
/// let config = Config::new("127.0.0.1:6379")
///     .pool_size(4)
///     .connect_timeout(Duration::from_secs(1))
///     .command_timeout(Duration::from_millis(500));
/// assert_eq!(config.addr(), "127.0.0.1:6379");
/// assert_eq!(config.get_pool_size(), 4);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    addr: String,
    pool_size: usize,
    connect_timeout: Duration,
    command_timeout: Duration,
}

impl Config {
    /// The server at `addr` (`host:port`), with the default pool size and timeouts. The address
    /// is checked when the first connection is made.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = tinykv::Config::new("localhost:6379");
    /// assert_eq!(config.get_pool_size(), 8);
    /// ```
    pub fn new(addr: impl Into<String>) -> Config {
        Config {
            addr: addr.into(),
            pool_size: 8,
            connect_timeout: Duration::from_secs(5),
            command_timeout: Duration::from_secs(5),
        }
    }

    /// At most `size` connections open at once (at least 1); more concurrent commands wait
    /// for one to be free.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tinykv::Config::new("localhost:6379").pool_size(0).get_pool_size(), 1);
    /// ```
    #[must_use]
    pub fn pool_size(self, size: usize) -> Config {
        Config { pool_size: size.max(1), ..self }
    }

    /// How long connecting may take (name resolution included).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let config = tinykv::Config::new("localhost:6379").connect_timeout(Duration::from_secs(1));
    /// assert_eq!(config.get_connect_timeout(), Duration::from_secs(1));
    /// ```
    #[must_use]
    pub fn connect_timeout(self, timeout: Duration) -> Config {
        Config { connect_timeout: timeout, ..self }
    }

    /// How long a command, or a whole pipeline, may take from sending it to its last reply.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let config = tinykv::Config::new("localhost:6379").command_timeout(Duration::from_secs(1));
    /// assert_eq!(config.get_command_timeout(), Duration::from_secs(1));
    /// ```
    #[must_use]
    pub fn command_timeout(self, timeout: Duration) -> Config {
        Config { command_timeout: timeout, ..self }
    }

    /// The server's address, as given.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The most connections open at once.
    pub fn get_pool_size(&self) -> usize {
        self.pool_size
    }

    /// How long connecting may take.
    pub fn get_connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// How long a command may take.
    pub fn get_command_timeout(&self) -> Duration {
        self.command_timeout
    }
}
