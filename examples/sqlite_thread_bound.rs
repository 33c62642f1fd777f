//! A real SQLite database (rusqlite, SQLite compiled in) behind a `ThreadBound`, used from sync
//! code, from plain threads and from async tasks on several backends at once.
//!
//! ```text
//! cargo run --example sqlite_thread_bound                      # tokio (both flavours) and smol
//! cargo run --example sqlite_thread_bound --features async-std # and async-std (legacy)
//! ```
//!
//! A `rusqlite::Connection` must not be used from two threads at once (it is `!Sync`), and a
//! blocking query must not run on an executor thread. `ThreadBound` solves both: one thread,
//! named `sqlite`, opens the connection and runs every call on it, in order; the handle is
//! cheap to clone and goes anywhere. Sync code uses `call_blocking`, async code
//! `call(..).await`, which never blocks an executor thread.
//!
//! What to look for in the output:
//! - a table of rows written per context — the main thread, 4 plain threads, tasks on a tokio
//!   multi-thread runner, a tokio current-thread runner, a smol runner (and async-std), and an
//!   application's own `#[tokio::main]`-style runtime — each read back from that same context;
//! - `every statement ran on thread(s): sqlite`: all of them went through one thread;
//! - the data read back again by a fresh connection after the `ThreadBound` is gone (the last
//!   handle's drop closed the connection on its own thread);
//! - a `call_blocking` made from inside a call refused at once instead of deadlocking.

use std::collections::BTreeSet;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use loopbridge::{BackendKind, Runner, ThreadBound};
use rusqlite::{Connection, params};

type BoxError = Box<dyn Error + Send + Sync>;

/// Rows each writer inserts.
const ROWS: i64 = 25;

fn main() -> Result<(), BoxError> {
    let path = std::env::temp_dir().join(format!("loopbridge-example-{}.db", std::process::id()));
    let result = run(&path);
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.clone().into_os_string();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
    result
}

fn run(path: &Path) -> Result<(), BoxError> {
    let db = open(path.to_owned())?;
    println!("database: {} (opened on the thread `{}`)", path.display(), db.thread_name());

    // 1. Sync code on the main thread.
    db.call_blocking(|conn| {
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE events (source TEXT NOT NULL, seq INTEGER NOT NULL, thread TEXT NOT NULL);",
        )
    })??;
    let mut checks = vec![write_and_read_blocking(&db, "main thread (call_blocking)".to_owned())?];

    // 2. Plain threads, as in a thread-per-request server: each writes its own rows.
    let mut writers = Vec::new();
    for n in 1..=4 {
        let db = db.clone();
        let writer = thread::Builder::new().name(format!("writer-{n}"));
        writers
            .push(writer.spawn(move || write_and_read_blocking(&db, format!("plain thread {n}")))?);
    }
    for writer in writers {
        checks.push(writer.join().map_err(|_| "a writer thread panicked")??);
    }

    // 3. Async tasks on runners of every compiled-in backend, concurrently on each.
    let flavours = [
        ("tokio multi-thread", "tokio-mt", BackendKind::Tokio, 2),
        ("tokio current-thread", "tokio-ct", BackendKind::Tokio, 1),
        ("smol", "smol", BackendKind::Smol, 2),
        ("async-std", "async-std", BackendKind::AsyncStd, 2),
    ];
    let mut skipped = Vec::new();
    for (name, threads, kind, workers) in flavours {
        let built =
            Runner::builder().backend(kind).worker_threads(workers).thread_name(threads).build();
        let runner = match built {
            Ok(runner) => runner,
            Err(err) if err.is_not_compiled_in() => {
                skipped.push(name);
                continue;
            }
            Err(err) => return Err(err.into()),
        };
        let tasks: Vec<_> = (1..=3)
            .map(|n| {
                let source = format!("{name} task {n} (call.await)");
                runner.spawn(write_and_read(db.clone(), source))
            })
            .collect();
        for task in tasks {
            checks.push(runner.block_on(task)??);
        }
        runner.shutdown(Duration::from_secs(5));
    }

    // 4. The application's own tokio runtime (as under `#[tokio::main]`): `call` is plain
    //    async code, it needs nothing from loopbridge's runners.
    let app_runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let source = "application's own tokio runtime".to_owned();
    checks.push(app_runtime.block_on(write_and_read(db.clone(), source))?);

    println!();
    println!("  {:<42} {:<22} {:>5}", "context", "calling thread", "rows");
    for check in &checks {
        println!("  {:<42} {:<22} {:>5}", check.source, check.caller, check.rows);
    }
    if !skipped.is_empty() {
        println!("  (not compiled in: {}; see the command in the header)", skipped.join(", "));
    }

    let threads = db.call_blocking(|conn| -> rusqlite::Result<BTreeSet<String>> {
        let mut statement = conn.prepare("SELECT DISTINCT thread FROM events")?;
        let threads = statement.query_map([], |row| row.get(0))?;
        threads.collect()
    })??;
    let threads: Vec<_> = threads.into_iter().collect();
    println!("every statement ran on thread(s): {}", threads.join(", "));

    // Re-entrancy: waiting for the same thread from inside a call is refused, not a deadlock.
    let same = db.clone();
    let nested = db.call_blocking(move |_| same.call_blocking(|_| ()))?;
    match nested {
        Err(refused) => println!("call_blocking from inside a call: refused at once ({refused})"),
        Ok(()) => return Err("a nested call_blocking should have been refused".into()),
    }

    // Dropping the last handle closes the connection on its own thread; a new one reads back.
    let expected: i64 = checks.iter().map(|check| check.rows).sum();
    drop(db);
    let total = reopened_total(path)?;
    println!(
        "after the ThreadBound is dropped, a fresh connection reads back {total} rows \
         ({} contexts x {ROWS})",
        checks.len()
    );
    if total != expected {
        return Err(format!("read back {total} rows, expected {expected}").into());
    }
    Ok(())
}

/// Opens the database on a new thread named `sqlite`; the `Connection` never leaves it.
fn open(path: PathBuf) -> Result<ThreadBound<Connection>, BoxError> {
    let db = ThreadBound::new("sqlite", move || {
        // A factory cannot return an error. If the file cannot be opened it panics, and every
        // call then fails with a `JoinError` saying the factory panicked.
        Connection::open(&path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()))
    })?;
    Ok(db)
}

/// What one context wrote and then read back.
struct Check {
    source: String,
    /// The thread that made the call (the SQL itself always runs on `sqlite`).
    caller: String,
    /// The rows of `source` read back after writing them.
    rows: i64,
}

fn thread_name() -> String {
    thread::current().name().unwrap_or("(unnamed)").to_owned()
}

/// Inserts [`ROWS`] rows in one transaction, then reads them back: the SQL of every context.
fn insert_then_count(conn: &mut Connection, source: &str) -> rusqlite::Result<i64> {
    let thread = thread_name();
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare_cached("INSERT INTO events VALUES (?1, ?2, ?3)")?;
        for seq in 1..=ROWS {
            insert.execute(params![source, seq, thread])?;
        }
    }
    tx.commit()?;
    conn.query_row("SELECT count(*) FROM events WHERE source = ?1", [source], |row| row.get(0))
}

fn write_and_read_blocking(
    db: &ThreadBound<Connection>,
    source: String,
) -> Result<Check, BoxError> {
    let caller = thread_name();
    let rows = db.call_blocking({
        let source = source.clone();
        move |conn| insert_then_count(conn, &source)
    })??;
    Ok(Check { source, caller, rows })
}

async fn write_and_read(db: ThreadBound<Connection>, source: String) -> Result<Check, BoxError> {
    let caller = thread_name();
    let rows = db
        .call({
            let source = source.clone();
            move |conn| insert_then_count(conn, &source)
        })
        .await??;
    Ok(Check { source, caller, rows })
}

fn reopened_total(path: &Path) -> rusqlite::Result<i64> {
    Connection::open(path)?.query_row("SELECT count(*) FROM events", [], |row| row.get(0))
}
