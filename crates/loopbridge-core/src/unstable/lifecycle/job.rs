//! [`track_job`]: blocking jobs counted while they run, and refused once the runtime closed.

use std::sync::Arc;

use super::Lifecycle;
use crate::sync::{Ordering, fence};
use crate::task::BlockingJob;
use crate::unstable::clock::{self, JobWork};

/// Wraps a blocking job so that `lifecycle` counts it while it runs, or returns `None` after
/// the close (the caller drops the job, resolving its handle as cancelled). Without a
/// lifecycle the job is returned as it is, in the same wrapper type.
///
/// A job still queued when the lifecycle closes is dropped unrun when a thread takes it,
/// whatever the pool does with its queue at shutdown: tokio's blocking threads, for one,
/// keep taking queued jobs after the shutdown while they are busy. So every backend cancels
/// the jobs that had not started, and none starts after its runner shut down.
///
/// # Examples
///
/// ```
/// use loopbridge_core::unstable::lifecycle::{self, Lifecycle};
///
/// let lifecycle = Lifecycle::new();
/// let job = lifecycle::track_job(Some(&lifecycle), || ()).expect("open");
/// job();
/// assert_eq!(lifecycle.running_jobs(), 0);
/// lifecycle.close();
/// assert!(lifecycle::track_job(Some(&lifecycle), || ()).is_none());
/// assert!(lifecycle::track_job(None, || ()).is_some()); // untracked: never refused
/// ```
pub fn track_job<J: FnOnce()>(
    lifecycle: Option<&Arc<Lifecycle>>,
    job: J,
) -> Option<impl FnOnce() + use<J>> {
    if lifecycle.is_some_and(|l| l.is_closed()) {
        return None;
    }
    // Work of a paused clock from now until the job ends or is dropped unrun.
    let work = lifecycle
        .filter(|_| clock::any_ever_paused())
        .map(|l| l.clock())
        .filter(|c| c.is_paused())
        .map(JobWork::new);
    let lifecycle = lifecycle.cloned();
    Some(move || {
        let _work = work;
        // A `time::pause()` in the job counted it as work until it ends.
        let _owed = PayOwed;
        let Some(lifecycle) = lifecycle else { return job() };
        // Counted before the check: a close that comes after the check sees this job as
        // running (and a shutdown waits for it); one that came before drops it here.
        lifecycle.running_jobs.fetch_add(1, Ordering::AcqRel);
        // Pairs with the fence in `close`: see there.
        fence(Ordering::SeqCst);
        let _done = JobGuard(&lifecycle);
        if lifecycle.is_closed() {
            drop(job);
            return;
        }
        job();
    })
}

/// A runtime's [`BlockingJob`], ready for its pool: run inside the context `enter` makes
/// (the runtime's marker, as a thread running its blocking jobs) and tracked as [`track_job`]
/// tracks a job — `None` after the close, as there.
///
/// # Examples
///
/// ```
/// use loopbridge_core::BackendKind;
/// use loopbridge_core::task::BlockingJob;
/// use loopbridge_core::unstable::context::{self, Marker, ThreadRole};
/// use loopbridge_core::unstable::lifecycle::{self, Lifecycle};
///
/// let lifecycle = Lifecycle::new();
/// let (job, _handle) = BlockingJob::new(|| context::current().map(Marker::role));
/// let enter = || context::enter(Marker::new(BackendKind::Smol, ThreadRole::Blocking));
/// let run = lifecycle::track_blocking(Some(&lifecycle), job, enter).expect("open");
/// run(); // on the pool's thread: marked while the job runs, counted by `lifecycle`
/// assert_eq!(context::current(), None);
/// ```
pub fn track_blocking<F, T, E, G>(
    lifecycle: Option<&Arc<Lifecycle>>,
    job: BlockingJob<F, T>,
    enter: E,
) -> Option<impl FnOnce() + use<F, T, E, G>>
where
    F: FnOnce() -> T,
    E: FnOnce() -> G,
{
    track_job(lifecycle, move || {
        let _context = enter();
        job.run();
    })
}

struct JobGuard<'a>(&'a Lifecycle);

impl Drop for JobGuard<'_> {
    fn drop(&mut self) {
        self.0.running_jobs.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Pays, when a job ends, the unit of work a pause in it added (`clock::pay_owed`).
struct PayOwed;

impl Drop for PayOwed {
    fn drop(&mut self) {
        clock::pay_owed();
    }
}
