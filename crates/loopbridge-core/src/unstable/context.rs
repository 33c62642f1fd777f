//! The ambient-context marker: which loopbridge runtime owns the current thread, and how.
//!
//! Every thread loopbridge starts or borrows marks itself here: executor workers, threads inside
//! a loopbridge `block_on`, and threads running a `to_thread` job. Reading the marker is one
//! thread-local load (well under a nanosecond), which makes ambient detection free for every
//! runtime loopbridge started. Runtimes it did not start are detected by the facade through their
//! own APIs (tokio's `Handle::try_current`, async-std's `task::try_current`).
//!
//! An adapter also keeps its typed backend value on the thread (the runner a free function
//! called there must use), in a thread-local of its own type: [`enter_backend`] sets it and
//! the marker together, and [`backend_in`] reads it back.
//!
//! **Architecture invariant:** the marker is only ever set through [`enter`] or
//! [`enter_backend`], whose guards restore the previous value, so nested contexts (a `block_on`
//! inside a `to_thread` job inside a worker) unwind correctly.
//!
//! # Examples
//!
//! ```
//! use loopbridge_core::BackendKind;
//! use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
//!
//! assert_eq!(context::current(), None);
//! {
//!     let _guard = context::enter(Marker::new(BackendKind::Smol, ThreadRole::Blocking));
//!     assert_eq!(context::current().map(|a| a.role()), Some(ThreadRole::Blocking));
//! }
//! assert_eq!(context::current(), None);
//! ```

use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;
use std::thread::LocalKey;

use crate::{BackendKind, BlockOnError};

/// What the current thread does for the runtime that owns it. It decides whether blocking the
/// thread is safe.
///
/// # Examples
///
/// ```
/// use loopbridge_core::BackendKind;
/// use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
///
/// assert!(context::current().is_none()); // a plain thread
/// let _guard = context::enter(Marker::new(BackendKind::Smol, ThreadRole::Blocking));
/// assert_eq!(context::current().map(Marker::role), Some(ThreadRole::Blocking));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ThreadRole {
    /// A worker of an executor: other tasks may be scheduled on this thread, so blocking it
    /// can starve them.
    Worker {
        /// The executor has no other thread: blocking this one stops it entirely.
        single_threaded: bool,
    },
    /// A thread inside a loopbridge `block_on`: it polls one future and drives nothing else.
    BlockOn,
    /// A thread running a `to_thread` job: blocking is what it is for.
    Blocking,
}

/// The marker value: which backend and which role.
///
/// # Examples
///
/// ```
/// use loopbridge_core::BackendKind;
/// use loopbridge_core::unstable::context::{Marker, ThreadRole};
///
/// let marker = Marker::new(BackendKind::Tokio, ThreadRole::BlockOn);
/// assert_eq!(marker.kind(), BackendKind::Tokio);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Marker {
    kind: BackendKind,
    role: ThreadRole,
    runtime: usize,
}

impl Marker {
    /// A marker for `kind` in `role`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::BackendKind;
    /// # use loopbridge_core::unstable::context::{Marker, ThreadRole};
    /// let _ = Marker::new(BackendKind::Smol, ThreadRole::Worker { single_threaded: true });
    /// ```
    pub const fn new(kind: BackendKind, role: ThreadRole) -> Self {
        Marker { kind, role, runtime: 0 }
    }

    /// The same marker, naming the runtime instance (a [`Lifecycle::id`]) that owns the thread.
    ///
    /// [`Lifecycle::id`]: crate::lifecycle::Lifecycle::id
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::BackendKind;
    /// # use loopbridge_core::unstable::context::{Marker, ThreadRole};
    /// let a = Marker::new(BackendKind::Smol, ThreadRole::BlockOn).with_runtime(7);
    /// assert_eq!(a.runtime(), Some(7));
    /// ```
    pub const fn with_runtime(mut self, runtime: usize) -> Self {
        self.runtime = runtime;
        self
    }

    /// The runtime instance that owns the thread, if the marker names one.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::BackendKind;
    /// # use loopbridge_core::unstable::context::{Marker, ThreadRole};
    /// assert_eq!(Marker::new(BackendKind::Smol, ThreadRole::BlockOn).runtime(), None);
    /// ```
    pub const fn runtime(self) -> Option<usize> {
        if self.runtime == 0 { None } else { Some(self.runtime) }
    }

    /// The backend that owns the thread.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::BackendKind;
    /// # use loopbridge_core::unstable::context::{Marker, ThreadRole};
    /// assert_eq!(Marker::new(BackendKind::Smol, ThreadRole::BlockOn).kind(), BackendKind::Smol);
    /// ```
    pub const fn kind(self) -> BackendKind {
        self.kind
    }

    /// What the thread does for that backend.
    ///
    /// # Examples
    ///
    /// ```
    /// # use loopbridge_core::BackendKind;
    /// # use loopbridge_core::unstable::context::{Marker, ThreadRole};
    /// let a = Marker::new(BackendKind::Smol, ThreadRole::BlockOn);
    /// assert_eq!(a.role(), ThreadRole::BlockOn);
    /// ```
    pub const fn role(self) -> ThreadRole {
        self.role
    }
}

thread_local! {
    static CURRENT: Cell<Option<Marker>> = const { Cell::new(None) };
}

/// The marker of the current thread, if a loopbridge runtime owns it.
///
/// # Examples
///
/// ```
/// assert!(loopbridge_core::unstable::context::current().is_none());
/// ```
#[inline]
pub fn current() -> Option<Marker> {
    // `try_with`: during thread-local destruction the thread belongs to nobody.
    CURRENT.try_with(Cell::get).ok().flatten()
}

/// Marks the current thread until the guard is dropped, which restores the previous marker.
///
/// # Examples
///
/// ```
/// use loopbridge_core::BackendKind;
/// use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
///
/// let outer = context::enter(Marker::new(BackendKind::Tokio, ThreadRole::Blocking));
/// let inner = context::enter(Marker::new(BackendKind::Smol, ThreadRole::BlockOn));
/// assert_eq!(context::current().unwrap().kind(), BackendKind::Smol);
/// drop(inner);
/// assert_eq!(context::current().unwrap().kind(), BackendKind::Tokio);
/// drop(outer);
/// ```
#[inline]
pub fn enter(marker: Marker) -> EnterGuard {
    let previous = CURRENT.with(|c| c.replace(Some(marker)));
    EnterGuard { previous, _not_send: PhantomData }
}

/// Refuses to block a thread that is a worker of an executor loopbridge started, unless that
/// executor is of kind `except` (whose adapter knows how to hand the worker's duties off, as
/// tokio's does with `block_in_place`).
///
/// Every adapter's `try_block_on` starts with this check: blocking a worker would stall the
/// tasks scheduled on it, possibly the very one the blocked future waits for.
///
/// # Errors
///
/// [`BlockOnError::in_async_context`] naming the executor.
///
/// # Examples
///
/// ```
/// use loopbridge_core::BackendKind;
/// use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
///
/// assert!(context::check_not_worker(None).is_ok()); // a plain thread
/// let worker = Marker::new(BackendKind::Smol, ThreadRole::Worker { single_threaded: false });
/// let _guard = context::enter(worker);
/// assert!(context::check_not_worker(None).unwrap_err().is_in_async_context());
/// assert!(context::check_not_worker(Some(BackendKind::Smol)).is_ok());
/// ```
pub fn check_not_worker(except: Option<BackendKind>) -> Result<(), BlockOnError> {
    match current() {
        Some(marker)
            if matches!(marker.role, ThreadRole::Worker { .. }) && Some(marker.kind) != except =>
        {
            Err(BlockOnError::in_async_context(format!(
                "a worker of a loopbridge {} executor",
                marker.kind
            )))
        }
        _ => Ok(()),
    }
}

/// Whether the calling thread belongs to the runtime instance `runtime` (a worker, a thread in
/// its `block_on`, or one running its blocking jobs): such a thread must never wait for that
/// runtime's threads to finish, which would be a self-join.
///
/// # Examples
///
/// ```
/// # use loopbridge_core::BackendKind;
/// # use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
/// let _g = context::enter(Marker::new(BackendKind::Smol, ThreadRole::Blocking).with_runtime(9));
/// assert!(context::is_inside(9));
/// assert!(!context::is_inside(10));
/// ```
pub fn is_inside(runtime: usize) -> bool {
    current().and_then(Marker::runtime) == Some(runtime)
}

/// Whether the calling thread is a worker of the runtime instance `runtime`: it may be polling
/// one of that runtime's tasks right now, so a shutdown called here must not wait for the
/// runtime's tasks to be dropped (that task's poll cannot return while it waits).
///
/// # Examples
///
/// ```
/// # use loopbridge_core::BackendKind;
/// # use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
/// let worker = ThreadRole::Worker { single_threaded: false };
/// let _g = context::enter(Marker::new(BackendKind::Smol, worker).with_runtime(9));
/// assert!(context::is_worker_of(9));
/// assert!(!context::is_worker_of(10));
/// ```
pub fn is_worker_of(runtime: usize) -> bool {
    current().is_some_and(|a| {
        a.runtime() == Some(runtime) && matches!(a.role(), ThreadRole::Worker { .. })
    })
}

/// Restores the previous marker when dropped; returned by [`enter`].
///
/// It is `!Send`: it must be dropped on the thread that created it.
///
/// # Examples
///
/// ```
/// # use loopbridge_core::BackendKind;
/// # use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
/// let guard = context::enter(Marker::new(BackendKind::Smol, ThreadRole::Blocking));
/// drop(guard);
/// ```
#[must_use = "the marker is removed when the guard is dropped"]
pub struct EnterGuard {
    previous: Option<Marker>,
    _not_send: PhantomData<*const ()>,
}

impl Drop for EnterGuard {
    #[inline]
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|c| c.set(self.previous));
    }
}

impl fmt::Debug for EnterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard").field("previous", &self.previous).finish()
    }
}

/// Where an adapter keeps its typed backend for the current thread: declare one with
/// `thread_local!` and pass it to [`enter_backend`] and [`backend_in`].
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use loopbridge_core::unstable::context::{self, BackendSlot};
///
/// thread_local! {
///     // Any `Clone` backend type; a `const` initializer keeps every access cheap.
///     static SLOT: RefCell<Option<u32>> = const { RefCell::new(None) };
/// }
///
/// let slot: &'static BackendSlot<u32> = &SLOT;
/// assert_eq!(context::backend_in(slot), None); // nothing entered on this thread yet
/// ```
pub type BackendSlot<B> = LocalKey<RefCell<Option<B>>>;

/// Makes `backend` the current thread's typed backend in `slot` and marks the thread with
/// `ambient`, until the guard is dropped, which restores both.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use loopbridge_core::BackendKind;
/// use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
///
/// thread_local! {
///     static CURRENT: RefCell<Option<&'static str>> = const { RefCell::new(None) };
/// }
///
/// let marker = Marker::new(BackendKind::Other("my-loop"), ThreadRole::BlockOn);
/// {
///     let _guard = context::enter_backend(&CURRENT, "my backend", marker);
///     assert_eq!(context::backend_in(&CURRENT), Some("my backend"));
///     assert_eq!(context::current(), Some(marker));
/// }
/// assert_eq!(context::backend_in(&CURRENT), None);
/// assert_eq!(context::current(), None);
/// ```
#[inline]
pub fn enter_backend<B: Clone + 'static>(
    slot: &'static BackendSlot<B>,
    backend: B,
    marker: Marker,
) -> BackendGuard<B> {
    let previous = slot.with(|current| current.replace(Some(backend)));
    BackendGuard { slot, previous, _marker: enter(marker) }
}

/// The current thread's typed backend in `slot`, as set by [`enter_backend`].
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use loopbridge_core::BackendKind;
/// use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
///
/// thread_local! {
///     static SLOT: RefCell<Option<String>> = const { RefCell::new(None) };
/// }
///
/// assert_eq!(context::backend_in(&SLOT), None);
/// let marker = Marker::new(BackendKind::Other("my-loop"), ThreadRole::BlockOn);
/// let _guard = context::enter_backend(&SLOT, String::from("my backend"), marker);
/// assert_eq!(context::backend_in(&SLOT).as_deref(), Some("my backend")); // a clone
///
/// // The slot is per thread: another thread has entered nothing.
/// std::thread::spawn(|| assert_eq!(context::backend_in(&SLOT), None)).join().unwrap();
/// ```
#[inline]
pub fn backend_in<B: Clone + 'static>(slot: &'static BackendSlot<B>) -> Option<B> {
    // `try_with`: during thread-local destruction the thread belongs to nobody.
    slot.try_with(|current| current.try_borrow().ok()?.clone()).ok().flatten()
}

/// Restores the previous typed backend and marker when dropped; returned by [`enter_backend`].
/// Like [`EnterGuard`], it is `!Send`.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use loopbridge_core::BackendKind;
/// use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
///
/// thread_local! {
///     static SLOT: RefCell<Option<u32>> = const { RefCell::new(None) };
/// }
///
/// let marker = Marker::new(BackendKind::Other("my-loop"), ThreadRole::BlockOn);
/// let outer = context::enter_backend(&SLOT, 1, marker);
/// let inner = context::enter_backend(&SLOT, 2, marker); // nested: shadows the outer one
/// assert_eq!(context::backend_in(&SLOT), Some(2));
/// drop(inner); // restores the outer backend...
/// assert_eq!(context::backend_in(&SLOT), Some(1));
/// drop(outer); // ...then nothing, and no marker
/// assert_eq!(context::backend_in(&SLOT), None);
/// assert_eq!(context::current(), None);
/// ```
#[must_use = "the backend is removed from the thread when the guard is dropped"]
pub struct BackendGuard<B: 'static> {
    slot: &'static BackendSlot<B>,
    previous: Option<B>,
    _marker: EnterGuard,
}

impl<B: 'static> Drop for BackendGuard<B> {
    #[inline]
    fn drop(&mut self) {
        let previous = self.previous.take();
        let replaced = self.slot.try_with(|current| current.replace(previous));
        drop(replaced); // outside the borrow: it may be the last reference to a runtime
    }
}

impl<B: fmt::Debug + 'static> fmt::Debug for BackendGuard<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackendGuard").field("previous", &self.previous).finish_non_exhaustive()
    }
}
