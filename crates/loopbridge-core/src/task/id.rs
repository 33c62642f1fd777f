//! [`Id`]: which task this is — tokio's `task::Id`, on every backend.

use std::cell::Cell;
use std::fmt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering};

/// An opaque identifier of a task (or `to_thread` job), unique among the tasks alive in the
/// process — tokio's [`task::Id`](https://docs.rs/tokio/latest/tokio/task/struct.Id.html).
///
/// The same on every backend: [`JoinHandle::id`](super::JoinHandle::id),
/// [`AbortHandle::id`](super::AbortHandle::id) and [`JoinError::id`](super::JoinError::id)
/// name the task that [`id`] returns inside it. On tokio a task's id *is* tokio's, so
/// `tokio::task::id()` and this agree there. Ids are not ordered by spawn time.
///
/// # Examples
///
/// ```
/// use loopbridge_core::task::{self, TaskFuture};
/// use loopbridge_core::unstable::park;
///
/// let (task, handle) = TaskFuture::new(async { task::id() });
/// let expected = handle.id();
/// park::wait(task);
/// assert_eq!(park::wait(handle).unwrap(), expected);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(Repr);

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Repr {
    /// A task whose handle is loopbridge's own cell.
    Own(NonZeroU64),
    /// A task tokio runs with its own handle.
    #[cfg(feature = "tokio")]
    Tokio(tokio::task::Id),
}

/// Ids are handed out in blocks, so that threads spawning at once share no counter.
const BLOCK: u64 = 1024;
static NEXT_BLOCK: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// The next id of this thread's block and the end of the block.
    static NEXT: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
    /// The id of the task being polled (or dropped, or run) on this thread.
    static CURRENT: Cell<Option<Id>> = const { Cell::new(None) };
}

impl Id {
    /// A new id, never handed out before in this process.
    pub(crate) fn next() -> Id {
        let fresh = |(next, end): (u64, u64)| {
            let (next, end) = if next == end {
                // `Relaxed`: only uniqueness matters, which the read-modify-write gives.
                let start = NEXT_BLOCK.fetch_add(BLOCK, Ordering::Relaxed);
                (start, start + BLOCK)
            } else {
                (next, end)
            };
            ((next + 1, end), next + 1)
        };
        let raw = NEXT
            .try_with(|cell| {
                let (state, id) = fresh(cell.get());
                cell.set(state);
                id
            })
            // During thread-local destruction: one id straight from the shared counter.
            .unwrap_or_else(|_| NEXT_BLOCK.fetch_add(BLOCK, Ordering::Relaxed) + 1);
        match NonZeroU64::new(raw) {
            Some(raw) => Id(Repr::Own(raw)),
            None => unreachable!("ids start at 1 and 2^64 of them are never handed out"),
        }
    }

    /// The id tokio gave one of its tasks.
    #[cfg(feature = "tokio")]
    pub(crate) fn from_tokio(id: tokio::task::Id) -> Id {
        Id(Repr::Tokio(id))
    }

    /// Makes this the current task's id until the guard is dropped.
    #[inline]
    pub(crate) fn enter(self) -> EnterGuard {
        EnterGuard { previous: CURRENT.try_with(|c| c.replace(Some(self))).ok().flatten() }
    }
}

/// Restores the previous current id when dropped.
pub(crate) struct EnterGuard {
    previous: Option<Id>,
}

impl Drop for EnterGuard {
    #[inline]
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|c| c.set(self.previous));
    }
}

/// The id of the task that is running, on any backend; `None` outside a task (on a plain
/// thread, in a `block_on`'s own future).
///
/// It is `Some` while a task is polled, while its future is dropped, and inside a `to_thread`
/// job, as tokio's is.
///
/// # Examples
///
/// ```
/// assert_eq!(loopbridge_core::task::try_id(), None); // not in a task
/// ```
pub fn try_id() -> Option<Id> {
    let own = CURRENT.try_with(Cell::get).ok().flatten();
    #[cfg(feature = "tokio")]
    let own = own.or_else(|| tokio::task::try_id().map(Id::from_tokio));
    own
}

/// The id of the task that is running.
///
/// # Panics
///
/// Outside a task: on a plain thread or in a `block_on`'s own future, which are not tasks
/// ([`try_id`] returns `None` there).
///
/// # Examples
///
/// ```
/// use loopbridge_core::task::{self, BlockingJob};
/// use loopbridge_core::unstable::park;
///
/// let (job, handle) = BlockingJob::new(task::id); // a `to_thread` job is a task too
/// let expected = handle.id();
/// job.run();
/// assert_eq!(park::wait(handle).unwrap(), expected);
/// ```
#[track_caller]
pub fn id() -> Id {
    match try_id() {
        Some(id) => id,
        None => panic!(
            "`task::id()` was called outside a task: it works inside a spawned task (or its \
             destructor) and inside a `to_thread` job; use `task::try_id()` where there may be \
             no task"
        ),
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Repr::Own(raw) => fmt::Display::fmt(&raw, f),
            #[cfg(feature = "tokio")]
            Repr::Tokio(id) => fmt::Display::fmt(&id, f),
        }
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({self})")
    }
}
