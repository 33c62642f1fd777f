//! Unix domain sockets: [`UnixStream`] and [`UnixListener`].

use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;

mod listener;
mod stream;

pub use listener::UnixListener;
pub use stream::UnixStream;

/// `path`, if it fits in a socket address: the same `InvalidInput` on every backend (the
/// runtimes' own connects report `ENAMETOOLONG` or `InvalidInput` differently).
fn checked(path: &Path) -> io::Result<&Path> {
    match SocketAddr::from_pathname(path) {
        Ok(_) => Ok(path),
        Err(e) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: {e} (a Unix socket path has at most 107 bytes here)", path.display()),
        )),
    }
}
