//! Interop over real HTTP on loopback: loopbridge's hyper server on smol answers reqwest (on
//! tokio), and hyper-util's pooled client on smol, through loopbridge, talks to axum (on
//! tokio) — two runtimes, no tokio context on the loopbridge side.

use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, server::conn::http1, service::service_fn};
use hyper_util::client::legacy::Client;
use loopbridge::hyper::{Executor, Timer};
use loopbridge::net::TcpListener;
use loopbridge::{BackendKind, Runner};

#[path = "../support/tcp_connector.rs"]
mod tcp_connector;

/// Generous: a hang fails the test instead of stalling the run.
const DEADLINE: Duration = Duration::from_secs(30);

fn smol_runner() -> Runner {
    Runner::builder().backend(BackendKind::Smol).build().expect("a smol runner")
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Answers `METHOD PATH: BODY` and says which runtime served it.
async fn echo(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let head =
        format!("{} {} on {:?}: ", request.method(), request.uri().path(), loopbridge::current());
    let body = request.into_body().collect().await?.to_bytes();
    Ok(Response::new(Full::new([head.as_bytes(), &body].concat().into())))
}

#[test]
fn loopbridge_server_on_smol_answers_reqwest_on_tokio() {
    let runner = smol_runner();
    let addr = runner
        .block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            drop(loopbridge::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    drop(loopbridge::spawn(
                        http1::Builder::new()
                            .timer(Timer)
                            .serve_connection(stream, service_fn(echo)),
                    ));
                }
            }));
            Ok::<_, std::io::Error>(addr)
        })
        .expect("bind on the smol runner");

    let client = reqwest::Client::builder().no_proxy().timeout(DEADLINE).build().expect("client");
    tokio_runtime().block_on(async {
        for i in 0..50 {
            let url = format!("http://{addr}/reqwest/{i}");
            let reply = if i % 2 == 0 {
                client.get(&url).send().await
            } else {
                client.post(&url).body(format!("body {i}")).send().await
            };
            let reply = reply.expect("a response").error_for_status().expect("status 200");
            let body = reply.text().await.expect("a body");
            let expected = if i % 2 == 0 {
                format!("GET /reqwest/{i} on Some(Smol): ")
            } else {
                format!("POST /reqwest/{i} on Some(Smol): body {i}")
            };
            assert_eq!(body, expected);
        }
    });
    assert!(runner.shutdown(Duration::from_secs(5)).completed_in_time());
}

#[test]
fn loopbridge_pooled_client_on_smol_talks_to_axum_on_tokio() {
    let tokio = tokio_runtime();
    let app = Router::new()
        .route(
            "/hello/{name}",
            get(|axum::extract::Path(name): axum::extract::Path<String>| async move {
                format!("hello, {name}, from axum")
            }),
        )
        .route("/echo", post(|body: String| async move { body.to_uppercase() }));
    let listener =
        tokio.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind on tokio");
    let addr = listener.local_addr().expect("local_addr");
    tokio.spawn(async move { axum::serve(listener, app).await });

    let runner = smol_runner();
    runner.block_on(async {
        let client = Client::builder(Executor::default())
            .timer(Timer)
            .pool_timer(Timer)
            .build::<_, Full<Bytes>>(tcp_connector::TcpConnector);
        let requests = async {
            for i in 0..50 {
                let request = Request::get(format!("http://{addr}/hello/n{i}"))
                    .body(Full::default())
                    .expect("a request");
                let response = client.request(request).await.expect("a response");
                assert_eq!(response.status(), 200);
                let body = response.into_body().collect().await.expect("a body").to_bytes();
                assert_eq!(body, format!("hello, n{i}, from axum"));
            }
            let request = Request::post(format!("http://{addr}/echo"))
                .body(Full::new(Bytes::from_static(b"shout")))
                .expect("a request");
            let response = client.request(request).await.expect("a response");
            let body = response.into_body().collect().await.expect("a body").to_bytes();
            assert_eq!(body, "SHOUT");
        };
        loopbridge::timeout(DEADLINE, requests).await.expect("answered before the deadline");
    });
    assert!(runner.shutdown(Duration::from_secs(5)).completed_in_time());
    drop(tokio);
}
