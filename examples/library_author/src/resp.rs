//! RESP2, Redis's wire protocol, inbound: replies ([`Value`]), read by [`Replies`], an
//! incremental parser over a buffer. Commands go out as [`Cmd`](crate::Cmd)s.
//!
//! The parser never trusts the server: a malformed reply, or one over the limits below, is an
//! [`Error::Protocol`] quoting the bad bytes, never a panic, and nothing is allocated ahead of
//! the bytes that back it.

use futures_lite::AsyncReadExt;
use futures_lite::io::AsyncRead;

use crate::error::{Error, quote};

/// The longest line: a simple string, an error or a length header.
const MAX_LINE: usize = 64 * 1024;
/// The largest bulk string (Redis's own default `proto-max-bulk-len`).
const MAX_BULK: usize = 512 * 1024 * 1024;
/// The most bytes one reply may take, arrays of bulk strings included.
const MAX_REPLY: usize = MAX_BULK + MAX_LINE;
/// How deep arrays may nest.
const MAX_DEPTH: usize = 32;
/// How many bytes each read asks for.
const READ_SIZE: usize = 16 * 1024;

/// A reply from the server.
///
/// # Examples
///
/// ```
/// use tinykv::Value;
///
/// let reply = Value::Bulk(Some(b"42".to_vec()));
/// assert_eq!(reply.clone().into_string()?, Some("42".to_owned()));
/// assert_eq!(reply.kind(), "a bulk string");
/// assert!(Value::Integer(1).into_string().is_err()); // not a string
/// # Ok::<(), tinykv::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `+OK`: a short status text.
    Simple(String),
    /// `-ERR …`: an error reply, the command failed (in a pipeline, the others still ran).
    Error(String),
    /// `:42`.
    Integer(i64),
    /// `$5 hello`, or `$-1`: nil (`None`), a key that does not exist.
    Bulk(Option<Vec<u8>>),
    /// `*2 …`, or `*-1`: a nil array.
    Array(Option<Vec<Value>>),
}

impl Value {
    /// What kind of reply this is, for messages: `a bulk string`, `nil`…
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tinykv::Value::Bulk(None).kind(), "nil");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Simple(_) => "a simple string",
            Value::Error(_) => "an error",
            Value::Integer(_) => "an integer",
            Value::Bulk(Some(_)) => "a bulk string",
            Value::Bulk(None) | Value::Array(None) => "nil",
            Value::Array(Some(_)) => "an array",
        }
    }

    /// The reply as text: `None` for nil, `Some` for a simple or bulk string.
    ///
    /// # Errors
    ///
    /// [`Error::Server`] for an error reply; [`Error::Type`] for another kind of reply or a
    /// bulk string that is not UTF-8.
    ///
    /// # Examples
    ///
    /// ```
    /// use tinykv::{Error, Value};
    ///
    /// assert_eq!(Value::Simple("OK".into()).into_string()?, Some("OK".to_owned()));
    /// assert_eq!(Value::Bulk(None).into_string()?, None);
    /// assert!(matches!(Value::Error("ERR no".into()).into_string(), Err(Error::Server(_))));
    /// # Ok::<(), tinykv::Error>(())
    /// ```
    pub fn into_string(self) -> Result<Option<String>, Error> {
        match self {
            Value::Simple(text) => Ok(Some(text)),
            Value::Bulk(None) => Ok(None),
            Value::Bulk(Some(bytes)) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|err| Error::Type { expected: "UTF-8 text", got: quote(err.as_bytes()) }),
            other => Err(other.unexpected("a string")),
        }
    }

    /// The reply as an integer.
    ///
    /// # Errors
    ///
    /// [`Error::Server`] for an error reply, [`Error::Type`] for another kind of reply.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tinykv::Value::Integer(7).into_integer()?, 7);
    /// # Ok::<(), tinykv::Error>(())
    /// ```
    pub fn into_integer(self) -> Result<i64, Error> {
        match self {
            Value::Integer(n) => Ok(n),
            other => Err(other.unexpected("an integer")),
        }
    }

    /// The error for a reply that is not what the caller `expected`.
    pub(crate) fn unexpected(self, expected: &'static str) -> Error {
        match self {
            Value::Error(message) => Error::Server(message),
            other => Error::Type { expected, got: other.kind().to_owned() },
        }
    }
}

/// The replies arriving on a connection: a buffer, filled from `R` as needed, and the parser.
#[derive(Debug, Default)]
pub(crate) struct Replies {
    buf: Vec<u8>,
    /// Where the next reply starts in `buf`.
    start: usize,
}

impl Replies {
    /// Reads the next reply from `reader`.
    ///
    /// # Errors
    ///
    /// [`Error::Protocol`] for a malformed or oversize reply, [`Error::Closed`] (with
    /// `replies`/`expected` as given) if the reader ends first, [`Error::Io`] if it fails.
    pub(crate) async fn next<R: AsyncRead + Unpin>(
        &mut self,
        reader: &mut R,
        replies: usize,
        expected: usize,
    ) -> Result<Value, Error> {
        loop {
            if let Some((value, used)) = parse(&self.buf[self.start..], 0)? {
                self.start += used;
                if self.start == self.buf.len() {
                    self.buf.clear();
                    self.start = 0;
                }
                return Ok(value);
            }
            let pending = self.buf.len() - self.start;
            if pending > MAX_REPLY {
                return Err(Error::Protocol(format!("a reply over {MAX_REPLY} bytes")));
            }
            // Keep the unparsed tail only, then read more after it: at least as much again as
            // is pending, so that a long reply is parsed again only a logarithmic number of times.
            self.buf.drain(..self.start);
            self.start = 0;
            let filled = self.buf.len();
            self.buf.resize(filled + READ_SIZE.max(filled), 0);
            let read = reader.read(&mut self.buf[filled..]).await;
            self.buf.truncate(filled + *read.as_ref().unwrap_or(&0));
            match read {
                Ok(0) => return Err(Error::Closed { replies, expected }),
                Ok(_) => {}
                Err(err) => return Err(Error::io("reading a reply", err)),
            }
        }
    }
}

/// Parses one reply at the start of `buf`: `Ok(None)` if `buf` holds only part of it, else the
/// reply and how many bytes it took. `depth` is how deep in arrays this reply is.
fn parse(buf: &[u8], depth: usize) -> Result<Option<(Value, usize)>, Error> {
    let Some(newline) = buf.iter().take(MAX_LINE + 2).position(|&b| b == b'\n') else {
        if buf.len() > MAX_LINE {
            return Err(Error::Protocol(format!("a line over {MAX_LINE} bytes: {}", quote(buf))));
        }
        return Ok(None);
    };
    if buf.starts_with(b"\r\n") {
        return Err(Error::Protocol("an empty line where a reply should start".to_owned()));
    }
    if newline == 0 || buf[newline - 1] != b'\r' {
        return Err(Error::Protocol(format!("a line not ending in \\r\\n: {}", quote(buf))));
    }
    let line = &buf[1..newline - 1];
    let mut used = newline + 1;
    let value = match buf[0] {
        b'+' => Value::Simple(text(line, buf)?),
        b'-' => Value::Error(text(line, buf)?),
        b':' => Value::Integer(integer(line, buf)?),
        b'$' => match length(line, buf, MAX_BULK)? {
            None => Value::Bulk(None),
            Some(len) => {
                let Some(end) = buf.get(used + len..used + len + 2) else {
                    return Ok(None);
                };
                if end != b"\r\n" {
                    return Err(Error::Protocol(format!(
                        "a bulk string longer than its length {len}: {}",
                        quote(buf)
                    )));
                }
                let bytes = buf[used..used + len].to_vec();
                used += len + 2;
                Value::Bulk(Some(bytes))
            }
        },
        b'*' => match length(line, buf, MAX_REPLY)? {
            None => Value::Array(None),
            Some(_) if depth == MAX_DEPTH => {
                return Err(Error::Protocol(format!("arrays nested over {MAX_DEPTH} deep")));
            }
            Some(len) => {
                // Grown as elements arrive: a huge announced length allocates nothing.
                let mut items = Vec::new();
                for _ in 0..len {
                    let Some((item, took)) = parse(&buf[used..], depth + 1)? else {
                        return Ok(None);
                    };
                    items.push(item);
                    used += took;
                }
                Value::Array(Some(items))
            }
        },
        _ => return Err(Error::Protocol(format!("an unknown reply type: {}", quote(buf)))),
    };
    Ok(Some((value, used)))
}

/// The text of a simple string or error line (`whole` is the reply, for the message).
fn text(line: &[u8], whole: &[u8]) -> Result<String, Error> {
    String::from_utf8(line.to_vec())
        .map_err(|_| Error::Protocol(format!("a status line that is not UTF-8: {}", quote(whole))))
}

/// A decimal integer, strictly: an optional `-` and digits, nothing else.
fn integer(line: &[u8], whole: &[u8]) -> Result<i64, Error> {
    let digits = line.strip_prefix(b"-").unwrap_or(line);
    let parsed = if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        None
    } else {
        std::str::from_utf8(line).ok().and_then(|text| text.parse().ok())
    };
    parsed.ok_or_else(|| Error::Protocol(format!("a malformed integer: {}", quote(whole))))
}

/// The length of a bulk string or array: `None` for -1 (nil), at most `max`.
fn length(line: &[u8], whole: &[u8], max: usize) -> Result<Option<usize>, Error> {
    let len = integer(line, whole)
        .map_err(|_| Error::Protocol(format!("a length that is not a number: {}", quote(whole))))?;
    match len {
        -1 => Ok(None),
        len => match usize::try_from(len) {
            Ok(len) if len <= max => Ok(Some(len)),
            _ => Err(Error::Protocol(format!("a length out of range: {}", quote(whole)))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(bytes: &[u8]) -> Value {
        Value::Bulk(Some(bytes.to_vec()))
    }

    #[test]
    fn valid_replies_parse_whole_and_in_pieces() {
        let cases: Vec<(&[u8], Value)> = vec![
            (b"+OK\r\n", Value::Simple("OK".into())),
            (b"+\r\n", Value::Simple(String::new())),
            (b"-ERR unknown command\r\n", Value::Error("ERR unknown command".into())),
            (b":0\r\n", Value::Integer(0)),
            (b":-42\r\n", Value::Integer(-42)),
            (b":9223372036854775807\r\n", Value::Integer(i64::MAX)),
            (b"$5\r\nhello\r\n", bulk(b"hello")),
            (b"$0\r\n\r\n", bulk(b"")),
            (b"$4\r\na\r\nb\r\n", bulk(b"a\r\nb")),
            (b"$-1\r\n", Value::Bulk(None)),
            (b"*0\r\n", Value::Array(Some(vec![]))),
            (b"*-1\r\n", Value::Array(None)),
            (
                b"*3\r\n:1\r\n$-1\r\n*1\r\n+x\r\n",
                Value::Array(Some(vec![
                    Value::Integer(1),
                    Value::Bulk(None),
                    Value::Array(Some(vec![Value::Simple("x".into())])),
                ])),
            ),
        ];
        for (wire, expected) in cases {
            let parsed = parse(wire, 0).unwrap_or_else(|err| panic!("{}: {err}", quote(wire)));
            assert_eq!(parsed, Some((expected, wire.len())), "{}", quote(wire));
            for cut in 0..wire.len() {
                let partial = parse(&wire[..cut], 0);
                assert!(matches!(partial, Ok(None)), "{} cut at {cut}", quote(wire));
            }
            let mut twice = wire.to_vec();
            twice.extend_from_slice(wire);
            assert_eq!(parse(&twice, 0).ok().flatten().map(|(_, used)| used), Some(wire.len()));
        }
    }

    #[test]
    fn malformed_replies_are_protocol_errors() {
        let nested = "*1\r\n".repeat(MAX_DEPTH + 1);
        let long_line = [b"+".as_slice(), &[b'x'; MAX_LINE + 10]].concat();
        let cases: Vec<(&[u8], &str)> = vec![
            (b"?what\r\n", "unknown reply type"),
            (b"\r\n", "empty line"),
            (b"+OK\n", "not ending in \\r\\n"),
            (b"\n", "not ending in \\r\\n"),
            (b":12x\r\n", "malformed integer"),
            (b":+5\r\n", "malformed integer"),
            (b":\r\n", "malformed integer"),
            (b":-\r\n", "malformed integer"),
            (b":99999999999999999999\r\n", "malformed integer"),
            (b"$abc\r\n", "not a number"),
            (b"$-2\r\n", "out of range"),
            (b"$536870913\r\n", "out of range"),
            (b"*-5\r\n", "out of range"),
            (b"$3\r\nhello\r\n", "longer than its length"),
            (b"*2\r\n:1\r\n?\r\n", "unknown reply type"),
            (b"+\xff\xfe\r\n", "not UTF-8"),
            (nested.as_bytes(), "nested"),
            (&long_line, "a line over"),
        ];
        for (wire, reason) in cases {
            match parse(wire, 0) {
                Err(Error::Protocol(message)) => {
                    assert!(message.contains(reason), "{}: {message}", quote(wire));
                    assert!(message.len() < 120, "the message quotes too much: {message}");
                }
                other => panic!("{}: expected a protocol error, got {other:?}", quote(wire)),
            }
        }
    }

    #[test]
    fn replies_are_read_across_reads_and_eof_is_closed() {
        let wire: &[u8] = b"+OK\r\n$5\r\nhello\r\n:1";
        let mut reader = futures_lite::io::Cursor::new(wire);
        let mut replies = Replies::default();
        futures_lite::future::block_on(async {
            assert_eq!(
                replies.next(&mut reader, 0, 3).await.ok(),
                Some(Value::Simple("OK".into()))
            );
            assert_eq!(replies.next(&mut reader, 1, 3).await.ok(), Some(bulk(b"hello")));
            let last = replies.next(&mut reader, 2, 3).await;
            assert!(matches!(last, Err(Error::Closed { replies: 2, expected: 3 })), "{last:?}");
        });
    }
}
