//! `loopbridge::net` UDP and Unix domain sockets (docs/semantics.md, "Sockets"): datagrams
//! both ways, connected and not, a cancel-safe `recv`; a Unix pair and a listener — on every
//! flavour.

use std::io;
use std::time::Duration;

use futures_lite::{AsyncReadExt, AsyncWriteExt};
use loopbridge::net::UdpSocket;

#[loopbridge::test]
async fn udp_both_ways_unconnected_and_connected() {
    let a = UdpSocket::bind("127.0.0.1:0").await.expect("bind a");
    let b = UdpSocket::bind(("127.0.0.1", 0)).await.expect("bind b");
    let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    let mut buf = [0; 64];

    assert_eq!(a.send_to(b"to b", b_addr).await.expect("send_to"), 4);
    assert_eq!(b.recv_from(&mut buf).await.expect("recv_from"), (4, a_addr));
    assert_eq!(&buf[..4], b"to b");
    assert_eq!(b.send_to(b"to a", a_addr).await.expect("send_to"), 4);
    assert_eq!(a.recv_from(&mut buf).await.expect("recv_from"), (4, b_addr));

    // Not connected yet: no peer.
    assert_eq!(a.peer_addr().unwrap_err().kind(), io::ErrorKind::NotConnected);
    a.connect(b_addr).await.expect("connect a");
    b.connect(a_addr).await.expect("connect b");
    assert_eq!(a.peer_addr().expect("peer"), b_addr);
    for round in 0..10_u8 {
        a.send(&[round; 8]).await.expect("send");
        assert_eq!(b.recv(&mut buf).await.expect("recv"), 8);
        assert_eq!(buf[..8], [round; 8]);
        b.send(&[round; 3]).await.expect("send");
        assert_eq!(a.recv(&mut buf).await.expect("recv"), 3);
    }

    // A connected socket drops datagrams from anyone else.
    let stranger = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    stranger.send_to(b"intruder", a_addr).await.expect("send_to");
    b.send(b"friend").await.expect("send");
    let n = a.recv(&mut buf).await.expect("recv");
    assert_eq!(&buf[..n], b"friend");

    let peeked = a.peek_from(&mut buf);
    assert!(
        loopbridge::timeout(Duration::from_millis(10), peeked).await.is_err(),
        "nothing queued"
    );
    a.set_broadcast(true).expect("set_broadcast");
    assert!(a.broadcast().expect("broadcast"));
}

#[loopbridge::test]
async fn a_timed_out_recv_loses_no_datagram() {
    const DATAGRAMS: u8 = 30;
    let receiver = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let to = receiver.local_addr().unwrap();
    let sender = loopbridge::spawn(async move {
        let socket = UdpSocket::bind("127.0.0.1:0").await?;
        for i in 0..DATAGRAMS {
            socket.send_to(&[i], to).await?;
            loopbridge::sleep(Duration::from_millis(1)).await;
        }
        Ok::<_, io::Error>(())
    });
    let (mut got, mut timed_out) = (Vec::new(), 0);
    let mut buf = [0; 4];
    while got.len() < usize::from(DATAGRAMS) {
        match loopbridge::timeout(Duration::from_micros(300), receiver.recv_from(&mut buf)).await {
            Ok(result) => got.push(buf[..result.expect("recv_from").0][0]),
            Err(_) => timed_out += 1,
        }
    }
    sender.await.expect("sender task").expect("sends");
    assert!(timed_out > 0, "the test must drop some waiting receives");
    assert_eq!(got, (0..DATAGRAMS).collect::<Vec<_>>(), "loopback loses and reorders nothing");
}

#[cfg(unix)]
#[loopbridge::test]
async fn unix_pair_and_listener() {
    use loopbridge::net::{UnixListener, UnixStream};

    let (mut a, mut b) = UnixStream::pair().expect("pair");
    a.write_all(b"through the pair").await.expect("write");
    a.close().await.expect("half-close");
    let mut got = String::new();
    b.read_to_string(&mut got).await.expect("read to the end");
    assert_eq!(got, "through the pair");
    b.write_all(b"back").await.expect("the other direction is still open");
    let mut back = [0; 4];
    a.read_exact(&mut back).await.expect("read");

    let dir = loopbridge_tests::temp_dir("unix-listener");
    let path = dir.join("echo.sock");
    let listener = UnixListener::bind(&path).expect("bind");
    assert_eq!(listener.local_addr().expect("addr").as_pathname(), Some(path.as_path()));
    let server = loopbridge::spawn(async move {
        for _ in 0..3 {
            let (mut stream, _) = listener.accept().await?;
            let mut line = Vec::new();
            stream.read_to_end(&mut line).await?;
            stream.write_all(&line).await?;
        }
        Ok::<_, io::Error>(())
    });
    for i in 0..3_u8 {
        let mut client = UnixStream::connect(&path).await.expect("connect");
        client.write_all(&[i; 10]).await.expect("write");
        client.close().await.expect("close");
        let mut echoed = Vec::new();
        client.read_to_end(&mut echoed).await.expect("read");
        assert_eq!(echoed, [i; 10]);
    }
    server.await.expect("server task").expect("server io");

    // Out to std and back.
    let (a, _b) = UnixStream::pair().expect("pair");
    let a = UnixStream::from_std(a.into_std().expect("into_std")).expect("from_std");
    assert!(a.peer_addr().expect("peer").is_unnamed());
    std::fs::remove_dir_all(dir).expect("clean up");
}
