//! What the leak checks measure: the process's threads and resident memory (from `/proc`, so on
//! Linux only) and the live heap, counted exactly by the binary's instrumented global allocator
//! (`stats_alloc`: every allocation and deallocation adds to a counter).

use std::fmt;
use std::time::{Duration, Instant};

/// One measurement of the process.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Usage {
    /// Threads of the process (`/proc/self/task`).
    pub(crate) threads: usize,
    /// Resident set size in KiB (`VmRSS` of `/proc/self/status`).
    pub(crate) rss_kib: u64,
    /// Bytes allocated and not yet freed.
    pub(crate) heap_bytes: i64,
    /// Allocations not yet freed.
    pub(crate) heap_blocks: i64,
}

impl Usage {
    /// Measures now.
    pub(crate) fn now() -> Usage {
        let stats = crate::ALLOCATOR.stats();
        Usage {
            threads: std::fs::read_dir("/proc/self/task").map_or(0, Iterator::count),
            rss_kib: rss_kib(),
            heap_bytes: stats.bytes_allocated as i64 - stats.bytes_deallocated as i64,
            heap_blocks: stats.allocations as i64 - stats.deallocations as i64,
        }
    }

    /// Measures once the thread count has held still for 200 ms (threads that were joined can
    /// linger in `/proc` for a moment), or after `settle` at most.
    pub(crate) fn settled(settle: Duration) -> Usage {
        let start = Instant::now();
        let mut last = Usage::now();
        loop {
            std::thread::sleep(Duration::from_millis(200));
            let now = Usage::now();
            if now.threads == last.threads || start.elapsed() > settle {
                return now;
            }
            last = now;
        }
    }
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} threads, RSS {:.1} MiB, live heap {:.1} KiB in {} blocks",
            self.threads,
            self.rss_kib as f64 / 1024.0,
            self.heap_bytes as f64 / 1024.0,
            self.heap_blocks
        )
    }
}

fn rss_kib() -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else { return 0 };
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
