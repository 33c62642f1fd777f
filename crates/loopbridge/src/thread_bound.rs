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

use crate::trace::SpanContext;
use loopbridge_core::unstable::park;

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
mod tests;
