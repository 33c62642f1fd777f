//! Running tokio-bound futures — reqwest, hyper's client, `tokio::net`, `tokio::time` — on any
//! backend (the `tokio` feature).
//!
//! Such futures need a tokio runtime's context when they are polled, or they panic ("there is
//! no reactor running, must be called from the context of a Tokio 1.x runtime"). On the smol
//! and async-std backends no tokio runtime is around, so wrap them in [`Compat`]: it enters a
//! tokio runtime's context around every poll of the future, and around its drop.
//!
//! # Which tokio runtime
//!
//! 1. The one the poll already runs in, if any. On the tokio backend — a loopbridge runner, the
//!    global runner, the application's own runtime — `Compat` therefore changes nothing and
//!    costs one `Handle::try_current` per poll.
//! 2. Otherwise the *compat runtime*: a multi-thread tokio runtime with one worker, whose
//!    threads are named `loopbridge-compat-<n>`, started on first need and kept for the life of
//!    the process (async-compat's `TOKIO1`, made fork-aware: a child process after `fork()`
//!    starts a fresh one).
//!
//! The future itself is still polled by whatever polls the `Compat`: a smol worker, an
//! async-std task, a `block_on`. Only what the future hands to tokio runs on the compat runtime:
//! the IO and timer drivers, and the tasks it `tokio::spawn`s (hyper's connection tasks, for
//! instance). Those outlive the `Compat` — a `reqwest::Client`'s pooled connections stay valid
//! from one `Compat` to the next, on any backend.
//!
//! # Examples
//!
//! ```
//! use loopbridge::compat::Compat;
//!
//! // The same code on any backend: a smol or async-std runner, or tokio.
//! let runner = loopbridge::Runner::new()?;
//! let addr = runner.block_on(Compat::new(async {
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//!     tokio::time::sleep(std::time::Duration::from_millis(1)).await;
//!     listener.local_addr()
//! }))?;
//! assert!(addr.ip().is_loopback());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use loopbridge_core::BackendKind;
use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
use pin_project_lite::pin_project;
use tokio::runtime::{EnterGuard, Handle, Runtime};

pin_project! {
    /// A future that runs inside a tokio runtime's context wherever it is polled; see the
    /// [module docs](self) for which runtime.
    ///
    /// # Panics
    ///
    /// Polling or dropping it panics if the compat runtime is needed and cannot be started
    /// (the system is out of threads); without it the wrapped future would panic anyway.
    ///
    /// # Cancel safety
    ///
    /// As cancel safe as the wrapped future: dropping a `Compat` drops the future, inside the
    /// tokio context.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loopbridge::compat::Compat;
    ///
    /// // A tokio timer, awaited from a smol or async-std task as well as from tokio.
    /// let slept = loopbridge::block_on(Compat::new(async {
    ///     tokio::time::sleep(Duration::from_millis(1)).await;
    ///     "slept"
    /// }));
    /// assert_eq!(slept, "slept");
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Compat<F> {
        // `None` only while the destructor runs: it drops the future inside the context.
        #[pin]
        inner: Option<F>,
    }

    impl<F> PinnedDrop for Compat<F> {
        fn drop(this: Pin<&mut Self>) {
            let mut inner = this.project().inner;
            if inner.is_some() {
                // Destructors of tokio-bound values may need the context too.
                let _context = enter();
                inner.set(None);
            }
        }
    }
}

impl<F> Compat<F> {
    /// Wraps `future` so that it is polled and dropped inside a tokio runtime's context.
    ///
    /// # Examples
    ///
    /// ```
    /// use loopbridge::compat::Compat;
    ///
    /// // A plain thread is in no tokio runtime's context...
    /// assert!(tokio::runtime::Handle::try_current().is_err());
    /// // ...but the wrapped future always is, whichever backend polls it.
    /// let inside = loopbridge::block_on(Compat::new(async {
    ///     tokio::runtime::Handle::try_current().is_ok()
    /// }));
    /// assert!(inside);
    /// ```
    pub fn new(future: F) -> Self {
        Compat { inner: Some(future) }
    }
}

impl<F: Future> Future for Compat<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let _context = enter();
        match self.project().inner.as_pin_mut() {
            Some(future) => future.poll(cx),
            None => unreachable!("a `Compat` is emptied only by its destructor"),
        }
    }
}

impl<F> fmt::Debug for Compat<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compat").finish_non_exhaustive()
    }
}

/// The handle of the tokio runtime a [`Compat`] polled here and now would enter: the current
/// one if the calling thread is inside a tokio runtime, else the compat runtime (started on
/// first need). Enter it to make tokio objects in sync code that no `Compat` wraps.
///
/// # Panics
///
/// If the compat runtime is needed and cannot be started (the system is out of threads).
///
/// # Examples
///
/// ```
/// // Plain sync code, outside any runtime: a std listener made tokio-bound.
/// let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
/// std_listener.set_nonblocking(true)?;
/// let handle = loopbridge::compat::handle();
/// let _context = handle.enter();
/// let listener = tokio::net::TcpListener::from_std(std_listener)?;
/// assert!(listener.local_addr()?.ip().is_loopback());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn handle() -> Handle {
    Handle::try_current().unwrap_or_else(|_| compat_runtime().handle().clone())
}

/// Enters the compat runtime's context unless the thread is already in a tokio context.
fn enter() -> Option<EnterGuard<'static>> {
    match Handle::try_current() {
        Ok(_) => None,
        Err(_) => Some(compat_runtime().handle().enter()),
    }
}

/// The compat runtime, with the fork guard of the process that started it. Leaked on purpose:
/// it lives as long as the process, and a `&'static Runtime` lets an `EnterGuard` live as long
/// as a poll without a reference count per poll.
struct Started {
    fork_guard: forkguard::Guard,
    runtime: &'static Runtime,
}

static COMPAT: Mutex<Option<Started>> = Mutex::new(None);

thread_local! {
    /// Each thread's copy of [`COMPAT`], so that a poll costs no lock: one atomic load (the
    /// fork check) instead.
    static CACHE: RefCell<Option<Started>> = const { RefCell::new(None) };
}

/// The compat runtime of this process, started on first need.
fn compat_runtime() -> &'static Runtime {
    let cached = CACHE.try_with(|cache| {
        let mut cache = cache.borrow_mut();
        let started = cache.as_mut()?;
        (!started.fork_guard.detected_fork()).then_some(started.runtime)
    });
    if let Ok(Some(runtime)) = cached {
        return runtime;
    }
    let runtime = {
        let mut compat = COMPAT.lock().unwrap_or_else(PoisonError::into_inner);
        let serving = compat
            .as_mut()
            .and_then(|started| (!started.fork_guard.detected_fork()).then_some(started.runtime));
        match serving {
            Some(runtime) => runtime,
            // First use, or a forked child: the parent's runtime has no threads here. It is
            // abandoned (stopping it would wait for threads that do not exist).
            None => {
                let runtime = start();
                *compat = Some(Started { fork_guard: forkguard::new(), runtime });
                runtime
            }
        }
    };
    let _ = CACHE.try_with(|cache| {
        *cache.borrow_mut() = Some(Started { fork_guard: forkguard::new(), runtime });
    });
    runtime
}

#[track_caller]
fn start() -> &'static Runtime {
    static THREADS: AtomicUsize = AtomicUsize::new(0);
    // Multi-thread, so that blocking inside a `Compat` (a `block_on` there, through
    // `block_in_place`) is never refused as it would be on a current-thread runtime.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_io()
        .enable_time()
        .thread_name_fn(|| format!("loopbridge-compat-{}", THREADS.fetch_add(1, Ordering::Relaxed)))
        .on_thread_start(|| {
            let worker = ThreadRole::Worker { single_threaded: false };
            // Marked for the thread's whole life: there is no scope to restore.
            std::mem::forget(context::enter(Marker::new(BackendKind::Tokio, worker)));
        })
        .build();
    match runtime {
        Ok(runtime) => {
            debug!("compat runtime started: tokio, 1 worker, threads `loopbridge-compat-<n>`");
            Box::leak(Box::new(runtime))
        }
        Err(err) => panic!(
            "loopbridge::compat could not start its tokio runtime ({err}); it is needed to poll \
             tokio-bound futures outside a tokio runtime"
        ),
    }
}
