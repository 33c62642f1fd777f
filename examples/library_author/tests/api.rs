//! tinykv's tests, written once with `#[loopbridge::test]`: each runs on every runtime flavour
//! compiled in through this crate's features (`cargo test -p tinykv --all-features` runs each
//! on tokio multi-thread, tokio current-thread, smol and async-std). `cargo xtask test` checks
//! that the list has exactly one test per flavour for each of them.
//!
//! They talk to a real `redis-server`, whose address is in `TINYKV_REDIS_ADDR` (`cargo xtask
//! test` starts one and sets it), and to fake servers of their own for the failures a real
//! one does not produce on demand. All tests and flavours share the server, in parallel: every
//! key starts with the process id, the test's name and its flavour.

use std::io;
use std::time::Duration;

use futures_lite::{AsyncReadExt, AsyncWriteExt};
use loopbridge::Flavor;
use loopbridge::net::{TcpListener, TcpStream};
use tinykv::{Client, Cmd, Config, Connection, Error, Value};

/// The real server's address; a missing one fails the test, never skips it.
fn redis_addr() -> String {
    std::env::var("TINYKV_REDIS_ADDR").unwrap_or_else(|_| {
        panic!(
            "TINYKV_REDIS_ADDR is not set: these tests need a real Redis server. Run \
             `cargo xtask test --only examples-tests` (it starts one), or start \
             `redis-server --port 6390 --save ''` and set TINYKV_REDIS_ADDR=127.0.0.1:6390"
        )
    })
}

fn client(pool_size: usize) -> Client {
    Client::new(Config::new(redis_addr()).pool_size(pool_size))
}

/// A key of this test on this flavour, in this process.
fn key(test: &str, flavor: Flavor, name: &str) -> String {
    format!("tinykv-test:{}:{test}:{flavor:?}:{name}", std::process::id())
}

#[loopbridge::test]
async fn get_set_incr_and_del_round_trip(flavor: Flavor) -> Result<(), Error> {
    let client = client(2);
    let (name, counter) = (key("round", flavor, "name"), key("round", flavor, "counter"));
    assert_eq!(client.get(&name).await?, None);
    client.set(&name, "db-1").await?;
    assert_eq!(client.get(&name).await?.as_deref(), Some("db-1"));
    client.set(&name, b"bytes \r\n too").await?; // binary-safe
    assert_eq!(client.get(&name).await?.as_deref(), Some("bytes \r\n too"));
    assert_eq!(client.incr(&counter).await?, 1);
    assert_eq!(client.incr(&counter).await?, 2);
    assert_eq!(client.del(&counter).await?, 1);
    assert_eq!(client.del(&counter).await?, 0);
    assert_eq!(client.del(&name).await?, 1);
    client.ping().await
}

#[loopbridge::test]
async fn a_pipeline_of_2000_commands_gets_its_replies_in_order(
    flavor: Flavor,
) -> Result<(), Error> {
    let client = client(1);
    let keys: Vec<String> = (0..1000).map(|i| key("pipeline", flavor, &i.to_string())).collect();
    let mut pipeline = client.pipeline();
    for (i, key) in keys.iter().enumerate() {
        pipeline.set(key, format!("value-{i}"));
    }
    for key in &keys {
        pipeline.get(key);
    }
    let replies = pipeline.query().await?;
    assert_eq!(replies.len(), 2000);
    assert!(replies[..1000].iter().all(|reply| *reply == Value::Simple("OK".into())));
    for (i, reply) in replies[1000..].iter().enumerate() {
        assert_eq!(*reply, Value::Bulk(Some(format!("value-{i}").into_bytes())));
    }
    let mut cleanup = client.pipeline();
    for key in &keys {
        cleanup.del(key);
    }
    assert!(cleanup.query().await?.iter().all(|reply| *reply == Value::Integer(1)));
    Ok(())
}

#[loopbridge::test]
async fn many_tasks_share_a_pool_of_three(flavor: Flavor) -> Result<(), Error> {
    let client = client(3);
    let counter = key("pool", flavor, "counter");
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let (client, counter) = (client.clone(), counter.clone());
            loopbridge::spawn(async move {
                for _ in 0..25 {
                    client.incr(&counter).await?;
                }
                Ok::<_, Error>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("the task ran")?;
    }
    assert_eq!(client.get(&counter).await?.as_deref(), Some("1000"));
    let idle = client.idle_connections();
    assert!((1..=3).contains(&idle), "{idle} idle connections in a pool of 3");
    client.del(&counter).await?;
    Ok(())
}

#[loopbridge::test]
async fn an_error_reply_is_a_server_error_and_keeps_the_connection(flavor: Flavor) {
    let client = client(1);
    let text = key("server_error", flavor, "text");
    client.set(&text, "not a number").await.unwrap();
    let err = client.incr(&text).await.unwrap_err();
    assert!(matches!(&err, Error::Server(message) if message.contains("not an integer")), "{err}");
    assert!(!err.breaks_connection());
    assert_eq!(client.idle_connections(), 1, "the connection went back to the pool");
    assert_eq!(client.get(&text).await.unwrap().as_deref(), Some("not a number"));
    client.del(&text).await.unwrap();
}

#[loopbridge::test]
async fn a_pooled_connection_killed_by_the_server_is_replaced(flavor: Flavor) -> Result<(), Error> {
    let client = client(1);
    let id = client.query(&Cmd::new("CLIENT").arg("ID")).await?.into_integer()?;
    let mut admin = Connection::connect(&Config::new(redis_addr())).await?;
    let kill = Cmd::new("CLIENT").arg("KILL").arg("ID").arg(id.to_string());
    assert_eq!(admin.query(&kill).await?, Value::Integer(1));
    // The pool notices the closed connection before using it: no command fails.
    let key = key("killed", flavor, "k");
    assert_eq!(client.get(&key).await?, None);
    let new_id = client.query(&Cmd::new("CLIENT").arg("ID")).await?.into_integer()?;
    assert_ne!(new_id, id);
    Ok(())
}

/// What the first connection to a [`fake_server`] does; later ones answer PINGs properly.
#[derive(Clone, Copy, Debug)]
enum Fake {
    /// Reads the request, writes these bytes, closes.
    AnswersThenCloses(&'static [u8]),
    /// Reads the request, writes these bytes, stays open.
    Answers(&'static [u8]),
    /// Reads the request and never answers.
    NeverAnswers,
    /// Nothing listens at the address at first; a proper server does after the failure.
    NothingListening,
}

/// Starts a fake server at `addr`, or a free port, and returns its address and its accept
/// loop (to abort); each connection's task ends when the client closes it.
async fn fake_server(
    first: Option<Fake>,
    addr: &str,
) -> io::Result<(String, loopbridge::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?.to_string();
    let accepting = loopbridge::spawn(async move {
        let mut first = first;
        while let Ok((stream, _)) = listener.accept().await {
            drop(loopbridge::spawn(serve(stream, first.take()))); // detached
        }
    });
    Ok((addr, accepting))
}

async fn serve(mut stream: TcpStream, fake: Option<Fake>) {
    let mut buf = vec![0; 64 * 1024];
    while let Ok(read @ 1..) = stream.read(&mut buf).await {
        let answer = match fake {
            None => b"+PONG\r\n".repeat(buf[..read].windows(4).filter(|w| w == b"PING").count()),
            Some(Fake::Answers(bytes) | Fake::AnswersThenCloses(bytes)) => bytes.to_vec(),
            Some(Fake::NeverAnswers | Fake::NothingListening) => continue,
        };
        if stream.write_all(&answer).await.is_err()
            || matches!(fake, Some(Fake::AnswersThenCloses(_)))
        {
            return;
        }
    }
}

#[loopbridge::test]
async fn bad_servers_give_typed_errors_and_the_client_recovers() -> io::Result<()> {
    let protocol = |err: &Error| matches!(err, Error::Protocol(_));
    type Check = fn(&Error) -> bool;
    let cases: [(&str, Fake, usize, Check); 7] = [
        ("closes mid-pipeline", Fake::AnswersThenCloses(b"+PONG\r\n+PONG\r\n"), 3, |err| {
            matches!(err, Error::Closed { replies: 2, expected: 3 } | Error::Io { .. })
        }),
        ("unknown reply type", Fake::Answers(b"?what\r\n"), 1, protocol),
        ("bulk length not a number", Fake::Answers(b"$abc\r\n"), 1, protocol),
        ("negative bulk length", Fake::Answers(b"$-2\r\n"), 1, protocol),
        ("bulk longer than its length", Fake::Answers(b"$1\r\nhello\r\n"), 2, protocol),
        ("never answers", Fake::NeverAnswers, 1, |err| matches!(err, Error::Timeout { .. })),
        (
            "nothing listening",
            Fake::NothingListening,
            1,
            |err| matches!(err, Error::Io { source, .. } if source.kind() == io::ErrorKind::ConnectionRefused),
        ),
    ];
    for (case, fake, commands, expected) in cases {
        let (addr, mut server) = match fake {
            Fake::NothingListening => {
                let free = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
                (free.to_string(), None)
            }
            _ => {
                let (addr, server) = fake_server(Some(fake), "127.0.0.1:0").await?;
                (addr, Some(server))
            }
        };
        let config = Config::new(&addr).pool_size(1).command_timeout(Duration::from_millis(100));
        let client = Client::new(config);
        let mut pipeline = client.pipeline();
        for _ in 0..commands {
            pipeline.cmd(Cmd::new("PING"));
        }
        let failed = loopbridge::timeout(Duration::from_secs(10), pipeline.query()).await;
        let err = failed.unwrap_or_else(|_| panic!("{case}: hangs")).expect_err(case);
        assert!(expected(&err), "{case}: unexpected error {err:?}");
        println!("{case}: {err}");
        assert_eq!(client.idle_connections(), 0, "{case}: the broken connection was kept");

        if server.is_none() {
            server = Some(fake_server(None, &addr).await?.1); // the server comes up after all
        }
        let recovered = loopbridge::timeout(Duration::from_secs(10), client.ping()).await;
        recovered.unwrap_or_else(|_| panic!("{case}: hangs")).unwrap_or_else(|err| {
            panic!("{case}: the client did not recover: {err}");
        });
        assert_eq!(client.idle_connections(), 1, "{case}");
        server.iter().for_each(loopbridge::JoinHandle::abort);
    }
    Ok(())
}

/// The command timeout on a paused clock (docs/testing.md): a server that never answers is cut
/// off exactly at the timeout, a minute of it in no real time, and the next command on a new
/// connection succeeds.
#[loopbridge::test(start_paused = true)]
async fn a_silent_server_is_cut_off_at_the_command_timeout_in_virtual_time() -> io::Result<()> {
    const TIMEOUT: Duration = Duration::from_secs(60);
    let wall = std::time::Instant::now();
    let (addr, server) = fake_server(Some(Fake::NeverAnswers), "127.0.0.1:0").await?;
    let client = Client::new(Config::new(&addr).pool_size(1).command_timeout(TIMEOUT));
    let started = loopbridge::time::Instant::now();
    let err = client.ping().await.expect_err("the server never answers");
    assert!(matches!(err, Error::Timeout { after: TIMEOUT, .. }), "{err:?}");
    assert_eq!(started.elapsed(), TIMEOUT, "cut off exactly at the timeout");
    let started = loopbridge::time::Instant::now();
    client.ping().await.expect("a new connection, answered");
    assert_eq!(started.elapsed(), Duration::ZERO, "an answered command takes no virtual time");
    assert!(wall.elapsed() < Duration::from_secs(20), "took {:?} of real time", wall.elapsed());
    server.abort();
    Ok(())
}

#[loopbridge::test]
async fn the_blocking_twins_work_on_a_blocking_thread(flavor: Flavor) {
    // Sync code inside an async application: a `to_thread` job, on this flavour's runtime.
    let client = client(2);
    let key = key("twins", flavor, "k");
    let value = loopbridge::to_thread(move || -> Result<Option<String>, Error> {
        client.set_blocking(&key, "from a blocking thread")?;
        let value = client.get_blocking(&key)?;
        client.del_blocking(&key)?;
        Ok(value)
    })
    .await
    .unwrap();
    assert_eq!(value.unwrap().as_deref(), Some("from a blocking thread"));
}

#[test]
fn the_blocking_twins_work_from_plain_sync_code() -> Result<(), Error> {
    let client = client(2);
    let key = format!("tinykv-test:{}:plain", std::process::id());
    client.set_blocking(&key, "7")?;
    assert_eq!(client.incr_blocking(&key)?, 8);
    let replies = client.pipeline().get(&key).incr(&key).query_blocking()?;
    assert_eq!(replies, [Value::Bulk(Some(b"8".to_vec())), Value::Integer(9)]);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (client, key) = (client.clone(), key.clone());
            std::thread::spawn(move || client.incr_blocking(&key))
        })
        .collect();
    for thread in threads {
        thread.join().expect("the thread ran")?;
    }
    assert_eq!(client.get_blocking(&key)?.as_deref(), Some("13"));
    assert_eq!(client.del_blocking(&key)?, 1);
    Ok(())
}
