//! [`Error`]: everything a command can fail with, each variant saying what happened and what
//! to do about it.

use std::fmt;
use std::io;
use std::time::Duration;

/// What can go wrong talking to a Redis server.
///
/// Whether the connection survives depends on the variant: after [`Server`](Error::Server) and
/// [`Type`](Error::Type) the reply was read whole and the connection goes back to the pool;
/// after any other error the connection is in an unknown state and is discarded, so the next
/// command gets a fresh one.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use tinykv::Error;
///
/// let err = Error::Timeout { op: "GET".into(), after: Duration::from_millis(100) };
/// assert_eq!(
///     err.to_string(),
///     "GET got no reply within 100ms; the server is overloaded or unreachable \
///      (raise Config::command_timeout if it is just slow)"
/// );
/// assert!(err.breaks_connection());
/// assert!(!Error::Server("ERR wrong number of arguments".into()).breaks_connection());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Connecting, reading or writing failed; `context` says which and where (an address that
    /// does not parse is an `InvalidInput` error here too).
    Io {
        /// What was being done: `connecting to Redis`, `reading from 127.0.0.1:6379`…
        context: String,
        /// The operating system's error.
        source: io::Error,
    },
    /// The server did not answer in time: `op` is `connect` or the command's name.
    Timeout {
        /// What timed out.
        op: String,
        /// The timeout that expired.
        after: Duration,
    },
    /// The server closed the connection before sending every reply (in the middle of a
    /// pipeline, say): it was restarted, killed the client, or hit a limit.
    Closed {
        /// How many replies had arrived when it closed.
        replies: usize,
        /// How many were expected.
        expected: usize,
    },
    /// The server sent bytes that are not a RESP2 reply, or a reply over this crate's limits.
    /// The message quotes the start of the bad bytes.
    Protocol(String),
    /// The server answered with an error reply (`-ERR …`, `-WRONGTYPE …`): the command was
    /// wrong, not the connection.
    Server(String),
    /// The reply was well-formed but not of the kind the method returns (an array where a
    /// string was expected, say).
    Type {
        /// What the method expected.
        expected: &'static str,
        /// What came, shortly.
        got: String,
    },
}

impl Error {
    /// Whether the connection that returned this error can no longer be trusted: every variant
    /// except [`Server`](Error::Server) and [`Type`](Error::Type). The pool discards such a
    /// connection instead of reusing it.
    ///
    /// # Examples
    ///
    /// ```
    /// use tinykv::Error;
    ///
    /// assert!(Error::Closed { replies: 1, expected: 3 }.breaks_connection());
    /// assert!(!Error::Type { expected: "an integer", got: "nil".into() }.breaks_connection());
    /// ```
    pub fn breaks_connection(&self) -> bool {
        !matches!(self, Error::Server(_) | Error::Type { .. })
    }

    /// An I/O error with what was being done.
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Error {
        Error::Io { context: context.into(), source }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { context, source } if source.kind() == io::ErrorKind::ConnectionRefused => {
                write!(f, "{context}: {source}; is a Redis server running there?")
            }
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Timeout { op, after } if op == "connect" => write!(
                f,
                "could not connect within {after:?}; is the address right and reachable? \
                 (raise Config::connect_timeout for a slow network)"
            ),
            Error::Timeout { op, after } => write!(
                f,
                "{op} got no reply within {after:?}; the server is overloaded or unreachable \
                 (raise Config::command_timeout if it is just slow)"
            ),
            Error::Closed { replies, expected } => write!(
                f,
                "the server closed the connection after {replies} of {expected} replies; \
                 it restarted or dropped this client (the next command reconnects)"
            ),
            Error::Protocol(what) => write!(
                f,
                "malformed reply from the server: {what}; is the address really a Redis server?"
            ),
            Error::Server(message) => write!(f, "the server refused the command: {message}"),
            Error::Type { expected, got } => {
                write!(
                    f,
                    "expected {expected} in the reply, got {got}; is the key of another type?"
                )
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// At most this many bytes of bad input are quoted in a message.
const QUOTE_LIMIT: usize = 32;

/// `bytes`, escaped and cut to [`QUOTE_LIMIT`], for an error message: `"?what\r\n"`.
pub(crate) fn quote(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(QUOTE_LIMIT)];
    let more = if bytes.len() > QUOTE_LIMIT { "…" } else { "" };
    format!("\"{}\"{more}", shown.escape_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_escaped_and_bounded() {
        assert_eq!(quote(b"?what\r\n"), r#""?what\r\n""#);
        let long = quote(&[b'x'; 100]);
        assert!(long.ends_with("\"…") && long.len() < 40, "{long}");
    }

    #[test]
    fn refused_connections_say_what_to_check() {
        let source = io::Error::from(io::ErrorKind::ConnectionRefused);
        let err = Error::io("connecting to 127.0.0.1:1", source);
        assert!(err.to_string().ends_with("is a Redis server running there?"), "{err}");
    }
}
