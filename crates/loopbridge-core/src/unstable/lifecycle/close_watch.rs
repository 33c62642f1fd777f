//! [`CloseWatch`]: resources that must learn at once that their runtime shut down.

use std::fmt;
use std::sync::{Arc, Weak};

use super::{Lifecycle, lock};

/// Something bound to a runtime that [`Lifecycle::close`] must tell, such as a socket whose
/// reactor outlives the runtime (async-io's): told, it wakes whoever waits on it, who then
/// sees the runtime closed.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex, Weak};
/// use loopbridge_core::unstable::lifecycle::{Lifecycle, OnClose};
///
/// // A resource that records the close (a socket would shut itself down).
/// #[derive(Default)]
/// struct Log(Mutex<Vec<&'static str>>);
/// impl OnClose for Log {
///     fn on_close(&self) {
///         self.0.lock().unwrap().push("closed");
///     }
/// }
///
/// let lifecycle = Lifecycle::new();
/// let log = Arc::new(Log::default());
/// let _watch = lifecycle.watch(Arc::downgrade(&log) as Weak<dyn OnClose>);
/// lifecycle.close();
/// assert_eq!(*log.0.lock().unwrap(), ["closed"]);
/// ```
pub trait OnClose: Send + Sync {
    /// Called once, by the thread that closes the lifecycle. It must not block.
    fn on_close(&self);
}

/// The registration of an [`OnClose`] with a lifecycle, removed when this is dropped.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::{Arc, Weak};
/// use loopbridge_core::unstable::lifecycle::{Lifecycle, OnClose};
///
/// struct Flag(AtomicBool);
/// impl OnClose for Flag {
///     fn on_close(&self) {
///         self.0.store(true, Ordering::Release);
///     }
/// }
///
/// let lifecycle = Lifecycle::new();
/// let flag = Arc::new(Flag(AtomicBool::new(false)));
/// let weak: Weak<dyn OnClose> = Arc::downgrade(&flag) as Weak<dyn OnClose>;
/// let _watch = lifecycle.watch(weak).expect("open");
/// lifecycle.close();
/// assert!(flag.0.load(Ordering::Acquire));
/// // A closed lifecycle registers nothing: the caller must treat the runtime as gone.
/// assert!(lifecycle.watch(Arc::downgrade(&flag) as Weak<dyn OnClose>).is_none());
/// ```
pub struct CloseWatch {
    lifecycle: Arc<Lifecycle>,
    key: usize,
}

impl Lifecycle {
    /// Registers `watcher` to be told when this lifecycle closes; `None` if it already has.
    /// A weak reference, so that a registration never keeps its resource alive.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Weak};
    /// use loopbridge_core::unstable::lifecycle::{Lifecycle, OnClose};
    ///
    /// struct Noop;
    /// impl OnClose for Noop {
    ///     fn on_close(&self) {}
    /// }
    ///
    /// let lifecycle = Lifecycle::new();
    /// let resource = Arc::new(Noop);
    /// let watch = lifecycle.watch(Arc::downgrade(&resource) as Weak<dyn OnClose>);
    /// assert!(watch.is_some()); // dropping it unregisters
    /// ```
    pub fn watch(self: &Arc<Self>, watcher: Weak<dyn OnClose>) -> Option<CloseWatch> {
        let mut watchers = lock(&self.watchers);
        // Checked under the lock that `close` takes after setting the flag: a watcher is either
        // registered before `close` takes the list (and told) or sees the close here.
        if self.is_closed() {
            return None;
        }
        let key = watchers.insert(watcher);
        Some(CloseWatch { lifecycle: Arc::clone(self), key })
    }

    /// Tells every registered watcher that is still alive; part of [`close`](Self::close).
    pub(super) fn tell_watchers(&self) {
        let watchers = std::mem::take(&mut *lock(&self.watchers));
        // Outside the lock: the last strong reference may be the one upgraded here, and its
        // drop removes its own (already taken) registration.
        for (_, watcher) in watchers {
            if let Some(watcher) = watcher.upgrade() {
                watcher.on_close();
            }
        }
    }
}

impl Drop for CloseWatch {
    fn drop(&mut self) {
        let removed = lock(&self.lifecycle.watchers).try_remove(self.key);
        drop(removed); // outside the lock
    }
}

impl fmt::Debug for CloseWatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloseWatch").field("lifecycle", &self.lifecycle.id()).finish()
    }
}
