//! [`Clock`]: the clock of one runtime loopbridge started — the wall clock until paused, then
//! virtual time that jumps to the next timer whenever the runtime has no work.
//!
//! # Protocol
//!
//! 1. Running, [`now`](Clock::now) is `Instant::now()` plus an offset (zero until the first
//!    pause): two atomic loads beside the wall clock's read. A clock never paused hands out no
//!    virtual timer, so the runtime's timers are its own, untouched.
//! 2. [`pause`](Clock::pause) freezes the time. From then on loopbridge's timers of the
//!    runtime register here (a deadline, a creation number, a waker) instead of on the
//!    runtime's timer, and the runtime's *work* is counted ([`TaskWork`], [`JobWork`]):
//!    every task of it scheduled or being polled, every `block_on` future of it being polled,
//!    every `to_thread` job of it queued or running.
//! 3. When the count falls to zero the runtime is idle — unless a socket one of its tasks
//!    waits on is ready already, which wakes that task instead ([`wait_on_io`]): the time
//!    jumps to the earliest deadline, and every timer due then is woken, in deadline order
//!    and, for equal deadlines, in the order they were made. The wakes are work again.
//! 4. [`advance`](Clock::fire_next) moves the time by hand (the facade's `time::advance`).
//! 5. [`resume`](Clock::resume) lets the time run again from where it stands (the offset
//!    keeps it continuous) and wakes every timer registered here: each goes back to the
//!    runtime's own timer, at the wall-clock instant its deadline now falls at.

mod io;
mod work;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::Waker;
use std::time::{Duration, Instant};

use slab::Slab;

pub use io::{Readiness, wait_on_io, wrote_io};
pub use work::{JobWork, TaskWork, Tracker, poll_tracked};

/// Set by the first pause of any clock in the process: until then every task poll, spawn and
/// timer skips the clocks with one load of this flag (the hot paths of a program that never
/// pauses time, which is every program but a test).
static ANY_EVER_PAUSED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// The clock this thread's current poll or job paused, which counts it as work until it
    /// ends ([`Clock::pause_in_poll`]).
    static OWED: std::cell::RefCell<Option<Arc<Clock>>> = const { std::cell::RefCell::new(None) };
}

/// The end of a poll or a job on this thread: the unit of work a [`Clock::pause_in_poll`] in
/// it added ends (and lets the clock jump if it was the last). Nothing where no pause came.
///
/// # Examples
///
/// ```
/// loopbridge_core::unstable::clock::pay_owed(); // no pause in this poll: nothing
/// ```
#[inline]
pub fn pay_owed() {
    if any_ever_paused() {
        if let Some(clock) = OWED.with(|owed| owed.borrow_mut().take()) {
            work::end(&clock);
        }
    }
}

/// Whether any clock of the process was ever paused: until then no clock needs a look.
///
/// # Examples
///
/// ```
/// use loopbridge_core::unstable::clock::{self, Clock};
///
/// let clock = Clock::new();
/// clock.pause();
/// assert!(clock::any_ever_paused());
/// ```
#[inline]
pub fn any_ever_paused() -> bool {
    ANY_EVER_PAUSED.load(Ordering::Relaxed)
}

/// Set by the first pause of any clock, or by [`note_other_clock`]: until then every clock of
/// the process reads the wall clock.
static ANY_OTHER_CLOCK: AtomicBool = AtomicBool::new(false);

/// Whether every clock of the process is still the wall clock: no clock was ever paused, and
/// no clock of an application's own was noted. One load: what `time::now()` asks first.
///
/// # Examples
///
/// ```
/// use loopbridge_core::unstable::clock;
///
/// clock::note_other_clock(); // an application's backend, with a `now` of its own
/// assert!(!clock::wall_clock_everywhere());
/// ```
#[inline]
pub fn wall_clock_everywhere() -> bool {
    !ANY_OTHER_CLOCK.load(Ordering::Relaxed)
}

/// Notes a clock that may not be the wall clock (an application's backend, whose `now` is its
/// own): from now on [`wall_clock_everywhere`] is `false`.
pub fn note_other_clock() {
    ANY_OTHER_CLOCK.store(true, Ordering::Release);
}

/// The clock of one runtime; see the [module docs](self).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loopbridge_core::unstable::clock::Clock;
///
/// let clock = Clock::new();
/// clock.pause();
/// let frozen = clock.now();
/// std::thread::sleep(Duration::from_millis(2));
/// assert_eq!(clock.now(), frozen); // paused: the time stands still
/// clock.resume();
/// assert!(clock.now() >= frozen); // and runs on from there
/// ```
pub struct Clock {
    paused: AtomicBool,
    /// Set by the first pause: until then no timer is virtual (protocol step 1).
    ever_paused: AtomicBool,
    /// Virtual minus wall-clock time while running, in nanoseconds.
    offset: AtomicI64,
    /// The time while paused, in nanoseconds after `epoch`.
    frozen: AtomicU64,
    epoch: Instant,
    /// The runtime's work while paused (protocol step 2).
    work: AtomicUsize,
    /// How many units of work ended: whether any ran while the clock waited (see
    /// [`wait_for_untracked`](Clock::wait_for_untracked)).
    ends: AtomicU64,
    /// Whether a task of the runtime wrote to a socket since the clock last asked its sockets
    /// ([`io`]): bytes may be on their way.
    io_written: AtomicBool,
    timers: Mutex<Timers>,
}

/// The virtual timers: by deadline, then by creation; the wakers of the timers made after a
/// pause that wait on the runtime's timer while the clock runs, for the next pause to wake;
/// and the tasks that wait on sockets ([`io`]).
#[derive(Default)]
struct Timers {
    waiting: BTreeMap<TimerKey, Waker>,
    made: u64,
    running: Slab<Waker>,
    io_waiting: Vec<Weak<Tracker>>,
}

/// Where a virtual timer waits: its deadline, and its place among equal ones (none yet: not
/// registered).
///
/// # Examples
///
/// ```
/// use std::time::Instant;
/// use loopbridge_core::unstable::clock::TimerKey;
///
/// let deadline = Instant::now();
/// let key = TimerKey::new(deadline);
/// assert_eq!(key.deadline(), deadline);
/// assert!(!key.is_registered());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimerKey(Instant, u64);

impl TimerKey {
    /// The key of a timer for `deadline`, not registered yet.
    pub fn new(deadline: Instant) -> TimerKey {
        TimerKey(deadline, 0)
    }

    /// The timer's deadline.
    pub fn deadline(&self) -> Instant {
        self.0
    }

    /// Whether [`Clock::register`] placed it (its place among equal deadlines is set).
    pub fn is_registered(&self) -> bool {
        self.1 != 0
    }
}

impl Clock {
    /// A running clock that reads the wall clock.
    ///
    /// # Examples
    ///
    /// ```
    /// let clock = loopbridge_core::unstable::clock::Clock::new();
    /// assert!(!clock.is_paused());
    /// ```
    pub fn new() -> Arc<Clock> {
        Arc::new(Clock {
            paused: AtomicBool::new(false),
            ever_paused: AtomicBool::new(false),
            offset: AtomicI64::new(0),
            frozen: AtomicU64::new(0),
            epoch: Instant::now(),
            work: AtomicUsize::new(0),
            ends: AtomicU64::new(0),
            io_written: AtomicBool::new(false),
            timers: Mutex::new(Timers::default()),
        })
    }

    /// Whether the time stands still.
    #[inline]
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Acquire)
    }

    /// Whether the clock was ever paused: until then its timers are the runtime's own.
    #[inline]
    pub fn was_ever_paused(&self) -> bool {
        self.ever_paused.load(Ordering::Acquire)
    }

    /// The current time on this clock.
    #[inline]
    pub fn now(&self) -> Instant {
        if self.is_paused() {
            return self.epoch + Duration::from_nanos(self.frozen.load(Ordering::Acquire));
        }
        shift(Instant::now(), self.offset.load(Ordering::Acquire))
    }

    /// The wall-clock instant at which `deadline`, on this clock, comes while it runs.
    ///
    /// # Examples
    ///
    /// ```
    /// let clock = loopbridge_core::unstable::clock::Clock::new();
    /// let deadline = clock.now();
    /// assert_eq!(clock.to_wall_clock(deadline), deadline); // never paused: no offset
    /// ```
    pub fn to_wall_clock(&self, deadline: Instant) -> Instant {
        shift(deadline, self.offset.load(Ordering::Acquire).saturating_neg())
    }

    /// Freezes the time, and wakes the timers that wait on the runtime's timer (each becomes
    /// virtual); a no-op if it stands still already.
    pub fn pause(&self) {
        self.pause_now();
    }

    /// [`pause`](Self::pause) from inside a poll or a `to_thread` job of the clock's runtime,
    /// which began while the clock ran and so is not counted as work: from the pause it is,
    /// until it ends (the poll wrappers and the job runner call [`pay_owed`]) — else the
    /// runtime would look idle while it still spawns and sleeps. A no-op if it stands still.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge_core::unstable::clock::{self, Clock};
    ///
    /// let clock = Clock::new();
    /// clock.pause_in_poll(); // in a poll: counted until the poll ends
    /// clock::pay_owed(); // the poll ended
    /// assert!(clock.is_paused());
    /// ```
    pub fn pause_in_poll(self: &Arc<Self>) {
        if !self.pause_now() {
            return;
        }
        self.work.fetch_add(1, Ordering::AcqRel);
        let older = OWED.with(|owed| owed.replace(Some(Arc::clone(self))));
        if let Some(older) = older {
            work::end(&older); // a debt no poll end paid: never left behind
        }
    }

    /// Pays this thread's debt to this clock (see [`pause_in_poll`](Self::pause_in_poll)):
    /// whether there was one. The unit ends without a jump.
    fn take_owed(&self) -> bool {
        let owed = OWED.with(|owed| {
            let mut owed = owed.borrow_mut();
            if owed.as_ref().is_some_and(|clock| std::ptr::eq(&**clock, self)) {
                owed.take()
            } else {
                None
            }
        });
        owed.is_some_and(|_| {
            self.end_unit();
            true
        })
    }

    /// One unit of work ends (counted in `ends`); whether it was the last.
    fn end_unit(&self) -> bool {
        self.ends.fetch_add(1, Ordering::Relaxed);
        self.work.fetch_sub(1, Ordering::AcqRel) == 1
    }

    /// Pauses; whether it did (it was running).
    fn pause_now(&self) -> bool {
        let running = {
            let mut timers = self.lock();
            if self.is_paused() {
                return false;
            }
            let now = shift(Instant::now(), self.offset.load(Ordering::Acquire));
            self.frozen.store(nanos(now.saturating_duration_since(self.epoch)), Ordering::Release);
            self.ever_paused.store(true, Ordering::Release);
            ANY_EVER_PAUSED.store(true, Ordering::Release);
            note_other_clock();
            self.paused.store(true, Ordering::Release);
            std::mem::take(&mut timers.running)
        };
        for (_, waker) in running {
            waker.wake();
        }
        true
    }

    /// Keeps `waker` (in `slot`, kept by its owner) to be woken by the next pause: a timer
    /// of this clock waiting on the runtime's timer while the clock runs.
    pub fn watch(&self, slot: &mut Option<usize>, waker: &Waker) {
        let mut timers = self.lock();
        match slot.and_then(|slot| timers.running.get_mut(slot)) {
            Some(known) if known.will_wake(waker) => {}
            Some(known) => known.clone_from(waker),
            None => *slot = Some(timers.running.insert(waker.clone())),
        }
    }

    /// Forgets the waker a [`watch`](Self::watch) kept in `slot`.
    pub fn unwatch(&self, slot: &mut Option<usize>) {
        if let Some(slot) = slot.take() {
            let removed = self.lock().running.try_remove(slot);
            drop(removed); // outside the lock: a waker's destructor is foreign code
        }
    }

    /// Lets the time run again from where it stands, and wakes every virtual timer (each goes
    /// back to the runtime's timer); a no-op on a running clock.
    pub fn resume(&self) {
        let waiting = {
            let mut timers = self.lock();
            if !self.is_paused() {
                return;
            }
            let frozen = self.now();
            let wall = Instant::now();
            let offset = match frozen.checked_duration_since(wall) {
                Some(ahead) => i64::try_from(ahead.as_nanos()).unwrap_or(i64::MAX),
                None => i64::try_from(wall.duration_since(frozen).as_nanos())
                    .map_or(i64::MIN, |behind| -behind),
            };
            self.offset.store(offset, Ordering::Release);
            self.paused.store(false, Ordering::Release);
            std::mem::take(&mut timers.waiting)
        };
        for (_, waker) in waiting {
            waker.wake();
        }
    }

    /// While paused: registers the timer at `key` (or updates its waker), unless its deadline
    /// has come, which returns `true` (and leaves it unregistered). `key` is kept by the
    /// timer's owner for [`deregister`](Self::deregister). Running, it returns `false` and
    /// registers nothing: the owner goes back to the runtime's timer.
    pub fn register(&self, key: &mut TimerKey, waker: &Waker) -> bool {
        let mut timers = self.lock();
        let paused = self.is_paused();
        if !paused || self.now() >= key.0 {
            if key.is_registered() {
                timers.waiting.remove(key);
                key.1 = 0;
            }
            return paused;
        }
        match timers.waiting.get_mut(key) {
            Some(known) if known.will_wake(waker) => {}
            Some(known) => known.clone_from(waker),
            None => {
                timers.made += 1;
                key.1 = timers.made;
                timers.waiting.insert(*key, waker.clone());
            }
        }
        false
    }

    /// Forgets the timer at `key` (its owner was dropped or completed); nothing if it is not
    /// registered.
    pub fn deregister(&self, key: &mut TimerKey) {
        if !key.is_registered() {
            return;
        }
        let removed = self.lock().waiting.remove(key);
        key.1 = 0;
        drop(removed); // outside the lock: a waker's destructor is foreign code
    }

    /// While paused: moves the time to the earliest deadline not after `limit` (any, without
    /// one) and wakes the timers due then, returning whether there was one. Without one the
    /// time moves to `limit` (if given and later). A no-op returning `false` while running.
    pub fn fire_next(&self, limit: Option<Instant>) -> bool {
        let due = {
            let mut timers = self.lock();
            if !self.is_paused() {
                return false;
            }
            let next = self.next_deadline(&timers);
            let to = match (next, limit) {
                (Some(next), Some(limit)) if next > limit => {
                    self.set_frozen(limit);
                    return false;
                }
                (Some(next), _) => next,
                (None, Some(limit)) => {
                    self.set_frozen(limit);
                    return false;
                }
                (None, None) => return false,
            };
            self.jump(&mut timers, to)
        };
        due.wake(None);
        true
    }

    /// The earliest deadline the time can move to: none past the 584 years after the clock's
    /// start that it counts in nanoseconds (such a timer never fires, as a sleep of
    /// `Duration::MAX` never does).
    fn next_deadline(&self, timers: &Timers) -> Option<Instant> {
        let (&TimerKey(to, _), _) = timers.waiting.first_key_value()?;
        (nanos(to.saturating_duration_since(self.epoch)) < u64::MAX).then_some(to)
    }

    /// Moves the time to `to` and takes the timers due then, in order, for the caller to wake
    /// outside the lock. Taken one by one from the front (one due timer is the common case):
    /// `split_off` would build a new tree for the rest at every jump.
    fn jump(&self, timers: &mut Timers, to: Instant) -> Due {
        self.set_frozen(to);
        let mut due = Due::default();
        while let Some(entry) = timers.waiting.first_entry() {
            if entry.key().0 > to {
                break;
            }
            due.push(entry.remove());
        }
        due
    }

    /// Moves the frozen time forward to `to` (never back).
    fn set_frozen(&self, to: Instant) {
        let to = nanos(to.saturating_duration_since(self.epoch));
        self.frozen.fetch_max(to, Ordering::AcqRel);
    }

    /// A poll that was not counted (it began before the clock was paused, perhaps by pausing
    /// it) has ended: if the clock is paused and nothing else works, it jumps now, as it would
    /// after a counted poll. One atomic load where the clock runs.
    /// `waker` is the poll's own: a jump that wakes it has woken the very task whose
    /// executor is about to poll it again, now counted.
    #[inline]
    pub fn uncounted_poll_ended(&self, waker: &Waker) {
        if self.is_paused() {
            self.take_owed();
            self.idle_for(Some(waker));
        }
    }

    /// The runtime has no work: jumps to the next timer (protocol step 3). Checked under the
    /// timers' lock, where one unit of work is reserved for the wakes: another thread that
    /// found the runtime idle at the same moment sees that work and leaves the next jump to
    /// the end of the work these wakes cause. Before it jumps, the sockets its tasks wait on
    /// are asked (outside the lock); a ready one wakes its task and there is no jump.
    /// Iterative: wakes that count no work (a waker no loopbridge task gave) let it look
    /// again once the woken task ran, or after a moment ([`wait_for_untracked`](Self::wait_for_untracked)).
    fn idle(&self) {
        self.idle_for(None);
    }

    /// [`idle`](Self::idle) at the end of a poll that was not counted, whose waker is `own`.
    fn idle_for(&self, own: Option<&Waker>) {
        loop {
            let due = {
                let mut timers = self.lock();
                if !self.is_paused() || self.work.load(Ordering::Acquire) != 0 {
                    return;
                }
                let Some(to) = self.next_deadline(&timers) else {
                    return;
                };
                self.work.fetch_add(1, Ordering::AcqRel); // the reservation
                if timers.io_waiting.is_empty() {
                    // No task waits on a socket: the jump under this one lock.
                    self.jump(&mut timers, to)
                } else {
                    drop(timers);
                    self.jump_unless_io_ready()
                }
            };
            let ends = self.ends.load(Ordering::Acquire);
            match due.wake(own) {
                Woke::Tracked => {}
                // Polled next on this thread, and counted then: its end looks again.
                Woke::Own => {
                    self.work.fetch_sub(1, Ordering::AcqRel);
                    return;
                }
                Woke::Untracked => self.wait_for_untracked(ends),
            }
            if self.work.fetch_sub(1, Ordering::AcqRel) != 1 {
                return; // the wakes are work: the last of it jumps next
            }
        }
    }

    /// A jump woke a waker that counts no work — the task that paused the clock, woken for a
    /// timer it awaited in that same poll (its poll began before the pause, so its waker is
    /// the executor's own). Its next poll counts (the clock is paused), so this waits, holding
    /// the reservation, for up to 5 ms of real time ([`wait_real`](Self::wait_real)) until work
    /// runs; without the wait the clock would jump on past the deadlines that task is about to await. Work that
    /// is counted but not running returns at once: it may need this very thread.
    fn wait_for_untracked(&self, ends: u64) {
        self.wait_real(|| {
            self.work.load(Ordering::Acquire) != 1 || self.ends.load(Ordering::Acquire) != ends
        });
    }

    /// The jump of [`idle`](Self::idle) where tasks wait on sockets: none if one is ready
    /// (its task is woken), or if work came meanwhile (a reactor's wake, which looks again
    /// when it ends).
    fn jump_unless_io_ready(&self) -> Due {
        if self.wake_ready_io() || self.settle_io() {
            return Due::default();
        }
        let mut timers = self.lock();
        let busy = self.work.load(Ordering::Acquire) != 1; // beside the reservation
        match self.next_deadline(&timers) {
            Some(to) if self.is_paused() && !busy => self.jump(&mut timers, to),
            _ => Due::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Timers> {
        // Only map operations run under the lock; a poisoned one is still consistent.
        self.timers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The wakers of the timers one jump made due, in order: the first inline (one is the common
/// case), the rest in a vector.
#[derive(Default)]
struct Due {
    first: Option<Waker>,
    rest: Vec<Waker>,
}

impl Due {
    fn push(&mut self, waker: Waker) {
        match self.first {
            None => self.first = Some(waker),
            Some(_) => self.rest.push(waker),
        }
    }

    /// Wakes them, saying whose they were: the waker `own`, another that counts no work (not
    /// a tracker's), or only trackers'.
    fn wake(self, own: Option<&Waker>) -> Woke {
        let mut woke = Woke::Tracked;
        for waker in self.first.into_iter().chain(self.rest) {
            if own.is_some_and(|own| own.will_wake(&waker)) {
                woke = Woke::Own;
            } else if woke == Woke::Tracked && !work::is_tracker(&waker) {
                woke = Woke::Untracked;
            }
            waker.wake();
        }
        woke
    }
}

/// Whose wakers a jump woke (see [`Due::wake`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Woke {
    Tracked,
    Own,
    Untracked,
}

/// `instant` moved by `nanos` (forward if positive), saturating where it cannot be
/// represented.
fn shift(instant: Instant, nanos: i64) -> Instant {
    match nanos {
        0 => instant,
        n if n > 0 => {
            instant.checked_add(Duration::from_nanos(n.unsigned_abs())).unwrap_or(instant)
        }
        n => instant.checked_sub(Duration::from_nanos(n.unsigned_abs())).unwrap_or(instant),
    }
}

/// A duration in nanoseconds, saturating at `u64::MAX` (584 years).
fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clock")
            .field("paused", &self.is_paused())
            .field("work", &self.work.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
