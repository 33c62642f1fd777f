//! Random sequences of operations (proptest): spawn, abort, drop a handle, `to_thread`,
//! `block_on`, `sleep`, `timeout` and `shutdown`, in any order, on a fresh runner of each
//! flavour.
//!
//! Every unit of work carries a probe that records its fate in a ledger: it *completed*, it
//! *panicked*, or its future or closure was *dropped* unfinished (cancelled). After the final
//! shutdown the invariants are:
//!
//! 1. no unit is still *submitted*: nothing was silently lost, nothing hangs;
//! 2. every handle kept has resolved, and agrees with the ledger: `Ok` with the unit's own value
//!    for a completed unit, the unit's own payload for a panicked one, `cancelled` for a dropped
//!    one;
//! 3. a handle can only be cancelled if it was aborted or a shutdown came after its spawn (a
//!    `to_thread` job is never cancelled by dropping its handle);
//! 4. `block_on`, `sleep` and `timeout` from the driving thread give their exact result before
//!    the shutdown, and `is_shut_down()` after it; a spawn after it is cancelled at once.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use loopbridge::{JoinHandle, Runner};
use loopbridge_tests::{Flavor, builder_for, panic_message};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::{DELIBERATE, Scale, for_each_flavor};

/// What a unit of asynchronous work does before it returns its value.
#[derive(Clone, Copy, Debug)]
enum Work {
    Ready,
    Yield,
    Sleep(u8),
    Pending,
    Panic,
}

/// One step of a sequence.
#[derive(Clone, Debug)]
enum Op {
    Spawn(Work),
    ToThread {
        sleep_ms: u8,
        panic: bool,
    },
    /// Aborts the handle at this index (modulo the handles made so far).
    Abort(usize),
    /// Drops (detaches) the handle at this index.
    Drop(usize),
    /// `try_block_on` of a unit of work that completes (never `Pending`).
    BlockOn(Work),
    Sleep(u8),
    /// `timeout` around a unit: ready ones beat any limit, sleeping ones get an hour, pending
    /// ones a few milliseconds; each outcome is therefore certain.
    Timeout(Work, u8),
    Shutdown,
}

fn work() -> impl Strategy<Value = Work> {
    prop_oneof![
        Just(Work::Ready),
        Just(Work::Yield),
        (0..4_u8).prop_map(Work::Sleep),
        Just(Work::Pending),
        Just(Work::Panic),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => work().prop_map(Op::Spawn),
        2 => (0..4_u8, proptest::bool::weighted(0.2))
            .prop_map(|(sleep_ms, panic)| Op::ToThread { sleep_ms, panic }),
        2 => any::<usize>().prop_map(Op::Abort),
        1 => any::<usize>().prop_map(Op::Drop),
        2 => work()
            .prop_filter("block_on of a pending future never returns", |w| !matches!(w, Work::Pending))
            .prop_map(Op::BlockOn),
        1 => (0..3_u8).prop_map(Op::Sleep),
        1 => (work().prop_filter("a panic is not a timeout's business", |w| !matches!(w, Work::Panic)), 0..3_u8)
            .prop_map(|(w, limit)| Op::Timeout(w, limit)),
        1 => Just(Op::Shutdown),
    ]
}

/// The fate of one unit of work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Submitted,
    Completed,
    Panicked,
    Dropped,
}

/// The fates of every unit of one sequence, by unit id.
#[derive(Clone, Default)]
struct Ledger(Arc<Mutex<Vec<Fate>>>);

impl Ledger {
    fn probe(&self) -> Probe {
        let mut fates = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        fates.push(Fate::Submitted);
        Probe { id: fates.len() - 1, ledger: self.clone(), settled: false }
    }

    fn fate(&self, id: usize) -> Fate {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)[id]
    }

    fn set(&self, id: usize, fate: Fate) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)[id] = fate;
    }

    fn unsettled(&self) -> Vec<usize> {
        let fates = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        (0..fates.len()).filter(|&id| fates[id] == Fate::Submitted).collect()
    }
}

/// Travels inside a unit of work; records how it ended, `Dropped` if it never did.
struct Probe {
    id: usize,
    ledger: Ledger,
    settled: bool,
}

impl Probe {
    fn settle(mut self, fate: Fate) {
        self.settled = true;
        self.ledger.set(self.id, fate);
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        if !self.settled {
            self.ledger.set(self.id, Fate::Dropped);
        }
    }
}

/// The value unit `id` returns.
fn value(id: usize) -> u64 {
    id as u64 * 7 + 3
}

fn panic_text(id: usize) -> String {
    format!("{DELIBERATE}: unit {id}")
}

/// Unit of work `probe.id`: does `work`, records its fate, returns its value.
async fn unit(work: Work, probe: Probe) -> u64 {
    let id = probe.id;
    match work {
        Work::Ready => {}
        Work::Yield => loopbridge::yield_now().await,
        Work::Sleep(ms) => loopbridge::sleep(Duration::from_millis(ms.into())).await,
        Work::Pending => std::future::pending().await,
        Work::Panic => {
            probe.settle(Fate::Panicked);
            panic!("{}", panic_text(id));
        }
    }
    probe.settle(Fate::Completed);
    value(id)
}

/// A handle kept by the sequence, and what may happen to it.
struct Kept {
    handle: Option<JoinHandle<u64>>,
    id: usize,
    /// It ends on its own (it is not `Pending`): unless aborted or shut down, it must finish.
    can_finish: bool,
    aborted: bool,
    /// A shutdown op came after the spawn (or the spawn came after one).
    shut_down: bool,
}

/// Waits until `handle` resolves, failing if it takes longer than a generous bound.
fn wait_resolved(handle: &JoinHandle<u64>, id: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !handle.is_finished() {
        assert!(Instant::now() < deadline, "the handle of unit {id} never resolved");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A `try_block_on` may fail only because the runner was shut down, and then with that error.
#[track_caller]
fn refused_after_shutdown(shut_down: bool, what: &str, err: &loopbridge::BlockOnError) {
    assert!(shut_down && err.is_shut_down(), "{what} failed, shut down: {shut_down}: {err}");
}

fn run_sequence(flavor: Flavor, ops: &[Op]) {
    let runner: Runner = builder_for(flavor).max_blocking_threads(2).build().expect("a runner");
    let ledger = Ledger::default();
    let mut kept: Vec<Kept> = Vec::new();
    let mut shut_down = false;

    for op in ops {
        match *op {
            Op::Spawn(work) => {
                let probe = ledger.probe();
                let id = probe.id;
                let handle = runner.spawn(unit(work, probe));
                if shut_down {
                    assert!(handle.is_finished(), "a spawn after the shutdown resolves at once");
                }
                let can_finish = !matches!(work, Work::Pending);
                kept.push(Kept { handle: Some(handle), id, can_finish, aborted: false, shut_down });
            }
            Op::ToThread { sleep_ms, panic } => {
                let probe = ledger.probe();
                let id = probe.id;
                let handle = runner.to_thread(move || {
                    std::thread::sleep(Duration::from_millis(sleep_ms.into()));
                    if panic {
                        probe.settle(Fate::Panicked);
                        panic!("{}", panic_text(id));
                    }
                    probe.settle(Fate::Completed);
                    value(id)
                });
                kept.push(Kept {
                    handle: Some(handle),
                    id,
                    can_finish: true,
                    aborted: false,
                    shut_down,
                });
            }
            Op::Abort(index) if !kept.is_empty() => {
                let index = index % kept.len();
                if let Some(handle) = &kept[index].handle {
                    handle.abort();
                    kept[index].aborted = true;
                }
            }
            Op::Drop(index) if !kept.is_empty() => {
                let index = index % kept.len();
                drop(kept[index].handle.take());
            }
            Op::Abort(_) | Op::Drop(_) => {}
            Op::BlockOn(work) => {
                let probe = ledger.probe();
                let id = probe.id;
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    runner.try_block_on(unit(work, probe))
                }));
                match outcome {
                    Ok(Ok(got)) => assert_eq!(got, value(id)),
                    Ok(Err(err)) => refused_after_shutdown(shut_down, "block_on", &err),
                    Err(payload) => {
                        assert!(
                            matches!(work, Work::Panic),
                            "block_on panicked: {:?}",
                            panic_message(&*payload)
                        );
                        assert_eq!(panic_message(&*payload), panic_text(id));
                    }
                }
            }
            Op::Sleep(ms) => {
                let outcome =
                    runner.try_block_on(loopbridge::sleep(Duration::from_millis(ms.into())));
                if let Err(err) = outcome {
                    refused_after_shutdown(shut_down, "sleep", &err);
                }
            }
            Op::Timeout(work, limit_ms) => {
                let probe = ledger.probe();
                let id = probe.id;
                let limit = match work {
                    Work::Sleep(_) | Work::Yield => Duration::from_secs(3_600),
                    _ => Duration::from_millis(limit_ms.into()),
                };
                match runner.try_block_on(loopbridge::timeout(limit, unit(work, probe))) {
                    Ok(Ok(got)) => {
                        assert!(!matches!(work, Work::Pending), "a pending future completed");
                        assert_eq!(got, value(id));
                    }
                    Ok(Err(_elapsed)) => {
                        assert!(
                            matches!(work, Work::Pending),
                            "{work:?} timed out within {limit:?}"
                        )
                    }
                    Err(err) => refused_after_shutdown(shut_down, "timeout", &err),
                }
            }
            Op::Shutdown => {
                let report = runner.shutdown(Duration::from_secs(10));
                assert!(shut_down || report.completed_in_time(), "{report:?}");
                shut_down = true;
                for k in &mut kept {
                    k.shut_down = true;
                }
            }
        }
    }

    // Work that ends on its own, neither aborted nor shut down, does end: it resolves before
    // any final shutdown could cancel it.
    for k in kept.iter().filter(|k| k.can_finish && !k.aborted && !k.shut_down) {
        if let Some(handle) = &k.handle {
            wait_resolved(handle, k.id);
        }
    }

    // The final shutdown: everything still running (the pending units) must end now.
    let report = runner.shutdown(Duration::from_secs(10));
    assert!(report.completed_in_time(), "{report:?}");
    let unsettled = ledger.unsettled();
    assert!(unsettled.is_empty(), "units neither completed, panicked nor dropped: {unsettled:?}");

    for k in kept {
        let Some(handle) = k.handle else { continue };
        wait_resolved(&handle, k.id);
        let fate = ledger.fate(k.id);
        match futures_lite::future::block_on(handle) {
            Ok(got) => {
                assert_eq!(got, value(k.id), "unit {} returned someone else's value", k.id);
                assert_eq!(fate, Fate::Completed, "unit {}", k.id);
            }
            Err(err) if err.is_cancelled() => {
                assert_eq!(fate, Fate::Dropped, "unit {} was cancelled but {fate:?}", k.id);
                assert!(
                    k.aborted || k.shut_down || !k.can_finish,
                    "unit {} was cancelled though neither aborted nor shut down",
                    k.id
                );
            }
            Err(err) => {
                assert!(err.is_panic(), "{err}");
                assert_eq!(fate, Fate::Panicked, "unit {}", k.id);
                assert_eq!(panic_message(&*err.into_panic()), panic_text(k.id));
            }
        }
    }
}

#[test]
fn random_operation_sequences_lose_nothing() {
    for_each_flavor("sequences/proptest", |flavor, scale: Scale| {
        let config = Config {
            cases: scale.cases,
            // Failures are reported with the shrunk sequence; nothing is written to the tree.
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let strategy = proptest::collection::vec(op(), 1..40);
        let result = runner.run(&strategy, |ops| {
            run_sequence(flavor, &ops);
            Ok(())
        });
        if let Err(err) = result {
            panic!("{err}");
        }
        format!("{} random sequences of 1-39 operations, every invariant held", scale.cases)
    });
}
