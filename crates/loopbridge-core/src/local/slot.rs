//! The thread-local state of local scopes, in two parts so that a `block_on` that never
//! spawns a local task pays almost nothing:
//!
//! - `IDS`, a `Copy` cell read and written on every scope entry and exit: which scope is
//!   innermost. A thread-local without a destructor needs no lazy-registration check, so each
//!   access is a plain load or store (a thread-local holding an `Rc` or a `Waker` measured
//!   about ten times slower here).
//! - `FRAMES`, the scopes' executors and drivers' wakers, touched only by a scope that spawns
//!   a local task or whose main future has to wait. Scopes nest, so it is a stack, and only
//!   scopes that needed one have a frame on it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::Waker;

use super::executor::Executor;

#[derive(Clone, Copy)]
struct Ids {
    /// The innermost scope entered on this thread; 0: none.
    current: u64,
    /// The id the next scope gets.
    next: u64,
    /// The scope whose frame is on top of `FRAMES`; 0: the stack is empty.
    top_frame: u64,
}

thread_local! {
    static IDS: Cell<Ids> = const { Cell::new(Ids { current: 0, next: 1, top_frame: 0 }) };
    static FRAMES: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
}

/// What one scope keeps once it needs anything.
struct Frame {
    id: u64,
    /// Created by the scope's first local task.
    executor: Option<Rc<Executor>>,
    /// The waker of the scope's `Drive` while there is no executor yet, so that a task spawned
    /// from outside a poll of the `Drive` (a task of a one-thread runner) can wake it.
    waker: Option<Waker>,
}

/// Makes a new scope the innermost one; returns the scope it shadows, for [`exit`].
pub(super) fn enter() -> u64 {
    IDS.with(|cell| {
        let ids = cell.get();
        cell.set(Ids { current: ids.next, next: ids.next + 1, ..ids });
        ids.current
    })
}

/// Leaves the innermost scope, making `previous` innermost again, and drops the scope's
/// executor, if it had one, with the local tasks still in it.
pub(super) fn exit(previous: u64) {
    let ids = IDS.with(|cell| cell.replace(Ids { current: previous, ..cell.get() }));
    if ids.current == 0 || ids.top_frame != ids.current {
        return;
    }
    // `try_with`: while the thread's locals are destroyed, the frames go with them.
    let popped = FRAMES
        .try_with(|frames| {
            let mut frames = frames.borrow_mut();
            let frame = frames.pop();
            (frame, frames.last().map_or(0, |below| below.id))
        })
        .ok();
    if let Some((frame, top_frame)) = popped {
        IDS.set(Ids { top_frame, ..IDS.get() });
        // Dropped after the slot is consistent again and outside its borrow: the tasks'
        // destructors may spawn local tasks too, which then go to the enclosing scope.
        drop(frame);
    }
}

/// Whether a scope is entered on this thread.
pub(super) fn is_driven() -> bool {
    IDS.get().current != 0
}

/// The innermost scope's executor; without one yet, remembers `waker` for the first spawn.
pub(super) fn executor_or_remember(waker: &Waker) -> Option<Rc<Executor>> {
    with_frame(|frame| {
        if let Some(executor) = &frame.executor {
            return Some(Rc::clone(executor));
        }
        match &frame.waker {
            Some(known) if known.will_wake(waker) => {}
            _ => frame.waker = Some(waker.clone()),
        }
        None
    })
    .flatten()
}

/// The innermost scope's executor, created if need be; `None` outside any scope.
pub(super) fn executor_for_spawn() -> Option<Rc<Executor>> {
    with_frame(|frame| {
        let waker = frame.waker.take();
        Rc::clone(frame.executor.get_or_insert_with(|| Rc::new(Executor::new(waker))))
    })
}

/// Runs `f` on the innermost scope's frame, pushing one if it has none yet; `None` outside
/// any scope. `f` runs inside the slot's borrow: it must not run user code.
fn with_frame<R>(f: impl FnOnce(&mut Frame) -> R) -> Option<R> {
    let ids = IDS.get();
    if ids.current == 0 {
        return None;
    }
    FRAMES
        .try_with(|frames| {
            let mut frames = frames.borrow_mut();
            if ids.top_frame != ids.current {
                frames.push(Frame { id: ids.current, executor: None, waker: None });
                IDS.set(Ids { top_frame: ids.current, ..ids });
            }
            frames.last_mut().map(f)
        })
        .ok()
        .flatten()
}
