//! Running external commands: echo them as `$ cmd args`, time them, stream their output, and
//! report failures together with the exact command line so they can be reproduced.

use std::env;
use std::error::Error;
use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

/// The workspace root: the parent of the xtask package directory.
pub(crate) fn workspace_root() -> PathBuf {
    // `cargo run` sets CARGO_MANIFEST_DIR for the running binary; fall back to the compile-time
    // value when xtask is started some other way.
    let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    match manifest_dir.parent() {
        Some(parent) => parent.to_path_buf(),
        None => manifest_dir,
    }
}

/// A command to run, kept in a form that can also be shown to the user.
#[derive(Debug, Clone)]
pub(crate) struct Cmd {
    /// The program name shown to the user (`cargo`).
    shown_program: String,
    /// The program actually executed (for cargo: `$CARGO`, so the same toolchain is used).
    program: OsString,
    /// Arguments, all UTF-8 (they are ours).
    args: Vec<String>,
    /// Extra environment variables for this command only.
    envs: Vec<(String, String)>,
    /// Working directory.
    dir: PathBuf,
    /// Killed when it runs longer than this (so a hang fails the step instead of stalling CI).
    time_limit: Option<Duration>,
}

impl Cmd {
    /// `cargo`, run in the workspace root with the toolchain that runs xtask.
    pub(crate) fn cargo() -> Self {
        let program = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
        Self {
            shown_program: "cargo".to_owned(),
            program,
            args: Vec::new(),
            envs: Vec::new(),
            dir: workspace_root(),
            time_limit: None,
        }
    }

    /// A program found on `PATH` (`rustup`, or `cargo` through rustup's proxy for
    /// `cargo +nightly …`), run in the workspace root.
    pub(crate) fn program(name: &str) -> Self {
        Self {
            shown_program: name.to_owned(),
            program: OsString::from(name),
            args: Vec::new(),
            envs: Vec::new(),
            dir: workspace_root(),
            time_limit: None,
        }
    }

    /// Appends arguments.
    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Appends whitespace-separated arguments (none of ours contain spaces).
    pub(crate) fn split_args(self, args: &str) -> Self {
        self.args(args.split_whitespace())
    }

    /// Sets an environment variable for this command.
    pub(crate) fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Kills the command if it runs longer than `limit`; [`run`](Self::run) then fails.
    pub(crate) fn time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = Some(limit);
        self
    }

    /// The command line as a shell would need it: `KEY='v a l' cargo arg …`.
    pub(crate) fn display(&self) -> String {
        let mut parts: Vec<String> = Vec::with_capacity(self.envs.len() + self.args.len() + 1);
        parts.extend(self.envs.iter().map(|(k, v)| format!("{k}={}", shell_quote(v))));
        parts.push(shell_quote(&self.shown_program));
        parts.extend(self.args.iter().map(|a| shell_quote(a)));
        parts.join(" ")
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args).current_dir(&self.dir);
        for (key, value) in &self.envs {
            command.env(key, value);
        }
        command
    }

    fn echo(&self) {
        println!("$ {}", self.display());
        // Make sure the echo lands before anything the child writes.
        let _ = io::stdout().flush();
    }

    fn check(&self, status: ExitStatus, start: Instant) -> Result<Duration, CmdError> {
        if status.success() {
            Ok(start.elapsed())
        } else {
            Err(self.error(CmdErrorKind::Status(status)))
        }
    }

    fn error(&self, kind: CmdErrorKind) -> CmdError {
        CmdError { command: self.display(), kind }
    }

    /// The error of a command that ran, but whose output failed a check: `why` says how.
    pub(crate) fn failed_check(&self, why: String) -> CmdError {
        self.error(CmdErrorKind::Check(why))
    }

    /// Runs the command with inherited stdio, after echoing it; returns how long it took.
    pub(crate) fn run(&self) -> Result<Duration, CmdError> {
        self.echo();
        let start = Instant::now();
        let child = self.command().spawn().map_err(|e| self.error(CmdErrorKind::Spawn(e)))?;
        self.wait(child, start)
    }

    /// Waits for `child`, started at `start`, and checks its status; past the
    /// [time limit](Self::time_limit), kills it and fails.
    fn wait(&self, mut child: Child, start: Instant) -> Result<Duration, CmdError> {
        let Some(limit) = self.time_limit else {
            let status = child.wait().map_err(|e| self.error(CmdErrorKind::Io(e)))?;
            return self.check(status, start);
        };
        loop {
            if let Some(status) = child.try_wait().map_err(|e| self.error(CmdErrorKind::Io(e)))? {
                return self.check(status, start);
            }
            if start.elapsed() > limit {
                return Err(self.kill(child, CmdErrorKind::TimedOut(limit)));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills `child` and reaps it: the error `kind` says why.
    fn kill(&self, mut child: Child, kind: CmdErrorKind) -> CmdError {
        let _ = child.kill();
        let _ = child.wait();
        self.error(kind)
    }

    /// Runs the command quietly (no echo, output discarded) and says whether it succeeded.
    pub(crate) fn succeeds_quietly(&self) -> bool {
        self.command()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    /// Runs the command after echoing it, forwarding its stdout to ours as it arrives and
    /// handing every complete stdout line (without the line break) to `on_line`. Stderr is
    /// inherited untouched. Returns how long it took. The [time limit](Self::time_limit)
    /// holds here too: a thread reads the output, so that this one can watch the clock.
    pub(crate) fn run_streaming(
        &self,
        mut on_line: impl FnMut(&str),
    ) -> Result<Duration, CmdError> {
        self.echo();
        let start = Instant::now();
        let mut child = self
            .command()
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| self.error(CmdErrorKind::Spawn(e)))?;
        let Some(child_out) = child.stdout.take() else {
            let not_piped = io::Error::other("stdout was not piped");
            return Err(self.kill(child, CmdErrorKind::Io(not_piped)));
        };
        let (sender, lines) = mpsc::channel();
        // Detached: after a kill, a grandchild may still hold the pipe open.
        thread::spawn(move || forward_lines(child_out, &sender));
        loop {
            let line = match self.time_limit {
                Some(limit) => lines.recv_timeout(limit.saturating_sub(start.elapsed())),
                None => lines.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match line {
                Ok(Ok(line)) => on_line(&line),
                Ok(Err(e)) => return Err(self.kill(child, CmdErrorKind::Io(e))),
                Err(RecvTimeoutError::Timeout) => {
                    let limit = self.time_limit.unwrap_or_default();
                    return Err(self.kill(child, CmdErrorKind::TimedOut(limit)));
                }
                // The output ended: the child has exited, or is about to.
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        self.wait(child, start)
    }
}

/// Copies `child_out` to our stdout as it arrives, partial lines included (so progress stays
/// visible), and sends every line, without its line break, to `lines`; a read error ends it.
fn forward_lines(mut child_out: impl Read, lines: &Sender<io::Result<String>>) {
    let mut buf = [0_u8; 8192];
    let mut pending: Vec<u8> = Vec::new();
    let stdout = io::stdout();
    loop {
        let n = match child_out.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = lines.send(Err(e));
                return;
            }
        };
        let chunk = &buf[..n];
        {
            // A closed stdout on our side must not stop the child or the accounting.
            let mut lock = stdout.lock();
            let _ = lock.write_all(chunk);
            let _ = lock.flush();
        }
        pending.extend_from_slice(chunk);
        while let Some(pos) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=pos).collect();
            let line = trim_line_end(&String::from_utf8_lossy(&line)).to_owned();
            if lines.send(Ok(line)).is_err() {
                return; // Nobody listens any more: the command was killed.
            }
        }
    }
    if !pending.is_empty() {
        let _ = lines.send(Ok(trim_line_end(&String::from_utf8_lossy(&pending)).to_owned()));
    }
}

fn trim_line_end(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
}

/// Quotes `s` for a POSIX shell when it contains anything beyond a safe set of characters.
pub(crate) fn shell_quote(s: &str) -> String {
    let safe =
        !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if safe { s.to_owned() } else { format!("'{}'", s.replace('\'', r"'\''")) }
}

/// Formats a duration for humans: `41.2s`, or `3m05.1s` from a minute on.
pub(crate) fn format_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let minutes = (secs / 60.0).floor();
        let rest = secs - minutes * 60.0;
        format!("{}m{rest:04.1}s", minutes as u64)
    }
}

/// A command that could not be run or did not succeed.
#[derive(Debug)]
pub(crate) struct CmdError {
    /// The command line, as shown by [`Cmd::display`].
    pub(crate) command: String,
    kind: CmdErrorKind,
}

#[derive(Debug)]
enum CmdErrorKind {
    Spawn(io::Error),
    Io(io::Error),
    Status(ExitStatus),
    Check(String),
    TimedOut(Duration),
}

impl fmt::Display for CmdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CmdErrorKind::Spawn(e) => write!(f, "could not start `{}`: {e}", self.command),
            CmdErrorKind::Io(e) => write!(f, "I/O error while running `{}`: {e}", self.command),
            CmdErrorKind::Status(status) => match status.code() {
                Some(code) => write!(f, "`{}` exited with status {code}", self.command),
                None => write!(f, "`{}` was terminated ({status})", self.command),
            },
            CmdErrorKind::Check(why) => write!(f, "`{}` ran, but {why}", self.command),
            CmdErrorKind::TimedOut(limit) => write!(
                f,
                "`{}` ran longer than {} and was killed: it hangs, or the machine is far \
                 slower than expected",
                self.command,
                format_duration(*limit)
            ),
        }
    }
}

impl Error for CmdError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.kind {
            CmdErrorKind::Spawn(e) | CmdErrorKind::Io(e) => Some(e),
            CmdErrorKind::Status(_) | CmdErrorKind::Check(_) | CmdErrorKind::TimedOut(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_quotes_env_and_args() {
        let cmd = Cmd::cargo().split_args("doc --workspace").env("RUSTDOCFLAGS", "-D warnings");
        assert_eq!(cmd.display(), "RUSTDOCFLAGS='-D warnings' cargo doc --workspace");
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("--features"), "--features");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(Duration::from_millis(41_240)), "41.2s");
        assert_eq!(format_duration(Duration::from_millis(185_100)), "3m05.1s");
    }

    fn hanging() -> Cmd {
        Cmd::program("sh").args(["-c", "echo started; exec sleep 30"])
    }

    /// Both ways of running kill a command past its limit and say which, after how long.
    #[test]
    fn enforces_the_time_limit() {
        let limit = Duration::from_millis(300);
        let start = Instant::now();
        let err = hanging().time_limit(limit).run().map(|_| ()).unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
        assert_eq!(
            err.to_string(),
            "`sh -c 'echo started; exec sleep 30'` ran longer than 0.3s and was killed: it \
             hangs, or the machine is far slower than expected"
        );

        let start = Instant::now();
        let mut lines = Vec::new();
        let err = hanging()
            .time_limit(limit)
            .run_streaming(|line| lines.push(line.to_owned()))
            .map(|_| ())
            .unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
        assert!(err.to_string().contains("ran longer than 0.3s and was killed"), "{err}");
        assert_eq!(lines, ["started"]);
    }

    #[test]
    fn streams_lines_and_checks_the_status() {
        let mut lines = Vec::new();
        let lines_cmd = Cmd::program("sh").args(["-c", "printf 'a\\nb\\r\\nc'"]);
        let ok = lines_cmd.time_limit(Duration::from_secs(60)).run_streaming(|l| {
            lines.push(l.to_owned());
        });
        assert!(ok.is_ok(), "{ok:?}");
        assert_eq!(lines, ["a", "b", "c"]);
        let failed = Cmd::program("sh").args(["-c", "exit 3"]).run_streaming(|_| {});
        assert_eq!(
            failed.map(|_| ()).unwrap_err().to_string(),
            "`sh -c 'exit 3'` exited with status 3"
        );
    }
}
