//! Bad input to `loopbridge::net` is a typed error, never a panic or a hang, and the message
//! names the input (docs/semantics.md, "Sockets"): one table, on every flavour.

use std::io::ErrorKind;
use std::time::Duration;

use loopbridge::net::{TcpListener, TcpStream, UdpSocket};

/// A long host name: longer than DNS allows (253).
fn long_host() -> String {
    format!("{}.example:80", "a".repeat(300))
}

#[loopbridge::test]
async fn malformed_addresses_are_invalid_input_naming_the_input() {
    let long = long_host();
    // (input, what its message must contain)
    let table: [(&str, &str); 13] = [
        ("127.0.0.1:+80", "\"+80\""),
        ("[127.0.0.1]:80", "\"[127.0.0.1]:80\""),
        ("::1:80", "\"::1:80\""),
        ("2001:db8::1:443", "\"2001:db8::1:443\""),
        ("not an address", "\"not an address\""),
        ("127.0.0.1", "\"127.0.0.1\""),
        ("127.0.0.1:99999", "99999"),
        ("127.0.0.1:http", "\"http\""),
        ("", "\"\""),
        (":80", "\":80\""),
        ("[::1", "[::1"),
        ("[::1]80", "[::1]80"),
        (&long, "aaaaaaaaaa"),
    ];
    for (input, named) in table {
        for (what, result) in [
            ("connect", TcpStream::connect(input).await.map(drop)),
            ("bind", TcpListener::bind(input).await.map(drop)),
            ("udp bind", UdpSocket::bind(input).await.map(drop)),
            ("lookup_host", loopbridge::net::lookup_host(input).await.map(drop)),
        ] {
            let err = result.expect_err(&format!("{what} {input:?} must fail"));
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{what} {input:?}: {err}");
            assert!(
                err.to_string().contains(named),
                "{what} {input:?}: the message {err:?} must name the input"
            );
        }
    }
    // The tuple forms check their host too.
    let err = TcpStream::connect(("", 80)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = TcpStream::connect(("bad host!", 80)).await.unwrap_err();
    assert!(
        err.kind() == ErrorKind::InvalidInput && err.to_string().contains("bad host!"),
        "{err}"
    );
}

#[loopbridge::test]
async fn a_refused_connection_is_connection_refused() {
    // A port that was just free: nothing listens there.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let err = TcpStream::connect(free).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
    assert!(err.to_string().contains(&free.to_string()), "the message names the address: {err}");
}

#[loopbridge::test]
async fn an_unresolvable_name_is_an_error_naming_it() {
    // `.invalid` never resolves (RFC 6761); the lookup runs on a blocking-pool thread.
    let lookup = TcpStream::connect("no-such-host.invalid:80");
    let err = loopbridge::timeout(Duration::from_secs(30), lookup)
        .await
        .expect("the resolver answers")
        .unwrap_err();
    assert_ne!(err.kind(), ErrorKind::InvalidInput, "well-formed, just unknown: {err}");
    assert!(err.to_string().contains("no-such-host.invalid"), "{err}");
}

#[loopbridge::test]
async fn binding_an_address_in_use_is_addr_in_use() {
    let first = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let taken = first.local_addr().unwrap();
    let err = TcpListener::bind(taken).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
    assert!(err.to_string().contains(&taken.to_string()), "{err}");
    let udp = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let err = UdpSocket::bind(udp.local_addr().unwrap()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
}

#[cfg(unix)]
#[loopbridge::test]
async fn a_unix_path_too_long_is_invalid_input_naming_it() {
    let path = std::env::temp_dir().join("x".repeat(200));
    let err = loopbridge::net::UnixListener::bind(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains("xxxxxxxx"), "{err}");
    let err = loopbridge::net::UnixStream::connect(&path).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    // A path where nothing listens: not found.
    let missing = loopbridge_tests::temp_dir("unix-missing").join("nobody.sock");
    let err = loopbridge::net::UnixStream::connect(&missing).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}
