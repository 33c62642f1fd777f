//! The futures of a task group: [`Group`], which runs the body and joins the children, and
//! [`Child`], the wrapper each child is spawned in.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use loopbridge_core::Elapsed;
use loopbridge_core::cancel::CancellationToken;
use pin_project_lite::pin_project;

use super::hold::{self, Hold, Holds};
use super::{Failure, Shared, State, TaskGroup};
use crate::{JoinSet, Sleep};

pin_project! {
    /// The future of a [`task_group`](super::task_group): `Err(Elapsed)` only with a deadline.
    pub(super) struct Group<T, E, Fut> {
        #[pin]
        body: Option<Fut>,
        // The body's hold on the group, dropped with the body (after it).
        body_hold: Option<Arc<Hold>>,
        output: Option<T>,
        #[pin]
        deadline: Option<Sleep>,
        expired: bool,
        shared: Arc<Shared<E>>,
    }

    impl<T, E, Fut> PinnedDrop for Group<T, E, Fut> {
        fn drop(this: Pin<&mut Self>) {
            // Rule 4; harmless after the group returned (no child is left then).
            let shared = &this.shared;
            let mut state = shared.lock();
            shared.close(&mut state);
        }
    }
}

impl<T, E, Fut> Group<T, E, Fut>
where
    Fut: Future<Output = Result<T, E>>,
{
    /// A group nested in whatever group the calling code runs in (see [`hold`]).
    pub(super) fn new<F>(body: F, deadline: Option<Sleep>) -> Self
    where
        F: FnOnce(TaskGroup<E>) -> Fut,
    {
        let holds = Arc::new(Holds::default());
        let outer = hold::current();
        let body_hold = Hold::new(&holds, outer.clone());
        let shared = Arc::new(Shared {
            bridge: crate::Bridge::current(),
            token: CancellationToken::new(),
            live: AtomicBool::new(true),
            holds,
            outer,
            state: Mutex::new(State {
                children: JoinSet::new(),
                failure: None,
                cancelled: false,
                waker: None,
            }),
        });
        let body = body(TaskGroup { shared: Arc::clone(&shared) });
        Group {
            body: Some(body),
            body_hold: Some(body_hold),
            output: None,
            deadline,
            expired: false,
            shared,
        }
    }
}

impl<T, E, Fut> Future for Group<T, E, Fut>
where
    Fut: Future<Output = Result<T, E>>,
{
    type Output = Result<Result<T, E>, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        // Failures after the first, dropped outside the lock (a payload's destructor is foreign).
        let mut late = Vec::new();
        loop {
            if let Some(body) = this.body.as_mut().as_pin_mut() {
                let polled = hold::enter(this.body_hold, || {
                    panic::catch_unwind(AssertUnwindSafe(|| body.poll(cx)))
                });
                let failure = match polled {
                    Ok(Poll::Pending) => None,
                    Ok(Poll::Ready(Ok(output))) => {
                        *this.output = Some(output);
                        None
                    }
                    Ok(Poll::Ready(Err(err))) => Some(Failure::Err(err)),
                    Err(payload) => Some(Failure::Panic(payload)),
                };
                if this.output.is_some() || failure.is_some() {
                    this.body.set(None);
                    *this.body_hold = None;
                }
                if let Some(failure) = failure {
                    let mut state = this.shared.lock();
                    late.extend(state.fail(failure));
                    this.shared.close(&mut state);
                }
            }
            let mut state = this.shared.lock();
            let drained = loop {
                let failure = match state.children.poll_join_next(cx) {
                    Poll::Ready(None) => break true,
                    Poll::Pending => break false,
                    Poll::Ready(Some(Ok(Ok(())))) => continue,
                    // After a cancel, an `Err` is a child's answer to it, not a failure.
                    Poll::Ready(Some(Ok(Err(err)))) if state.cancelled => {
                        late.push(Failure::Err(err));
                        continue;
                    }
                    Poll::Ready(Some(Ok(Err(err)))) => Failure::Err(err),
                    Poll::Ready(Some(Err(err))) => match err.try_into_panic() {
                        Ok(payload) => Failure::Panic(payload),
                        Err(_) => continue, // aborted by the group's own failure or drop
                    },
                };
                late.extend(state.fail(failure));
                this.shared.close(&mut state);
                if this.body.is_some() {
                    drop(state);
                    this.body.set(None); // the body's destructors run outside the lock
                    *this.body_hold = None;
                    state = this.shared.lock();
                }
            };
            // Done once the body has ended, every child has stopped, and so has everything
            // nested in them (their holds are gone).
            if drained && this.body.is_none() && this.shared.holds.none_alive(cx.waker()) {
                break;
            }
            state.waker = Some(cx.waker().clone());
            let expire = state.failure.is_none()
                && this.deadline.as_mut().as_pin_mut().is_some_and(|d| d.poll(cx).is_ready());
            if !expire {
                return Poll::Pending;
            }
            // The deadline passed first: closed as by a failure, the body dropped; the
            // children's answers no longer count.
            this.deadline.set(None);
            *this.expired = true;
            state.cancelled = true;
            this.shared.close(&mut state);
            drop(state);
            this.body.set(None);
            *this.body_hold = None;
        }
        this.shared.live.store(false, Ordering::Release);
        let failure = this.shared.lock().failure.take();
        drop(late);
        match failure {
            Some(Failure::Panic(payload)) => panic::resume_unwind(payload),
            Some(Failure::Err(err)) => Poll::Ready(Ok(Err(err))),
            None if *this.expired => Poll::Ready(Err(Elapsed::new())),
            None => match this.output.take() {
                Some(output) => Poll::Ready(Ok(Ok(output))),
                None => unreachable!("the body ended without a failure, so it gave its output"),
            },
        }
    }
}

pin_project! {
    /// A child of a group, as spawned: its hold on the group is dropped after its future,
    /// whichever way it ends, and is the current hold while it is polled.
    pub(super) struct Child<F, E> {
        #[pin]
        future: F,
        hold: Option<Arc<Hold>>,
        // Until the first poll: a child that raced the group's end never runs (rule 4).
        gate: Option<Arc<Shared<E>>>,
    }
}

impl<F, E> Child<F, E> {
    pub(super) fn new(future: F, hold: Arc<Hold>, gate: Arc<Shared<E>>) -> Self {
        Child { future, hold: Some(hold), gate: Some(gate) }
    }
}

impl<F, E> Future for Child<F, E>
where
    F: Future<Output = Result<(), E>>,
{
    type Output = Result<(), E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), E>> {
        let this = self.project();
        if let Some(gate) = this.gate.take()
            && !gate.is_live()
        {
            return Poll::Ready(Ok(()));
        }
        let future = this.future;
        hold::enter(this.hold, || future.poll(cx))
    }
}
