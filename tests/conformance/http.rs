//! `loopbridge::hyper` (docs/semantics.md, "HTTP"): hyper's HTTP/1 and HTTP/2 clients and
//! servers over `loopbridge::net`, with loopbridge's `Executor` and `Timer` — on every flavour.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use loopbridge::time;

use futures_lite::{AsyncReadExt, AsyncWriteExt};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response, client, server};
use loopbridge::hyper::{Executor, Timer};
use loopbridge::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use loopbridge::net::{TcpListener, TcpStream};
use loopbridge_tests::{runner_for, runner_test};

type Body = Full<Bytes>;

/// Answers `METHOD PATH: BODY`, so that a response proves which request it answers.
async fn echo(request: Request<Incoming>) -> Result<Response<Body>, hyper::Error> {
    let head = format!("{} {}: ", request.method(), request.uri().path());
    let body = request.into_body().collect().await?.to_bytes();
    Ok(Response::new(Full::new([head.as_bytes(), &body].concat().into())))
}

/// Serves HTTP/1 with `echo` on every connection `listener` accepts, each in a task of its
/// own; the count is of the connections accepted.
pub(crate) fn serve_http1(listener: TcpListener) -> Arc<AtomicUsize> {
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    drop(loopbridge::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            drop(loopbridge::spawn(
                server::conn::http1::Builder::new()
                    .timer(Timer)
                    .serve_connection(stream, service_fn(echo)),
            ));
        }
    }));
    accepted
}

fn post(path: &str, body: impl Into<Bytes>) -> Request<Body> {
    Request::post(path).body(Full::new(body.into())).expect("a valid request")
}

/// Sends `request` and returns the response's status and body.
async fn send<B>(
    sender: &mut client::conn::http1::SendRequest<B>,
    request: Request<B>,
) -> (u16, Bytes)
where
    B: hyper::body::Body + 'static,
{
    // HTTP/1: the connection takes the next request once it has finished the last one.
    sender.ready().await.expect("the connection ready for a request");
    let response = sender.send_request(request).await.expect("a response");
    let status = response.status().as_u16();
    (status, response.into_body().collect().await.expect("the response body").to_bytes())
}

#[loopbridge::test]
async fn http1_keep_alive_answers_two_hundred_requests_on_one_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local_addr");
    let accepted = serve_http1(listener);
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) = client::conn::http1::handshake(stream).await.expect("handshake");
    let connection = loopbridge::spawn(connection);
    for i in 0..200 {
        // Bodies of growing size, up to 100 KiB: several reads per request near the end.
        let body = vec![b'a' + (i % 26) as u8; i * 512];
        let (status, reply) = send(&mut sender, post(&format!("/item/{i}"), body.clone())).await;
        assert_eq!(status, 200);
        assert_eq!(reply, [format!("POST /item/{i}: ").as_bytes(), &body].concat());
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "every request on the one connection");
    drop(sender);
    connection.await.expect("client connection task").expect("client connection");
}

/// A stream made of the two halves of a split `TcpStream`: each half's hyper trait, in use.
struct Halves {
    read: OwnedReadHalf,
    write: OwnedWriteHalf,
}

impl hyper::rt::Read for Halves {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::pin::Pin::new(&mut self.read).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Halves {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<io::Result<usize>> {
        std::pin::Pin::new(&mut self.write).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::pin::Pin::new(&mut self.write).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::pin::Pin::new(&mut self.write).poll_shutdown(cx)
    }
}

#[loopbridge::test]
async fn split_halves_and_unix_streams_carry_http1() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local_addr");
    serve_http1(listener);
    let (read, write) = TcpStream::connect(addr).await.expect("connect").into_split();
    let (mut sender, connection) =
        client::conn::http1::handshake(Halves { read, write }).await.expect("handshake");
    drop(loopbridge::spawn(connection));
    assert_eq!(
        send(&mut sender, post("/halves", "both")).await,
        (200, "POST /halves: both".into())
    );

    #[cfg(unix)]
    {
        let (client_end, server_end) = loopbridge::net::UnixStream::pair().expect("socketpair");
        drop(loopbridge::spawn(
            server::conn::http1::Builder::new().serve_connection(server_end, service_fn(echo)),
        ));
        let (mut sender, connection) =
            client::conn::http1::handshake(client_end).await.expect("handshake");
        drop(loopbridge::spawn(connection));
        for i in 0..3 {
            let (status, reply) = send(&mut sender, post("/unix", format!("#{i}"))).await;
            assert_eq!((status, reply), (200, format!("POST /unix: #{i}").into()));
        }
    }
}

#[loopbridge::test]
async fn http2_answers_a_hundred_concurrent_streams_on_one_connection() {
    const STREAMS: usize = 100;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local_addr");
    // Every handler waits until all of them are running: the streams are concurrent, or this
    // hangs (and the watchdog fails the test).
    let in_flight = Arc::new(AtomicUsize::new(0));
    let (all_arrived, arrivals) = async_channel::bounded::<()>(1);
    let all_arrived = Arc::new(Mutex::new(Some(all_arrived)));
    drop(loopbridge::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        let service = service_fn(move |request: Request<Incoming>| {
            let (in_flight, all_arrived, arrivals) =
                (in_flight.clone(), all_arrived.clone(), arrivals.clone());
            async move {
                if in_flight.fetch_add(1, Ordering::SeqCst) + 1 == STREAMS {
                    drop(all_arrived.lock().expect("not poisoned").take()); // closes the channel
                }
                assert!(arrivals.recv().await.is_err(), "closed once all have arrived");
                echo(request).await
            }
        });
        server::conn::http2::Builder::new(Executor::default())
            .timer(Timer)
            .max_concurrent_streams(STREAMS as u32 * 2)
            .serve_connection(stream, service)
            .await
    }));

    let stream = TcpStream::connect(addr).await.expect("connect");
    let (sender, connection) = client::conn::http2::Builder::new(Executor::default())
        .timer(Timer)
        .handshake(stream)
        .await
        .expect("handshake");
    drop(loopbridge::spawn(connection));
    let mut requests = loopbridge::JoinSet::new();
    for i in 0..STREAMS {
        let mut sender = sender.clone();
        requests.spawn(async move {
            let response = sender.send_request(post(&format!("/stream/{i}"), "h2")).await?;
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, hyper::Error>((i, body))
        });
    }
    let mut answered = [false; STREAMS];
    while let Some(result) = requests.join_next().await {
        let (i, body) = result.expect("request task").expect("request");
        assert_eq!(body, format!("POST /stream/{i}: h2"));
        answered[i] = true;
    }
    assert!(answered.iter().all(|&a| a), "every stream answered");
}

/// Serves the first connection `listener` accepts with `echo` and a header read `timeout`;
/// returns how serving ended (`Err(true)`: a timeout) and how long it took from the accept, on
/// the runtime's clock.
fn serve_one_with_header_timeout(
    listener: TcpListener,
    timeout: Duration,
) -> loopbridge::JoinHandle<io::Result<(Result<(), bool>, Duration)>> {
    loopbridge::spawn(async move {
        let (stream, _) = listener.accept().await?;
        let started = time::Instant::now();
        let served = server::conn::http1::Builder::new()
            .timer(Timer)
            .header_read_timeout(timeout)
            .serve_connection(stream, service_fn(echo))
            .await;
        Ok((served.map_err(|e| e.is_timeout()), started.elapsed()))
    })
}

/// The most real time a test of virtual minutes may take here (a 2-core CI machine).
const REAL: Duration = Duration::from_secs(20);

/// On a paused clock (docs/testing.md), to the nanosecond: hyper's header read timer is
/// loopbridge's, and the silence of a client on a loopback socket is idle time.
#[loopbridge::test(start_paused = true)]
async fn header_read_timeout_cuts_a_silent_client_off_at_thirty_virtual_seconds() {
    const TIMEOUT: Duration = Duration::from_secs(30);
    let wall = std::time::Instant::now();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local_addr");
    let server = serve_one_with_header_timeout(listener, TIMEOUT);
    let started = time::Instant::now();
    let mut client = TcpStream::connect(addr).await.expect("connect");
    half_a_request_then_silence(&mut client).await;
    let waited = started.elapsed();
    let (served, served_for) = server.await.expect("server task").expect("accept");
    assert_eq!(served, Err(true), "the connection ends with a timeout error");
    assert_eq!(served_for, TIMEOUT, "cut off exactly at the timeout");
    assert_eq!(waited, TIMEOUT, "the client saw the close then");
    assert!(wall.elapsed() < REAL, "took {:?} of real time", wall.elapsed());
}

/// hyper starts a keep-alive connection's header timeout afresh for every request (a new
/// `Timer` sleep each time): a request made well inside one period is answered, and the silence
/// after it is cut off a whole timeout after that request — not at the first request's deadline.
#[loopbridge::test(start_paused = true)]
async fn header_read_timeout_restarts_at_every_request() {
    const TIMEOUT: Duration = Duration::from_secs(30);
    const IDLE: Duration = Duration::from_secs(10);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local_addr");
    let server = serve_one_with_header_timeout(listener, TIMEOUT);
    let mut client = TcpStream::connect(addr).await.expect("connect");
    request_raw(&mut client, "/one").await;
    loopbridge::sleep(IDLE).await;
    // The server's next timeout starts after this request: later than the first one's end.
    let started = time::Instant::now();
    request_raw(&mut client, "/two").await;
    half_a_request_then_silence(&mut client).await;
    let waited = started.elapsed();
    let (served, served_for) = server.await.expect("server task").expect("accept");
    assert_eq!(served, Err(true), "a timeout");
    assert_eq!(waited, TIMEOUT, "cut off a whole timeout after the last request");
    assert_eq!(served_for, IDLE + TIMEOUT);
}

/// `Timer`'s sleeps as hyper uses them: reset before they fire (the header timeout, to a
/// later deadline and to an earlier one) and after (HTTP/2 keep-alive: the ping interval, then
/// the ping's timeout). Each completes exactly at its newest deadline, and never waits for a
/// deadline it no longer has.
#[loopbridge::test(start_paused = true)]
async fn timer_sleeps_complete_at_their_newest_deadline_after_any_reset() {
    use hyper::rt::Timer as _;
    const STEP: Duration = Duration::from_secs(30);
    const LONG: Duration = Duration::from_secs(3600);
    let timer = Timer;
    // (case, the first sleep (`MAX`: never), awaited before the reset, the reset's distance)
    let cases = [
        ("moved later before firing", STEP, false, 3 * STEP),
        ("moved earlier before firing", LONG, false, STEP),
        ("never, then a deadline", Duration::MAX, false, STEP),
        ("reset after firing", STEP, true, 2 * STEP),
    ];
    for (case, first, fire_first, reset) in cases {
        let mut sleep = timer.sleep(first);
        if fire_first {
            (&mut sleep).await;
        }
        let deadline = time::Instant::now() + reset;
        assert_eq!(timer.now(), deadline.into_std() - reset, "{case}: hyper reads the same clock");
        timer.reset(&mut sleep, deadline.into_std());
        let done = loopbridge::timeout(2 * LONG, &mut sleep).await;
        assert!(done.is_ok(), "{case}: still waiting for a deadline it no longer has");
        assert_eq!(time::Instant::now(), deadline, "{case}: exactly at the newest deadline");
        // Done stays done, as for any of hyper's sleeps.
        assert!(futures_lite::future::poll_once(&mut sleep).await.is_some(), "{case}: fused");
    }
}

/// Sends half a request line and waits, reading, until the server closes the connection.
async fn half_a_request_then_silence(client: &mut TcpStream) {
    client.write_all(b"GET /slow HTTP/1.1\r\nHost: lo").await.expect("write");
    let mut rest = Vec::new();
    let _ = client.read_to_end(&mut rest).await; // ends when the server closes
}

/// Sends `GET path` by hand on `client` and reads until its whole response (`echo`'s body
/// ends it) has come.
async fn request_raw(client: &mut TcpStream, path: &str) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: lo\r\n\r\n");
    client.write_all(request.as_bytes()).await.expect("write a request");
    let body = format!("GET {path}: ");
    let mut response = Vec::new();
    let mut chunk = [0; 1024];
    while !response.ends_with(body.as_bytes()) {
        let n = client.read(&mut chunk).await.expect("read a response");
        assert!(n > 0, "the server closed before answering {path}: {response:?}");
        response.extend_from_slice(&chunk[..n]);
    }
}

runner_test! {
    fn a_runner_serves_http_while_plain_threads_request_through_block_on(flavor) {
        let runner = Arc::new(runner_for(flavor));
        let addr = runner.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            serve_http1(listener);
            Ok::<_, io::Error>(addr)
        }).expect("bind on the runner");
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let bridge = runner.bridge();
                std::thread::spawn(move || {
                    bridge.block_on(async {
                        let stream = TcpStream::connect(addr).await.expect("connect");
                        let (mut sender, connection) =
                            client::conn::http1::handshake(stream).await.expect("handshake");
                        // The connection's task on the runner, wherever this thread is.
                        hyper::rt::Executor::execute(&Executor::on(bridge.clone()), async {
                            let _ = connection.await;
                        });
                        for i in 0..25 {
                            let path = format!("/thread/{t}/{i}");
                            let (status, reply) = send(&mut sender, post(&path, "x")).await;
                            assert_eq!((status, reply), (200, format!("POST {path}: x").into()));
                        }
                    });
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("requesting thread");
        }
        let report = runner.shutdown(Duration::from_secs(5));
        assert!(report.completed_in_time(), "{report:?}");
    }
}
