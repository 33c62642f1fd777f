//! Waiting for a future on the calling thread, optionally with a deadline, with no runtime.
//!
//! The thread parks between wake-ups and is woken by the future's waker or, at the deadline, by
//! its own clock. Because nothing here depends on an executor making progress, a deadline is
//! kept even when the runtime the future waits on is busy or stuck: this is what the
//! caller-side deadline of `block_on` and the test watchdog are built on.
//!
//! # Examples
//!
//! ```
//! use std::time::{Duration, Instant};
//! use loopbridge_core::park;
//!
//! assert_eq!(park::wait(async { 5 }), 5);
//! let gave_up = park::wait_until(std::future::pending::<()>(), Instant::now() + Duration::from_millis(5));
//! assert!(gave_up.is_none());
//! ```

use std::cell::Cell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use crate::BlockOnError;
use crate::local::{Drive, LocalScope};

struct Unparker(Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` on this thread until it completes.
///
/// # Examples
///
/// ```
/// assert_eq!(loopbridge_core::park::wait(async { "done" }), "done");
/// ```
pub fn wait<F: Future>(future: F) -> F::Output {
    match poll_until(future, None) {
        Some(output) => output,
        None => unreachable!("a wait without a deadline only returns with the output"),
    }
}

/// Polls `future` on this thread until it completes (`Some`) or `deadline` passes (`None`; the
/// future is dropped).
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use loopbridge_core::park;
///
/// let soon = Instant::now() + Duration::from_secs(5);
/// assert_eq!(park::wait_until(async { 5 }, soon), Some(5));
/// let gave_up = park::wait_until(std::future::pending::<()>(), Instant::now());
/// assert!(gave_up.is_none());
/// ```
pub fn wait_until<F: Future>(future: F, deadline: Instant) -> Option<F::Output> {
    poll_until(future, Some(deadline))
}

/// What every adapter's `block_on` does with an optional caller deadline: without one, run
/// `future` with the runtime's own `native_block_on`; with one, wait with [`wait_until`] (the
/// runtime's threads drive its IO and timers, this thread only waits on its own clock, so the
/// deadline holds even when they are all busy).
///
/// Either way the calling thread drives its local tasks meanwhile: `future` runs inside a
/// [`LocalScope`], so `spawn_local` works in it, and the local tasks still pending when it
/// completes (or times out, or panics) are cancelled here. See [`crate::local`].
///
/// # Errors
///
/// [`BlockOnError::is_timed_out`] when the deadline passed first; the future is dropped.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use loopbridge_core::park;
///
/// let quick = park::block_on_until(async { 1 }, None, park::wait);
/// assert_eq!(quick.unwrap(), 1);
/// let deadline = Some(Instant::now() + Duration::from_millis(1));
/// let stuck = park::block_on_until(std::future::pending::<()>(), deadline, park::wait);
/// assert!(stuck.unwrap_err().is_timed_out());
/// ```
pub fn block_on_until<F: Future>(
    future: F,
    deadline: Option<Instant>,
    native_block_on: impl FnOnce(Drive<F>) -> F::Output,
) -> Result<F::Output, BlockOnError> {
    let scope = LocalScope::enter();
    let future = scope.drive(future);
    match deadline {
        None => Ok(native_block_on(future)),
        Some(deadline) => wait_until(future, deadline).ok_or_else(BlockOnError::timed_out),
    }
}

fn poll_until<F: Future>(future: F, deadline: Option<Instant>) -> Option<F::Output> {
    let waker = Waker::from(Arc::new(Unparker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
        match deadline {
            None => thread::park(),
            Some(deadline) => {
                let now = Instant::now();
                if now >= deadline {
                    return None;
                }
                thread::park_timeout(deadline - now);
            }
        }
    }
}

/// How long [`spin_then`] keeps polling before it hands the future to the runtime's own
/// `block_on`, which parks the thread: about what waking a parked thread on another CPU of a
/// VM costs (RUNTIME-NOTES.md: ~25 µs to wake a halted vCPU), so that a quick answer from the
/// runtime's threads finds this thread still awake.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use loopbridge_core::park;
///
/// // A future that stays pending is handed to the "native" block_on after at most `SPIN`
/// // (at once if the thread was preempted while spinning lately: see `spin_then`).
/// let start = Instant::now();
/// let handed_over = park::spin_then(std::future::pending::<Duration>(), |_| start.elapsed());
/// assert!(handed_over < Duration::from_secs(1), "the spin is bounded");
/// assert!(park::SPIN < Duration::from_millis(1));
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
/// thread is next: measured on Linux 6.18 with 16 callers on one CPU, spins that yielded cost
/// ~0.37 extra context switches per call (although fewer than 1 call in 500 spun), busy spins
/// none. A spin that did not pay (preempted, or in vain for all of [`SPIN`]) makes the
/// thread's next 64 waits park at once, and each further one doubles that, up to 4096.
///
/// A ready future never reaches `native_block_on`, and an answer that comes within the spin
/// saves the park and the wake-up of this thread. The future must be polled in the runtime's
/// context (enter it first) since its first polls happen here.
///
/// # Examples
///
/// ```
/// use loopbridge_core::park;
///
/// // Ready at once: the "native" block_on is never called.
/// let out = park::spin_then(async { 1 }, |_| unreachable!());
/// assert_eq!(out, 1);
/// // Pending beyond the spin: handed over.
/// let out = park::spin_then(std::future::pending::<u8>(), |_| 2);
/// assert_eq!(out, 2);
/// ```
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
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::lifecycle::Lifecycle;

    #[test]
    fn spins_in_vain_back_off_and_a_spin_that_pays_starts_over() {
        thread::spawn(|| {
            let skips = || SKIP_SPINS.with(Cell::get);
            for expected in [64, 128, 256, 512, 1024, 2048, 4096, 4096] {
                spin_in_vain();
                assert_eq!(skips(), expected);
            }
            // Waits while the count lasts hand over after one poll, without spinning.
            assert_eq!(spin_then(std::future::pending::<u8>(), |_| 1), 1);
            assert_eq!(skips(), 4095);
            // A spin that pays (woken during the spin, ready at the next poll) resets the
            // back-off: the next spin in vain skips 64 waits again. (Another test's thread
            // may be the one spinner of the moment; then this one hands over: try again.)
            let spun = (0..1000).any(|_| {
                SKIP_SPINS.with(|s| s.set(0));
                let mut polls = 0;
                let yields_once = std::future::poll_fn(|cx| {
                    polls += 1;
                    if polls == 1 {
                        cx.waker().wake_by_ref();
                        Poll::Pending
                    } else {
                        Poll::Ready(true)
                    }
                });
                spin_then(yields_once, |rest| !wait(rest))
            });
            assert!(spun, "no spin in 1000 tries");
            spin_in_vain();
            assert_eq!(skips(), 64);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn spin_then_hands_over_what_the_spin_does_not_finish() {
        // Completed by another thread after the spin: the hand-over polls with its own waker,
        // so the wake-up is not lost.
        let (promise, handle) = crate::task::Promise::new();
        let worker = thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            promise.complete(Ok(7));
        });
        assert_eq!(spin_then(handle, |rest| wait(rest)).unwrap(), 7);
        worker.join().unwrap();
    }

    #[test]
    fn a_close_reaches_a_block_on_in_its_spin_or_after() {
        for delay in [Duration::ZERO, Duration::from_micros(10), Duration::from_millis(5)] {
            let lifecycle = Lifecycle::new();
            let closer = Arc::clone(&lifecycle);
            let worker = thread::spawn(move || {
                thread::sleep(delay);
                closer.close();
            });
            let blocked = lifecycle.until_closed(std::future::pending::<()>());
            let result = spin_then(blocked, |rest| wait(rest));
            assert!(result.unwrap_err().is_shut_down());
            worker.join().unwrap();
        }
    }
}
