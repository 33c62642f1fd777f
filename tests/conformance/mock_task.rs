//! A hand-polling task for the `tokio_time_*` ports: what tokio's own time tests get from
//! `tokio_test::task::spawn` — poll a future (or an interval's `poll_tick`) once, with a waker
//! that records whether it was woken since.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

/// A task of its own for polling by hand: each [`enter`](Self::enter) (and
/// [`poll`](Self::poll)) forgets earlier wakes, then runs with this task's waker.
#[derive(Debug, Default)]
pub(crate) struct MockTask {
    flag: Arc<WakeFlag>,
}

#[derive(Debug, Default)]
struct WakeFlag {
    woken: AtomicBool,
    wakes: AtomicUsize,
}

impl Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.woken.store(true, Ordering::SeqCst);
    }
}

impl MockTask {
    pub(crate) fn new() -> Self {
        MockTask::default()
    }

    /// Runs `f` with a context of this task's waker, after forgetting earlier wakes.
    pub(crate) fn enter<R>(&self, f: impl FnOnce(&mut Context<'_>) -> R) -> R {
        self.flag.woken.store(false, Ordering::SeqCst);
        let waker = Waker::from(Arc::clone(&self.flag));
        f(&mut Context::from_waker(&waker))
    }

    /// Polls `future` once in this task.
    pub(crate) fn poll<F: Future + ?Sized>(&self, future: Pin<&mut F>) -> Poll<F::Output> {
        self.enter(|cx| future.poll(cx))
    }

    /// Whether the task was woken since it was last entered.
    pub(crate) fn is_woken(&self) -> bool {
        self.flag.woken.load(Ordering::SeqCst)
    }

    /// How many times the task was woken, in all.
    pub(crate) fn wakes(&self) -> usize {
        self.flag.wakes.load(Ordering::SeqCst)
    }
}
