//! hyper-util's pooled `Client` on every flavour, through the connector over
//! `loopbridge::net::TcpStream` that `examples/http_any_runtime.rs` shows, with
//! `loopbridge::hyper`'s `Executor` and `Timer`: connections pooled and reused, concurrent
//! requests, and unreachable servers as connect errors rather than hangs.

use std::sync::atomic::Ordering;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use loopbridge::hyper::{Executor, Timer};
use loopbridge::net::TcpListener;

use crate::http::serve_http1;

#[path = "../../examples/support/tcp_connector.rs"]
mod tcp_connector;

type PooledClient = Client<tcp_connector::TcpConnector, Full<Bytes>>;

fn pooled_client() -> PooledClient {
    Client::builder(Executor::default())
        .timer(Timer)
        .pool_timer(Timer)
        .pool_idle_timeout(Duration::from_secs(30))
        .build(tcp_connector::TcpConnector)
}

/// `POST`s `body` to `uri` and returns the response's body, which `echo` prefixes with the
/// request's method and path.
async fn post(client: &PooledClient, uri: &str, body: &str) -> Bytes {
    let request = Request::post(uri).body(Full::new(Bytes::from(body.to_owned())));
    let response = client.request(request.expect("a valid request")).await.expect("a response");
    assert_eq!(response.status(), 200, "{uri}");
    response.into_body().collect().await.expect("the response body").to_bytes()
}

#[loopbridge::test]
async fn the_pooled_client_reuses_one_connection_for_sequential_requests() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local_addr");
    let accepted = serve_http1(listener);
    let client = pooled_client();
    for i in 0..50 {
        let body = post(&client, &format!("http://{addr}/n{i}"), "ping").await;
        assert_eq!(body, format!("POST /n{i}: ping"));
    }
    // Pooled: not a connection per request (without a pool, 50). Not always one either:
    // hyper-util races a checkout against a new connect, and a request that starts before the
    // last one's connection is back in the pool connects another, which is pooled too — 2 or 3
    // here, on tokio as on every backend.
    let connections = accepted.load(Ordering::SeqCst);
    assert!((1..=5).contains(&connections), "{connections} connections for 50 requests");
    // By name, resolved through `lookup_host`.
    let body = post(&client, &format!("http://localhost:{}/name", addr.port()), "x").await;
    assert_eq!(body, "POST /name: x");
}

#[loopbridge::test]
async fn the_pooled_client_serves_concurrent_tasks_and_pools_their_connections() {
    const TASKS: usize = 16;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local_addr");
    let accepted = serve_http1(listener);
    let client = pooled_client();
    let mut after_round = [0; 2];
    for (round, opened) in after_round.iter_mut().enumerate() {
        let tasks: Vec<_> = (0..TASKS)
            .map(|i| {
                let client = client.clone();
                loopbridge::spawn(async move {
                    let uri = format!("http://{addr}/r{round}/t{i}");
                    (post(&client, &uri, "body").await, format!("POST /r{round}/t{i}: body"))
                })
            })
            .collect();
        for task in tasks {
            let (body, expected) = task.await.expect("a request task");
            assert_eq!(body, expected);
        }
        // The connections go back to the pool from their own tasks, and the server may still
        // be accepting the ones that lost hyper-util's checkout-or-connect race: let both
        // settle before counting, or a late accept of this round is counted in the next.
        loopbridge::sleep(Duration::from_millis(100)).await;
        *opened = accepted.load(Ordering::SeqCst);
    }
    // HTTP/1 carries one request at a time per connection, so concurrent requests need
    // several; how many each round opens depends on how the tasks interleave (a task that
    // finishes early hands its connection on, and hyper-util's checkout-or-connect race may
    // open a spare). Without a pool the two rounds would open one per request, 2 × TASKS;
    // pooled, the second round mostly reuses the first's, so both together stay near one
    // per task running at once.
    let [first, second] = after_round;
    assert!(first >= 2, "{first} connections for {TASKS} concurrent requests");
    assert!(
        second <= TASKS + TASKS / 2,
        "{second} connections for 2 × {TASKS} requests ({first} after the first round): the \
         second round did not reuse the pooled ones"
    );
}

/// An unreachable server and a scheme the connector refuses are connect errors, each well
/// before a deadline. (No unknown host name: resolving one would ask a DNS server, and these
/// tests reach loopback only.)
#[loopbridge::test]
async fn the_pooled_client_reports_unreachable_servers_as_connect_errors() {
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        listener.local_addr().expect("local_addr") // nothing listens once it is dropped
    };
    let client = pooled_client();
    let cases = [("refused", format!("http://{closed}/")), ("https", format!("https://{closed}/"))];
    for (case, uri) in cases {
        let request = Request::get(&uri).body(Full::default()).expect("a valid request");
        let answer = loopbridge::timeout(Duration::from_secs(30), client.request(request)).await;
        let err = answer.expect("an answer, not a hang").expect_err("no server there");
        assert!(err.is_connect(), "{case} ({uri}): {err:?}");
    }
}
