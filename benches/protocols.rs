//! Protocol clients and servers written once over loopbridge, against the native stacks:
//!
//! - `http1_c1`, `http1_c16`: hyper HTTP/1 over loopback — a server and its clients in this
//!   process, a small `GET` answered with a 12-byte body, keep-alive, `TCP_NODELAY` on every
//!   socket. `c1`: one connection, requests in sequence; `c16`: 16 connections, each driven by
//!   a task of its own with requests in sequence, the iterations shared out among them. One
//!   iteration is one request (criterion prints requests/s). The connections are made and
//!   handshaken before the clock starts; a sample ends when every client task is done.
//!   `{flavour}/loopbridge`: server and clients as tasks of a loopbridge runner of the
//!   flavour, over `loopbridge::net` with `loopbridge::hyper`'s `Timer` and `Executor`;
//!   `tokio_mt/native` and `tokio_ct/native`: the same code over hyper-util on tokio
//!   (`TokioIo<tokio::net::TcpStream>`, `TokioTimer`, `TokioExecutor`) on a native runtime of
//!   that flavour — the reference of the target. `smol/native` and `async_std/native`, for
//!   reference: hyper on the runtime's own sockets (`async-net` on an async-executor of 2
//!   workers, `async_std::net`) through a futures-io adapter, with async-io's timers.
//! - `redis_pipeline_10k_set`: 10,000 `SET`s sent as one pipeline, all replies read (one
//!   iteration per pipeline; criterion prints commands/s); `redis_sequential_1k_get`: 1,000
//!   `GET`s in sequence, each awaited before the next (one iteration per 1,000). Against the
//!   redis-server at `TINYKV_REDIS_ADDR` (`cargo xtask bench` starts one; standalone, set it or
//!   the redis groups fail). `{flavour}/tinykv`: the example client of
//!   `examples/library_author` (a `Client` with a pool of one connection) on a loopbridge
//!   runner of the flavour; `tokio_mt/redis_rs` and `smol/redis_rs`: redis-rs's multiplexed
//!   async connection on native tokio multi-thread, and on smol's global executor (where
//!   redis-rs spawns its connection task).
//!
//! As in `net.rs`, every thread of this binary is kept on CPU 0 (redis-server is a process of
//! its own and runs where the OS puts it).
//!
//! ```text
//! TINYKV_REDIS_ADDR=127.0.0.1:6379 cargo bench -p loopbridge-benches --bench protocols
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};
use criterion::{criterion_group, criterion_main, measurement::WallTime};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::rt::Executor as _;
use hyper::{Request, Response, server::conn::http1, service::service_fn};
use loopbridge::Runner;
use loopbridge_benches::{Flavour, SmolPool, TokioCt, bench, cpus, tokio_mt};

/// Any free port on the loopback interface.
const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
/// The server's answer to every request.
const BODY: &[u8] = b"hello, world";
/// `SET`s per pipeline in `redis_pipeline_10k_set`.
const PIPELINED: usize = 10_000;
/// `GET`s per iteration in `redis_sequential_1k_get`.
const SEQUENTIAL: u64 = 1_000;
/// The environment variable with the Redis server's address (as for tinykv's tests).
const REDIS_ADDR_VAR: &str = "TINYKV_REDIS_ADDR";

/// A task's completion, however its runtime reports it.
type Joined = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where a measured loop runs, as a task.
#[derive(Clone, Copy)]
enum Place<'a> {
    Runner(&'a Runner),
    Tokio(&'a tokio::runtime::Handle),
    /// smol's global executor (`smol::spawn`), driven by its own threads.
    SmolGlobal,
    /// [`SMOL`]'s executor: native smol as loopbridge runs it.
    SmolPool,
    AsyncStd,
}

impl Place<'_> {
    fn run(self, body: impl Future<Output = Duration> + Send + 'static) -> Duration {
        match self {
            Place::Runner(runner) => {
                runner.block_on(runner.spawn(body)).expect("the measured loop")
            }
            Place::Tokio(handle) => handle.block_on(handle.spawn(body)).expect("the measured loop"),
            Place::SmolGlobal => smol::block_on(smol::spawn(body)),
            Place::SmolPool => async_io::block_on(SMOL.executor().spawn(body)),
            Place::AsyncStd => async_std::task::block_on(async_std::task::spawn(body)),
        }
    }
}

/// An HTTP stack: sockets, tasks and timer of loopbridge, or of hyper-util on tokio.
trait Stack: 'static {
    type Io: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static;
    type Listener: Send + Sync + 'static;

    /// A listener on a free loopback port, and its address.
    fn bind() -> impl Future<Output = (Self::Listener, SocketAddr)> + Send;
    /// The next connection, `TCP_NODELAY` set.
    fn accept(listener: &Self::Listener) -> impl Future<Output = Self::Io> + Send;
    /// A connection to `addr`, `TCP_NODELAY` set.
    fn connect(addr: SocketAddr) -> impl Future<Output = Self::Io> + Send;
    /// Spawns a task whose end is awaited.
    fn spawn(task: impl Future<Output = ()> + Send + 'static) -> Joined;
    /// Spawns a detached task through the stack's `hyper::rt::Executor`.
    fn execute(task: impl Future<Output = ()> + Send + 'static);
    /// The stack's `hyper::rt::Timer`.
    fn timer() -> impl hyper::rt::Timer + Send + Sync + 'static;
}

/// loopbridge: `loopbridge::net` streams as they are, `loopbridge::hyper`'s timer and executor.
struct Lb;

impl Stack for Lb {
    type Io = loopbridge::net::TcpStream;
    type Listener = loopbridge::net::TcpListener;

    async fn bind() -> (Self::Listener, SocketAddr) {
        let listener = loopbridge::net::TcpListener::bind(LOOPBACK).await.expect("bind");
        let addr = listener.local_addr().expect("the listener's address");
        (listener, addr)
    }

    async fn accept(listener: &Self::Listener) -> Self::Io {
        let (stream, _) = listener.accept().await.expect("accept");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        stream
    }

    async fn connect(addr: SocketAddr) -> Self::Io {
        let stream = loopbridge::net::TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        stream
    }

    fn spawn(task: impl Future<Output = ()> + Send + 'static) -> Joined {
        let handle = loopbridge::spawn(task);
        Box::pin(async { handle.await.expect("a bench task") })
    }

    fn execute(task: impl Future<Output = ()> + Send + 'static) {
        loopbridge::hyper::Executor::default().execute(task);
    }

    fn timer() -> impl hyper::rt::Timer + Send + Sync + 'static {
        loopbridge::hyper::Timer
    }
}

/// The native reference: hyper-util's tokio glue over `tokio::net`.
struct Native;

impl Stack for Native {
    type Io = hyper_util::rt::TokioIo<tokio::net::TcpStream>;
    type Listener = tokio::net::TcpListener;

    async fn bind() -> (Self::Listener, SocketAddr) {
        let listener = tokio::net::TcpListener::bind(LOOPBACK).await.expect("bind");
        let addr = listener.local_addr().expect("the listener's address");
        (listener, addr)
    }

    async fn accept(listener: &Self::Listener) -> Self::Io {
        let (stream, _) = listener.accept().await.expect("accept");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        hyper_util::rt::TokioIo::new(stream)
    }

    async fn connect(addr: SocketAddr) -> Self::Io {
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        hyper_util::rt::TokioIo::new(stream)
    }

    fn spawn(task: impl Future<Output = ()> + Send + 'static) -> Joined {
        let handle = tokio::spawn(task);
        Box::pin(async { handle.await.expect("a bench task") })
    }

    fn execute(task: impl Future<Output = ()> + Send + 'static) {
        hyper_util::rt::TokioExecutor::new().execute(task);
    }

    fn timer() -> impl hyper::rt::Timer + Send + Sync + 'static {
        hyper_util::rt::TokioTimer::new()
    }
}

/// The native smol runtime of the HTTP groups: an async-executor on 2 workers, as in `net.rs`
/// (started on first use, after the group has pinned the thread, and kept to the end).
static SMOL: LazyLock<SmolPool> = LazyLock::new(|| SmolPool::start(Flavour::Smol.workers()));

/// hyper's `Read` and `Write` over a futures-io stream, for the native smol and async-std
/// references: what an application writes without loopbridge (the shape of smol-hyper's
/// `FuturesIo`), reading through a buffer of its own as `loopbridge::net`'s streams do
/// (filling hyper's cursor in place needs `unsafe`, which this workspace forbids).
struct FuturesIo<T> {
    io: T,
    buffer: Box<[u8]>,
}

impl<T> FuturesIo<T> {
    fn new(io: T) -> Self {
        FuturesIo { io, buffer: vec![0; 64 << 10].into_boxed_slice() }
    }
}

impl<T: futures_lite::AsyncRead + Unpin> hyper::rt::Read for FuturesIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut cursor: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let want = cursor.remaining().min(this.buffer.len());
        let n = ready!(Pin::new(&mut this.io).poll_read(cx, &mut this.buffer[..want]))?;
        cursor.put_slice(&this.buffer[..n]);
        Poll::Ready(Ok(()))
    }
}

impl<T: futures_lite::AsyncWrite + Unpin> hyper::rt::Write for FuturesIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_close(cx)
    }
}

/// hyper's `Timer` on async-io's timers (smol's, and async-std's underneath).
#[derive(Clone, Copy)]
struct AsyncIoTimer;

/// An async-io timer as hyper's `Sleep`.
struct AsyncIoSleep(async_io::Timer);

impl Future for AsyncIoSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(drop)
    }
}

impl hyper::rt::Sleep for AsyncIoSleep {}

impl hyper::rt::Timer for AsyncIoTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(AsyncIoSleep(async_io::Timer::after(duration)))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(AsyncIoSleep(async_io::Timer::at(deadline)))
    }
}

/// The native smol and async-std stacks: their own sockets and tasks, written once.
macro_rules! futures_stack {
    ($($stack:ident: $($net:ident)::+, spawn $spawn:path, detach $detach:path;)*) => {$(
        struct $stack;

        impl Stack for $stack {
            type Io = FuturesIo<$($net)::+::TcpStream>;
            type Listener = $($net)::+::TcpListener;

            async fn bind() -> (Self::Listener, SocketAddr) {
                let listener = $($net)::+::TcpListener::bind(LOOPBACK).await.expect("bind");
                let addr = listener.local_addr().expect("the listener's address");
                (listener, addr)
            }

            async fn accept(listener: &Self::Listener) -> Self::Io {
                let (stream, _) = listener.accept().await.expect("accept");
                stream.set_nodelay(true).expect("TCP_NODELAY");
                FuturesIo::new(stream)
            }

            async fn connect(addr: SocketAddr) -> Self::Io {
                let stream = $($net)::+::TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).expect("TCP_NODELAY");
                FuturesIo::new(stream)
            }

            fn spawn(task: impl Future<Output = ()> + Send + 'static) -> Joined {
                Box::pin($spawn(task))
            }

            fn execute(task: impl Future<Output = ()> + Send + 'static) {
                $detach(task);
            }

            fn timer() -> impl hyper::rt::Timer + Send + Sync + 'static {
                AsyncIoTimer
            }
        }
    )*};
}

/// A task on [`SMOL`]'s executor (cancelled if its handle is dropped).
fn smol_task(task: impl Future<Output = ()> + Send + 'static) -> async_executor::Task<()> {
    SMOL.executor().spawn(task)
}

fn smol_detach(task: impl Future<Output = ()> + Send + 'static) {
    smol_task(task).detach();
}

fn async_std_detach(task: impl Future<Output = ()> + Send + 'static) {
    drop(async_std::task::spawn(task)); // async-std's handles detach when dropped
}

futures_stack! {
    SmolNative: async_net, spawn smol_task, detach smol_detach;
    AsyncStdNative: async_std::net, spawn async_std::task::spawn, detach async_std_detach;
}

async fn hello(_request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(BODY))))
}

/// `iters` requests over `connections` keep-alive connections to a server of the same stack;
/// returns the time from the first request to the last response.
async fn http_requests<S: Stack>(connections: usize, iters: u64) -> Duration {
    let (listener, addr) = S::bind().await;
    let server = S::spawn(async move {
        let mut served = Vec::with_capacity(connections);
        for _ in 0..connections {
            let connection = http1::Builder::new()
                .timer(S::timer())
                .serve_connection(S::accept(&listener).await, service_fn(hello));
            served.push(S::spawn(async move { connection.await.expect("serve a connection") }));
        }
        // Each ends when its client closes the connection.
        for connection in served {
            connection.await;
        }
    });
    let mut senders = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (sender, connection) =
            hyper::client::conn::http1::handshake(S::connect(addr).await).await.expect("handshake");
        S::execute(async move { connection.await.expect("the client connection") });
        senders.push(sender);
    }
    let n = connections as u64;
    let start = Instant::now();
    let clients: Vec<Joined> = senders
        .into_iter()
        .zip(0..)
        .map(|(mut sender, i)| {
            let requests = iters / n + u64::from(i < iters % n);
            S::spawn(async move {
                for _ in 0..requests {
                    sender.ready().await.expect("the connection is ready");
                    let request = Request::get("/").body(Empty::<Bytes>::new()).expect("request");
                    let response = sender.send_request(request).await.expect("a response");
                    let body = response.into_body().collect().await.expect("the body").to_bytes();
                    assert_eq!(body.len(), BODY.len());
                }
                // Dropping the sender closes the connection.
            })
        })
        .collect();
    for client in clients {
        client.await;
    }
    let took = start.elapsed();
    server.await;
    took
}

/// One HTTP group: loopbridge on every flavour, hyper-util on tokio multi-thread and
/// current-thread.
fn http(c: &mut Criterion, connections: usize) {
    if !cpus::pin(0) {
        eprintln!("protocols: cannot pin threads to CPUs here; the threads run where they may");
    }
    let mut group = c.benchmark_group(format!("http1_c{connections}"));
    group.throughput(Throughput::Elements(1));
    for flavour in Flavour::ALL {
        let runner = flavour.runner();
        bench(&mut group, flavour.name(), "loopbridge", |iters| {
            Place::Runner(&runner).run(http_requests::<Lb>(connections, iters))
        });
        match flavour {
            Flavour::TokioMt => {
                let rt = tokio_mt();
                bench(&mut group, flavour.name(), "native", |iters| {
                    Place::Tokio(rt.handle()).run(http_requests::<Native>(connections, iters))
                });
            }
            Flavour::TokioCt => {
                let ct = TokioCt::start();
                bench(&mut group, flavour.name(), "native", |iters| {
                    Place::Tokio(ct.handle()).run(http_requests::<Native>(connections, iters))
                });
            }
            Flavour::Smol => {
                bench(&mut group, flavour.name(), "native", |iters| {
                    Place::SmolPool.run(http_requests::<SmolNative>(connections, iters))
                });
            }
            Flavour::AsyncStd => {
                bench(&mut group, flavour.name(), "native", |iters| {
                    Place::AsyncStd.run(http_requests::<AsyncStdNative>(connections, iters))
                });
            }
        }
        runner.shutdown(Duration::from_secs(5));
    }
    group.finish();
}

fn http1_c1(c: &mut Criterion) {
    http(c, 1);
}

fn http1_c16(c: &mut Criterion) {
    http(c, 16);
}

/// The Redis server's address; asked for only when a Redis case runs, so that a filtered run
/// of the HTTP groups needs no server.
///
/// # Panics
///
/// If `TINYKV_REDIS_ADDR` is not set: the Redis cases need a server, and skipping them would
/// leave holes in the report that look like results.
fn redis_addr() -> String {
    match std::env::var(REDIS_ADDR_VAR) {
        Ok(addr) if !addr.is_empty() => addr,
        _ => panic!(
            "{REDIS_ADDR_VAR} is not set: the redis_* groups of the `protocols` bench need a \
             redis-server. Run `cargo xtask bench --bench protocols` (which starts one), or \
             start one (`redis-server --port 6391 --save '' --daemonize yes`) and set \
             {REDIS_ADDR_VAR}=127.0.0.1:6391; to run the HTTP groups alone, pass the filter \
             `http1`"
        ),
    }
}

/// The measured Redis operations.
#[derive(Clone, Copy, Debug)]
enum Redis {
    /// `PIPELINED` `SET`s in one pipeline per iteration.
    Pipeline,
    /// `SEQUENTIAL` `GET`s in sequence per iteration.
    Sequential,
}

/// The key of `GET`s, and the prefix of the pipeline's keys.
const KEY: &str = "loopbridge-bench:protocols";
/// The value under every key: small, as in a cache.
const VALUE: &str = "a value of 32 bytes, for a bench";

async fn tinykv_loop(addr: String, op: Redis, iters: u64) -> Duration {
    let client = tinykv::Client::new(tinykv::Config::new(addr).pool_size(1));
    client.set(KEY, VALUE).await.expect("SET with tinykv"); // connected before the clock
    match op {
        Redis::Pipeline => {
            let mut pipeline = client.pipeline();
            for i in 0..PIPELINED {
                pipeline.set(&format!("{KEY}:{i}"), VALUE);
            }
            let start = Instant::now();
            for _ in 0..iters {
                let replies = pipeline.query().await.expect("the pipeline");
                assert_eq!(replies.len(), PIPELINED);
            }
            start.elapsed()
        }
        Redis::Sequential => {
            let start = Instant::now();
            for _ in 0..iters * SEQUENTIAL {
                let value = client.get(KEY).await.expect("GET");
                assert_eq!(value.as_deref(), Some(VALUE));
            }
            start.elapsed()
        }
    }
}

async fn redis_rs_loop(addr: String, op: Redis, iters: u64) -> Duration {
    let client = redis::Client::open(format!("redis://{addr}/")).expect("redis-rs");
    // tinykv's command timeout; redis-rs's default (0.5 s) is shorter than a loaded run needs.
    let config = redis::AsyncConnectionConfig::new()
        .set_response_timeout(Some(Duration::from_secs(5)))
        .set_connection_timeout(Some(Duration::from_secs(5)));
    let mut conn = client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .expect("connect with redis-rs");
    redis::cmd("SET").arg(KEY).arg(VALUE).exec_async(&mut conn).await.expect("SET with redis-rs");
    match op {
        Redis::Pipeline => {
            let mut pipeline = redis::pipe();
            for i in 0..PIPELINED {
                pipeline.cmd("SET").arg(format!("{KEY}:{i}")).arg(VALUE);
            }
            let start = Instant::now();
            for _ in 0..iters {
                let replies: Vec<redis::Value> =
                    pipeline.query_async(&mut conn).await.expect("the pipeline");
                assert_eq!(replies.len(), PIPELINED);
            }
            start.elapsed()
        }
        Redis::Sequential => {
            let start = Instant::now();
            for _ in 0..iters * SEQUENTIAL {
                let value: Option<String> =
                    redis::cmd("GET").arg(KEY).query_async(&mut conn).await.expect("GET");
                assert_eq!(value.as_deref(), Some(VALUE));
            }
            start.elapsed()
        }
    }
}

/// One Redis group: tinykv on every flavour, redis-rs on tokio multi-thread and on smol.
fn redis_group(c: &mut Criterion, name: &str, op: Redis) {
    if !cpus::pin(0) {
        eprintln!("protocols: cannot pin threads to CPUs here; the threads run where they may");
    }
    let mut group: BenchmarkGroup<'_, WallTime> = c.benchmark_group(name);
    // An iteration takes milliseconds: 10 samples of the same number of iterations.
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(match op {
        Redis::Pipeline => PIPELINED as u64,
        Redis::Sequential => SEQUENTIAL,
    }));
    for flavour in Flavour::ALL {
        let runner = flavour.runner();
        bench(&mut group, flavour.name(), "tinykv", |iters| {
            Place::Runner(&runner).run(tinykv_loop(redis_addr(), op, iters))
        });
        match flavour {
            Flavour::TokioMt => {
                let rt = tokio_mt();
                bench(&mut group, flavour.name(), "redis_rs", |iters| {
                    Place::Tokio(rt.handle()).run(redis_rs_loop(redis_addr(), op, iters))
                });
            }
            Flavour::Smol => {
                bench(&mut group, flavour.name(), "redis_rs", |iters| {
                    Place::SmolGlobal.run(redis_rs_loop(redis_addr(), op, iters))
                });
            }
            Flavour::TokioCt | Flavour::AsyncStd => {}
        }
        runner.shutdown(Duration::from_secs(5));
    }
    group.finish();
}

fn redis_pipeline(c: &mut Criterion) {
    redis_group(c, "redis_pipeline_10k_set", Redis::Pipeline);
}

fn redis_sequential(c: &mut Criterion) {
    redis_group(c, "redis_sequential_1k_get", Redis::Sequential);
}

criterion_group! {
    name = benches;
    config = loopbridge_benches::criterion();
    targets = http1_c1, http1_c16, redis_pipeline, redis_sequential
}
criterion_main!(benches);
