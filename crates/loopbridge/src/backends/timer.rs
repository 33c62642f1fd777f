//! [`AnyTimer`]: the timer of any backend, on its runtime's clock.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

#[cfg(feature = "async-std")]
use loopbridge_async_std::AsyncStdBackend;
use loopbridge_core::LoopBackend;
use loopbridge_core::unstable::clock::{self, Clock, TimerKey};
#[cfg(feature = "smol")]
use loopbridge_smol::SmolBackend;
#[cfg(feature = "tokio")]
use loopbridge_tokio::TokioBackend;

use super::{AnyBackend, CustomBackend};

/// A timer of any backend, made by [`AnyBackend`]'s `timer_at`. While the runtime's clock has
/// never been paused it is the runtime's own timer and nothing more; after a pause it is a
/// virtual timer on the clock while the clock stands still, and the runtime's timer, at the
/// wall-clock instant its deadline falls at, while it runs.
pub(crate) struct AnyTimer(Repr);

enum Repr {
    Native(NativeTimer),
    // Boxed: only a runtime whose clock was paused (a test) pays for the bigger state.
    Clocked(Box<Clocked>),
}

struct Clocked {
    /// Makes the runtime's timers, when the clock runs.
    backend: AnyBackend,
    clock: Arc<Clock>,
    /// On the clock.
    deadline: Instant,
    state: State,
}

enum State {
    /// The runtime's timer, set for the wall-clock instant of the deadline; the slot of the
    /// waker the next pause wakes.
    Native(NativeTimer, Option<usize>),
    /// Registered on the paused clock, once polled.
    Virtual(Option<TimerKey>),
}

impl AnyTimer {
    /// A timer of `backend` for `deadline` on its clock.
    pub(crate) fn at(backend: &AnyBackend, deadline: Instant) -> AnyTimer {
        if !clock::any_ever_paused() {
            return AnyTimer(Repr::Native(backend.native_timer_at(deadline)));
        }
        match backend.clock() {
            Some(clock) if clock.was_ever_paused() => {
                let state = if clock.is_paused() {
                    State::Virtual(None)
                } else {
                    State::Native(backend.native_timer_at(clock.to_wall_clock(deadline)), None)
                };
                let clock = Arc::clone(clock);
                AnyTimer(Repr::Clocked(Box::new(Clocked {
                    backend: backend.clone(),
                    clock,
                    deadline,
                    state,
                })))
            }
            _ => AnyTimer(Repr::Native(backend.native_timer_at(deadline))),
        }
    }
}

impl Future for AnyTimer {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.get_mut().0 {
            Repr::Native(timer) => Pin::new(timer).poll(cx),
            Repr::Clocked(clocked) => clocked.poll(cx),
        }
    }
}

impl Clocked {
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            match &mut self.state {
                State::Native(_, slot) if self.clock.is_paused() => {
                    self.clock.unwatch(slot);
                    self.state = State::Virtual(None);
                }
                State::Native(timer, slot) => {
                    if Pin::new(timer).poll(cx).is_pending() {
                        // Woken by a pause, to go virtual.
                        self.clock.watch(slot, cx.waker());
                        if !self.clock.is_paused() {
                            return Poll::Pending;
                        }
                        continue;
                    }
                    self.clock.unwatch(slot);
                    if self.clock.now() >= self.deadline {
                        return Poll::Ready(());
                    }
                    // The clock was paused and resumed meanwhile: its deadline moved.
                    self.state = self.native();
                }
                State::Virtual(_) if !self.clock.is_paused() => self.state = self.native(),
                State::Virtual(key) => {
                    if self.clock.register(self.deadline, key, cx.waker()) {
                        return Poll::Ready(());
                    }
                    if self.clock.is_paused() {
                        return Poll::Pending;
                    }
                }
            }
        }
    }

    /// The runtime's timer for the deadline, where it falls on the wall clock now.
    fn native(&self) -> State {
        State::Native(self.backend.native_timer_at(self.clock.to_wall_clock(self.deadline)), None)
    }
}

impl Drop for Clocked {
    fn drop(&mut self) {
        match &mut self.state {
            State::Virtual(Some(key)) => self.clock.deregister(*key),
            State::Native(_, slot) => self.clock.unwatch(slot),
            State::Virtual(None) => {}
        }
    }
}

/// The runtime's own timer of any backend; each is `Unpin`. Its variants are
/// [`AnyBackend`]'s.
pub(crate) enum NativeTimer {
    #[cfg(feature = "tokio")]
    Tokio(<TokioBackend as LoopBackend>::Timer),
    #[cfg(feature = "smol")]
    Smol(<SmolBackend as LoopBackend>::Timer),
    #[cfg(feature = "async-std")]
    AsyncStd(<AsyncStdBackend as LoopBackend>::Timer),
    Custom(<CustomBackend as LoopBackend>::Timer),
}

impl Future for NativeTimer {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match *self.get_mut() {
            #[cfg(feature = "tokio")]
            NativeTimer::Tokio(ref mut timer) => Pin::new(timer).poll(cx),
            #[cfg(feature = "smol")]
            NativeTimer::Smol(ref mut timer) => Pin::new(timer).poll(cx).map(drop),
            #[cfg(feature = "async-std")]
            NativeTimer::AsyncStd(ref mut timer) => Pin::new(timer).poll(cx).map(drop),
            NativeTimer::Custom(ref mut timer) => Pin::new(timer).poll(cx),
        }
    }
}
