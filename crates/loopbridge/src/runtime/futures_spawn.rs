//! [`Bridge`] as a [`futures::task::Spawn`]: code written against the futures crate's executor
//! trait (`SpawnExt::spawn`, `spawn_with_handle`, libraries generic over `S: Spawn`) runs on
//! whichever loop a `Bridge` points at.
//!
//! The trait comes from `futures-task`, the crate that defines it: `futures` and
//! `futures-util` re-export that same trait, and `futures-task` has no dependencies of its own.
//!
//! [`futures::task::Spawn`]: https://docs.rs/futures/0.3/futures/task/trait.Spawn.html

use futures_task::{FutureObj, Spawn, SpawnError};

use crate::Bridge;

/// Spawns the future as a detached task of this loop, with loopbridge's semantics: it runs to
/// completion even though no handle is kept, and a panic in it is caught (no worker dies).
///
/// # Errors
///
/// [`SpawnError::shutdown`] when the loop is a runner that has been shut down; the future is
/// dropped without running. [`status`](Spawn::status) says so beforehand.
///
/// # Examples
///
/// ```
/// use futures_task::{FutureObj, Spawn};
///
/// let bridge = loopbridge::Bridge::global();
/// let (tx, rx) = std::sync::mpsc::channel();
/// let job = async move { tx.send("ran on the bridge").unwrap() };
/// bridge.spawn_obj(FutureObj::new(Box::new(job)))?;
/// assert_eq!(rx.recv().unwrap(), "ran on the bridge");
///
/// let runner = loopbridge::Runner::new()?;
/// let stopped = runner.bridge();
/// runner.shutdown(std::time::Duration::from_secs(5));
/// assert!(stopped.status().unwrap_err().is_shutdown());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl Spawn for Bridge {
    fn spawn_obj(&self, future: FutureObj<'static, ()>) -> Result<(), SpawnError> {
        self.status()?;
        drop(self.spawn(future));
        Ok(())
    }

    fn status(&self) -> Result<(), SpawnError> {
        if self.backend().is_shut_down() { Err(SpawnError::shutdown()) } else { Ok(()) }
    }
}
