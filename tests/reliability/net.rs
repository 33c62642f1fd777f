//! Sockets at scale: thousands of loopback connections opened, used and closed on a runner of
//! every flavour, with no file descriptor and no thread left behind once it shut down.

use std::io;

use futures_lite::{AsyncReadExt, AsyncWriteExt};
use loopbridge::net::{TcpListener, TcpStream};
use loopbridge_tests::{Flavor, runner_for};

use crate::heap::Usage;
use crate::{Scale, for_each_flavor};

/// The longest wait for the thread count to hold still.
const SETTLE: std::time::Duration = std::time::Duration::from_secs(5);

/// Connections open at once.
const CONCURRENT: usize = 100;

/// Open file descriptors of this process.
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

/// `connections` connections to an echo server on a fresh runner of `flavor`, [`CONCURRENT`]
/// at a time, each a one-byte round trip; the server closes first (so `TIME_WAIT` lands on
/// the listener's port, not on the clients' ephemeral ones).
fn open_and_close(flavor: Flavor, connections: usize) {
    let runner = runner_for(flavor);
    runner
        .block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let server = loopbridge::spawn(async move {
                for _ in 0..connections {
                    let (mut stream, _) = listener.accept().await?;
                    drop(loopbridge::spawn(async move {
                        let mut byte = [0; 1];
                        stream.read_exact(&mut byte).await?;
                        stream.write_all(&byte).await
                    }));
                }
                Ok::<_, io::Error>(())
            });
            for batch in 0..connections.div_ceil(CONCURRENT) {
                let clients: Vec<_> = (0..CONCURRENT.min(connections - batch * CONCURRENT))
                    .map(|i| {
                        loopbridge::spawn(async move {
                            let mut stream = TcpStream::connect(addr).await?;
                            stream.write_all(&[i as u8]).await?;
                            let mut echoed = [0; 1];
                            stream.read_exact(&mut echoed).await?;
                            assert_eq!(echoed[0], i as u8, "an echo went to the wrong client");
                            // The server closed after its write: the next read is the end.
                            let ended = stream.read(&mut echoed).await?;
                            Ok::<_, io::Error>(ended)
                        })
                    })
                    .collect();
                for client in clients {
                    assert_eq!(client.await.expect("client task")?, 0, "the server closes first");
                }
            }
            server.await.expect("server task")
        })
        .expect("connections over loopback");
    runner.shutdown(std::time::Duration::from_secs(10));
}

#[test]
fn thousands_of_connections_leave_no_descriptor_and_no_thread() {
    for_each_flavor("net/connections", |flavor, scale: Scale| {
        loopbridge_tests::raise_fd_limit(4 * CONCURRENT as u64 + 256);
        // A first runner starts what lives for the whole process (async-io's reactor thread
        // on smol and async-std), so that the counts below compare like with like.
        open_and_close(flavor, 10);
        let (fds, threads_before) = (open_fds(), Usage::settled(SETTLE).threads);
        let started = std::time::Instant::now();
        open_and_close(flavor, scale.connections);
        let took = started.elapsed();
        // Threads that were joined can linger in `/proc` for a moment: `settled` waits them out.
        let threads_after = Usage::settled(SETTLE).threads;
        let fds_after = open_fds();
        assert_eq!(
            fds_after, fds,
            "file descriptors before and after {} connections",
            scale.connections
        );
        assert_eq!(threads_after, threads_before, "threads before and after");
        format!(
            "{} connections in {took:.2?}; fds {fds} -> {fds_after}, threads {threads_before} -> {threads_after}",
            scale.connections
        )
    });
}
