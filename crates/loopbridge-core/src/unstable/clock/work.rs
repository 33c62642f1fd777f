//! The work of a paused runtime, counted (the clock's protocol step 2): what keeps its time
//! from jumping.
//!
//! A task counts while it is polled and from the moment it is woken until its next poll: its
//! waker is wrapped in a [`Tracker`] that counts the wake. A spawned task counts as woken from
//! its spawn. A `to_thread` job counts from its spawn until it ends ([`JobWork`]). When the
//! count falls to zero, the clock jumps to its next timer.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, RawWakerVTable, Wake, Waker};

use super::Clock;
use super::io::{self, Readiness};

/// One task's (or one `block_on` future's) share of a paused clock's work, and the waker that
/// counts its wakes.
///
/// # Examples
///
/// ```
/// use std::task::{Context, Poll, Waker};
/// use loopbridge_core::unstable::clock::{self, Clock, Tracker};
///
/// let clock = Clock::new();
/// clock.pause();
/// let mut tracker = Some(Tracker::scheduled(&clock)); // a task just spawned: work
/// let mut cx = Context::from_waker(Waker::noop());
/// let poll = clock::poll_tracked(&mut tracker, &clock, &mut cx, |_| Poll::Ready(()));
/// assert!(poll.is_ready()); // polled: no work left, so the clock could jump
/// ```
pub struct Tracker {
    pub(super) clock: Arc<Clock>,
    /// [`ALIVE`] until the task is gone, [`WOKEN`] from a wake until the next poll (counted as
    /// work meanwhile): one atomic, so that a wake racing the task's end never counts work
    /// that nobody would take back.
    state: AtomicU8,
    parked: Mutex<Parked>,
}

/// What a tracker keeps between the task's polls.
#[derive(Default)]
struct Parked {
    /// The executor's waker of the task, which the tracker's wakes pass on to.
    waker: Option<Waker>,
    /// The sockets the task waits on since its last poll ([`io`]).
    io: Vec<Box<dyn Readiness>>,
    /// Whether the clock's list of trackers waiting on sockets holds this one.
    listed: bool,
}

const ALIVE: u8 = 1;
const WOKEN: u8 = 2;

impl Tracker {
    /// The tracker of a task just spawned on a paused clock: scheduled, so counted.
    pub fn scheduled(clock: &Arc<Clock>) -> Arc<Tracker> {
        clock.work.fetch_add(1, Ordering::AcqRel);
        Tracker::with(clock, ALIVE | WOKEN)
    }

    fn with(clock: &Arc<Clock>, state: u8) -> Arc<Tracker> {
        Arc::new(Tracker {
            clock: Arc::clone(clock),
            state: AtomicU8::new(state),
            parked: Mutex::new(Parked::default()),
        })
    }

    fn parked(&self) -> std::sync::MutexGuard<'_, Parked> {
        // Only plain field updates run under the lock; a poisoned one is still consistent.
        self.parked.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a socket the task waits on; `true` if the clock must list the tracker.
    pub(super) fn add_io(&self, probe: Box<dyn Readiness>) -> bool {
        let mut parked = self.parked();
        parked.io.push(probe);
        !std::mem::replace(&mut parked.listed, true)
    }

    /// Whether a socket the task waits on is ready (then the probes go: the task is woken
    /// once for them), or `None` if it waits on none any more (then it leaves the clock's
    /// list).
    pub(super) fn take_ready_io(&self) -> Option<bool> {
        let mut parked = self.parked();
        if parked.io.is_empty() {
            parked.listed = false;
            return None;
        }
        if !parked.io.iter().any(|probe| probe.is_ready()) {
            return Some(false);
        }
        let probes = std::mem::take(&mut parked.io);
        parked.listed = false;
        drop(parked);
        drop(probes); // closes their descriptors outside the lock
        Some(true)
    }

    /// The task is gone (completed, aborted, or dropped unpolled): a wake still counted goes,
    /// and later wakes count nothing.
    pub fn finish(&self) {
        let probes = std::mem::take(&mut self.parked().io);
        drop(probes);
        if self.state.swap(0, Ordering::AcqRel) & WOKEN != 0 {
            end(&self.clock);
        }
    }

    /// Counts a wake, unless one is counted already or the task is gone.
    fn count_wake(&self) {
        if self.state.load(Ordering::Acquire) != ALIVE {
            return; // woken already, or gone: nothing to count
        }
        // Counted first, then claimed: a `finish` between the two takes back what it sees.
        self.clock.work.fetch_add(1, Ordering::AcqRel);
        if self
            .state
            .compare_exchange(ALIVE, ALIVE | WOKEN, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            end(&self.clock);
        }
    }
}

impl Wake for Tracker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.count_wake();
        let waker = self.parked().waker.clone();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Polls with `poll` as work of `clock`: counted while it runs, with a waker that counts the
/// wakes until the next poll. `tracker` is the task's, made at the first call if it has none.
pub fn poll_tracked<R>(
    tracker: &mut Option<Arc<Tracker>>,
    clock: &Arc<Clock>,
    cx: &mut Context<'_>,
    poll: impl FnOnce(&mut Context<'_>) -> Poll<R>,
) -> Poll<R> {
    let tracker = tracker.get_or_insert_with(|| Tracker::with(clock, ALIVE));
    // Counted as running before the wake's count goes, so the count never passes zero here.
    clock.work.fetch_add(1, Ordering::AcqRel);
    if tracker.state.fetch_and(!WOKEN, Ordering::AcqRel) & WOKEN != 0 {
        clock.work.fetch_sub(1, Ordering::AcqRel);
    }
    let probes = {
        let mut parked = tracker.parked();
        match &mut parked.waker {
            Some(known) if known.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        // This poll asks its sockets again: what it still waits on, it records again.
        std::mem::take(&mut parked.io)
    };
    drop(probes);
    let waker = tracker_waker(tracker);
    let _running = Running(clock);
    let _polling = io::polling(tracker);
    poll(&mut Context::from_waker(&waker))
}

/// Ends a poll's count, even if the poll panicked.
struct Running<'a>(&'a Arc<Clock>);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        // A pause again in this poll (after a resume) counted the poll twice.
        self.0.take_owed();
        end(self.0);
    }
}

/// The waker of `tracker`: made here and only here, so that every tracker's waker has the
/// vtable [`is_tracker`] compares with (a vtable's address is the same for wakers made by one
/// piece of code; made in two, it could be two copies).
fn tracker_waker(tracker: &Arc<Tracker>) -> Waker {
    let waker = Waker::from(Arc::clone(tracker));
    let _ = TRACKER_VTABLE.set(waker.vtable() as *const RawWakerVTable as usize);
    waker
}

/// The address of the vtable of the trackers' wakers, once one was made.
static TRACKER_VTABLE: OnceLock<usize> = OnceLock::new();

/// Whether `waker` is a tracker's: its wake counts work. Another (a task polled before the
/// clock was paused, a waker made by hand) does not.
pub(super) fn is_tracker(waker: &Waker) -> bool {
    TRACKER_VTABLE.get() == Some(&(waker.vtable() as *const RawWakerVTable as usize))
}

/// One unit of work done: the last one lets the clock jump.
pub(super) fn end(clock: &Clock) {
    if clock.end_unit() {
        clock.idle();
    }
}

/// A task's work on its runtime's clock, for the wrappers every backend spawns: nothing, and
/// one atomic load per poll, until the clock is paused; then the task is counted (see
/// [`poll_tracked`]), and its drop takes back a wake still counted.
///
/// # Examples
///
/// ```
/// use std::task::{Context, Poll, Waker};
/// use loopbridge_core::unstable::clock::{Clock, TaskWork};
///
/// let clock = Clock::new();
/// clock.pause();
/// let mut work = TaskWork::spawned(Some(&clock)); // counted: scheduled
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(work.poll_on(&clock, &mut cx, |_| Poll::Ready(())).is_ready());
/// ```
#[derive(Debug, Default)]
pub struct TaskWork(Option<Arc<Tracker>>);

impl TaskWork {
    /// The work of a task spawned on the runtime of `clock`: counted from now if it is paused.
    #[inline]
    pub fn spawned(clock: Option<&Arc<Clock>>) -> TaskWork {
        if !super::any_ever_paused() {
            return TaskWork(None);
        }
        TaskWork(clock.filter(|clock| clock.is_paused()).map(Tracker::scheduled))
    }

    /// Whether the next poll must go through [`poll`](Self::poll): the clock is paused, or
    /// was when the task was counted.
    #[inline]
    pub fn is_counted(&self, clock: &Clock) -> bool {
        self.0.is_some() || clock.is_paused()
    }

    /// Polls with `poll` in a process where a clock was paused: counted as work of `clock`
    /// where [`is_counted`](Self::is_counted); otherwise as it is, after which a clock paused
    /// during the poll (the task called `pause`) may jump at once. Out of line: a program that
    /// never pauses time never comes here.
    #[cold]
    #[inline(never)]
    pub fn poll_on<R>(
        &mut self,
        clock: &Arc<Clock>,
        cx: &mut Context<'_>,
        poll: impl FnOnce(&mut Context<'_>) -> Poll<R>,
    ) -> Poll<R> {
        if self.is_counted(clock) {
            return poll_tracked(&mut self.0, clock, cx, poll);
        }
        let polled = poll(cx);
        clock.uncounted_poll_ended(cx.waker());
        polled
    }
}

impl Drop for TaskWork {
    fn drop(&mut self) {
        if let Some(tracker) = &self.0 {
            tracker.finish();
        }
    }
}

/// A `to_thread` job's work: counted from its spawn until it is dropped, run or not.
///
/// # Examples
///
/// ```
/// use loopbridge_core::unstable::clock::{Clock, JobWork};
///
/// let clock = Clock::new();
/// clock.pause();
/// let job = JobWork::new(&clock);
/// drop(job); // the job ended
/// ```
#[derive(Debug)]
pub struct JobWork(Arc<Clock>);

impl JobWork {
    /// Counts a job spawned on `clock`'s runtime.
    pub fn new(clock: &Arc<Clock>) -> JobWork {
        clock.work.fetch_add(1, Ordering::AcqRel);
        JobWork(Arc::clone(clock))
    }
}

impl Drop for JobWork {
    fn drop(&mut self) {
        end(&self.0);
    }
}

impl std::fmt::Debug for Tracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state.load(Ordering::Relaxed);
        f.debug_struct("Tracker")
            .field("alive", &(state & ALIVE != 0))
            .field("woken", &(state & WOKEN != 0))
            .finish()
    }
}
