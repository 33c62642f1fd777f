//! The state shared by a task (or blocking job) and its [`JoinHandle`](super::JoinHandle).

use std::sync::PoisonError;
use std::task::Waker;

use super::{Id, JoinError};
// std's types, or loom's under `cfg(loom)`: see `sync.rs`.
use crate::sync::{AtomicBool, AtomicUsize, Mutex, MutexGuard, Ordering};

/// Where a task's result is.
enum Output<T> {
    /// The task has not finished.
    Pending,
    /// The task finished; the handle has not taken the result yet.
    Ready(Result<T, JoinError>),
    /// The handle took the result.
    Taken,
}

struct State<T> {
    output: Output<T>,
    /// Woken when the result is stored.
    join_waker: Option<Waker>,
    /// Woken by `abort`, so that a task parked on some event notices the request. Recorded
    /// only when the task returns `Pending`: a task that completes in its first poll (the
    /// common case of a short task) never takes the lock for it.
    task_waker: Option<Waker>,
}

/// Shared between one running unit of work and its handle.
///
/// The lock is taken once to store the result and once to take it, and once more by each side
/// whose waker changed since its last `Pending` poll. A side polled again with the waker it
/// recorded (the common case: an executor gives a task the same waker at every poll) checks
/// that without the lock, through [`WakerId`]. Reading the abort request and `is_finished` are
/// atomic loads.
pub(crate) struct Cell<T> {
    state: Mutex<State<T>>,
    /// Set under the lock by `abort`, so that `park` (which reads it under the lock) and
    /// `abort` cannot miss each other; read without the lock before each poll.
    abort_requested: AtomicBool,
    /// Set under the lock when the result is stored (`output != Pending`), so `is_finished`
    /// and the handle's lock-free check need no lock.
    finished: AtomicBool,
    /// The waker recorded in `task_waker`; written and read by the task only.
    task_waker_id: WakerId,
    /// The waker recorded in `join_waker`; written and read by the handle only.
    join_waker_id: WakerId,
    /// The task's id, given to every handle and to its `JoinError`.
    id: Id,
}

/// What [`Waker::will_wake`] compares (the data pointer and the vtable's address), kept where
/// the side that recorded a waker can compare its next waker with it without the lock.
///
/// Only the side that records the waker (under the lock) writes it, and only that side reads
/// it, in a later poll of the same future: polls of one future are ordered by the executor, so
/// `Relaxed` suffices. The other side may take the waker out of the slot (`abort` takes the
/// task's, `complete` the handle's) but does so only after setting the flag the recording side
/// checks first, and wakes it: a stale match can only delay noticing the flag until that wake.
struct WakerId {
    data: AtomicUsize,
    vtable: AtomicUsize,
}

impl WakerId {
    fn new() -> Self {
        // A vtable is a reference, never 0: nothing matches until a waker is recorded.
        WakerId { data: AtomicUsize::new(0), vtable: AtomicUsize::new(0) }
    }

    fn of(waker: &Waker) -> (usize, usize) {
        (waker.data().addr(), std::ptr::from_ref(waker.vtable()).addr())
    }

    #[inline]
    fn matches(&self, waker: &Waker) -> bool {
        let (data, vtable) = Self::of(waker);
        self.vtable.load(Ordering::Relaxed) == vtable && self.data.load(Ordering::Relaxed) == data
    }

    fn set(&self, waker: &Waker) {
        let (data, vtable) = Self::of(waker);
        self.data.store(data, Ordering::Relaxed);
        self.vtable.store(vtable, Ordering::Relaxed);
    }
}

impl<T> Cell<T> {
    pub(crate) fn new() -> Self {
        Cell {
            state: Mutex::new(State {
                output: Output::Pending,
                join_waker: None,
                task_waker: None,
            }),
            abort_requested: AtomicBool::new(false),
            finished: AtomicBool::new(false),
            task_waker_id: WakerId::new(),
            join_waker_id: WakerId::new(),
            id: Id::next(),
        }
    }

    #[inline]
    pub(crate) fn id(&self) -> Id {
        self.id
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // No user code ever runs while the lock is held, so a poisoned lock can only come from
        // an allocation failure in `Waker::clone`; the state itself is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the handle asked for an abort: checked by the task before each poll, and by a
    /// blocking job before it runs the closure.
    #[inline]
    pub(crate) fn is_abort_requested(&self) -> bool {
        self.abort_requested.load(Ordering::Acquire)
    }

    /// Called by the task when its future returned `Pending`: records `waker` for `abort`.
    /// Returns `false` if an abort was requested meanwhile (the task must abort now, since the
    /// request may have found no waker to wake).
    #[inline]
    pub(crate) fn park(&self, waker: &Waker) -> bool {
        if self.is_abort_requested() {
            return false;
        }
        // Recorded at an earlier poll: still in the slot, or taken and woken by an `abort`,
        // which set the flag first (see `WakerId`).
        if self.task_waker_id.matches(waker) {
            return true;
        }
        self.park_slow(waker)
    }

    #[cold]
    fn park_slow(&self, waker: &Waker) -> bool {
        let mut state = self.lock();
        if self.abort_requested.load(Ordering::Acquire) {
            return false;
        }
        let previous = state.task_waker.replace(waker.clone());
        self.task_waker_id.set(waker);
        drop(state);
        drop(previous); // outside the lock: a waker's destructor is foreign code
        true
    }

    /// Stores the result (first call wins) and wakes the handle.
    pub(crate) fn complete(&self, result: Result<T, JoinError>) {
        let result = result.map_err(|err| err.with_id(self.id));
        let (join_waker, task_waker) = {
            let mut state = self.lock();
            if !matches!(state.output, Output::Pending) {
                return;
            }
            state.output = Output::Ready(result);
            self.finished.store(true, Ordering::Release);
            (state.join_waker.take(), state.task_waker.take())
        };
        drop(task_waker);
        if let Some(waker) = join_waker {
            waker.wake();
        }
    }

    /// Requests cancellation and wakes the task so that it notices.
    pub(crate) fn abort(&self) {
        let task_waker = {
            let mut state = self.lock();
            if self.abort_requested.load(Ordering::Acquire)
                || !matches!(state.output, Output::Pending)
            {
                return;
            }
            self.abort_requested.store(true, Ordering::Release);
            state.task_waker.take()
        };
        if let Some(waker) = task_waker {
            waker.wake();
        }
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }

    /// Takes the result if it is there, else remembers `waker`.
    ///
    /// # Panics
    ///
    /// If the result was already taken (the handle was polled after completion).
    pub(crate) fn poll_result(&self, waker: &Waker) -> Option<Result<T, JoinError>> {
        // Polled again with the waker recorded last time, before the result is there: that
        // waker is still in the slot, or `complete` took it and wakes it (see `WakerId`).
        if !self.is_finished() && self.join_waker_id.matches(waker) {
            return None;
        }
        let mut state = self.lock();
        match std::mem::replace(&mut state.output, Output::Taken) {
            Output::Ready(result) => Some(result),
            Output::Pending => {
                state.output = Output::Pending;
                let previous = match &state.join_waker {
                    Some(known) if known.will_wake(waker) => None,
                    _ => state.join_waker.replace(waker.clone()),
                };
                self.join_waker_id.set(waker);
                drop(state);
                drop(previous); // outside the lock: a waker's destructor is foreign code
                None
            }
            Output::Taken => {
                drop(state);
                panic!("`JoinHandle` polled after it returned its result")
            }
        }
    }
}
