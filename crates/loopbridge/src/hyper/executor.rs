//! [`Executor`]: hyper's `Executor` trait over loopbridge's `spawn`.

use std::future::Future;

use crate::Bridge;

/// Spawns the tasks hyper hands out (HTTP/2 streams, a client's connection tasks) like
/// [`loopbridge::spawn`](crate::spawn): on the runtime that runs the caller, else the global
/// runner — or, made with [`Executor::on`], on one particular loop.
///
/// The tasks are detached: they run until hyper is done with them, and a runner's shutdown
/// cancels them with the rest of its tasks.
///
/// # Examples
///
/// ```
/// use hyper::rt::Executor as _;
/// use std::time::Duration;
///
/// let runner = loopbridge::Runner::builder().build()?;
/// let (sent, received) = std::sync::mpsc::channel();
/// // From a plain thread: the task runs on the runner, inside its runtime.
/// loopbridge::hyper::Executor::on(runner.bridge()).execute(async move {
///     sent.send(loopbridge::current()).expect("receiver alive");
/// });
/// assert_eq!(received.recv()?, Some(runner.bridge().kind()));
/// runner.shutdown(Duration::from_secs(1));
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Executor {
    /// `None`: wherever `loopbridge::spawn` would spawn at the time of each call.
    bridge: Option<Bridge>,
}

impl Executor {
    /// An executor that spawns on `bridge`'s loop, wherever it is called from — for a
    /// connection made in sync code whose tasks must run on a particular runner.
    ///
    /// # Examples
    ///
    /// ```
    /// let executor = loopbridge::hyper::Executor::on(loopbridge::Bridge::global());
    /// # let _ = executor;
    /// ```
    pub fn on(bridge: Bridge) -> Executor {
        Executor { bridge: Some(bridge) }
    }
}

impl<F> hyper::rt::Executor<F> for Executor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, future: F) {
        // Dropping the handle detaches the task.
        match &self.bridge {
            Some(bridge) => drop(bridge.spawn(future)),
            None => drop(crate::spawn(future)),
        }
    }
}
