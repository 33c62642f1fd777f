//! Structured concurrency on any backend: a fan-out where the first failure cancels the rest,
//! and a deadline that cancels everything — with `task_group`, `JoinSet` and
//! `CancellationToken`.
//!
//! ```text
//! cargo run --example task_group                                   # default backend (tokio)
//! cargo run --example task_group --no-default-features --features smol
//! ```
//!
//! It fingerprints the files of a directory (argument, default: this crate's directory), one
//! child task per file, each reading its file with `to_thread`. What to look for:
//! 1. a `JoinSet` returns the fingerprints in the order they finish;
//! 2. in a `task_group`, one path that cannot be read fails the group: the other children are
//!    cancelled at their next await (their drop guards run before the group returns the error);
//! 3. a group under a `timeout` is cancelled whole when the deadline passes, its
//!    `CancellationToken` with it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use loopbridge::{JoinSet, TaskGroup, task_group};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    println!(
        "backend: {}; {} files in {}",
        loopbridge::Bridge::global().kind(),
        files.len(),
        dir.display()
    );

    // 1. A JoinSet: results in completion order.
    let fingerprints = loopbridge::block_on(async {
        let mut set = JoinSet::new();
        for path in files.clone() {
            set.spawn(fingerprint(path));
        }
        let mut done = Vec::new();
        while let Some(next) = set.join_next().await {
            done.push(next??);
        }
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(done)
    });
    for (path, hash) in fingerprints.map_err(|e| e.to_string())? {
        println!("  {:<24} {hash:016x}", name(&path));
    }

    // 2. The first failure cancels the rest; every other child has stopped when it returns.
    let cancelled = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let failed = loopbridge::block_on(task_group(|group: TaskGroup<String>| {
        let cancelled = Arc::clone(&cancelled);
        async move {
            for path in &files {
                let (path, guard) = (path.clone(), CountOnDrop(Arc::clone(&cancelled)));
                group.spawn(async move {
                    // Slow on purpose, so that the failure below comes first.
                    loopbridge::sleep(Duration::from_millis(200)).await;
                    fingerprint(path).await.map_err(|e| e.to_string())?;
                    std::mem::forget(guard); // finished: not cancelled
                    Ok(())
                });
            }
            group.spawn(async {
                let missing = PathBuf::from("/nonexistent/loopbridge-example");
                fingerprint(missing).await.map(drop).map_err(|e| format!("unreadable: {e}"))
            });
            Ok(())
        }
    }));
    println!(
        "group with one unreadable path: {:?} after {:.0?}; {} children cancelled before it returned",
        failed.err(),
        started.elapsed(),
        cancelled.load(Ordering::SeqCst)
    );

    // 3. A deadline cancels the whole group, and with it the group's token, which children
    // (or code the group hands it to) can watch to stop cooperatively.
    let token = Arc::new(std::sync::Mutex::new(None));
    let kept = Arc::clone(&token);
    let deadline = loopbridge::block_on(loopbridge::timeout(
        Duration::from_millis(50),
        task_group(move |group: TaskGroup<String>| async move {
            *kept.lock().map_err(|e| e.to_string())? = Some(group.token());
            loopbridge::sleep(Duration::from_secs(3600)).await;
            Ok(())
        }),
    ));
    let cancelled = token.lock().map_err(|e| e.to_string())?.as_ref().map(|t| t.is_cancelled());
    println!(
        "a one-hour group under a 50 ms timeout: timed out = {}, its token cancelled = {cancelled:?}",
        deadline.is_err()
    );
    Ok(())
}

/// Reads `path` on the blocking pool and returns it with an FNV-1a hash of its bytes.
async fn fingerprint(path: PathBuf) -> std::io::Result<(PathBuf, u64)> {
    loopbridge::to_thread(move || {
        let bytes = std::fs::read(&path)?;
        let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
        Ok((path, hash))
    })
    .await
    .map_err(std::io::Error::other)?
}

fn name(path: &Path) -> String {
    path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}

/// Counts the children that were cancelled: dropped without having finished.
struct CountOnDrop(Arc<AtomicUsize>);

impl Drop for CountOnDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}
