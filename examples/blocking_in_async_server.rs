//! An async HTTP server (axum) whose handlers call a blocking library — a SQLite report through
//! rusqlite — and a sync API through blocking twins, without stalling the executor: both run
//! inside `loopbridge::to_thread`. A loopback client measures the latency of a trivial endpoint
//! while reports are being served, with `to_thread` and, for contrast, with the blocking call
//! made inline on the executor.
//!
//! ```text
//! cargo run --example blocking_in_async_server                     # 2000 pings per phase
//! cargo run --example blocking_in_async_server -- --requests 300   # a smaller load (what CI runs)
//! ```
//!
//! The server runs on a tokio `Runner` with one executor thread (a small service; with more
//! workers, inline blocking calls stall each worker they land on in the same way). The load
//! comes from a reqwest client on another runner: 4 concurrent loops of `GET /ping`, and, in
//! phases 2 and 3, one loop of `GET /report` back to back (about 10 ms of blocking SQLite work
//! each, calibrated at start). Phases:
//!
//! 1. no blocking work: the baseline;
//! 2. reports through `to_thread`: each report runs on the runner's blocking pool and the
//!    executor stays free — look for ping latencies **close to the baseline's**;
//! 3. reports called inline in the handler (the mistake): each report holds the executor
//!    thread until it is done, so pings queue behind it — look for a p50 of the order of the
//!    report's duration, ten times the baseline's or more.
//!
//! Every report served is also written to an audit log: `audit::AuditLog`, a small async
//! service written once against loopbridge's async API (its SQLite table lives on a
//! `ThreadBound` thread, each write bounded by `loopbridge::timeout`), with blocking twins from
//! `#[loopbridge::blocking]` for sync code. The `to_thread` job of phase 2 is sync code, so it
//! calls the twin `record_blocking`: the twin waits on a thread of the blocking pool, inside
//! the server runner's context, while the executor keeps serving. The inline handler of phase
//! 3 is async code on the executor thread and awaits `record` (there the twin would be refused
//! at once, not deadlock). `main`, plain sync code, reads the log back with `entries_blocking`.
//!
//! The line after the table gives phases 2 and 3 as multiples of the baseline's p50 and p99;
//! the audit line shows each served report recorded once, and from which threads. Absolute
//! timings depend on the machine and on what else runs on it (a debug build on 2 busy CPUs
//! shows a few ms of p99 even at baseline); the contrast between phases 2 and 3 does not.

use std::error::Error;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing;
use loopbridge::{BackendKind, Runner};

use crate::audit::AuditLog;

type BoxError = Box<dyn Error + Send + Sync>;

/// Concurrent `GET /ping` loops of the load.
const PING_LOOPS: usize = 4;
/// Executor threads of the server's runner.
const SERVER_WORKERS: usize = 1;
/// Concurrent `GET /report` loops in phases 2 and 3, each sending its next report as soon as
/// the last one is answered: as many as the server has executor threads, so that inline
/// reports hold all of them, and no more, so that phase 2 leaves a CPU of 2 to the rest.
const REPORT_LOOPS: usize = SERVER_WORKERS;
/// Blocking work per report that the calibration aims at.
const REPORT_TARGET: Duration = Duration::from_millis(10);

fn main() -> Result<(), BoxError> {
    let pings = pings_per_phase()?;
    let rows = report::calibrate(REPORT_TARGET)?;
    let server = Runner::builder()
        .backend(BackendKind::Tokio)
        .worker_threads(SERVER_WORKERS)
        .thread_name("server")
        .build()?;
    let audit = AuditLog::open()?;
    let addr = server.block_on(serve(audit.clone()))?;
    let load = Runner::builder().backend(BackendKind::Tokio).thread_name("load").build()?;
    let client = reqwest::Client::builder().no_proxy().build()?;

    println!(
        "server: http://{addr} (axum on a tokio Runner with {SERVER_WORKERS} executor thread)"
    );
    println!(
        "blocking library: a SQLite report over {rows} rows (rusqlite), about {REPORT_TARGET:?} \
         of blocking work per call"
    );
    println!(
        "sync API: AuditLog::record_blocking, the #[loopbridge::blocking] twin of an async audit \
         log, called by each report's to_thread job"
    );
    println!(
        "load: {pings} x GET /ping per phase, {PING_LOOPS} at a time; phases 2 and 3 add \
         {REPORT_LOOPS} report request in flight all the time"
    );
    // Untimed: the client opens its connections, both sides warm up.
    load.block_on(run_phase(client.clone(), addr, 4 * PING_LOOPS, None))?;
    println!();
    println!(
        "  {:<40} {:>6} {:>9} {:>9} {:>9} {:>15}",
        "phase", "pings", "p50", "p99", "max", "reports served"
    );
    let phases = [
        ("1. no blocking work", None),
        ("2. reports through loopbridge::to_thread", Some("report")),
        ("3. reports called inline (the mistake)", Some("report-inline")),
    ];
    let mut summaries = Vec::new();
    let mut reports_served = Vec::new();
    for (name, report_route) in phases {
        let reports = report_route.map(|route| format!("http://{addr}/{route}/{rows}"));
        let phase = load.block_on(run_phase(client.clone(), addr, pings, reports))?;
        println!(
            "  {name:<40} {:>6} {:>9} {:>9} {:>9} {:>15}",
            phase.latencies.len(),
            ms(phase.percentile(50)),
            ms(phase.percentile(99)),
            ms(phase.percentile(100)),
            phase.reports
        );
        summaries.push((phase.percentile(50), phase.percentile(99)));
        if report_route.is_some() {
            reports_served.push(phase.reports);
        }
    }
    let ratio = |phase: usize| {
        let [(base50, base99), (p50, p99)] = [summaries[0], summaries[phase]];
        let times = |d: Duration, base: Duration| d.as_secs_f64() / base.as_secs_f64().max(1e-6);
        format!("{:.1}x / {:.1}x", times(p50, base50), times(p99, base99))
    };
    println!();
    println!(
        "ping latency against the baseline (p50 / p99): {} with to_thread, the executor kept \
         serving; {} with the blocking call inline, the executor stalled",
        ratio(1),
        ratio(2),
    );
    // Plain sync code: the twin runs `entries` on the global runner.
    let entries = audit.entries_blocking()?;
    let phases = [
        ("2", "to_thread", reports_served[0], "record_blocking, the twin, on blocking-pool"),
        ("3", "inline", reports_served[1], "record(..).await, on executor"),
    ];
    for (phase, route, served, how) in phases {
        let entries = entries.iter().filter(|entry| entry.route == route);
        let recorded = entries.clone().map(|entry| entry.count).sum::<i64>();
        let threads: Vec<&str> = entries.map(|entry| entry.caller.as_str()).collect();
        println!(
            "audit log: phase {phase} recorded {recorded} of its {served} reports with {how} \
             thread(s) {}",
            threads.join(", ")
        );
    }
    let report = server.shutdown(Duration::from_secs(5));
    println!(
        "server shut down: {} tasks cancelled, {} blocking jobs still running, in time: {}",
        report.tasks_cancelled(),
        report.blocking_still_running(),
        report.completed_in_time()
    );
    Ok(())
}

/// Binds the server on the ambient runner (the server's) and serves in the background.
async fn serve(audit: AuditLog) -> std::io::Result<SocketAddr> {
    let app = Router::new()
        .route("/ping", routing::get(|| async { "pong" }))
        .route("/report/{rows}", routing::get(report_through_to_thread))
        .route("/report-inline/{rows}", routing::get(report_inline))
        .with_state(audit);
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    // axum spawns a tokio task per connection: they run on the same runner.
    drop(loopbridge::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            eprintln!("the server stopped: {error}");
        }
    }));
    Ok(addr)
}

/// The right way: the blocking call, and the sync call into the audit log, run on the runner's
/// blocking pool.
async fn report_through_to_thread(
    State(audit): State<AuditLog>,
    Path(rows): Path<u32>,
) -> Result<String, (StatusCode, String)> {
    let report = loopbridge::to_thread(move || {
        let report = report::build(rows)?;
        // Sync code calling an async service through its blocking twin: this pool thread
        // waits, inside the server runner's context; the executor does not.
        audit.record_blocking("to_thread", report.clone())?;
        Ok::<_, BoxError>(report)
    });
    report.await.map_err(internal)?.map_err(internal)
}

/// The mistake: the blocking call runs on the executor thread that polls this handler. (The
/// audit write is awaited, as async code should: `record_blocking` here would be refused.)
async fn report_inline(
    State(audit): State<AuditLog>,
    Path(rows): Path<u32>,
) -> Result<String, (StatusCode, String)> {
    let report = report::build(rows).map_err(internal)?;
    audit.record("inline", report.clone()).await.map_err(internal)?;
    Ok(report)
}

fn internal(error: impl std::fmt::Display) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
}

/// The blocking library: plain synchronous code, as a real one would be.
mod report {
    use std::time::{Duration, Instant};

    use rusqlite::Connection;

    /// Counts and sums `rows` generated rows in a fresh in-memory SQLite database.
    pub(crate) fn build(rows: u32) -> rusqlite::Result<String> {
        let conn = Connection::open_in_memory()?;
        let (count, sum): (i64, i64) = conn.query_row(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?1)
             SELECT count(*), sum(x) FROM n",
            [rows],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok(format!("{count} rows, sum {sum}"))
    }

    /// The row count whose report takes about `target` on this machine and build.
    pub(crate) fn calibrate(target: Duration) -> rusqlite::Result<u32> {
        const PROBE: u32 = 20_000;
        let started = Instant::now();
        for _ in 0..5 {
            build(PROBE)?;
        }
        let per_probe = started.elapsed() / 5;
        let rows = f64::from(PROBE) * target.as_secs_f64() / per_probe.as_secs_f64().max(1e-9);
        Ok(rows.clamp(1_000.0, 50_000_000.0) as u32)
    }
}

/// An async service the handlers share: an audit log of the reports served, written once
/// against loopbridge's async API (so it would run on smol or async-std just the same), with a
/// blocking twin of each method for sync callers.
mod audit {
    use std::thread;
    use std::time::Duration;

    use loopbridge::ThreadBound;
    use rusqlite::Connection;

    use crate::BoxError;

    /// The longest a write may wait for the log's thread before the request fails.
    const WRITE_DEADLINE: Duration = Duration::from_secs(5);

    /// A handle to the log; clones share it. Its SQLite connection lives on one thread, named
    /// `audit-db`, which runs every statement in order.
    #[derive(Clone, Debug)]
    pub(crate) struct AuditLog {
        db: ThreadBound<Connection>,
    }

    /// Entries recorded for one route from one calling thread.
    #[derive(Debug)]
    pub(crate) struct Entries {
        pub(crate) route: String,
        pub(crate) caller: String,
        pub(crate) count: i64,
    }

    impl AuditLog {
        /// An empty log, in memory.
        pub(crate) fn open() -> Result<AuditLog, BoxError> {
            let db = ThreadBound::new("audit-db", || {
                // A factory cannot fail: if it panics, every call fails saying so.
                let conn = Connection::open_in_memory().expect("an in-memory database opens");
                conn.execute_batch(
                    "CREATE TABLE audit (route TEXT NOT NULL, caller TEXT NOT NULL, \
                     report TEXT NOT NULL)",
                )
                .expect("the audit table is created");
                conn
            })?;
            Ok(AuditLog { db })
        }
    }

    // `record_blocking` and `entries_blocking` beside the async methods, for sync callers.
    #[loopbridge::blocking]
    impl AuditLog {
        /// Records that `report` was served through `route`, with the calling thread's name.
        pub(crate) async fn record(&self, route: &str, report: String) -> Result<(), BoxError> {
            let caller = thread::current().name().unwrap_or("unnamed").to_owned();
            let route = route.to_owned();
            let insert = self.db.call(move |conn| {
                conn.execute(
                    "INSERT INTO audit (route, caller, report) VALUES (?1, ?2, ?3)",
                    [route, caller, report],
                )
            });
            loopbridge::timeout(WRITE_DEADLINE, insert).await???;
            Ok(())
        }

        /// The entries so far, counted per route and calling thread.
        pub(crate) async fn entries(&self) -> Result<Vec<Entries>, BoxError> {
            let query = self.db.call(|conn| {
                let mut statement = conn.prepare(
                    "SELECT route, caller, count(*) FROM audit GROUP BY route, caller \
                     ORDER BY route, caller",
                )?;
                let rows = statement.query_map([], |row| {
                    Ok(Entries { route: row.get(0)?, caller: row.get(1)?, count: row.get(2)? })
                })?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
            });
            Ok(loopbridge::timeout(WRITE_DEADLINE, query).await???)
        }
    }
}

/// The latencies of one phase's pings, and the reports served meanwhile.
struct Phase {
    latencies: Vec<Duration>,
    reports: usize,
}

impl Phase {
    /// The `p`-th percentile (100 = the maximum).
    fn percentile(&self, p: usize) -> Duration {
        let last = self.latencies.len().saturating_sub(1);
        self.latencies.get(last * p / 100).copied().unwrap_or_default()
    }
}

/// Sends `pings` pings from [`PING_LOOPS`] concurrent tasks; meanwhile, if `report_url` is
/// given, [`REPORT_LOOPS`] tasks request it again and again.
async fn run_phase(
    client: reqwest::Client,
    addr: SocketAddr,
    pings: usize,
    report_url: Option<String>,
) -> Result<Phase, BoxError> {
    let done = Arc::new(AtomicBool::new(false));
    let reports = Arc::new(AtomicUsize::new(0));
    let mut report_loops = Vec::new();
    if let Some(url) = report_url {
        for _ in 0..REPORT_LOOPS {
            let (client, url) = (client.clone(), url.clone());
            let (done, reports) = (Arc::clone(&done), Arc::clone(&reports));
            report_loops.push(loopbridge::spawn(async move {
                while !done.load(Ordering::Relaxed) {
                    get(&client, &url).await?;
                    reports.fetch_add(1, Ordering::Relaxed);
                }
                Ok::<_, BoxError>(())
            }));
        }
        // Let the reports get going before the first ping is timed.
        loopbridge::sleep(REPORT_TARGET).await;
    }
    let url = format!("http://{addr}/ping");
    let remaining = Arc::new(AtomicUsize::new(pings));
    let ping_loops: Vec<_> = (0..PING_LOOPS)
        .map(|_| {
            let (client, url, remaining) = (client.clone(), url.clone(), Arc::clone(&remaining));
            loopbridge::spawn(async move {
                let mut latencies = Vec::new();
                while remaining
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                    .is_ok()
                {
                    let sent = Instant::now();
                    let body = get(&client, &url).await?;
                    latencies.push(sent.elapsed());
                    if body != "pong" {
                        return Err(format!("unexpected body {body:?}").into());
                    }
                }
                Ok::<_, BoxError>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(pings);
    for ping_loop in ping_loops {
        latencies.extend(ping_loop.await??);
    }
    done.store(true, Ordering::Relaxed);
    for report_loop in report_loops {
        report_loop.await??;
    }
    latencies.sort_unstable();
    Ok(Phase { latencies, reports: reports.load(Ordering::Relaxed) })
}

async fn get(client: &reqwest::Client, url: &str) -> Result<String, BoxError> {
    Ok(client.get(url).send().await?.error_for_status()?.text().await?)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// `--requests N`: pings per phase.
fn pings_per_phase() -> Result<usize, BoxError> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => Ok(2000),
        (Some("--requests"), Some(n)) => Ok(n.parse()?),
        _ => Err("usage: blocking_in_async_server [--requests N]".into()),
    }
}
