//! `loopbridge::net` TCP (docs/semantics.md, "Sockets"): echo with half-close, 16 MiB both
//! ways through split halves, a thousand concurrent connections, cancel-safe `accept` and
//! `read`, `peek`, `nodelay`, `from_std`/`into_std` — on every flavour.

use std::io;
use std::time::Duration;

use futures_lite::{AsyncReadExt, AsyncWriteExt};
use loopbridge::net::{TcpListener, TcpStream};

/// A listener on a free loopback port, and its address.
async fn listener() -> (TcpListener, std::net::SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr = listener.local_addr().expect("local_addr");
    (listener, addr)
}

/// `len` bytes of a pattern that tells positions apart (so a lost or repeated chunk shows).
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u64 * 31 + u64::from(seed)).to_le_bytes()[0] ^ (i >> 16) as u8).collect()
}

#[loopbridge::test]
async fn echo_with_half_close() {
    let (listener, addr) = listener().await;
    let server = loopbridge::spawn(async move {
        let (mut stream, peer) = listener.accept().await?;
        let mut request = Vec::new();
        stream.read_to_end(&mut request).await?; // ends at the client's FIN
        stream.write_all(&request).await?;
        stream.close().await?;
        Ok::<_, io::Error>(peer)
    });
    let mut client = TcpStream::connect(addr).await.expect("connect");
    client.write_all(b"hello, half-closed world").await.expect("write");
    client.close().await.expect("close the write side");
    // Writing after the close fails; reading still works.
    assert!(client.write_all(b"late").await.is_err(), "a write after close must fail");
    let mut reply = Vec::new();
    client.read_to_end(&mut reply).await.expect("read after half-close");
    assert_eq!(reply, b"hello, half-closed world");
    assert_eq!(
        server.await.expect("server task").expect("server io"),
        client.local_addr().unwrap()
    );
}

#[loopbridge::test]
async fn sixteen_mib_both_ways_through_split_halves() {
    const LEN: usize = 16 << 20;
    let (listener, addr) = listener().await;
    let (client, (server, _)) = futures_lite::future::zip(
        async { TcpStream::connect(addr).await.expect("connect") },
        async { listener.accept().await.expect("accept") },
    )
    .await;
    // Each side writes its pattern through its write half while its read half reads the peer's.
    let side = |stream: TcpStream, seed: u8, peer_seed: u8| {
        let (mut read, mut write) = stream.into_split();
        let writer = loopbridge::spawn(async move {
            for chunk in pattern(LEN, seed).chunks(64 << 10) {
                write.write_all(chunk).await?;
            }
            write.close().await?; // FIN: the peer's read_to_end ends
            Ok::<_, io::Error>(())
        });
        let reader = loopbridge::spawn(async move {
            let mut got = Vec::with_capacity(LEN);
            read.read_to_end(&mut got).await?;
            Ok::<_, io::Error>(got == pattern(LEN, peer_seed))
        });
        (writer, reader)
    };
    let (client_writer, client_reader) = side(client, 1, 2);
    let (server_writer, server_reader) = side(server, 2, 1);
    client_writer.await.expect("task").expect("client writes 16 MiB");
    server_writer.await.expect("task").expect("server writes 16 MiB");
    assert!(
        client_reader.await.expect("task").expect("client reads"),
        "client got the server's bytes"
    );
    assert!(
        server_reader.await.expect("task").expect("server reads"),
        "server got the client's bytes"
    );
}

#[loopbridge::test]
async fn dropping_the_write_half_sends_fin_and_the_read_half_reads_on() {
    let (listener, addr) = listener().await;
    let client = TcpStream::connect(addr).await.expect("connect");
    let (mut server, _) = listener.accept().await.expect("accept");
    let (mut read, mut write) = client.into_split();
    write.write_all(b"bye").await.expect("write");
    {
        let _dropped_here = write; // sends FIN
    }
    let mut got = Vec::new();
    server.read_to_end(&mut got).await.expect("read to the FIN");
    assert_eq!(got, b"bye");
    server.write_all(b"still here").await.expect("write back");
    let mut back = [0; 10];
    read.read_exact(&mut back).await.expect("the read half reads on");
    assert_eq!(&back, b"still here");
}

#[loopbridge::test]
async fn a_thousand_concurrent_connections() {
    const CONNECTIONS: u32 = 1_000;
    loopbridge_tests::raise_fd_limit(4 * CONNECTIONS as u64 + 256);
    let (listener, addr) = listener().await;
    let server = loopbridge::spawn(async move {
        let mut handlers = Vec::new();
        for _ in 0..CONNECTIONS {
            let (mut stream, _) = listener.accept().await?;
            handlers.push(loopbridge::spawn(async move {
                let mut id = [0; 4];
                stream.read_exact(&mut id).await?;
                stream.write_all(&(u32::from_le_bytes(id) * 2).to_le_bytes()).await
            }));
        }
        for handler in handlers {
            handler.await.expect("handler task")?;
        }
        Ok::<_, io::Error>(())
    });
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|id| {
            loopbridge::spawn(async move {
                let mut stream = TcpStream::connect(addr).await?;
                stream.write_all(&id.to_le_bytes()).await?;
                let mut doubled = [0; 4];
                stream.read_exact(&mut doubled).await?;
                Ok::<_, io::Error>(u32::from_le_bytes(doubled) == id * 2)
            })
        })
        .collect();
    for client in clients {
        assert!(
            client.await.expect("client task").expect("client io"),
            "a reply went to the wrong client"
        );
    }
    server.await.expect("server task").expect("server io");
}

#[loopbridge::test]
async fn a_timed_out_accept_loses_no_connection() {
    const CONNECTIONS: usize = 20;
    let (listener, addr) = listener().await;
    let clients = loopbridge::spawn(async move {
        let mut streams = Vec::new();
        for _ in 0..CONNECTIONS {
            loopbridge::sleep(Duration::from_millis(3)).await;
            streams.push(TcpStream::connect(addr).await?);
        }
        Ok::<_, io::Error>(streams)
    });
    let (mut accepted, mut timed_out) = (0, 0);
    while accepted < CONNECTIONS {
        // Most attempts give up before a connection arrives: each is an `accept` dropped
        // while it waits.
        match loopbridge::timeout(Duration::from_micros(500), listener.accept()).await {
            Ok(result) => {
                result.expect("accept");
                accepted += 1;
            }
            Err(_) => timed_out += 1,
        }
    }
    assert!(timed_out > 0, "the test must drop some waiting accepts");
    let streams = clients.await.expect("client task").expect("connect");
    assert_eq!(streams.len(), CONNECTIONS);
}

#[loopbridge::test]
async fn a_timed_out_read_loses_no_byte() {
    const CHUNKS: usize = 50;
    let (listener, addr) = listener().await;
    let writer = loopbridge::spawn(async move {
        let mut stream = TcpStream::connect(addr).await?;
        for chunk in pattern(CHUNKS * 100, 7).chunks(100) {
            stream.write_all(chunk).await?;
            loopbridge::sleep(Duration::from_millis(1)).await;
        }
        Ok::<_, io::Error>(())
    });
    let (mut stream, _) = listener.accept().await.expect("accept");
    let (mut got, mut timed_out) = (Vec::new(), 0);
    let mut buf = [0; 64];
    loop {
        match loopbridge::timeout(Duration::from_micros(300), stream.read(&mut buf)).await {
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Ok(Err(e)) => panic!("read: {e}"),
            Err(_) => timed_out += 1,
        }
    }
    writer.await.expect("writer task").expect("writes");
    assert!(timed_out > 0, "the test must drop some waiting reads");
    assert_eq!(got, pattern(CHUNKS * 100, 7), "every byte, once, in order");
}

#[loopbridge::test]
async fn peek_nodelay_and_std_round_trips() {
    let (listener, addr) = listener().await;
    let mut client = TcpStream::connect(addr).await.expect("connect");
    let (server, _) = listener.accept().await.expect("accept");

    client.set_nodelay(true).expect("set_nodelay");
    assert!(client.nodelay().expect("nodelay"));
    client.set_nodelay(false).expect("set_nodelay");
    assert!(!client.nodelay().expect("nodelay"));

    client.write_all(b"peekaboo").await.expect("write");
    let mut peeked = [0; 8];
    let n = server.peek(&mut peeked).await.expect("peek");
    assert!(n > 0 && peeked[..n] == b"peekaboo"[..n]);

    // Out to std and back: the stream keeps its data and its connection.
    let std_stream = server.into_std().expect("into_std");
    let mut server = TcpStream::from_std(std_stream).expect("from_std");
    let mut read = [0; 8];
    server.read_exact(&mut read).await.expect("read after the round trip");
    assert_eq!(&read, b"peekaboo");

    // `from_std` makes a blocking std stream non-blocking itself: a read with nothing to read
    // waits as a future instead of blocking the executor thread.
    let std_client = std::net::TcpStream::connect(addr).expect("std connect");
    std_client.set_nonblocking(false).expect("blocking");
    let (accepted, _) = listener.accept().await.expect("accept");
    let mut accepted = accepted;
    let mut from_std = TcpStream::from_std(std_client).expect("from_std");
    let pending = loopbridge::timeout(Duration::from_millis(20), from_std.read(&mut read)).await;
    assert!(pending.is_err(), "nothing was sent: the read must wait, not block or return");
    accepted.write_all(b"x").await.expect("write");
    assert_eq!(from_std.read(&mut read).await.expect("read"), 1);

    // A std listener too.
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("std bind");
    let std_addr = std_listener.local_addr().expect("addr");
    let listener = TcpListener::from_std(std_listener).expect("from_std");
    let _client = TcpStream::connect(std_addr).await.expect("connect");
    listener.accept().await.expect("accept on a std listener");
}

#[cfg(feature = "tokio")]
#[loopbridge::test]
async fn both_io_trait_families_work_on_one_stream() {
    let (listener, addr) = listener().await;
    let mut client = TcpStream::connect(addr).await.expect("connect");
    let (mut server, _) = listener.accept().await.expect("accept");
    // tokio's extension traits on one side, futures' on the other, and then the reverse.
    tokio::io::AsyncWriteExt::write_all(&mut client, b"tokio").await.expect("tokio write");
    let mut got = [0; 5];
    futures_lite::AsyncReadExt::read_exact(&mut server, &mut got).await.expect("futures read");
    assert_eq!(&got, b"tokio");
    futures_lite::AsyncWriteExt::write_all(&mut server, b"futures").await.expect("futures write");
    futures_lite::AsyncWriteExt::close(&mut server).await.expect("futures close");
    let mut got = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut client, &mut got)
        .await
        .expect("tokio read to the FIN");
    assert_eq!(got, "futures");
    tokio::io::AsyncWriteExt::shutdown(&mut client).await.expect("tokio shutdown");
}

#[test]
fn every_socket_type_is_send_sync_unpin_and_debug() {
    fn check<T: Send + Sync + Unpin + std::fmt::Debug>() {}
    check::<TcpStream>();
    check::<TcpListener>();
    check::<loopbridge::net::UdpSocket>();
    check::<loopbridge::net::tcp::OwnedReadHalf>();
    check::<loopbridge::net::tcp::OwnedWriteHalf>();
    #[cfg(unix)]
    {
        check::<loopbridge::net::UnixStream>();
        check::<loopbridge::net::UnixListener>();
    }
}

/// Closing a stream whose connection is gone succeeds, as on tokio (which turns the kernel's
/// `ENOTCONN` into `Ok`, tokio#4665): after the peer reset it, after both sides' FINs, and a
/// second time. On async-io (smol, async-std) the close returned `NotConnected`.
#[loopbridge::test]
async fn closing_a_stream_whose_connection_is_gone_succeeds() {
    let (listener, addr) = listener().await;
    // (case, what the peer does, whether this side closed once already)
    let cases: [(&str, bool, bool); 3] =
        [("after a reset", true, false), ("after both FINs", false, false), ("twice", false, true)];
    for (case, reset, closed_before) in cases {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let (mut peer, _) = listener.accept().await.expect("accept");
        if closed_before {
            stream.close().await.unwrap_or_else(|e| panic!("{case}: the first close: {e}"));
        }
        if reset {
            // SO_LINGER 0: the drop sends RST instead of FIN.
            let peer = peer.into_std().expect("the peer's std stream");
            socket2::SockRef::from(&peer).set_linger(Some(Duration::ZERO)).expect("linger");
            drop(peer);
            let mut buf = [0; 1];
            let read = stream.read(&mut buf).await;
            assert!(read.is_err(), "{case}: the reset reaches this side: {read:?}");
        } else {
            peer.close().await.expect("the peer's FIN");
            let mut rest = Vec::new();
            stream.read_to_end(&mut rest).await.expect("read to the peer's FIN");
            if !closed_before {
                stream.close().await.expect("this side's FIN");
            }
            peer.read_to_end(&mut rest).await.expect("the peer reads this side's FIN");
        }
        stream.close().await.unwrap_or_else(|e| panic!("{case}: close: {e} ({:?})", e.kind()));
        #[cfg(feature = "tokio")]
        tokio::io::AsyncWriteExt::shutdown(&mut stream)
            .await
            .unwrap_or_else(|e| panic!("{case}: tokio's shutdown: {e}"));
    }
}
