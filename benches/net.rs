//! `loopbridge::net` over loopback TCP, side by side with each backend's native sockets:
//!
//! - `echo_1b`: a 1-byte echo round trip — the client writes a byte, a server task echoes it,
//!   the client reads it back (`TCP_NODELAY` on both ends). Time per round trip; the
//!   iterations of a sample all run on one connection, opened before the clock starts.
//! - `throughput_64mib`: 64 MiB one way over one connection, in 64 KiB writes, to a reader
//!   task that counts the bytes until the end of the stream. Criterion prints it in bytes/s.
//! - `connect_accept`: connection setup — a connect and the accept of it, awaited together in
//!   one task, then both ends dropped (server first, so that `TIME_WAIT` lands on the
//!   listening side and the client's ephemeral ports are not used up).
//!
//! Ids `{flavour}/{implementation}`. `loopbridge` runs as a task of a loopbridge runner of the
//! flavour, so its sockets are on that runner's reactor; `native` runs as a task of the native
//! runtime with its own sockets: `tokio::net` (tokio, both flavours), `async-net` on a plain
//! async-executor (smol), `async_std::net` (async-std). On tokio multi-thread, `async_net`
//! adds what portable crates use on tokio today: async-net's sockets, whose readiness comes
//! from async-io's reactor on a thread of its own beside tokio's I/O driver.
//!
//! Each wake-up crosses from the reactor to a worker thread, and on a VM a cross-CPU wake-up
//! costs an order of magnitude more than the software it measures (see "Measuring" in
//! docs/performance.md), so every thread of this binary is kept on CPU 0.
//!
//! ```text
//! cargo bench -p loopbridge-benches --bench net
//! ```

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use loopbridge::Runner;
use loopbridge_benches::{Flavour, SmolPool, TokioCt, bench, cpus, tokio_mt};

/// Bytes per iteration of `throughput_64mib`.
const TOTAL: u64 = 64 << 20;
/// Bytes per write of `throughput_64mib`, and the reader's buffer.
const CHUNK: usize = 64 << 10;
/// Any free port on the loopback interface (a `SocketAddr`, so that no implementation
/// resolves a name).
const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// The measured loops, one per group.
#[derive(Clone, Copy, Debug)]
enum Row {
    Echo,
    Throughput,
    ConnectAccept,
}

/// A task's completion, however its runtime reports it.
type Joined = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Spawns the server or reader task of a row onto the runtime that runs the row, with that
/// runtime's own `spawn`: a native row must not pay for loopbridge's task wrapper.
#[derive(Clone, Debug)]
enum Spawner {
    Loopbridge,
    Tokio,
    Smol(Arc<async_executor::Executor<'static>>),
    AsyncStd,
}

impl Spawner {
    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) -> Joined {
        match self {
            Spawner::Loopbridge => {
                let handle = loopbridge::spawn(task);
                Box::pin(async { handle.await.expect("a bench task") })
            }
            Spawner::Tokio => {
                let handle = tokio::spawn(task);
                Box::pin(async { handle.await.expect("a bench task") })
            }
            Spawner::Smol(executor) => Box::pin(executor.spawn(task)),
            Spawner::AsyncStd => Box::pin(async_std::task::spawn(task)),
        }
    }
}

/// Where a row runs: its body is a task there, and so are the tasks it spawns.
#[derive(Clone, Copy, Debug)]
enum Place<'a> {
    Runner(&'a Runner),
    Tokio(&'a tokio::runtime::Handle),
    Smol(&'a Arc<async_executor::Executor<'static>>),
    AsyncStd,
}

impl Place<'_> {
    /// Runs the body `make` builds (given this place's spawner) as a task here; returns the
    /// time it measured.
    fn run<F>(self, make: impl FnOnce(Spawner) -> F) -> Duration
    where
        F: Future<Output = Duration> + Send + 'static,
    {
        match self {
            Place::Runner(runner) => {
                runner.block_on(runner.spawn(make(Spawner::Loopbridge))).expect("the measured loop")
            }
            Place::Tokio(handle) => {
                handle.block_on(handle.spawn(make(Spawner::Tokio))).expect("the measured loop")
            }
            Place::Smol(executor) => {
                async_io::block_on(executor.spawn(make(Spawner::Smol(Arc::clone(executor)))))
            }
            Place::AsyncStd => {
                async_std::task::block_on(async_std::task::spawn(make(Spawner::AsyncStd)))
            }
        }
    }
}

/// The rows' loops for one socket implementation: `$net` has `TcpListener` and `TcpStream`
/// with the same methods in every crate, `$io` the `AsyncReadExt`/`AsyncWriteExt` of the
/// family its streams implement. Written once, so that every implementation runs the same
/// code (a macro, not generics: tokio's I/O traits are not futures-io's).
macro_rules! sockets {
    ($($module:ident: $($net:ident)::+, $($io:ident)::+;)*) => {$(
        mod $module {
            use std::time::{Duration, Instant};

            use $($io)::+::{AsyncReadExt, AsyncWriteExt};
            use $($net)::+::{TcpListener, TcpStream};

            use super::{CHUNK, LOOPBACK, Row, Spawner, TOTAL};

            pub(super) async fn run(row: Row, spawner: Spawner, iters: u64) -> Duration {
                match row {
                    Row::Echo => echo(spawner, iters).await,
                    Row::Throughput => throughput(spawner, iters).await,
                    Row::ConnectAccept => connect_accept(iters).await,
                }
            }

            /// A connected pair: the client's end and the server's.
            async fn pair() -> (TcpStream, TcpStream) {
                let listener = TcpListener::bind(LOOPBACK).await.expect("bind a loopback port");
                let addr = listener.local_addr().expect("the listener's address");
                let (client, accepted) =
                    futures_lite::future::zip(TcpStream::connect(addr), listener.accept()).await;
                (client.expect("connect"), accepted.expect("accept").0)
            }

            async fn echo(spawner: Spawner, iters: u64) -> Duration {
                let (mut client, mut server) = pair().await;
                client.set_nodelay(true).expect("TCP_NODELAY");
                server.set_nodelay(true).expect("TCP_NODELAY");
                let server = spawner.spawn(async move {
                    let mut byte = [0; 1];
                    // Until the client's end closes.
                    while server.read_exact(&mut byte).await.is_ok() {
                        server.write_all(&byte).await.expect("echo the byte");
                    }
                });
                let mut byte = [7; 1];
                let start = Instant::now();
                for _ in 0..iters {
                    client.write_all(&byte).await.expect("send the byte");
                    client.read_exact(&mut byte).await.expect("read the echo");
                }
                let took = start.elapsed();
                drop(client);
                server.await;
                took
            }

            async fn throughput(spawner: Spawner, iters: u64) -> Duration {
                let (mut client, mut server) = pair().await;
                let expected = iters * TOTAL;
                let reader = spawner.spawn(async move {
                    let mut buf = vec![0; CHUNK];
                    let mut received = 0;
                    loop {
                        match server.read(&mut buf).await.expect("read") {
                            0 => break,
                            n => received += n as u64,
                        }
                    }
                    assert_eq!(received, expected, "every byte arrives");
                });
                let chunk = vec![1; CHUNK];
                let start = Instant::now();
                for _ in 0..expected / CHUNK as u64 {
                    client.write_all(&chunk).await.expect("write");
                }
                drop(client); // the end of the stream
                reader.await;
                start.elapsed()
            }

            async fn connect_accept(iters: u64) -> Duration {
                let listener = TcpListener::bind(LOOPBACK).await.expect("bind a loopback port");
                let addr = listener.local_addr().expect("the listener's address");
                let start = Instant::now();
                for _ in 0..iters {
                    let (client, accepted) =
                        futures_lite::future::zip(TcpStream::connect(addr), listener.accept())
                            .await;
                    let client = client.expect("connect");
                    drop(accepted.expect("accept"));
                    drop(client);
                }
                start.elapsed()
            }
        }
    )*};
}

sockets! {
    lb: loopbridge::net, futures_lite;
    tokio_net: tokio::net, tokio::io;
    smol_net: async_net, futures_lite;
    async_std_net: async_std::net, futures_lite;
}

/// One group: every flavour, loopbridge beside the native sockets.
fn rows(c: &mut Criterion, name: &str, row: Row) {
    if !cpus::pin(0) {
        eprintln!("{name}: cannot pin threads to CPUs here; the threads run where they may");
    }
    let mut group = c.benchmark_group(name);
    if let Row::Throughput = row {
        // An iteration takes some 25 ms: 10 samples of the same number of iterations (criterion's
        // mode for long iterations) keep the group within its measurement time.
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .throughput(Throughput::Bytes(TOTAL));
    }
    for flavour in Flavour::ALL {
        let runner = flavour.runner();
        bench(&mut group, flavour.name(), "loopbridge", |iters| {
            Place::Runner(&runner).run(|spawner| lb::run(row, spawner, iters))
        });
        match flavour {
            Flavour::TokioMt => {
                let rt = tokio_mt();
                let place = Place::Tokio(rt.handle());
                bench(&mut group, flavour.name(), "native", |iters| {
                    place.run(|spawner| tokio_net::run(row, spawner, iters))
                });
                // What a portable crate pays on tokio without loopbridge: a second reactor.
                bench(&mut group, flavour.name(), "async_net", |iters| {
                    place.run(|spawner| smol_net::run(row, spawner, iters))
                });
            }
            Flavour::TokioCt => {
                let ct = TokioCt::start();
                let place = Place::Tokio(ct.handle());
                bench(&mut group, flavour.name(), "native", |iters| {
                    place.run(|spawner| tokio_net::run(row, spawner, iters))
                });
            }
            Flavour::Smol => {
                let pool = SmolPool::start(flavour.workers());
                let place = Place::Smol(pool.executor());
                bench(&mut group, flavour.name(), "native", |iters| {
                    place.run(|spawner| smol_net::run(row, spawner, iters))
                });
            }
            Flavour::AsyncStd => {
                bench(&mut group, flavour.name(), "native", |iters| {
                    Place::AsyncStd.run(|spawner| async_std_net::run(row, spawner, iters))
                });
            }
        }
        runner.shutdown(Duration::from_secs(5));
    }
    group.finish();
}

fn echo(c: &mut Criterion) {
    rows(c, "echo_1b", Row::Echo);
}

fn throughput(c: &mut Criterion) {
    rows(c, "throughput_64mib", Row::Throughput);
}

fn connect_accept(c: &mut Criterion) {
    rows(c, "connect_accept", Row::ConnectAccept);
}

criterion_group! {
    name = benches;
    config = loopbridge_benches::criterion();
    targets = echo, throughput, connect_accept
}
criterion_main!(benches);
