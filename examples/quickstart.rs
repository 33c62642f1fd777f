//! Quickstart: loopbridge from a plain, synchronous `fn main` — no runtime in sight.
//!
//! ```text
//! cargo run --example quickstart                                   # default backend (tokio)
//! cargo run --example quickstart --no-default-features --features smol
//! cargo run --example quickstart --no-default-features --features async-std
//! ```
//!
//! It fingerprints the files of a directory: the file reads are blocking work, run with
//! `to_thread` so they never stall the executor; one task per file runs concurrently with
//! `spawn`; a slow operation is cut short with `timeout`; and a background task started by one
//! `block_on` call is still alive for the next one — the global runner persists between calls.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() -> std::io::Result<()> {
    let dir = std::env::args_os().nth(1).map_or_else(default_dir, PathBuf::from);
    let started = Instant::now();

    // 1. Sync code calls async code. The global runner starts here, on first use.
    let fingerprints = loopbridge::block_on(fingerprint_dir(dir.clone()))?;
    let backend = loopbridge::Bridge::global().kind();
    println!("backend: {backend} (global runner, started on first use)");
    println!("fingerprinted {} files in {} concurrently:", fingerprints.len(), dir.display());
    for (path, bytes, hash) in &fingerprints {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!("  {name:<28} {bytes:>8} bytes  {hash:016x}");
    }

    // 2. A slow operation with a deadline: `timeout` gives up, and nothing is left running.
    let slow = loopbridge::block_on(loopbridge::timeout(
        Duration::from_millis(50),
        loopbridge::sleep(Duration::from_secs(10)),
    ));
    println!("a 10 s operation under a 50 ms timeout: {}", describe(slow));

    // 3. State lives on between calls: a background task from one `block_on`...
    let (ticks_tx, ticks_rx) = std::sync::mpsc::channel();
    loopbridge::block_on(async move {
        drop(loopbridge::spawn(async move {
            for tick in 1.. {
                loopbridge::sleep(Duration::from_millis(10)).await;
                if ticks_tx.send(tick).is_err() {
                    break; // main is done listening
                }
            }
        }));
    });
    // ...keeps running while main does sync work, and a later call still reaches it.
    std::thread::sleep(Duration::from_millis(60));
    let ticks = ticks_rx.try_iter().count();
    let later = loopbridge::block_on(async { loopbridge::spawn(async { "still served" }).await });
    let later = later.unwrap_or("cancelled");
    println!("background task ticked {ticks} times between calls; a later call was {later}");

    println!("done in {:.1?}", started.elapsed());
    Ok(())
}

/// Reads every file of `dir` on the blocking pool, one concurrent task per file.
async fn fingerprint_dir(dir: PathBuf) -> std::io::Result<Vec<(PathBuf, usize, u64)>> {
    let paths = loopbridge::to_thread(move || list_files(&dir)).await??;
    let tasks: Vec<_> = paths
        .into_iter()
        .map(|path| {
            loopbridge::spawn(async move {
                let read = path.clone();
                let bytes = loopbridge::to_thread(move || std::fs::read(read)).await??;
                Ok::<_, std::io::Error>((path, bytes.len(), fnv1a(&bytes)))
            })
        })
        .collect();
    let mut fingerprints = Vec::with_capacity(tasks.len());
    for task in tasks {
        fingerprints.push(task.await??);
    }
    fingerprints.sort();
    Ok(fingerprints)
}

fn list_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            files.push(entry.path());
        }
    }
    Ok(files)
}

/// The 64-bit FNV-1a hash: small, dependency-free, good enough to tell files apart.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

fn describe(result: Result<(), loopbridge::Elapsed>) -> String {
    match result {
        Ok(()) => "finished".to_owned(),
        Err(elapsed) => format!("gave up ({elapsed})"),
    }
}

/// loopbridge's own facade sources: a directory that exists wherever the example is built.
fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/loopbridge/src")
}
