//! An application using the `tinykv` library (`examples/library_author/`, a small Redis client)
//! from plain sync code: the library is written once as async code over `loopbridge::net`, and
//! `#[loopbridge::blocking]` gave each async method a blocking twin.
//!
//! ```text
//! cargo run --example library_author                                  # tokio (the default)
//! cargo run --example library_author --no-default-features --features smol
//! ```
//!
//! The runtime is the application's choice: this package's `smol` feature turns on
//! `tinykv/smol`, which the library forwards to `loopbridge/smol`.
//!
//! It needs a Redis server: the one at `TINYKV_REDIS_ADDR` (`cargo xtask test` sets it), else
//! a `redis-server` it starts itself on a free port and stops at exit.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tinykv::{Client, Config, Error};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = Server::find_or_start()?;
    let config = Config::new(&server.addr).pool_size(4).command_timeout(Duration::from_secs(2));
    // No runtime in sight: the first twin starts loopbridge's global runner, and it stays, with
    // the pool's connections registered on it.
    let client = Client::new(config);
    let key = |name: &str| format!("library_author:{}:{name}", std::process::id());

    client.set_blocking(&key("name"), "db-1")?;
    let name = client.get_blocking(&key("name"))?;
    println!("name = {name:?} (on {})", loopbridge::Bridge::global().kind());
    println!("visits = {}", client.incr_blocking(&key("visits"))?);

    // One write and one round trip for 201 commands, the replies in order.
    let items: Vec<String> = (0..100).map(|i| key(&format!("item:{i}"))).collect();
    let mut pipeline = client.pipeline();
    for (i, item) in items.iter().enumerate() {
        pipeline.set(item, i.to_string());
    }
    pipeline.get(&items[42]);
    items.iter().for_each(|item| _ = pipeline.del(item));
    let replies = pipeline.query_blocking()?;
    let answer = replies[100].clone().into_string()?;
    println!("a pipeline of {} commands; reply 101 = {answer:?}", replies.len());

    // One client, cloned into threads, sharing a pool of at most 4 connections.
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (client, visits) = (client.clone(), key("visits"));
            std::thread::spawn(move || {
                (0..50).try_for_each(|_| client.incr_blocking(&visits).map(drop))
            })
        })
        .collect();
    for thread in threads {
        thread.join().map_err(|_| "a thread panicked")??;
    }
    println!("visits = {:?} after 8 threads x 50 INCR", client.get_blocking(&key("visits"))?);

    // Typed errors: the server refuses INCR on text; the connection stays in the pool.
    match client.incr_blocking(&key("name")) {
        Err(err @ Error::Server(_)) => println!("as expected: {err}"),
        other => println!("surprise: {other:?}"),
    }
    // A server that is not there: an I/O error that says what to check.
    let nowhere = Client::new(Config::new("127.0.0.1:1").connect_timeout(Duration::from_secs(1)));
    if let Err(err) = nowhere.ping_blocking() {
        println!("as expected: {err}");
    }

    client.del_blocking(&key("name"))?;
    client.del_blocking(&key("visits"))?;
    Ok(())
}

/// The Redis server of this run, and the `redis-server` process started for it, if any.
struct Server {
    addr: String,
    child: Option<Child>,
}

impl Server {
    fn find_or_start() -> Result<Server, Box<dyn std::error::Error>> {
        if let Ok(addr) = std::env::var("TINYKV_REDIS_ADDR") {
            return Ok(Server { addr, child: None });
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .map_err(|err| {
                format!(
                    "cannot start redis-server ({err}): install it (`sudo apt-get install \
                     redis-server`), or set TINYKV_REDIS_ADDR=HOST:PORT to a running server"
                )
            })?;
        let server = Server { addr: format!("127.0.0.1:{port}"), child: Some(child) };
        let probe = Client::new(Config::new(&server.addr));
        for _ in 0..100 {
            if probe.ping_blocking().is_ok() {
                println!("started redis-server on {}", server.addr);
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("redis-server on {} did not answer PING within 5 s", server.addr).into())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
