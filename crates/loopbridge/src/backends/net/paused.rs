//! A socket operation that goes pending on a paused clock tells the clock which socket it
//! waits on, so that the clock asks that socket before it jumps: readiness a socket already
//! has is work (§14; the clock's side is `loopbridge_core::unstable::clock::wait_on_io`).
//!
//! The probe owns a duplicate of the socket's descriptor (`dup(2)`, only while a clock is
//! paused), so it can be asked after the operation's borrow of the socket has ended; it lives
//! until the waiting task's next poll, so it never keeps a dropped socket open for long.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use loopbridge_core::unstable::clock;
use pin_project_lite::pin_project;

use super::{Kind, Socket};

/// What a pending operation waits for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Wants {
    /// To read, receive, peek or accept.
    Read,
    /// To write or send.
    Write,
}

/// A socket an operation can wait on: what a paused clock is told of when it goes pending.
pub(crate) trait Waitable {
    /// A probe of this socket for `wants`; `None` where the clock cannot look.
    fn probe(&self, wants: Wants) -> Option<Probe>;

    /// A pending operation on this socket, waiting for `wants`: recorded on the paused clock
    /// of the task being polled; nothing (one atomic load) otherwise.
    #[inline]
    fn pending(&self, wants: Wants) {
        clock::wait_on_io(|| self.probe(wants));
    }

    /// `future`, an operation on this socket: [`pending`](Self::pending) for each of its
    /// polls that is pending.
    #[inline]
    fn watched<F: Future>(&self, wants: Wants, future: F) -> Watched<'_, Self, F> {
        Watched { socket: self, wants, future }
    }
}

impl<K: Kind> Waitable for Socket<K> {
    fn probe(&self, wants: Wants) -> Option<Probe> {
        Probe::of(&*self.sock(), wants)
    }
}

#[cfg(unix)]
impl<T: std::os::fd::AsFd> Waitable for T {
    fn probe(&self, wants: Wants) -> Option<Probe> {
        Probe::of(self, wants)
    }
}

/// A duplicate of a socket's descriptor made before an operation that consumes the socket
/// (tokio's `TcpSocket::connect`), only where a clock was ever paused.
#[cfg(feature = "tokio")]
pub(crate) struct Duplicate(#[cfg(unix)] Option<std::os::fd::OwnedFd>);

#[cfg(feature = "tokio")]
impl Duplicate {
    #[cfg(unix)]
    pub(crate) fn of(socket: &impl std::os::fd::AsFd) -> Duplicate {
        let paused = clock::any_ever_paused();
        Duplicate(paused.then(|| socket.as_fd().try_clone_to_owned().ok()).flatten())
    }
}

#[cfg(feature = "tokio")]
impl Waitable for Duplicate {
    fn probe(&self, wants: Wants) -> Option<Probe> {
        #[cfg(unix)]
        return self.0.as_ref().and_then(|fd| Probe::of(fd, wants));
        #[cfg(not(unix))]
        return None;
    }
}

pin_project! {
    /// An operation on `socket` whose pending polls the paused clock is told of.
    pub(crate) struct Watched<'a, S: ?Sized, F> {
        socket: &'a S,
        wants: Wants,
        #[pin]
        future: F,
    }
}

impl<S: Waitable + ?Sized, F: Future> Future for Watched<'_, S, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let polled = this.future.poll(cx);
        match (&polled, this.wants) {
            (Poll::Pending, wants) => this.socket.pending(*wants),
            // Sent, or connected: bytes (or the handshake) may be on their way to another
            // task of a paused runtime.
            (Poll::Ready(_), Wants::Write) => clock::wrote_io(),
            (Poll::Ready(_), Wants::Read) => {}
        }
        polled
    }
}

/// A duplicate of a waiting socket's descriptor and what its operation waits for.
#[cfg(unix)]
pub(crate) struct Probe {
    fd: std::os::fd::OwnedFd,
    events: rustix::event::PollFlags,
}

#[cfg(unix)]
impl Probe {
    fn of(socket: &impl std::os::fd::AsFd, wants: Wants) -> Option<Probe> {
        use rustix::event::PollFlags;
        // Out of descriptors: the clock cannot look, as on a platform without `poll(2)`.
        let fd = socket.as_fd().try_clone_to_owned().ok()?;
        let events = match wants {
            Wants::Read => PollFlags::IN,
            Wants::Write => PollFlags::OUT,
        };
        Some(Probe { fd, events })
    }
}

#[cfg(unix)]
impl clock::Readiness for Probe {
    fn is_ready(&self) -> bool {
        let mut fds = [rustix::event::PollFd::new(&self.fd, self.events)];
        let zero = rustix::event::Timespec { tv_sec: 0, tv_nsec: 0 };
        // Hang-ups and errors are reported whatever was asked: the operation would return.
        matches!(rustix::event::poll(&mut fds, Some(&zero)), Ok(ready) if ready > 0)
    }
}

/// No platform but Unix has a probe: a paused clock there does not look at sockets.
#[cfg(not(unix))]
pub(crate) enum Probe {}

#[cfg(not(unix))]
impl Probe {
    fn of<S: ?Sized>(_: &S, _: Wants) -> Option<Probe> {
        None
    }
}

#[cfg(not(unix))]
impl clock::Readiness for Probe {
    fn is_ready(&self) -> bool {
        match *self {}
    }
}
