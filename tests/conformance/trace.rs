//! The `tracing` feature on every backend flavour: `to_thread` jobs and `ThreadBound` calls run
//! inside the caller's span and under the caller's subscriber; a runner's start and shutdown
//! (with its report) are events.
//!
//! The subscriber is a tiny recorder made for these tests and installed per thread
//! (`with_default`), so tests running beside each other never see each other's events.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use loopbridge_tests::{runner_for, runner_test};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Dispatch, Event, Metadata, Subscriber};
use tracing_core::span::Current;

/// One event as the recorder saw it.
#[derive(Clone, Debug, Default)]
struct Seen {
    message: String,
    /// `name=value` for every other field.
    fields: Vec<String>,
    /// Names of the spans entered on the emitting thread, outermost first.
    spans: Vec<&'static str>,
    thread: String,
}

impl Seen {
    fn has(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f == field)
    }
}

/// Records every event with the span stack of the thread that emitted it.
#[derive(Default)]
struct Recorder {
    next_id: AtomicU64,
    spans: Mutex<HashMap<u64, &'static Metadata<'static>>>,
    events: Mutex<Vec<Seen>>,
}

thread_local! {
    /// The spans entered on this thread (ids), innermost last.
    static STACK: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

impl Visit for Seen {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            name => self.fields.push(format!("{name}={value:?}")),
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.fields.push(format!("{}={value}", field.name()));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        lock(&self.spans).insert(id, span.metadata());
        Id::from_u64(id)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut seen = Seen::default();
        event.record(&mut seen);
        let names = lock(&self.spans);
        seen.spans = STACK.with(|stack| {
            stack.borrow().iter().filter_map(|id| names.get(id).map(|m| m.name())).collect()
        });
        seen.thread = std::thread::current().name().unwrap_or("").to_owned();
        lock(&self.events).push(seen);
    }

    fn enter(&self, span: &Id) {
        STACK.with(|stack| stack.borrow_mut().push(span.into_u64()));
    }

    fn exit(&self, span: &Id) {
        STACK.with(|stack| {
            let mut stack = stack.borrow_mut();
            if let Some(at) = stack.iter().rposition(|id| *id == span.into_u64()) {
                stack.remove(at);
            }
        });
    }

    fn current_span(&self) -> Current {
        let top = STACK.with(|stack| stack.borrow().last().copied());
        let names = lock(&self.spans);
        match top.and_then(|id| names.get(&id).map(|meta| (id, *meta))) {
            Some((id, meta)) => Current::new(Id::from_u64(id), meta),
            None => Current::none(),
        }
    }
}

/// The recorder's state stays valid if a test panics while holding a lock.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A recorder, and the dispatch that feeds it.
fn recorder() -> (Arc<Recorder>, Dispatch) {
    let recorder = Arc::new(Recorder::default());
    let dispatch = Dispatch::from(Arc::clone(&recorder) as Arc<dyn Subscriber + Send + Sync>);
    (recorder, dispatch)
}

fn events(recorder: &Recorder) -> Vec<Seen> {
    lock(&recorder.events).clone()
}

#[loopbridge::test]
async fn to_thread_jobs_run_inside_the_callers_span_and_subscriber() {
    let (recorder, dispatch) = recorder();
    let caller = std::thread::current().name().unwrap_or("").to_owned();
    let job = tracing::dispatcher::with_default(&dispatch, || {
        let request = tracing::info_span!("request", id = 7);
        let _entered = request.enter();
        loopbridge::to_thread(|| {
            let inner = tracing::info_span!("query");
            inner.in_scope(|| tracing::info!(rows = 3, "job ran"));
            tracing::Span::current().metadata().map(|m| m.name())
        })
    });
    // The job's current span is the caller's, though it ran on another thread.
    assert_eq!(job.await.unwrap(), Some("request"));
    let seen = events(&recorder);
    let event = seen
        .iter()
        .find(|e| e.has("rows=3"))
        .expect("the job's event reached the caller's subscriber");
    assert_eq!(event.spans, ["request", "query"]);
    assert_ne!(event.thread, caller);
}

#[loopbridge::test]
async fn a_job_submitted_outside_any_span_runs_outside_any_span() {
    let (recorder, dispatch) = recorder();
    let bare = tracing::dispatcher::with_default(&dispatch, || {
        loopbridge::to_thread(|| tracing::info!(bare = true, "no span"))
    });
    bare.await.unwrap();
    let seen = events(&recorder);
    let event = seen.iter().find(|e| e.has("bare=true")).expect("recorded");
    assert!(event.spans.is_empty());
}

#[loopbridge::test]
async fn thread_bound_calls_run_inside_the_callers_span() {
    let (recorder, dispatch) = recorder();
    let owner = loopbridge::ThreadBound::new("traced-owner", || 0_u32).unwrap();
    let call = tracing::dispatcher::with_default(&dispatch, || {
        let span = tracing::info_span!("checkout");
        let _entered = span.enter();
        owner.call(|n| {
            *n += 1;
            tracing::info!(calls = *n, "owner ran");
        })
    });
    call.await.unwrap();
    let seen = events(&recorder);
    let event = seen.iter().find(|e| e.has("calls=1")).expect("recorded");
    assert_eq!(event.spans, ["checkout"]);
    assert_eq!(event.thread, "traced-owner");
}

runner_test! {
    fn a_runners_start_and_shutdown_report_are_events(flavor) {
        let (recorder, dispatch) = recorder();
        let report = tracing::dispatcher::with_default(&dispatch, || {
            let runner = runner_for(flavor);
            drop(runner.spawn(std::future::pending::<()>()));
            runner.shutdown(Duration::from_secs(5))
        });
        let seen = events(&recorder);
        let backend = format!("backend={}", flavor.kind());
        let started = seen.iter().find(|e| e.message == "runner started").expect("start event");
        assert!(started.has(&backend), "{started:?}");
        let stopped = seen.iter().find(|e| e.message == "runner shut down").expect("shutdown event");
        assert!(stopped.has(&backend), "{stopped:?}");
        let cancelled = format!("tasks_cancelled={}", report.tasks_cancelled());
        assert!(stopped.has(&cancelled), "{stopped:?}");
        let in_time = format!("completed_in_time={}", report.completed_in_time());
        assert!(stopped.has(&in_time), "{stopped:?}");
    }
}
