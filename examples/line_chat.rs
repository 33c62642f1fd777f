//! A line-protocol chat server and its clients over `loopbridge::net`: the same code on every
//! backend, on that backend's own reactor.
//!
//! ```text
//! cargo run --example line_chat                                   # default backend (tokio)
//! cargo run --example line_chat --no-default-features --features smol
//! cargo run --example line_chat --no-default-features --features async-std
//! ```
//!
//! A server on a free loopback port relays every line a client sends to every other client,
//! prefixed with the sender's name; three clients join, greet, and each waits until it has
//! heard the other two. What to look for: each client prints the two greetings it received
//! (in whatever order they arrived), on whichever backend the features select; a client that
//! waited more than ten seconds would be an error, never a hang.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use futures_lite::io::BufReader;
use futures_lite::{AsyncBufReadExt, AsyncWriteExt, StreamExt};
use loopbridge::net::{TcpListener, TcpStream};

const NAMES: [&str; 3] = ["ann", "bob", "cy"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    loopbridge::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        println!("backend: {}; chat server on {addr}", loopbridge::Bridge::global().kind());
        let server = loopbridge::spawn(serve(listener));

        let clients: Vec<_> =
            NAMES.iter().map(|name| loopbridge::spawn(client(addr, name))).collect();
        let mut greeters = Vec::new();
        for client in clients {
            let (name, heard, greeter) = client.await??;
            println!("{name} heard: {heard:?}");
            greeters.push(greeter);
        }
        // Only now that everyone has heard everyone: a client that stopped greeting as soon as
        // it had heard the others might not have been heard by them yet.
        for greeter in greeters {
            greeter.abort();
        }
        server.abort(); // the server loops forever; aborting it closes every connection
        Ok(())
    })
}

/// What the hub hears about.
enum Event {
    Joined(SocketAddr, async_channel::Sender<String>),
    Said(SocketAddr, String),
}

/// Accepts connections; every line from one goes to all the others.
async fn serve(listener: TcpListener) -> io::Result<()> {
    let (to_hub, events) = async_channel::unbounded::<Event>();
    // The hub: the one task that knows every client, so no lock is shared between them.
    let _hub = loopbridge::spawn(async move {
        let mut members: Vec<(SocketAddr, async_channel::Sender<String>)> = Vec::new();
        while let Ok(event) = events.recv().await {
            match event {
                Event::Joined(addr, outbox) => members.push((addr, outbox)),
                // A member whose connection ended is dropped at its first failed send.
                Event::Said(from, line) => {
                    members.retain(|(addr, outbox)| {
                        *addr == from || outbox.try_send(line.clone()).is_ok()
                    });
                }
            }
        }
    });
    loop {
        let (stream, peer) = listener.accept().await?;
        let (read, mut write) = stream.into_split();
        let (outbox, inbox) = async_channel::unbounded::<String>();
        to_hub.send(Event::Joined(peer, outbox)).await.map_err(io::Error::other)?;
        // One task writes what the hub relays to this client...
        drop(loopbridge::spawn(async move {
            while let Ok(line) = inbox.recv().await {
                if write.write_all(format!("{line}\n").as_bytes()).await.is_err() {
                    break;
                }
            }
        }));
        // ...another reads its lines (the first is its name).
        let to_hub = to_hub.clone();
        drop(loopbridge::spawn(async move {
            let mut lines = BufReader::new(read).lines();
            let name = match lines.next().await {
                Some(Ok(name)) => name,
                _ => return,
            };
            while let Some(Ok(line)) = lines.next().await {
                if to_hub.send(Event::Said(peer, format!("{name}: {line}"))).await.is_err() {
                    break;
                }
            }
        }));
    }
}

/// What a client returns: its name, the greetings it heard, and its greeter, still greeting.
type Joined = (&'static str, Vec<String>, loopbridge::JoinHandle<io::Result<()>>);

/// Joins as `name`, greets until stopped, and returns once it has heard the others.
async fn client(addr: SocketAddr, name: &'static str) -> io::Result<Joined> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    write.write_all(format!("{name}\n").as_bytes()).await?;
    // Greet until told to stop: a line relayed before a member joined does not reach it.
    let greeter = loopbridge::spawn(async move {
        loop {
            write.write_all(format!("hello from {name}\n").as_bytes()).await?;
            loopbridge::sleep(Duration::from_millis(20)).await;
        }
    });
    let mut lines = BufReader::new(read).lines();
    let mut heard: Vec<String> = Vec::new();
    let listen = async {
        while heard.len() < NAMES.len() - 1 {
            let Some(line) = lines.next().await else { break };
            let line = line?;
            if !heard.iter().any(|seen| seen == &line) {
                heard.push(line);
            }
        }
        Ok::<_, io::Error>(())
    };
    loopbridge::timeout(Duration::from_secs(10), listen).await.map_err(|_| {
        io::Error::new(io::ErrorKind::TimedOut, format!("{name} waited 10 s for the others"))
    })??;
    heard.sort();
    Ok((name, heard, greeter))
}
