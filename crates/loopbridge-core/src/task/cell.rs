//! The state shared by a task (or blocking job) and its [`JoinHandle`](super::JoinHandle).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::Waker;

use super::JoinError;

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
/// The lock is taken once to store the result and once to take it (plus once per `Pending`
/// poll of the handle or the task); reading the abort request and `is_finished` are atomic loads.
pub(crate) struct Cell<T> {
    state: Mutex<State<T>>,
    /// Set under the lock by `abort`, so that `park` (which reads it under the lock) and
    /// `abort` cannot miss each other; read without the lock before each poll.
    abort_requested: AtomicBool,
    /// Mirrors `output != Pending`, so `is_finished` needs no lock.
    finished: AtomicBool,
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
        }
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
    pub(crate) fn park(&self, waker: &Waker) -> bool {
        let mut state = self.lock();
        if self.abort_requested.load(Ordering::Acquire) {
            return false;
        }
        match &state.task_waker {
            Some(known) if known.will_wake(waker) => {}
            _ => state.task_waker = Some(waker.clone()),
        }
        true
    }

    /// Stores the result (first call wins) and wakes the handle.
    pub(crate) fn complete(&self, result: Result<T, JoinError>) {
        let join_waker = {
            let mut state = self.lock();
            if !matches!(state.output, Output::Pending) {
                return;
            }
            state.output = Output::Ready(result);
            state.task_waker = None;
            self.finished.store(true, Ordering::Release);
            state.join_waker.take()
        };
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
        let mut state = self.lock();
        match std::mem::replace(&mut state.output, Output::Taken) {
            Output::Ready(result) => Some(result),
            Output::Pending => {
                state.output = Output::Pending;
                match &state.join_waker {
                    Some(known) if known.will_wake(waker) => {}
                    _ => state.join_waker = Some(waker.clone()),
                }
                None
            }
            Output::Taken => {
                drop(state);
                panic!("`JoinHandle` polled after it returned its result")
            }
        }
    }
}
