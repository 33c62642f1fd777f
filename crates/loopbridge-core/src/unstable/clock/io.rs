//! Readiness a socket already has is work: a paused clock looks at the sockets its idle tasks
//! wait on before it jumps (§14).
//!
//! A task of a paused runtime whose socket operation goes pending leaves a [`Readiness`]
//! probe on its [`Tracker`] ([`wait_on_io`]). When the runtime falls idle, the clock asks
//! every such probe, without blocking, whether the socket is ready; if one is, its task is
//! woken — that wake is work, so the clock does not jump — and the reactor's own wake follows.
//! Without this, bytes written by one task of the runtime and not yet reported by the reactor
//! (tokio's and async-io's reactors run on their own schedule) would let the clock jump over
//! the reader's timeout. tokio's paused clock does the same with its driver: a zero-timeout
//! poll of the I/O driver before each jump.
//!
//! Bytes one task wrote may still be on their way through the kernel when the runtime falls
//! idle (the receiving side is processed later under load): after a write ([`wrote_io`]),
//! the clock gives the sockets a moment of real time ([`SETTLE`]) to become ready — or the
//! reactor to wake a task — before it jumps.
//!
//! A probe lives until the task's next poll (which asks again if the operation is still
//! pending) or its end; a probe found ready is taken, so a task woken for a socket it no
//! longer waits on is woken once, not again and again.

use std::cell::RefCell;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::work::Tracker;
use super::{Clock, any_ever_paused};

/// Whether a socket is ready for what its waiter wants, asked without blocking.
///
/// # Examples
///
/// ```
/// use loopbridge_core::unstable::clock::Readiness;
///
/// struct AlwaysReady;
/// impl Readiness for AlwaysReady {
///     fn is_ready(&self) -> bool {
///         true
///     }
/// }
/// assert!(AlwaysReady.is_ready());
/// ```
pub trait Readiness: Send + Sync + 'static {
    /// Whether the operation that went pending would now make progress (an error counts).
    fn is_ready(&self) -> bool;
}

thread_local! {
    /// The tracker of the task (or `block_on` future) being polled on this thread as work of
    /// a paused clock: whose socket waits [`wait_on_io`] records.
    static POLLED: RefCell<Option<Arc<Tracker>>> = const { RefCell::new(None) };
}

/// Marks `tracker` as the one being polled on this thread until the guard drops.
pub(super) fn polling(tracker: &Arc<Tracker>) -> PollingGuard {
    let previous = POLLED.with(|polled| polled.replace(Some(Arc::clone(tracker))));
    PollingGuard(previous)
}

/// Puts back the tracker polled before (a `block_on` inside a `to_thread` job nests).
pub(super) struct PollingGuard(Option<Arc<Tracker>>);

impl Drop for PollingGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        // During thread teardown there is nothing left to restore.
        let _ = POLLED.try_with(|polled| polled.replace(previous));
    }
}

/// Tells the paused clock of the task being polled that its socket operation went pending:
/// `probe` makes the probe the clock asks before it jumps. Nothing (one atomic load) in a
/// process that never paused a clock, or outside a task of a paused runtime.
///
/// # Examples
///
/// ```
/// use loopbridge_core::unstable::clock::{self, Readiness};
///
/// struct Socket;
/// impl Readiness for Socket {
///     fn is_ready(&self) -> bool {
///         false
///     }
/// }
/// // Not inside a task of a paused runtime: the probe is not even made.
/// clock::wait_on_io(|| -> Option<Socket> { unreachable!() });
/// ```
#[inline]
pub fn wait_on_io<R: Readiness>(probe: impl FnOnce() -> Option<R>) {
    if any_ever_paused() {
        record(probe);
    }
}

#[cold]
#[inline(never)]
fn record<R: Readiness>(probe: impl FnOnce() -> Option<R>) {
    let Some(tracker) = POLLED.with(|polled| polled.borrow().clone()) else {
        return;
    };
    if !tracker.clock.is_paused() {
        return;
    }
    if let Some(probe) = probe() {
        if tracker.add_io(Box::new(probe)) {
            tracker.clock.lock().io_waiting.push(Arc::downgrade(&tracker));
        }
    }
}

/// The most real time a paused clock waits, after a write, for bytes on their way through the
/// kernel before it jumps. Loopback delivers in microseconds; a loaded 2-core machine has
/// been seen to take longer.
const SETTLE: Duration = Duration::from_millis(5);

/// Tells the paused clock of the task being polled that it wrote to a socket (so bytes may be
/// on their way to another of its tasks). Nothing (one atomic load) in a process that never
/// paused a clock.
///
/// # Examples
///
/// ```
/// loopbridge_core::unstable::clock::wrote_io(); // outside a task of a paused runtime: nothing
/// ```
#[inline]
pub fn wrote_io() {
    if any_ever_paused() {
        mark_written();
    }
}

#[cold]
#[inline(never)]
fn mark_written() {
    POLLED.with(|polled| {
        if let Some(tracker) = &*polled.borrow() {
            tracker.clock.io_written.store(true, Ordering::Release);
        }
    });
}

impl Clock {
    /// After a write since the last look: asks the sockets again for up to [`SETTLE`] of
    /// real time, returning `true` as soon as one is ready (its task woken) or other work
    /// came (a reactor's wake; the reservation of [`idle`](Clock::idle) is the one unit
    /// expected).
    pub(super) fn settle_io(&self) -> bool {
        if !self.io_written.swap(false, Ordering::AcqRel) || self.lock().io_waiting.is_empty() {
            return false;
        }
        self.wait_real(|| self.work.load(Ordering::Acquire) > 1 || self.wake_ready_io())
    }

    /// Asks `done` every 50 µs for up to [`SETTLE`] of real time, returning whether it said
    /// yes: the one bounded real-time wait of a paused clock (bytes still in the kernel, a
    /// woken task yet to run).
    pub(super) fn wait_real(&self, mut done: impl FnMut() -> bool) -> bool {
        let start = Instant::now();
        loop {
            if done() {
                return true;
            }
            if start.elapsed() >= SETTLE {
                return false;
            }
            std::thread::sleep(Duration::from_micros(50));
        }
    }

    /// Wakes every task whose socket is ready, returning whether there was one: the runtime
    /// is not idle after all. Asked with no lock held (each probe is a system call).
    pub(super) fn wake_ready_io(&self) -> bool {
        let waiting = std::mem::take(&mut self.lock().io_waiting);
        if waiting.is_empty() {
            return false;
        }
        let mut woke = false;
        let mut still: Vec<Weak<Tracker>> = Vec::new();
        for tracker in waiting.into_iter().filter_map(|tracker| tracker.upgrade()) {
            match tracker.take_ready_io() {
                Some(true) => {
                    std::task::Wake::wake_by_ref(&tracker);
                    woke = true;
                }
                Some(false) => still.push(Arc::downgrade(&tracker)),
                None => {} // polled since, or gone: no longer waiting
            }
        }
        self.lock().io_waiting.append(&mut still);
        woke
    }
}
