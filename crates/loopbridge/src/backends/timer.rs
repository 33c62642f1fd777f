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
    /// On a paused clock: inline, so that a test's many pending timers cost no more than a
    /// key each in the clock's map (measured in `benches/paused.rs`).
    Virtual(Virtual),
    /// On a clock paused before and running now: the runtime's timer, boxed (the rare case).
    Resumed(Box<Resumed>),
}

/// The timer's place on the clock, and what makes the runtime's timer when the clock runs.
struct Virtual {
    backend: AnyBackend,
    clock: Arc<Clock>,
    /// The deadline, and the place among equal ones once registered.
    key: TimerKey,
}

/// The runtime's timer, set for the wall-clock instant of the deadline, and the slot of the
/// waker the next pause wakes.
struct Resumed {
    on: Virtual,
    timer: NativeTimer,
    slot: Option<usize>,
}

impl AnyTimer {
    /// A timer of `backend` for `deadline` on its clock.
    #[inline]
    pub(crate) fn at(backend: &AnyBackend, deadline: Instant) -> AnyTimer {
        if !clock::any_ever_paused() {
            return AnyTimer(Repr::Native(backend.native_timer_at(deadline)));
        }
        AnyTimer::clocked(backend, deadline)
    }

    /// [`at`](Self::at) in a process where a clock was paused: out of line, as no other
    /// program comes here.
    #[cold]
    #[inline(never)]
    fn clocked(backend: &AnyBackend, deadline: Instant) -> AnyTimer {
        match backend.clock() {
            Some(clock) if clock.was_ever_paused() => {
                let on = Virtual {
                    backend: backend.clone(),
                    clock: Arc::clone(clock),
                    key: TimerKey::new(deadline),
                };
                AnyTimer(if clock.is_paused() { Repr::Virtual(on) } else { on.resumed() })
            }
            _ => AnyTimer(Repr::Native(backend.native_timer_at(deadline))),
        }
    }
}

impl Future for AnyTimer {
    type Output = ();

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.get_mut().0 {
            Repr::Native(timer) => Pin::new(timer).poll(cx),
            repr => poll_clocked(repr, cx),
        }
    }
}

/// The poll of a timer on a clock that was paused, out of line (see [`AnyTimer::clocked`]).
#[cold]
#[inline(never)]
fn poll_clocked(repr: &mut Repr, cx: &mut Context<'_>) -> Poll<()> {
    loop {
        match repr {
            Repr::Native(timer) => return Pin::new(timer).poll(cx),
            Repr::Virtual(on) if !on.clock.is_paused() => {
                on.clock.deregister(&mut on.key);
                *repr = take_virtual(repr).resumed();
            }
            Repr::Virtual(on) => {
                if on.clock.register(&mut on.key, cx.waker()) {
                    return Poll::Ready(());
                }
                if on.clock.is_paused() {
                    return Poll::Pending;
                }
            }
            Repr::Resumed(resumed) if resumed.on.clock.is_paused() => {
                resumed.on.clock.unwatch(&mut resumed.slot);
                *repr = Repr::Virtual(take_virtual(repr));
            }
            Repr::Resumed(resumed) => {
                let Resumed { on, timer, slot } = &mut **resumed;
                if Pin::new(timer).poll(cx).is_pending() {
                    // Woken by a pause, to go virtual.
                    on.clock.watch(slot, cx.waker());
                    if !on.clock.is_paused() {
                        return Poll::Pending;
                    }
                    continue;
                }
                on.clock.unwatch(slot);
                if on.clock.now() >= on.key.deadline() {
                    return Poll::Ready(());
                }
                // The clock was paused and resumed meanwhile: its deadline moved.
                let on = take_virtual(repr);
                *repr = on.resumed();
            }
        }
    }
}

/// The clock state of a virtual or resumed timer, leaving it a spent native one for the
/// moment until the caller puts the next state in.
fn take_virtual(repr: &mut Repr) -> Virtual {
    match std::mem::replace(repr, Repr::Native(NativeTimer::Spent)) {
        Repr::Virtual(on) => on,
        // Its drop forgets the waker it kept for the next pause.
        Repr::Resumed(resumed) => Virtual {
            backend: resumed.on.backend.clone(),
            clock: Arc::clone(&resumed.on.clock),
            key: TimerKey::new(resumed.on.key.deadline()),
        },
        Repr::Native(_) => unreachable!("only a clocked timer changes state"),
    }
}

impl Virtual {
    /// The runtime's timer for the deadline, where it falls on the wall clock now.
    fn resumed(self) -> Repr {
        let timer = self.backend.native_timer_at(self.clock.to_wall_clock(self.key.deadline()));
        Repr::Resumed(Box::new(Resumed { on: self, timer, slot: None }))
    }
}

// The drops are the clocked states' own, so that a native timer's drop is the runtime's alone.
impl Drop for Virtual {
    fn drop(&mut self) {
        self.clock.deregister(&mut self.key);
    }
}

impl Drop for Resumed {
    fn drop(&mut self) {
        self.on.clock.unwatch(&mut self.slot);
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
    /// A placeholder while a clocked timer changes state; never polled.
    Spent,
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
            NativeTimer::Spent => Poll::Ready(()),
        }
    }
}
