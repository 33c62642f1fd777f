//! [`Connection`]: one TCP connection to the server, its commands each under a timeout.
//!
//! A connection is *broken* from the moment a command is sent until its last reply is read:
//! an error, a timeout or a cancelled call leaves it so, and a broken connection refuses
//! further commands (the pool drops it), because whatever is still on the wire would be read
//! as the reply to the next command.

use std::time::Duration;

use futures_lite::{AsyncReadExt, AsyncWriteExt};
use loopbridge::net::TcpStream;

use crate::cmd::Cmd;
use crate::config::Config;
use crate::error::Error;
use crate::resp::{Replies, Value};

/// One connection to a Redis server. [`Client`](crate::Client) keeps a pool of them; use a
/// `Connection` directly for commands that hold state on it (`CLIENT ID`, `MULTI`, `WATCH`).
///
/// # Examples
///
/// ```
/// use tinykv::{Cmd, Config, Connection, Value};
///
/// // The server of `cargo xtask test`, else a local one.
/// let addr = std::env::var("TINYKV_REDIS_ADDR").unwrap_or("127.0.0.1:6379".into());
/// let mut conn = Connection::connect_blocking(&Config::new(addr))?;
/// let pong = conn.query_blocking(&Cmd::new("PING"))?;
/// assert_eq!(pong, Value::Simple("PONG".into()));
/// # Ok::<(), tinykv::Error>(())
/// ```
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    replies: Replies,
    addr: String,
    command_timeout: Duration,
    broken: bool,
    /// Reused for every command sent, so that a pipeline is one write.
    out: Vec<u8>,
}

#[loopbridge::blocking]
impl Connection {
    /// Connects to the server of `config`, within its connect timeout.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the address does not parse or resolve, or the server refuses;
    /// [`Error::Timeout`] (`op` is `connect`) if the connect timeout expires first.
    ///
    /// # Examples
    ///
    /// ```
    /// use tinykv::{Config, Connection, Error};
    ///
    /// // Port 1 on this machine: nothing listens there.
    /// let err = Connection::connect_blocking(&Config::new("127.0.0.1:1")).unwrap_err();
    /// assert!(matches!(err, Error::Io { .. }), "{err}");
    /// ```
    pub async fn connect(config: &Config) -> Result<Connection, Error> {
        let addr = config.addr().to_owned();
        let after = config.get_connect_timeout();
        let stream = loopbridge::timeout(after, TcpStream::connect(addr.as_str()))
            .await
            .map_err(|_| Error::Timeout { op: "connect".to_owned(), after })?
            .map_err(|err| Error::io("connecting to Redis", err))?;
        // Commands are small and each waits for its reply: do not let Nagle hold them back.
        stream.set_nodelay(true).map_err(|err| Error::io(format!("configuring {addr}"), err))?;
        Ok(Connection {
            stream,
            replies: Replies::default(),
            addr,
            command_timeout: config.get_command_timeout(),
            broken: false,
            out: Vec::new(),
        })
    }

    /// Sends one command and reads its reply.
    ///
    /// # Errors
    ///
    /// [`Error::Server`] if the reply is an error reply (the connection stays usable); any
    /// other error breaks the connection (see [`Error::breaks_connection`]).
    ///
    /// # Cancel safety
    ///
    /// Dropped before it completes, it leaves the connection broken.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use tinykv::{Cmd, Config, Connection, Value};
    ///
    /// let mut conn = Connection::connect_blocking(&Config::new("127.0.0.1:6379"))?;
    /// let id = conn.query_blocking(&Cmd::new("CLIENT").arg("ID"))?.into_integer()?;
    /// println!("this connection is client {id}");
    /// # Ok::<(), tinykv::Error>(())
    /// ```
    pub async fn query(&mut self, cmd: &Cmd) -> Result<Value, Error> {
        let mut replies = self.pipeline(std::slice::from_ref(cmd)).await?;
        match replies.pop() {
            Some(Value::Error(message)) => Err(Error::Server(message)),
            Some(value) => Ok(value),
            None => Err(Error::Closed { replies: 0, expected: 1 }),
        }
    }

    /// Sends `cmds` in one write and reads their replies, in order. An error reply to one
    /// command is a [`Value::Error`] in its place: the others still ran.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] if the server closes the connection before the last reply,
    /// [`Error::Timeout`] if the last reply does not arrive within the command timeout, and
    /// the other errors that break the connection.
    ///
    /// # Cancel safety
    ///
    /// Dropped before it completes, it leaves the connection broken.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use tinykv::{Cmd, Config, Connection, Value};
    ///
    /// let mut conn = Connection::connect_blocking(&Config::new("127.0.0.1:6379"))?;
    /// let replies = conn.pipeline_blocking(&[Cmd::new("SET").arg("k").arg("v"), Cmd::new("GET").arg("k")])?;
    /// assert_eq!(replies[1], Value::Bulk(Some(b"v".to_vec())));
    /// # Ok::<(), tinykv::Error>(())
    /// ```
    pub async fn pipeline(&mut self, cmds: &[Cmd]) -> Result<Vec<Value>, Error> {
        if self.broken {
            return Err(Error::io(
                format!("sending to {}", self.addr),
                std::io::Error::new(
                    std::io::ErrorKind::NotConnected,
                    "an earlier command on this connection failed; open a new one",
                ),
            ));
        }
        let Some(first) = cmds.first() else {
            return Ok(Vec::new());
        };
        let op =
            if cmds.len() == 1 { first.name() } else { format!("a pipeline of {}", cmds.len()) };
        let after = self.command_timeout;
        // Broken until every reply is in: an error, the timeout or a drop leaves it so.
        self.broken = true;
        let replies = loopbridge::timeout(after, self.exchange(cmds))
            .await
            .map_err(|_| Error::Timeout { op, after })??;
        self.broken = false;
        Ok(replies)
    }
}

impl Connection {
    /// Whether an earlier command failed in a way that leaves the connection unusable.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let conn = tinykv::Connection::connect_blocking(&tinykv::Config::new("127.0.0.1:6379"))?;
    /// assert!(!conn.is_broken());
    /// # Ok::<(), tinykv::Error>(())
    /// ```
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// Checks, without waiting, that an idle connection is still open: a server that closed
    /// it (restarted, `CLIENT KILL`, its idle timeout) has sent an end of file, and anything
    /// else unasked-for means the stream is out of step. Either marks it broken.
    pub(crate) async fn check_idle(&mut self) -> bool {
        let mut byte = [0_u8];
        // One poll: a read that is not ready yet (the healthy case) is dropped, losing nothing.
        if futures_lite::future::poll_once(self.stream.read(&mut byte)).await.is_some() {
            self.broken = true;
        }
        !self.broken
    }

    /// Writes the commands and reads as many replies.
    async fn exchange(&mut self, cmds: &[Cmd]) -> Result<Vec<Value>, Error> {
        self.out.clear();
        for cmd in cmds {
            cmd.encode(&mut self.out);
        }
        let sent = self.stream.write_all(&self.out).await;
        sent.map_err(|err| Error::io(format!("sending to {}", self.addr), err))?;
        let mut replies = Vec::with_capacity(cmds.len());
        while replies.len() < cmds.len() {
            let reply = self.replies.next(&mut self.stream, replies.len(), cmds.len()).await;
            replies.push(reply.map_err(|err| match err {
                Error::Io { source, .. } => {
                    Error::io(format!("reading from {}", self.addr), source)
                }
                other => other,
            })?);
        }
        if self.out.capacity() > 64 * 1024 {
            self.out = Vec::new(); // do not keep a big pipeline's buffer around
        }
        Ok(replies)
    }
}
