//! Socket addresses: the sealed [`ToSocketAddrs`] and [`lookup_host`].
//!
//! An IP literal is parsed in place; a host name is resolved by the system resolver
//! (`getaddrinfo`, which blocks) on a [`to_thread`](crate::to_thread) job, never on an
//! executor thread. Input that cannot be an address is an `InvalidInput` error whose message
//! quotes it, before any lookup.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

pub(crate) use self::sealed::Addrs;

impl Addrs {
    fn one(addr: SocketAddr) -> io::Result<Addrs> {
        Ok(Addrs::Resolved(vec![addr]))
    }

    /// The addresses, resolving a name on a `to_thread` job.
    pub(crate) async fn resolve(self) -> io::Result<Vec<SocketAddr>> {
        let (host, port) = match self {
            Addrs::Resolved(addrs) => return Ok(addrs),
            Addrs::Name { host, port } => (host, port),
        };
        let lookup = crate::to_thread(move || {
            let found = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port));
            let found: Vec<SocketAddr> = found
                .map_err(|e| {
                    io::Error::new(e.kind(), format!("could not resolve \"{host}\": {e}"))
                })?
                .collect();
            if found.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("\"{host}\" resolved to no address"),
                ));
            }
            Ok(found)
        });
        lookup
            .await
            .map_err(|e| io::Error::other(format!("name resolution did not finish: {e}")))?
    }
}

/// Binds a std socket to each address of `addr` in turn with `bind` and registers the first
/// that binds with the reactor of the runtime running the caller.
pub(crate) async fn bind_first<S, T>(
    addr: impl ToSocketAddrs,
    bind: impl Fn(SocketAddr) -> io::Result<S>,
    register: impl Fn(&crate::backends::net::Reactor, S) -> io::Result<T>,
) -> io::Result<T> {
    let addrs = resolve(addr).await?;
    let reactor = crate::backends::net::Reactor::current()?;
    first_ok(addrs, |addr| {
        let bound = bind(addr).map_err(|e| io::Error::new(e.kind(), format!("bind {addr}: {e}")));
        std::future::ready(bound.and_then(|socket| register(&reactor, socket)))
    })
    .await
}

/// Calls `op` with each address in turn and returns its first success, or the last error.
pub(crate) async fn first_ok<T, F>(
    addrs: Vec<SocketAddr>,
    mut op: impl FnMut(SocketAddr) -> F,
) -> io::Result<T>
where
    F: Future<Output = io::Result<T>>,
{
    let mut last = None;
    for addr in addrs {
        match op(addr).await {
            Ok(value) => return Ok(value),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| invalid("no address to use".to_owned())))
}

mod sealed {
    use std::net::SocketAddr;

    /// Addresses a socket can bind or connect to: resolved in place, or a name to look up.
    #[derive(Debug)]
    pub(crate) enum Addrs {
        Resolved(Vec<SocketAddr>),
        Name { host: String, port: u16 },
    }

    /// Keeps [`ToSocketAddrs`](super::ToSocketAddrs) closed to new implementations, so that
    /// its method can change without a breaking release.
    pub(crate) trait Sealed {
        fn to_addrs(&self) -> std::io::Result<Addrs>;
    }
}

/// Values that name socket addresses: [`SocketAddr`] and its two families, `(IpAddr, u16)`,
/// `(&str, u16)`, `(String, u16)`, `"host:port"` as `&str` or `String`, `&[SocketAddr]`, and a
/// reference to any of them.
///
/// Like [`std::net::ToSocketAddrs`], but a host name is resolved on a blocking-pool thread
/// rather than blocking the task; the trait is sealed. IPv6 literals go in brackets:
/// `"[::1]:8080"`.
///
/// # Examples
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr};
///
/// loopbridge::block_on(async {
///     let listener = loopbridge::net::TcpListener::bind("127.0.0.1:0").await?;
///     let port = listener.local_addr()?.port();
///     // Every form reaches the same listener.
///     loopbridge::net::TcpStream::connect(("127.0.0.1", port)).await?;
///     loopbridge::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).await?;
///     loopbridge::net::TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))).await?;
///     loopbridge::net::TcpStream::connect(format!("localhost:{port}")).await?;
///     // A malformed address is an error that quotes it, never a panic.
///     let err = loopbridge::net::TcpStream::connect("127.0.0.1").await.unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
///     assert!(err.to_string().contains("\"127.0.0.1\""));
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<_, std::io::Error>(())
/// ```
// A crate-private supertrait: outside the crate it can be neither named nor implemented.
#[allow(private_bounds)]
pub trait ToSocketAddrs: sealed::Sealed {}

impl<T: sealed::Sealed + ?Sized> ToSocketAddrs for T {}

macro_rules! literal {
    ($($ty:ty),*) => {$(
        impl sealed::Sealed for $ty {
            fn to_addrs(&self) -> io::Result<Addrs> {
                Addrs::one(SocketAddr::from(*self))
            }
        }
    )*};
}

literal!(SocketAddr, SocketAddrV4, SocketAddrV6, (IpAddr, u16), (Ipv4Addr, u16), (Ipv6Addr, u16));

impl sealed::Sealed for [SocketAddr] {
    fn to_addrs(&self) -> io::Result<Addrs> {
        Ok(Addrs::Resolved(self.to_vec()))
    }
}

impl sealed::Sealed for str {
    fn to_addrs(&self) -> io::Result<Addrs> {
        if let Ok(addr) = self.parse::<SocketAddr>() {
            return Addrs::one(addr);
        }
        let Some((host, port)) = self.rsplit_once(':') else {
            return Err(invalid(format!(
                "invalid socket address {}: expected host:port, such as \"127.0.0.1:8080\", \
                 \"[::1]:8080\" or \"localhost:8080\"",
                quoted(self)
            )));
        };
        // Digits only: `u16::from_str` would also take "+80".
        let digits = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
        let port = port.parse::<u16>().ok().filter(|_| digits).ok_or_else(|| {
            let what = if digits { "is out of range" } else { "is not a number" };
            invalid(format!(
                "the port {} in {} {what}: expected 0 to 65535",
                quoted(port),
                quoted(self)
            ))
        })?;
        // "2001:db8::1:443" would read as [2001:db8::1]:443: ambiguous, so refused, as std does.
        if host.contains(':') && !host.starts_with('[') {
            return Err(invalid(format!(
                "invalid IPv6 address in {}: write it in brackets, such as \"[::1]:8080\"",
                quoted(self)
            )));
        }
        host_port(host, port, self)
    }
}

impl sealed::Sealed for String {
    fn to_addrs(&self) -> io::Result<Addrs> {
        self.as_str().to_addrs()
    }
}

impl sealed::Sealed for (&str, u16) {
    fn to_addrs(&self) -> io::Result<Addrs> {
        host_port(self.0, self.1, self.0)
    }
}

impl sealed::Sealed for (String, u16) {
    fn to_addrs(&self) -> io::Result<Addrs> {
        host_port(&self.0, self.1, &self.0)
    }
}

impl<T: sealed::Sealed + ?Sized> sealed::Sealed for &T {
    fn to_addrs(&self) -> io::Result<Addrs> {
        (**self).to_addrs()
    }
}

/// The longest DNS name (RFC 1035), without the trailing dot.
const MAX_NAME: usize = 253;

/// A host and a port: an IP literal, bracketed or not, or a name worth looking up.
fn host_port(host: &str, port: u16, input: &str) -> io::Result<Addrs> {
    if host.is_empty() {
        return Err(invalid(format!(
            "the host is empty in {}: name one, such as \"127.0.0.1\" or \"localhost\"",
            quoted(input)
        )));
    }
    // Brackets hold an IPv6 address only ("[127.0.0.1]" is no address, as std says).
    let bracketed = host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
    let ip = match bracketed {
        Some(inner) => inner.parse::<Ipv6Addr>().map(IpAddr::V6).ok(),
        None => host.parse::<IpAddr>().ok(),
    };
    if let Some(ip) = ip {
        return Addrs::one(SocketAddr::new(ip, port));
    }
    if host.starts_with('[') || host.contains(':') {
        return Err(invalid(format!(
            "invalid IPv6 address in {}: write it in brackets, such as \"[::1]:8080\"",
            quoted(input)
        )));
    }
    if host.len() > MAX_NAME {
        return Err(invalid(format!(
            "the host name in {} is {} bytes long; a DNS name has at most {MAX_NAME}",
            quoted(input),
            host.len()
        )));
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !host.trim_end_matches('.').split('.').all(label_ok) {
        return Err(invalid(format!(
            "invalid host name in {}: a name is dot-separated labels of letters, digits, '-' \
             and '_', each 1 to 63 long",
            quoted(input)
        )));
    }
    Ok(Addrs::Name { host: host.to_owned(), port })
}

/// `input` in quotes for an error message, shortened if very long.
fn quoted(input: &str) -> String {
    const SHOWN: usize = 60;
    match input.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("\"{}…\" ({} bytes)", &input[..end], input.len()),
        None => format!("{input:?}"),
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// The addresses `host` names, resolving a host name off the executor.
///
/// An IP literal is parsed in place; a name is looked up with the system resolver on a
/// [`to_thread`](crate::to_thread) job. Malformed input is an `InvalidInput` error that quotes
/// it; an unknown name is the resolver's error, naming the host.
///
/// # Examples
///
/// ```
/// let addrs: Vec<_> = loopbridge::block_on(loopbridge::net::lookup_host("localhost:80"))?.collect();
/// assert!(addrs.iter().any(|a| a.ip().is_loopback() && a.port() == 80));
///
/// let err = loopbridge::block_on(loopbridge::net::lookup_host("localhost:99999")).map(drop).unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
/// # Ok::<_, std::io::Error>(())
/// ```
pub async fn lookup_host(host: impl ToSocketAddrs) -> io::Result<impl Iterator<Item = SocketAddr>> {
    Ok(resolve(host).await?.into_iter())
}

/// The addresses of `addr`, resolved (the facade's types call this).
pub(crate) async fn resolve(addr: impl ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    addr.to_addrs()?.resolve().await
}
