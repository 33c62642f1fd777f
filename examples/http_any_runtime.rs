//! hyper's HTTP server and clients on whichever backend the features select — written once,
//! through `loopbridge::hyper` (`Executor`, `Timer`) and `loopbridge::net` streams.
//!
//! ```text
//! cargo run --example http_any_runtime                           # tokio (the default)
//! cargo run -p loopbridge-examples --example http_any_runtime \
//!     --no-default-features --features smol,net,hyper,macros        # smol
//! ```
//!
//! Built with smol alone, no tokio runtime is in the build: `cargo tree` shows tokio only as
//! hyper's dependency for its `sync` primitives (and `net` types for hyper-util's pooled
//! client), never `rt` — `cargo xtask test` checks it. It serves HTTP/1 on 127.0.0.1, then
//! requests it twice: over one keep-alive connection with hyper's own client, and with
//! hyper-util's pooled `Client` from 32 concurrent tasks, through `support/tcp_connector.rs`.

use std::convert::Infallible;
use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, server::conn::http1, service::service_fn};
use hyper_util::client::legacy::Client;
use loopbridge::hyper::{Executor, Timer};
use loopbridge::net::{TcpListener, TcpStream};

#[path = "support/tcp_connector.rs"]
mod tcp_connector;

type BoxError = Box<dyn Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    println!("backend: {}", loopbridge::Bridge::global().kind());
    loopbridge::block_on(async {
        let accepted = Arc::new(AtomicUsize::new(0));
        let addr = serve(accepted.clone()).await?;

        // hyper's client on one connection: requests in turn, the connection kept alive.
        let stream = TcpStream::connect(addr).await?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(stream).await?;
        drop(loopbridge::spawn(connection)); // detached: it ends with the connection
        for name in ["ada", "grace", "edsger"] {
            sender.ready().await?;
            let response =
                sender.send_request(get(&format!("http://{addr}/hello/{name}"))?).await?;
            let body = response.into_body().collect().await?.to_bytes();
            println!("one connection: {}", String::from_utf8_lossy(&body));
        }

        // hyper-util's pooled client: concurrent requests share a few pooled connections.
        let client = Client::builder(Executor::default())
            .timer(Timer)
            .pool_timer(Timer)
            .pool_idle_timeout(Duration::from_secs(30))
            .build(tcp_connector::TcpConnector);
        let mut requests = loopbridge::JoinSet::new();
        for i in 0..32 {
            let (client, uri) = (client.clone(), format!("http://{addr}/hello/task-{i}"));
            requests.spawn(async move {
                let response = client.request(get(&uri)?).await?;
                let body = response.into_body().collect().await?.to_bytes();
                Ok::<_, BoxError>(body)
            });
        }
        let mut answered = 0;
        while let Some(result) = requests.join_next().await {
            let body = result??;
            assert!(body.starts_with(b"hello, task-"), "{body:?}");
            answered += 1;
        }
        let after_burst = accepted.load(Ordering::SeqCst);
        println!("pooled client: {answered} concurrent requests, {after_burst} connections so far");
        // In sequence, the pool's idle connections serve every request: no new connection.
        for i in 0..32 {
            let response = client.request(get(&format!("http://{addr}/hello/again-{i}"))?).await?;
            response.into_body().collect().await?;
        }
        let accepted = accepted.load(Ordering::SeqCst);
        println!(
            "pooled client: 32 requests in sequence, {} new connections",
            accepted - after_burst
        );
        assert_eq!(accepted, after_burst, "sequential requests reuse pooled connections");
        Ok(())
    })
}

/// Serves HTTP/1 on a free loopback port, one task per connection; returns its address.
async fn serve(accepted: Arc<AtomicUsize>) -> Result<std::net::SocketAddr, BoxError> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    drop(loopbridge::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            accepted.fetch_add(1, Ordering::SeqCst);
            let connection = http1::Builder::new()
                .timer(Timer) // header_read_timeout runs on loopbridge's timers
                .header_read_timeout(Duration::from_secs(5))
                .serve_connection(stream, service_fn(hello));
            drop(loopbridge::spawn(async move {
                if let Err(err) = connection.await {
                    eprintln!("connection: {err}");
                }
            }));
        }
    }));
    Ok(addr)
}

async fn hello(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let name = request.uri().path().rsplit('/').next().unwrap_or("world").to_owned();
    Ok(Response::new(Full::new(Bytes::from(format!("hello, {name}")))))
}

fn get(uri: &str) -> Result<Request<Empty<Bytes>>, hyper::http::Error> {
    Request::get(uri).body(Empty::new())
}
