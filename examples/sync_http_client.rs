//! A synchronous program — a CLI, a worker, a blocking web handler — that makes hundreds of HTTP
//! requests through **one** tokio-bound `reqwest::Client`, from several threads, through
//! loopbridge's global runner; and, for contrast, the same program with a tokio runtime per call.
//!
//! ```text
//! cargo run --example sync_http_client                              # global runner on tokio
//! LOOPBRIDGE_BACKEND=smol cargo run --example sync_http_client      # on smol, through loopbridge::compat
//! cargo run --example sync_http_client -- --requests 20             # requests per thread (default 50)
//! ```
//!
//! It starts a real HTTP server (hyper, on a `Runner` of its own) on 127.0.0.1 that counts the
//! TCP connections it accepts, then makes the requests twice:
//!
//! 1. `loopbridge::block_on(..)` from 8 threads: the global runner persists between calls, so
//!    the client's connection pool (whose connections are tasks of that runtime) persists too.
//!    Look for **a handful of connections** for all the requests: about one per thread, a few
//!    more when threads race for the pool at the start.
//! 2. `tokio::runtime::Runtime::new()?.block_on(..)` per call, the usual hand-written wrapper:
//!    each runtime takes its client connections down with it when it is dropped, so every
//!    request opens a new one. Look for **one connection per request**, a higher time, and
//!    some requests failing with reqwest's `dispatch task is gone: runtime dropped the dispatch
//!    task` (a pooled connection whose runtime is gone, picked before the pool noticed).
//!
//! The last lines sum it up, for instance:
//!
//! ```text
//! connection reuse: 400 requests over 9 connections with loopbridge's global runner; 363
//! requests over 400 connections with a runtime per call
//! ```
//!
//! The requests go through `loopbridge::compat::Compat`, so the same code also runs with the
//! global runner on smol: `Compat` enters a tokio context for reqwest (on tokio it does nothing).

use std::convert::Infallible;
use std::error::Error;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use loopbridge::compat::Compat;
use loopbridge::{BackendKind, Runner};

type BoxError = Box<dyn Error + Send + Sync>;

const THREADS: usize = 8;

fn main() -> Result<(), BoxError> {
    let per_thread = requests_per_thread()?;
    let server = Server::start()?;
    let url = format!("http://{}/hello", server.addr);
    println!(
        "server: {url} (hyper on a tokio Runner of its own; it counts accepted TCP connections)"
    );

    // One client for the whole program: its pool keeps connections open between requests.
    // (The timeout is only a guard: no request through loopbridge should come near it.)
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build()?;

    let backend = loopbridge::Bridge::global().kind();
    println!();
    println!(
        "loopbridge::block_on on the global runner ({backend}), one reqwest::Client, \
         {THREADS} threads x {per_thread} requests:"
    );
    let loopbridge_run =
        server.measure(per_thread, |_| loopbridge::block_on(Compat::new(get(&client, &url))))?;
    loopbridge_run.print();

    println!();
    println!(
        "for contrast, a tokio runtime per call (Runtime::new()?.block_on), one reqwest::Client, \
         {THREADS} threads x {per_thread} requests:"
    );
    // A client of its own: the first one's pooled connections are tasks of the global runner,
    // alive and reusable from anywhere, which would hide what a runtime per call does.
    // A pooled connection whose dispatch task died with an earlier runtime can also leave a
    // request waiting forever; the timeout turns that into an error the run counts.
    let per_call_client =
        reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(1)).build()?;
    let per_call_run = server.measure(per_thread, |_| {
        let runtime = tokio::runtime::Runtime::new()?;
        runtime.block_on(get(&per_call_client, &url))
    })?;
    per_call_run.print();

    println!();
    println!(
        "connection reuse: {} requests over {} connections with loopbridge's global runner; \
         {} requests over {} connections with a runtime per call",
        loopbridge_run.ok, loopbridge_run.connections, per_call_run.ok, per_call_run.connections,
    );
    let report = server.runner.shutdown(Duration::from_secs(5));
    println!(
        "server runner shut down: {} tasks cancelled (the accept loop and the connections \
         still kept alive by the client)",
        report.tasks_cancelled()
    );
    if loopbridge_run.failed > 0 {
        return Err(format!("{} requests through loopbridge failed", loopbridge_run.failed).into());
    }
    Ok(())
}

/// One GET, its body read to the end: the unit of work of both runs.
async fn get(client: &reqwest::Client, url: &str) -> Result<String, BoxError> {
    let response = client.get(url).send().await?.error_for_status()?;
    Ok(response.text().await?)
}

/// What one run of requests did.
struct Run {
    ok: usize,
    failed: usize,
    first_error: Option<String>,
    connections: usize,
    elapsed: Duration,
}

impl Run {
    fn print(&self) {
        let total = self.ok + self.failed;
        println!(
            "  {total} requests: {} ok, {} failed, in {:.0?} ({:.1?} per request and thread)",
            self.ok,
            self.failed,
            self.elapsed,
            self.elapsed * THREADS as u32 / total.max(1) as u32,
        );
        if let Some(error) = &self.first_error {
            println!("  first error: {error}");
        }
        let per_connection = self.ok as f64 / self.connections.max(1) as f64;
        println!(
            "  TCP connections the server accepted: {}  ({per_connection:.1} requests per connection)",
            self.connections
        );
    }
}

/// The HTTP server: hyper's HTTP/1 connection driver on a tokio `Runner`, with keep-alive.
struct Server {
    runner: Runner,
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
}

impl Server {
    fn start() -> Result<Self, BoxError> {
        let runner = Runner::builder()
            .backend(BackendKind::Tokio)
            .worker_threads(2)
            .thread_name("http-server")
            .build()?;
        let listener = runner.block_on(tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))?;
        let addr = listener.local_addr()?;
        let accepted = Arc::new(AtomicUsize::new(0));
        drop(runner.spawn(accept_loop(listener, Arc::clone(&accepted))));
        Ok(Server { runner, addr, accepted })
    }

    /// Runs `per_thread` calls of `request` on each of [`THREADS`] threads and counts what the
    /// server saw meanwhile.
    fn measure<F>(&self, per_thread: usize, request: F) -> Result<Run, BoxError>
    where
        F: Fn(usize) -> Result<String, BoxError> + Sync,
    {
        let connections_before = self.accepted.load(Ordering::SeqCst);
        let started = Instant::now();
        let outcomes: Vec<Vec<Result<String, BoxError>>> = thread::scope(|scope| {
            let workers: Vec<_> = (0..THREADS)
                .map(|_| scope.spawn(|| (0..per_thread).map(&request).collect::<Vec<_>>()))
                .collect();
            workers.into_iter().map(|w| w.join().unwrap_or_default()).collect()
        });
        let elapsed = started.elapsed();
        let mut run = Run {
            ok: 0,
            failed: 0,
            first_error: None,
            connections: self.accepted.load(Ordering::SeqCst) - connections_before,
            elapsed,
        };
        for outcome in outcomes.into_iter().flatten() {
            match outcome {
                Ok(body) if body == "hello" => run.ok += 1,
                Ok(body) => return Err(format!("unexpected body {body:?}").into()),
                Err(error) => {
                    run.failed += 1;
                    run.first_error.get_or_insert_with(|| error_chain(&*error));
                }
            }
        }
        if run.ok + run.failed != THREADS * per_thread {
            return Err("a request thread panicked".into());
        }
        Ok(run)
    }
}

async fn accept_loop(listener: tokio::net::TcpListener, accepted: Arc<AtomicUsize>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors, for instance: wait for some to be released.
                eprintln!("accept failed: {error}");
                loopbridge::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        accepted.fetch_add(1, Ordering::SeqCst);
        drop(loopbridge::spawn(async move {
            let hello = service_fn(|_: Request<Incoming>| async {
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"hello"))))
            });
            // A client that hangs up between requests ends the connection; nothing to report.
            let _closed = http1::Builder::new().serve_connection(TokioIo::new(stream), hello).await;
        }));
    }
}

/// The error and its sources on one line: reqwest's top-level message alone hides the cause.
fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        line.push_str(": ");
        line.push_str(&cause.to_string());
        source = cause.source();
    }
    line
}

/// `--requests N`: requests per thread.
fn requests_per_thread() -> Result<usize, BoxError> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => Ok(50),
        (Some("--requests"), Some(n)) => Ok(n.parse()?),
        _ => Err("usage: sync_http_client [--requests N]".into()),
    }
}
