//! [`Cmd`]: a command as RESP2 sends it, an array of bulk strings.

use std::io::Write as _;

/// A command: its name and arguments, sent as a RESP array of bulk strings. Arguments are bytes,
/// so any value can be sent; numbers go as their decimal text (`.arg(5.to_string())`).
///
/// # Examples
///
/// ```
/// use tinykv::Cmd;
///
/// let cmd = Cmd::new("SET").arg("greeting").arg(b"hello");
/// assert_eq!(cmd.name(), "SET");
/// assert_eq!(cmd.to_bytes(), b"*3\r\n$3\r\nSET\r\n$8\r\ngreeting\r\n$5\r\nhello\r\n");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cmd {
    args: Vec<Vec<u8>>,
}

impl Cmd {
    /// A command with no arguments yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let ping = tinykv::Cmd::new("PING");
    /// assert_eq!(ping.to_bytes(), b"*1\r\n$4\r\nPING\r\n");
    /// ```
    pub fn new(name: &str) -> Cmd {
        Cmd { args: vec![name.as_bytes().to_vec()] }
    }

    /// This command with one more argument.
    ///
    /// # Examples
    ///
    /// ```
    /// let cmd = tinykv::Cmd::new("INCRBY").arg("visits").arg(10.to_string());
    /// assert_eq!(cmd.to_bytes(), b"*3\r\n$6\r\nINCRBY\r\n$6\r\nvisits\r\n$2\r\n10\r\n");
    /// ```
    #[must_use]
    pub fn arg(mut self, arg: impl AsRef<[u8]>) -> Cmd {
        self.args.push(arg.as_ref().to_vec());
        self
    }

    /// The command's name, for messages (`GET`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tinykv::Cmd::new("GET").arg("k").name(), "GET");
    /// ```
    pub fn name(&self) -> String {
        self.args.first().map(|name| String::from_utf8_lossy(name).into_owned()).unwrap_or_default()
    }

    /// The command as sent on the wire.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tinykv::Cmd::new("GET").arg("k").to_bytes(), b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Appends the command, as sent on the wire, to `out`.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        // Straight into `out`: a pipeline encodes tens of thousands of these, and a `format!`
        // per length cost a fifth of a 10,000-`SET` pipeline's time (`benches/protocols.rs`).
        header(out, b'*', self.args.len());
        for arg in &self.args {
            header(out, b'$', arg.len());
            out.extend_from_slice(arg);
            out.extend_from_slice(b"\r\n");
        }
    }
}

/// Appends `{kind}{len}\r\n`, a RESP array or bulk string header.
fn header(out: &mut Vec<u8>, kind: u8, len: usize) {
    out.push(kind);
    // Writing to a `Vec` cannot fail.
    let _ = write!(out, "{len}\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_arrays_of_bulk_strings() {
        assert_eq!(Cmd::new("GET").arg("k").to_bytes(), b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        assert_eq!(Cmd::new("SET").arg("k").arg(b"\r\n").to_bytes().len(), 28);
    }
}
