//! Where a `loopbridge::net` socket lives (docs/semantics.md, "Sockets"): made by one call or
//! on one runner and used later from other threads, from a `to_thread` job's `block_on`, and
//! from another backend's tasks; and once its runtime has shut down, every operation on it
//! fails at once — one already waiting included — on every flavour.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use futures_lite::{AsyncReadExt, AsyncWriteExt};
use loopbridge::net::{TcpListener, TcpStream, UdpSocket};
use loopbridge_tests::{runner_for, runner_test};

/// How long an operation that must fail at once may take before the test calls it a hang.
const AT_ONCE: Duration = Duration::from_secs(5);

runner_test! {
    fn sockets_made_on_a_runner_serve_other_threads_and_to_thread_jobs(flavor) {
        let runner = Arc::new(runner_for(flavor));
        // Made by one call (the listener is served by a task of the runner)...
        let addr = runner.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            drop(loopbridge::spawn(async move {
                while let Ok((mut stream, _)) = listener.accept().await {
                    drop(loopbridge::spawn(async move {
                        let mut buf = [0; 1];
                        while stream.read_exact(&mut buf).await.is_ok() {
                            if stream.write_all(&[buf[0] + 1]).await.is_err() {
                                break;
                            }
                        }
                    }));
                }
            }));
            Ok::<_, io::Error>(addr)
        }).expect("bind on the runner");
        // ...and a client stream made by another call...
        let client = runner.block_on(TcpStream::connect(addr)).expect("connect on the runner");
        // ...used from other threads in turn, each in a `block_on` of the runner.
        let mut stream = client;
        for t in 0..4_u8 {
            let runner = Arc::clone(&runner);
            let (returned, reply) = thread::spawn(move || {
                let reply = runner.block_on(async {
                    stream.write_all(&[t * 10]).await?;
                    let mut buf = [0; 1];
                    stream.read_exact(&mut buf).await?;
                    Ok::<_, io::Error>(buf[0])
                });
                (stream, reply)
            })
            .join()
            .expect("thread");
            assert_eq!(reply.expect("round trip"), t * 10 + 1);
            stream = returned;
        }
        // From a `to_thread` job's `block_on`.
        let reply = runner.block_on(loopbridge::to_thread(move || {
            let mut stream = stream;
            loopbridge::block_on(async move {
                stream.write_all(&[41]).await?;
                let mut buf = [0; 1];
                stream.read_exact(&mut buf).await?;
                Ok::<_, io::Error>(buf[0])
            })
        }));
        assert_eq!(reply.expect("job").expect("round trip"), 42);
        // From a plain thread with no runtime at all (the global runner's `block_on`).
        let udp = runner.block_on(UdpSocket::bind("127.0.0.1:0")).expect("udp");
        let to = udp.local_addr().unwrap();
        thread::spawn(move || {
            loopbridge::block_on(async {
                let other = UdpSocket::bind("127.0.0.1:0").await?;
                other.send_to(b"x", to).await?;
                udp.recv_from(&mut [0; 1]).await
            })
        })
        .join()
        .expect("thread")
        .expect("a runner's socket used from the global runner");
    }
}

/// Polls `future` on a thread of its own, outside any runtime, and returns once it waits.
fn waiting_in_a_thread(
    future: impl Future<Output = io::Result<()>> + Send + 'static,
) -> thread::JoinHandle<io::Result<()>> {
    let (polled, was_polled) = std::sync::mpsc::channel();
    let waiter = thread::spawn(move || {
        futures_lite::future::block_on(async move {
            let mut future = std::pin::pin!(future);
            std::future::poll_fn(|cx| {
                let poll = future.as_mut().poll(cx);
                if poll.is_pending() {
                    let _ = polled.send(()); // waiting now
                }
                poll
            })
            .await
        })
    });
    was_polled.recv_timeout(AT_ONCE).expect("the operation waits before the shutdown");
    waiter
}

runner_test! {
    fn after_the_runtime_shut_down_every_operation_fails_at_once(flavor) {
        let runner = runner_for(flavor);
        let (listener, mut client, server, udp) = runner.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let client = TcpStream::connect(listener.local_addr()?).await?;
            let (server, _) = listener.accept().await?;
            Ok::<_, io::Error>((listener, client, server, UdpSocket::bind("127.0.0.1:0").await?))
        }).expect("sockets on the runner");
        // Operations already waiting (polled from other threads, outside the runner) when the
        // runtime shuts down — a read, an accept, a receive: they must end too, not wait for
        // a peer that never comes.
        let (mut waiting, _) = server.into_split();
        let read = waiting_in_a_thread(async move { waiting.read(&mut [0; 8]).await.map(drop) });
        let (other_listener, other_udp) = runner.block_on(async {
            Ok::<_, io::Error>((TcpListener::bind("127.0.0.1:0").await?, UdpSocket::bind("127.0.0.1:0").await?))
        }).expect("more sockets on the runner");
        let accept = waiting_in_a_thread(async move { other_listener.accept().await.map(drop) });
        let recv = waiting_in_a_thread(async move { other_udp.recv_from(&mut [0; 8]).await.map(drop) });
        runner.shutdown(Duration::from_secs(5));

        let start = Instant::now();
        for (what, waiter) in [("read", read), ("accept", accept), ("recv_from", recv)] {
            let result = waiter.join().expect("waiter thread");
            assert!(result.is_err(), "a {what} waiting at the shutdown returned {result:?}");
        }
        futures_lite::future::block_on(async {
            let mut buf = [0; 8];
            assert!(client.read(&mut buf).await.is_err(), "read");
            assert!(client.write_all(b"x").await.is_err(), "write");
            assert!(client.peek(&mut buf).await.is_err(), "peek");
            assert!(listener.accept().await.is_err(), "accept");
            assert!(udp.send_to(b"x", udp.local_addr().unwrap()).await.is_err(), "send_to");
            assert!(udp.recv_from(&mut buf).await.is_err(), "recv_from");
        });
        assert!(start.elapsed() < AT_ONCE, "took {:?}", start.elapsed());
        // And nothing new can be made on it.
        let bridge = runner.bridge();
        let refused = bridge.try_block_on(async { TcpListener::bind("127.0.0.1:0").await });
        assert!(!matches!(refused, Ok(Ok(_))), "a socket made on a shut-down runner");
    }
}

#[cfg(all(feature = "tokio", feature = "smol"))]
mod across_backends {
    use super::*;
    use loopbridge::{BackendKind, Runner};

    /// A server on `home`, a client used from a task of `away`: both directions work.
    fn serve_on_one_use_from_the_other(home: BackendKind, away: BackendKind) {
        let home = Runner::builder().backend(home).build().expect("home runner");
        let away = Runner::builder().backend(away).build().expect("away runner");
        let (listener, client) = home
            .block_on(async {
                let listener = TcpListener::bind("127.0.0.1:0").await?;
                let client = TcpStream::connect(listener.local_addr()?).await?;
                Ok::<_, io::Error>((listener, client))
            })
            .expect("sockets on the home runner");
        let served = away.block_on(away.spawn(async move {
            let (mut server, _) = listener.accept().await?;
            let mut client = client;
            client.write_all(b"across").await?;
            client.close().await?;
            let mut got = String::new();
            server.read_to_string(&mut got).await?;
            Ok::<_, io::Error>((got, loopbridge::current()))
        }));
        let (got, ran_on) = served.expect("away task").expect("io from the away runtime");
        assert_eq!(got, "across");
        assert_eq!(ran_on, Some(away.kind()));
    }

    #[test]
    fn a_tokio_socket_from_a_smol_task() {
        loopbridge_tests::with_watchdog(|| {
            serve_on_one_use_from_the_other(BackendKind::Tokio, BackendKind::Smol)
        });
    }

    #[test]
    fn a_smol_socket_from_a_tokio_task() {
        loopbridge_tests::with_watchdog(|| {
            serve_on_one_use_from_the_other(BackendKind::Smol, BackendKind::Tokio)
        });
    }
}
