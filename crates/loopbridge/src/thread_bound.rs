//! [`ThreadBound`]: a value that lives on one dedicated thread, and the calls that reach it.
//!
//! Some values must stay on the thread that made them: a SQLite connection, a GUI handle, any
//! `!Send` type. A `ThreadBound<T>` starts one thread, builds `T` there and runs every call on
//! it, while the handle is cheap to clone and goes to any thread or task (asgiref's
//! `thread_sensitive`, as a value).
//!
//! # Protocol
//!
//! 1. [`ThreadBound::new`] starts one std thread with the given name. The factory runs on it, so
//!    `T` is created, used and dropped there and never needs to be `Send`. The thread's
//!    `ThreadId` is kept in the handle.
//! 2. Each call makes a [`Promise`] and its [`JoinHandle`]. What goes to the thread, over one
//!    `std::sync::mpsc` channel, is a boxed closure that runs the user's function with `&mut T`
//!    inside [`Promise::run`]: a panic becomes the handle's [`JoinError`] (with the payload) and
//!    an `abort` before the call starts skips it. One channel, one receiver: FIFO order.
//! 3. The thread loops on `recv`. All clones of a handle share one `Sender`; dropping the last
//!    clone drops it, after which `recv` still returns the calls already queued and only then
//!    fails. So the thread drains the queue, drops `T` on itself and exits. Nobody joins it:
//!    dropping the last handle never blocks, even in an async task.
//! 4. [`ThreadBound::call_blocking`] first compares the calling thread with the owning thread.
//!    From inside a call it would wait for a call queued behind the one running — behind
//!    itself — forever, so it fails at once instead. Otherwise it parks the calling thread until
//!    the handle resolves; no runtime is involved.
//! 5. If the factory panics there is no `T`: the thread drops its receiver and exits. Every call
//!    queued then, or sent later, is dropped without running, and a guard in it resolves its
//!    handle with a [`JoinError`] that says so: nothing waits forever.

use std::fmt;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, ThreadId};

use loopbridge_core::task::Promise;
use loopbridge_core::{Error, JoinError, JoinHandle};

use crate::park;
use crate::trace::SpanContext;

/// Why `call_blocking` refused to run: it was called on the owning thread.
const REENTRANT: &str = "call_blocking was called from inside a call on the same ThreadBound: it \
                         would wait for itself forever; use `call` and do not wait for its handle \
                         there, or do the work in the current call";

/// Why a call never ran: there is no value to run it with.
const FACTORY_PANICKED: &str = "the factory of this ThreadBound panicked, so its value was never \
                                made and its thread has ended (the panic hook reported the \
                                panic). Create a new ThreadBound";

/// One call, as the owning thread receives it.
type Message<T> = Box<dyn FnOnce(&mut T) + Send>;

/// A value of type `T` that lives on one dedicated thread, and a cheap, cloneable, `Send + Sync`
/// handle that runs calls on it from any thread or task.
///
/// `T` need not be `Send`: the factory given to [`new`](Self::new) runs on the new thread, and
/// `T` is used and dropped only there. Calls run one at a time, in the order they were made,
/// with `&mut T`.
///
/// - A call that panics gives its caller a [`JoinError`] with the payload; the value and the
///   thread survive and serve the next call. (The value is left however the panicking call left
///   it, as with a poisoned lock whose poison is ignored.)
/// - Dropping the last clone of the handle lets the calls already queued run, then drops `T` on
///   its thread, and the thread exits. The drop itself never blocks.
/// - [`call_blocking`](Self::call_blocking) from inside a call on the same `ThreadBound` fails at
///   once instead of deadlocking; [`call`](Self::call) from inside a call is queued behind it.
/// - Inside a call, loopbridge sees a plain thread, not an executor: [`block_on`](crate::block_on)
///   works there and the free functions use the global runner.
///
/// A cycle of blocking calls *between two* `ThreadBound`s (A waits for B, which waits for A)
/// still deadlocks, as two mutexes taken in opposite orders do; use `call` there.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// use loopbridge::ThreadBound;
///
/// // `Rc` is not `Send`: it can never leave the thread that made it. The handle can.
/// let log = ThreadBound::new("log-owner", || Rc::new(RefCell::new(Vec::new())))?;
///
/// log.call_blocking(|log| log.borrow_mut().push("from sync code"))?;
/// let len = loopbridge::block_on(async {
///     log.call(|log| {
///         log.borrow_mut().push("from async code");
///         log.borrow().len()
///     })
///     .await
/// })?;
/// assert_eq!(len, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ThreadBound<T> {
    shared: Arc<Shared<T>>,
}

/// What every clone of a handle shares. Holding the only `Sender` here means the channel
/// disconnects exactly when the last clone is dropped.
struct Shared<T> {
    sender: Sender<Message<T>>,
    thread: ThreadId,
    name: String,
}

impl<T: 'static> ThreadBound<T> {
    /// Starts one thread named exactly `name`, runs `factory` on it to make the value, and
    /// returns the handle.
    ///
    /// `new` does not wait for the factory: calls made meanwhile queue behind it. If the
    /// factory panics, every call resolves with a cancellation [`JoinError`] saying so.
    ///
    /// # Errors
    ///
    /// [`Error::is_io`] if the thread cannot be started (the system is out of threads or
    /// memory, or `name` contains a NUL byte, which no thread name may).
    ///
    /// # Examples
    ///
    /// ```
    /// let counter = loopbridge::ThreadBound::new("counter", || 0_u64)?;
    /// assert_eq!(counter.thread_name(), "counter");
    /// assert!(loopbridge::ThreadBound::new("bad\0name", || 0_u64).unwrap_err().is_io());
    /// # Ok::<(), loopbridge::Error>(())
    /// ```
    pub fn new<F>(name: impl Into<String>, factory: F) -> Result<Self, Error>
    where
        F: FnOnce() -> T + Send + 'static,
    {
        const WHAT: &str = "start the ThreadBound thread";
        let name = name.into();
        // std panics on a NUL byte in a thread name; it is an unstartable thread, so an error.
        if name.contains('\0') {
            let nul = io::Error::new(io::ErrorKind::InvalidInput, "the name contains a NUL byte");
            return Err(Error::io(WHAT, nul));
        }
        let (sender, receiver) = mpsc::channel();
        let thread = thread::Builder::new()
            .name(name.clone())
            .spawn(move || serve(factory, receiver))
            .map_err(|e| Error::io(WHAT, e))?;
        // Only the id is kept; the std handle is dropped, which detaches the thread. Nothing
        // ever joins it, so dropping the last `ThreadBound` cannot block.
        let thread = thread.thread().id();
        Ok(ThreadBound { shared: Arc::new(Shared { sender, thread, name }) })
    }

    /// Queues `f` to run on the owning thread with `&mut T`, after every call made before it,
    /// and returns a handle to its result. Never blocks.
    ///
    /// Awaiting the handle gives `Ok(value)`, or a [`JoinError`]: [`is_panic`] with the
    /// payload if `f` panicked, [`is_cancelled`] if it was aborted before it started or the
    /// factory panicked. Dropping the handle does not cancel the call;
    /// [`abort`](JoinHandle::abort) skips it if it has not started. The handle can also be
    /// waited for from sync code with [`block_on`](crate::block_on), or use
    /// [`call_blocking`](Self::call_blocking).
    ///
    /// Calling `call` from inside a call on the same `ThreadBound` is fine: the new call runs
    /// after the current one returns. With the `tracing` feature, `f` runs inside the caller's
    /// current span, under the caller's subscriber.
    ///
    /// [`is_panic`]: JoinError::is_panic
    /// [`is_cancelled`]: JoinError::is_cancelled
    ///
    /// # Cancel safety
    ///
    /// Dropping the handle, or an `.await` on it, never cancels the call: it still runs, in
    /// order, and its result is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let names = loopbridge::ThreadBound::new("names", Vec::<String>::new)?;
    /// let first = names.call(|names| names.push("ada".to_owned()));
    /// let len = names.call(|names| names.len()); // runs after `first`
    /// loopbridge::block_on(async {
    ///     first.await?;
    ///     assert_eq!(len.await?, 1);
    ///     let err = names.call(|_| panic!("bad call")).await.unwrap_err();
    ///     assert!(err.is_panic());
    ///     assert_eq!(names.call(|names| names.len()).await?, 1); // the value survived
    ///     Ok::<(), loopbridge::JoinError>(())
    /// })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn call<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce(&mut T) -> R + Send + 'static,
        R: Send + 'static,
    {
        let (promise, handle) = Promise::new();
        let reply = Reply { promise: Some(promise) };
        let span = SpanContext::capture();
        let message: Message<T> =
            Box::new(move |value: &mut T| span.in_scope(|| reply.run(|| f(value))));
        // With a handle alive the send fails only if the thread has ended, which happens only
        // when the factory panicked. The unsent message is dropped here, and its `Reply` then
        // resolves the handle with that reason.
        let _ = self.shared.sender.send(message);
        handle
    }

    /// Runs `f` on the owning thread with `&mut T`, after every call made before it, and waits
    /// on the calling thread for its result: the form for sync code.
    ///
    /// It needs no runtime; the calling thread is parked, not spinning. From async code prefer
    /// `call(f).await`, which does not hold up an executor thread while earlier calls run.
    ///
    /// # Errors
    ///
    /// - [`JoinError::is_panic`], with the payload, if `f` panicked; the value and the thread
    ///   survive.
    /// - [`JoinError::is_cancelled`], at once and without running `f`, if called from inside a
    ///   call on this same `ThreadBound` (on its owning thread), where waiting would deadlock;
    ///   the message says what to do instead.
    /// - [`JoinError::is_cancelled`] if the factory panicked, so there is no value.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::Cell;
    ///
    /// let hits = loopbridge::ThreadBound::new("hits", || Cell::new(0_u32))?;
    /// hits.call_blocking(|hits| hits.set(hits.get() + 1))?;
    ///
    /// // From inside a call, waiting for another call on the same thread would never end:
    /// let same = hits.clone();
    /// let inner = hits.call_blocking(move |_| same.call_blocking(|hits| hits.get()))?;
    /// assert!(inner.unwrap_err().is_cancelled());
    ///
    /// assert_eq!(hits.call_blocking(|hits| hits.get())?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn call_blocking<F, R>(&self, f: F) -> Result<R, JoinError>
    where
        F: FnOnce(&mut T) -> R + Send + 'static,
        R: Send + 'static,
    {
        if thread::current().id() == self.shared.thread {
            return Err(JoinError::cancelled_because(REENTRANT));
        }
        park::wait(self.call(f))
    }
}

impl<T> ThreadBound<T> {
    /// The name of the owning thread, exactly as given to [`new`](Self::new).
    ///
    /// # Examples
    ///
    /// ```
    /// let gui = loopbridge::ThreadBound::new("gui", || ())?;
    /// assert_eq!(gui.thread_name(), "gui");
    /// let seen = gui.call_blocking(|_| std::thread::current().name().map(str::to_owned))?;
    /// assert_eq!(seen.as_deref(), Some("gui"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn thread_name(&self) -> &str {
        &self.shared.name
    }
}

impl<T> Clone for ThreadBound<T> {
    /// Another handle to the same thread and value (no bound on `T`: the value is not cloned).
    fn clone(&self) -> Self {
        ThreadBound { shared: Arc::clone(&self.shared) }
    }
}

impl<T> fmt::Debug for ThreadBound<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadBound")
            .field("thread_name", &self.shared.name)
            .finish_non_exhaustive()
    }
}

/// The body of the owning thread: make the value, serve calls until every handle is gone and
/// the queue is empty, drop the value.
fn serve<T>(factory: impl FnOnce() -> T, receiver: Receiver<Message<T>>) {
    // A panicking factory leaves nothing to call with. Returning drops the receiver, which
    // drops every queued call; their `Reply`s resolve the handles with the reason (step 5).
    let Ok(mut value) = catch_unwind(AssertUnwindSafe(factory)) else { return };
    // `recv` keeps returning queued calls after the last sender is gone, and fails only once
    // the queue is empty: that is the drain.
    while let Ok(message) = receiver.recv() {
        // `Promise::run` already catches a panic in the call. This also catches one that
        // escapes while delivering the result (a panicking `Drop` of an unclaimed result, a
        // panicking waker), so the thread — and the value — always survive a call.
        let _ = catch_unwind(AssertUnwindSafe(|| message(&mut value)));
    }
    // On this thread, where it was made; explicit because that is the point of the type.
    drop(value);
}

/// The completing half of one call's handle, while the call is on its way to the thread.
///
/// A call is dropped without running only when there is no value to run it with: the factory
/// panicked, so the thread dropped its queue or the send failed. This guard then resolves the
/// handle with that reason rather than the bare "cancelled" a dropped [`Promise`] gives.
struct Reply<R> {
    promise: Option<Promise<R>>,
}

impl<R> Reply<R> {
    fn run(mut self, f: impl FnOnce() -> R) {
        if let Some(promise) = self.promise.take() {
            promise.run(f);
        }
    }
}

impl<R> Drop for Reply<R> {
    fn drop(&mut self) {
        if let Some(promise) = self.promise.take() {
            promise.complete(Err(JoinError::cancelled_because(FACTORY_PANICKED)));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::marker::PhantomData;
    use std::rc::Rc;
    use std::sync::mpsc;
    use std::thread;
    use std::time::{Duration, Instant};

    use super::*;

    /// The value of most tests: shared ownership through `Rc` makes it `!Send`.
    type Log = Rc<RefCell<Vec<u32>>>;

    const LIMIT: Duration = Duration::from_secs(20);

    /// Runs `body` on a thread of its own and fails the test if it takes longer than `LIMIT`,
    /// so that a deadlock fails instead of hanging the run.
    fn watchdog<R: Send + 'static>(body: impl FnOnce() -> R + Send + 'static) -> R {
        let (done_tx, done_rx) = mpsc::channel();
        thread::spawn(move || {
            let _ = done_tx.send(std::panic::catch_unwind(AssertUnwindSafe(body)));
        });
        match done_rx.recv_timeout(LIMIT) {
            Ok(Ok(out)) => out,
            Ok(Err(payload)) => std::panic::resume_unwind(payload),
            Err(_) => panic!("the test did not finish within {LIMIT:?}: something hangs"),
        }
    }

    /// Waits for a call's handle, with a deadline.
    fn wait_for<R>(handle: JoinHandle<R>) -> Result<R, JoinError> {
        loopbridge_core::park::wait_until(handle, Instant::now() + LIMIT)
            .expect("the call never resolved")
    }

    fn log(name: &str) -> ThreadBound<Log> {
        ThreadBound::new(name, Log::default).unwrap()
    }

    #[test]
    fn calls_run_in_fifo_order_per_caller_with_a_value_that_is_not_send() {
        watchdog(|| {
            let db = log("fifo");
            let callers: Vec<_> = (0..4_u32)
                .map(|caller| {
                    let db = db.clone();
                    thread::spawn(move || {
                        let values = (0..25).map(|i| caller * 1000 + i);
                        if caller % 2 == 0 {
                            // Queue all 25 before waiting for any: FIFO must keep their order.
                            let handles: Vec<_> = values
                                .map(|v| (v, db.call(move |log| log.borrow_mut().push(v))))
                                .collect();
                            handles.into_iter().map(|(v, h)| (v, wait_for(h).map(|()| v))).collect()
                        } else {
                            values
                                .map(|v| {
                                    let out = db.call_blocking(move |log| {
                                        log.borrow_mut().push(v);
                                        v
                                    });
                                    (v, out)
                                })
                                .collect::<Vec<_>>()
                        }
                    })
                })
                .collect();
            for caller in callers {
                for (v, out) in caller.join().unwrap() {
                    assert_eq!(out.unwrap(), v);
                }
            }
            let all = db.call_blocking(|log| log.borrow().clone()).unwrap();
            assert_eq!(all.len(), 100);
            for caller in 0..4 {
                let mine: Vec<u32> = all.iter().copied().filter(|v| v / 1000 == caller).collect();
                assert_eq!(mine, (0..25).map(|i| caller * 1000 + i).collect::<Vec<_>>());
            }
        });
    }

    #[test]
    fn a_panicking_call_reports_its_payload_and_the_value_and_thread_survive() {
        watchdog(|| {
            let db = log("survivor");
            db.call_blocking(|log| log.borrow_mut().push(1)).unwrap();
            let err = db
                .call_blocking(|log| {
                    log.borrow_mut().push(2);
                    std::panic::panic_any(String::from("call went wrong"))
                })
                .unwrap_err();
            assert!(err.is_panic() && !err.is_cancelled());
            assert_eq!(err.into_panic().downcast_ref::<String>().unwrap(), "call went wrong");
            let (seen, thread) = db
                .call_blocking(|log| {
                    (log.borrow().clone(), thread::current().name().map(str::to_owned))
                })
                .unwrap();
            assert_eq!(seen, [1, 2]);
            assert_eq!(thread.as_deref(), Some("survivor"));
        });
    }

    #[test]
    fn call_blocking_from_inside_a_call_on_the_same_thread_bound_fails_at_once() {
        watchdog(|| {
            let db = log("reentrant");
            let same = db.clone();
            let inner = db
                .call_blocking(move |log| {
                    log.borrow_mut().push(1);
                    let started = Instant::now();
                    let inner = same.call_blocking(|log| log.borrow_mut().push(2));
                    (inner, started.elapsed())
                })
                .unwrap();
            let (inner, took) = inner;
            let err = inner.unwrap_err();
            assert!(err.is_cancelled());
            assert!(took < Duration::from_secs(1), "it waited {took:?}");
            let message = err.to_string();
            assert!(message.contains("same ThreadBound"), "{message}");
            assert!(message.contains("use `call`"), "{message}");
            // The refused function never ran, and the value is fine.
            assert_eq!(db.call_blocking(|log| log.borrow().clone()).unwrap(), [1]);
        });
    }

    #[test]
    fn call_from_inside_a_call_is_queued_after_it() {
        watchdog(|| {
            let db = log("nested");
            let same = db.clone();
            let inner = db
                .call_blocking(move |log| {
                    let inner = same.call(|log| {
                        log.borrow_mut().push(2);
                        log.borrow().clone()
                    });
                    log.borrow_mut().push(1);
                    inner
                })
                .unwrap();
            assert_eq!(wait_for(inner).unwrap(), [1, 2]);
        });
    }

    /// A `!Send` value that reports, when dropped, on which thread and after how many calls.
    struct Owned {
        calls: u32,
        dropped: mpsc::Sender<(Option<String>, u32)>,
        _not_send: PhantomData<Rc<()>>,
    }

    impl Drop for Owned {
        fn drop(&mut self) {
            let thread = thread::current().name().map(str::to_owned);
            let _ = self.dropped.send((thread, self.calls));
        }
    }

    #[test]
    fn dropping_the_last_handle_drains_queued_calls_then_drops_the_value_on_its_thread() {
        watchdog(|| {
            let (dropped_tx, dropped_rx) = mpsc::channel();
            let db = ThreadBound::new("drainer", move || Owned {
                calls: 0,
                dropped: dropped_tx,
                _not_send: PhantomData,
            })
            .unwrap();
            let other = db.clone();
            // The first call holds the thread until the handles are gone, so every other call
            // is still queued when the last handle is dropped.
            let (gate_tx, gate_rx) = mpsc::channel::<()>();
            let gate = db.call(move |_| gate_rx.recv_timeout(LIMIT).is_ok());
            let handles: Vec<_> = (0..10_u32)
                .map(|i| {
                    db.call(move |owned| {
                        thread::sleep(Duration::from_millis(2));
                        owned.calls += 1;
                        i
                    })
                })
                .collect();
            drop(db);
            assert!(dropped_rx.try_recv().is_err(), "a clone is still alive");
            let started = Instant::now();
            drop(other); // the last handle: must not wait for the queue
            assert!(started.elapsed() < Duration::from_secs(1));
            gate_tx.send(()).unwrap();
            assert!(wait_for(gate).unwrap(), "the gate call timed out instead of being opened");
            for (i, handle) in (0..10).zip(handles) {
                assert_eq!(wait_for(handle).unwrap(), i);
            }
            let (thread, calls) = dropped_rx.recv_timeout(LIMIT).unwrap();
            assert_eq!(thread.as_deref(), Some("drainer"));
            assert_eq!(calls, 10, "the value was dropped before the queue drained");
        });
    }

    #[test]
    fn a_panicking_factory_cancels_every_call_with_the_reason() {
        watchdog(|| {
            let (gate_tx, gate_rx) = mpsc::channel::<()>();
            let db = ThreadBound::new("doomed", move || -> Rc<u8> {
                let _ = gate_rx.recv_timeout(LIMIT);
                panic!("no database today")
            })
            .unwrap();
            // Queued while the factory is still running.
            let pending: Vec<_> = (0..3).map(|_| db.call(|value| **value)).collect();
            gate_tx.send(()).unwrap();
            for handle in pending {
                let err = wait_for(handle).unwrap_err();
                assert!(err.is_cancelled());
                assert!(err.to_string().contains("factory of this ThreadBound panicked"), "{err}");
            }
            // Made after the thread has ended.
            let err = db.call_blocking(|value| **value).unwrap_err();
            assert!(err.is_cancelled());
            assert!(err.to_string().contains("factory of this ThreadBound panicked"), "{err}");
            let err = wait_for(db.call(|value| **value)).unwrap_err();
            assert!(err.to_string().contains("factory of this ThreadBound panicked"), "{err}");
        });
    }

    #[test]
    fn abort_before_the_call_starts_skips_it() {
        watchdog(|| {
            let db = log("aborter");
            let (gate_tx, gate_rx) = mpsc::channel::<()>();
            let gate = db.call(move |_| gate_rx.recv_timeout(LIMIT).is_ok());
            let skipped = db.call(|log| log.borrow_mut().push(1));
            skipped.abort();
            gate_tx.send(()).unwrap();
            assert!(wait_for(gate).unwrap());
            assert!(wait_for(skipped).unwrap_err().is_cancelled());
            assert!(db.call_blocking(|log| log.borrow().is_empty()).unwrap());
        });
    }

    #[test]
    fn the_thread_has_the_given_name() {
        watchdog(|| {
            let db = log("exactly this name");
            assert_eq!(db.thread_name(), "exactly this name");
            assert_eq!(db.clone().thread_name(), "exactly this name");
            let seen = db.call_blocking(|_| thread::current().name().map(str::to_owned)).unwrap();
            assert_eq!(seen.as_deref(), Some("exactly this name"));
            assert!(format!("{db:?}").contains("exactly this name"));
        });
    }

    #[test]
    fn a_name_that_no_thread_can_have_is_an_io_error() {
        let err = ThreadBound::new("nul\0byte", || 0_u8).unwrap_err();
        assert!(err.is_io());
        assert!(err.to_string().contains("ThreadBound"), "{err}");
    }

    #[test]
    fn thread_bound_is_clone_send_sync_and_debug_for_a_value_that_is_not_send() {
        fn assert_all<T: Clone + Send + Sync + fmt::Debug + 'static>() {}
        assert_all::<ThreadBound<Rc<u8>>>();
        assert_all::<ThreadBound<Log>>();
        assert_all::<ThreadBound<Owned>>();
    }
}
