//! The Redis server that tinykv's tests, doctests and example talk to (`examples/library_author`).
//!
//! `cargo xtask test` starts one for the run, when a step that needs it is selected, and passes
//! its address to every command as `TINYKV_REDIS_ADDR`:
//!
//! 1. If `TINYKV_REDIS_ADDR` is already set, that server is used and nothing is started.
//! 2. Else `redis-server` is found on `PATH`; if it is missing and we are root with `apt-get`,
//!    it is installed (`apt-get install -y redis-server`, after an `apt-get update` if the first
//!    try fails); otherwise the run fails saying how to install it.
//! 3. It is started on a free loopback port, persisting nothing, its output in
//!    `target/xtask-redis/redis-PORT.log`, and is ready once a `PING` gets `+PONG`.
//! 4. [`RedisServer`]'s `Drop` kills and reaps it — after the last step, or a failed one.

use std::env;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;
use crate::cmd::{Cmd, workspace_root};

/// The environment variable that carries the server's address (`127.0.0.1:PORT`).
pub(crate) const ADDR_VAR: &str = "TINYKV_REDIS_ADDR";

/// How long a started server may take to answer its first `PING`.
const READY_DEADLINE: Duration = Duration::from_secs(10);

/// A Redis server for the run: one given through `TINYKV_REDIS_ADDR`, or one started here and
/// stopped on drop.
#[derive(Debug)]
pub(crate) struct RedisServer {
    addr: String,
    /// The server started here, if any.
    child: Option<Child>,
}

impl RedisServer {
    /// The server of `TINYKV_REDIS_ADDR`, else a new one (installing `redis-server` first if it
    /// is missing and that is possible).
    pub(crate) fn start_or_reuse() -> Result<RedisServer> {
        if let Some(addr) = env::var(ADDR_VAR).ok().filter(|addr| !addr.is_empty()) {
            println!("==> redis: using the server at {addr} ({ADDR_VAR} is set)");
            return Ok(RedisServer { addr, child: None });
        }
        let program = find_or_install()?;
        let port = free_port()?;
        let addr = format!("127.0.0.1:{port}");
        let dir = workspace_root().join("target").join("xtask-redis");
        fs::create_dir_all(&dir)
            .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
        let log = dir.join(format!("redis-{port}.log"));
        let out =
            File::create(&log).map_err(|err| format!("cannot create {}: {err}", log.display()))?;
        let err_out = out.try_clone()?;
        let child = Command::new(&program)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "no", "--dir"])
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err_out)
            .spawn()
            .map_err(|err| format!("cannot start {}: {err}", program.display()))?;
        // From here on, `Drop` stops it whatever happens.
        let mut server = RedisServer { addr, child: Some(child) };
        server.wait_until_ready(&log)?;
        println!(
            "==> redis: started {} on {} (log: {})",
            program.display(),
            server.addr,
            log.display()
        );
        Ok(server)
    }

    /// The address to pass as `TINYKV_REDIS_ADDR`.
    pub(crate) fn addr(&self) -> &str {
        &self.addr
    }

    /// Waits until the server answers `PING`, or fails quoting its log.
    fn wait_until_ready(&mut self, log: &Path) -> Result<()> {
        let started = Instant::now();
        let addr: SocketAddr = self.addr.parse()?;
        while started.elapsed() < READY_DEADLINE {
            if let Some(child) = &mut self.child {
                if let Some(status) = child.try_wait()? {
                    return Err(
                        format!("redis-server exited at once ({status}):\n{}", tail(log)).into()
                    );
                }
            }
            if answers_ping(addr) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "redis-server did not answer PING on {addr} within {READY_DEADLINE:?}:\n{}",
            tail(log)
        )
        .into())
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
            println!("==> redis: stopped the server on {}", self.addr);
        }
    }
}

/// Whether a server at `addr` answers an inline `PING` with `+PONG`.
fn answers_ping(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let mut reply = [0_u8; 7];
    stream.set_read_timeout(Some(Duration::from_secs(1))).is_ok()
        && stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

/// A port nothing listens on now: bound, read, released.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// The last lines of the server's log, for an error message.
fn tail(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_else(|err| format!("(no log: {err})"));
    let lines: Vec<&str> = text.lines().collect();
    let shown = &lines[lines.len().saturating_sub(20)..];
    format!("--- {} ---\n{}", log.display(), shown.join("\n"))
}

/// `redis-server` on `PATH`, installed with apt-get first if missing and we may.
fn find_or_install() -> Result<PathBuf> {
    if let Some(found) = find_on_path("redis-server") {
        return Ok(found);
    }
    let how = format!(
        "redis-server is not installed; tinykv's tests need one. Install it (`sudo apt-get \
         install redis-server`, `brew install redis`…), or set {ADDR_VAR}=HOST:PORT to a running \
         server"
    );
    if !is_root() || find_on_path("apt-get").is_none() {
        return Err(how.into());
    }
    println!("==> redis: redis-server is missing; installing it with apt-get");
    let install = Cmd::program("apt-get")
        .args(["install", "-y", "redis-server"])
        .env("DEBIAN_FRONTEND", "noninteractive");
    if install.run().is_err() {
        Cmd::program("apt-get").args(["update"]).run()?;
        install.run()?;
    }
    find_on_path("redis-server").ok_or_else(|| {
        format!("apt-get installed redis-server, but it is not on PATH. {how}").into()
    })
}

/// The first executable file called `name` in a directory of `PATH`.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path).map(|dir| dir.join(name)).find(|file| is_executable(file))
}

#[cfg(unix)]
fn is_executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    file.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(file: &Path) -> bool {
    file.is_file()
}

/// Whether we run as root: `id -u` prints 0 (xtask forbids `unsafe`, so no `geteuid`).
fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| {
        out.status.success() && parse_uid(&String::from_utf8_lossy(&out.stdout)) == Some(0)
    })
}

fn parse_uid(output: &str) -> Option<u32> {
    output.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_parse_from_id_output() {
        assert_eq!(parse_uid("0\n"), Some(0));
        assert_eq!(parse_uid("1000"), Some(1000));
        assert_eq!(parse_uid(""), None);
        assert_eq!(parse_uid("uid=0(root)"), None);
    }

    #[test]
    fn free_ports_are_free() {
        let port = free_port().unwrap();
        assert!(TcpListener::bind(("127.0.0.1", port)).is_ok());
    }

    #[test]
    fn a_silent_port_does_not_answer_ping() {
        let port = free_port().unwrap();
        assert!(!answers_ping(SocketAddr::from(([127, 0, 0, 1], port))));
    }
}
