//! [`spin_then`]: a short busy wait for a quick answer before a `block_on` parks its thread.
//!
//! Waking a parked thread costs tens of microseconds on a VM (the vCPU halts); an answer that
//! comes from a runtime's thread within that time finds the caller still awake if it spins.
//! The rules that keep the spin from costing more than it saves (one spinner at a time, a
//! preempted spin hands over at once, spins in vain back off) are on [`spin_then`]; the
//! measurements behind them are in `docs/performance.md`.
//!
//! # Examples
//!
//! ```
//! use loopbridge_core::unstable::spin;
//!
//! assert_eq!(spin::spin_then(async { 1 }, |_| unreachable!()), 1);
//! ```

use std::cell::Cell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

/// How long [`spin_then`] keeps polling before it hands the future to the runtime's own
/// `block_on`, which parks the thread: about what waking a parked thread on another CPU of a
/// VM costs (~25 µs to wake a halted vCPU), so that a quick answer from the runtime's threads
/// finds this thread still awake.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use loopbridge_core::unstable::spin;
///
/// // A future that stays pending is handed to the "native" block_on after at most `SPIN`
/// // (at once if the thread was preempted while spinning lately: see `spin_then`).
/// let start = Instant::now();
/// let handed_over = spin::spin_then(std::future::pending::<Duration>(), |_| start.elapsed());
/// assert!(handed_over < Duration::from_secs(1), "the spin is bounded");
/// assert!(spin::SPIN < Duration::from_millis(1));
/// ```
pub const SPIN: Duration = Duration::from_micros(40);

/// A gap this long between two turns of the spin means the thread was preempted: another
/// thread wanted this CPU, and the answer may have to come from one that shares it (threads
/// pinned to one CPU, an over-subscribed machine), so spinning on would only delay it. A turn
/// of the spin takes tens of nanoseconds; a preemption, microseconds.
const PREEMPTED: Duration = Duration::from_micros(2);

/// How many of its next waits a thread parks at once, without spinning, after a spin that
/// did not pay: one that was preempted, or one that ran its whole [`SPIN`] in vain (the
/// answers this thread waits for are slow). Each further spin in vain doubles the count, up
/// to [`MAX_WAITS_WITHOUT_SPIN`]; a spin that pays brings it back here. So a thread whose CPU
/// became free, or whose answers became quick, spins again soon, and one whose spins never
/// pay (every thread on one CPU) spends next to nothing on them: a spin in vain costs up to
/// [`SPIN`], tens of waits' worth of work.
const WAITS_WITHOUT_SPIN: u32 = 64;

/// The most waits a thread parks at once for after spins in vain: [`SPIN`] spread over this
/// many waits is about 10 ns per wait.
const MAX_WAITS_WITHOUT_SPIN: u32 = 4096;

/// Records a wake-up; the waker of [`spin_then`]'s polls.
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::Release);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::Release);
    }
}

thread_local! {
    /// One flag and its waker per thread, made once: a `block_on` allocates nothing for them.
    static SPINNER: (Arc<Flag>, Waker) = {
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        (Arc::clone(&flag), Waker::from(flag))
    };
    /// The waits this thread still parks at once for (see [`WAITS_WITHOUT_SPIN`]).
    static SKIP_SPINS: Cell<u32> = const { Cell::new(0) };
    /// How many waits the next spin in vain makes this thread park at once for.
    static NEXT_SKIP: Cell<u32> = const { Cell::new(WAITS_WITHOUT_SPIN) };
}

/// Threads of this process spinning in [`spin_then`] now.
static SPINNING: AtomicUsize = AtomicUsize::new(0);

/// Counts one spinning thread while it lives.
struct Spinner;

impl Spinner {
    fn enter() -> Option<Spinner> {
        if SPINNING.fetch_add(1, Ordering::AcqRel) == 0 {
            Some(Spinner)
        } else {
            SPINNING.fetch_sub(1, Ordering::AcqRel);
            None
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        SPINNING.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Whether `waker` is the one [`spin_then`] polls with on this thread. A future that parks
/// waiters somewhere (a `block_on` wrapper that a shutdown must wake) need not register it:
/// the spin re-polls on its own and hands over to a `block_on` that polls with its own waker.
pub(crate) fn is_spin_waker(waker: &Waker) -> bool {
    SPINNER.try_with(|(_, spinner)| spinner.will_wake(waker)).unwrap_or(false)
}

/// Polls `future` here, and after each wake-up again, for up to [`SPIN`] while it is pending,
/// then hands it to `native_block_on` (the runtime's own `block_on`, which parks the thread).
/// Only one thread of the process spins at a time; the others hand over after the first poll.
///
/// The spin is a busy wait (`spin_loop`), not a loop of `yield_now`: where the answer comes
/// from another CPU a yield buys nothing, and where it must come from this CPU the scheduler
/// preempts the spinner for the woken thread; afterwards the spin finds the answer, or sees
/// the gap in its turns and hands over. A yield would instead hand this CPU to whichever
/// thread is next, which costs context switches that a busy spin does not (the measurement is
/// in `docs/performance.md`). A spin that did not pay (preempted, or in vain for all of [`SPIN`]) makes the
/// thread's next 64 waits park at once, and each further one doubles that, up to 4096.
///
/// A ready future never reaches `native_block_on`, and an answer that comes within the spin
/// saves the park and the wake-up of this thread. The future must be polled in the runtime's
/// context (enter it first) since its first polls happen here.
///
/// # Examples
///
/// ```
/// use loopbridge_core::unstable::spin;
///
/// // Ready at once: the "native" block_on is never called.
/// let out = spin::spin_then(async { 1 }, |_| unreachable!());
/// assert_eq!(out, 1);
/// // Pending beyond the spin: handed over.
/// let out = spin::spin_then(std::future::pending::<u8>(), |_| 2);
/// assert_eq!(out, 2);
/// ```
#[inline]
pub fn spin_then<F: Future>(
    future: F,
    native_block_on: impl FnOnce(Pin<&mut F>) -> F::Output,
) -> F::Output {
    let mut future = pin!(future);
    let spun = SPINNER.try_with(|(flag, waker)| {
        let mut cx = Context::from_waker(waker);
        flag.0.store(false, Ordering::Relaxed);
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
        // Not right after a spin that did not pay (see `WAITS_WITHOUT_SPIN`).
        let skip = SKIP_SPINS.try_with(Cell::get).unwrap_or(0);
        if skip > 0 {
            let _ = SKIP_SPINS.try_with(|s| s.set(skip - 1));
            return None;
        }
        // One spinner at a time: many threads spinning at once would take the CPUs that the
        // threads they wait for need.
        let _spinner = Spinner::enter()?;
        // The clock is read only once the future is waited for: one woken during its own poll
        // (a yield) is polled again at once.
        let mut start = None;
        let mut last_turn = None;
        loop {
            while !flag.0.swap(false, Ordering::Acquire) {
                let now = Instant::now();
                let begun = *start.get_or_insert(now);
                let previous = last_turn.replace(now).unwrap_or(now);
                if now - begun >= SPIN || now - previous >= PREEMPTED {
                    // An answer that came meanwhile is found by the hand-over's first poll.
                    spin_in_vain();
                    return None;
                }
                std::hint::spin_loop();
            }
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                let _ = NEXT_SKIP.try_with(|next| next.set(WAITS_WITHOUT_SPIN));
                return Some(output);
            }
            // The poll's own time is no preemption.
            last_turn = None;
        }
    });
    match spun {
        Ok(Some(output)) => output,
        // Pending after the spin (or during thread-local destruction): the runtime's
        // `block_on` polls it again with its own waker, so no wake-up is lost.
        _ => native_block_on(future),
    }
}

/// After a spin that did not pay: park at once for the next waits, twice as many as after
/// the previous spin in vain (see [`WAITS_WITHOUT_SPIN`]).
fn spin_in_vain() {
    let skip = NEXT_SKIP.try_with(Cell::get).unwrap_or(WAITS_WITHOUT_SPIN);
    let _ = SKIP_SPINS.try_with(|s| s.set(skip));
    let _ = NEXT_SKIP.try_with(|next| next.set(skip.saturating_mul(2).min(MAX_WAITS_WITHOUT_SPIN)));
}

#[cfg(test)]
mod tests;
