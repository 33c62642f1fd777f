//! `loopbridge::net` in a build with no reactor (no backend feature): its types still compile,
//! so that a library written over them builds whatever features its users pick, and making a
//! socket fails with one `Unsupported` error that says what to enable.
//!
//! No socket can exist here, so [`Socket`] has no value and its operations, written once for
//! every kind (their types inferred where they are called), cannot be reached.

use std::convert::Infallible;
use std::io::{self, IoSlice};
use std::marker::PhantomData;
#[cfg(unix)]
use std::path::Path;
use std::task::{Context, Poll};

/// No reactor: making a socket fails.
#[derive(Clone, Debug)]
pub(crate) enum Reactor {}

impl Reactor {
    /// The error every socket of this build meets first.
    pub(crate) fn current() -> io::Result<Reactor> {
        Err(super::unsupported(&crate::Error::no_backend().to_string()))
    }

    pub(crate) fn register<K, S>(&self, _io: S) -> io::Result<Socket<K>> {
        match *self {}
    }

    pub(crate) async fn connect_tcp<K, A>(&self, _addr: A) -> io::Result<Socket<K>> {
        match *self {}
    }

    #[cfg(unix)]
    pub(crate) async fn connect_unix<K>(&self, _path: &Path) -> io::Result<Socket<K>> {
        match *self {}
    }
}

/// A socket of kind `K`, of which this build can make none.
pub(crate) struct Socket<K> {
    none: Infallible,
    kind: PhantomData<K>,
}

impl<K> Socket<K> {
    pub(crate) fn poll_read(
        &mut self,
        _: &mut Context<'_>,
        _: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        match self.none {}
    }

    pub(crate) fn poll_write(&mut self, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
        match self.none {}
    }

    pub(crate) fn poll_write_vectored(
        &mut self,
        _: &mut Context<'_>,
        _: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.none {}
    }

    #[cfg(any(feature = "tokio", feature = "hyper"))]
    pub(crate) fn is_write_vectored(&self) -> bool {
        match self.none {}
    }

    pub(crate) fn poll_flush(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.none {}
    }

    pub(crate) fn poll_shutdown(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.none {}
    }

    pub(crate) fn local_addr<A>(&self) -> io::Result<A> {
        match self.none {}
    }

    pub(crate) fn peer_addr<A>(&self) -> io::Result<A> {
        match self.none {}
    }

    #[cfg(unix)]
    pub(crate) fn unix_local_addr<A>(&self) -> io::Result<A> {
        match self.none {}
    }

    #[cfg(unix)]
    pub(crate) fn unix_peer_addr<A>(&self) -> io::Result<A> {
        match self.none {}
    }

    pub(crate) fn set_nodelay(&self, _: bool) -> io::Result<()> {
        match self.none {}
    }

    pub(crate) fn nodelay(&self) -> io::Result<bool> {
        match self.none {}
    }

    pub(crate) fn set_broadcast(&self, _: bool) -> io::Result<()> {
        match self.none {}
    }

    pub(crate) fn broadcast(&self) -> io::Result<bool> {
        match self.none {}
    }

    pub(crate) fn into_split<R, W>(self) -> (Socket<R>, Socket<W>) {
        match self.none {}
    }

    pub(crate) fn into_std<S>(self) -> io::Result<S> {
        match self.none {}
    }

    pub(crate) async fn accept<S, A>(&self) -> io::Result<(Socket<S>, A)> {
        match self.none {}
    }

    pub(crate) async fn connect<A>(&self, _: A) -> io::Result<()> {
        match self.none {}
    }

    pub(crate) async fn peek(&self, _: &mut [u8]) -> io::Result<usize> {
        match self.none {}
    }

    pub(crate) async fn send(&self, _: &[u8]) -> io::Result<usize> {
        match self.none {}
    }

    pub(crate) async fn recv(&self, _: &mut [u8]) -> io::Result<usize> {
        match self.none {}
    }

    pub(crate) async fn send_to<A>(&self, _: &[u8], _: A) -> io::Result<usize> {
        match self.none {}
    }

    pub(crate) async fn recv_from<A>(&self, _: &mut [u8]) -> io::Result<(usize, A)> {
        match self.none {}
    }

    pub(crate) async fn peek_from<A>(&self, _: &mut [u8]) -> io::Result<(usize, A)> {
        match self.none {}
    }
}
