//! What the bench binaries share: the runtime flavours, each native runtime set up the way
//! loopbridge sets up its own, CPU placement for cross-thread measurements, a pool of caller
//! threads, and the result files of the measurements criterion does not take.
//!
//! Every bench puts the native runtime and loopbridge (and the peers, where they apply) in one
//! criterion group, named `{flavour}/{implementation}`, so that `cargo xtask bench` can read
//! ratios from one run. See docs/performance.md.

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Barrier, mpsc};
use std::task::{Context, Poll};
use std::thread;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion};
use loopbridge::{BackendKind, Runner};

pub mod join_set;

/// The runtime flavours of the conformance suite, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// tokio multi-thread, 2 workers.
    TokioMt,
    /// tokio current-thread, driven by one thread parked in `Runtime::block_on`.
    TokioCt,
    /// An async-executor with 2 worker threads (loopbridge's smol backend, and plain smol).
    Smol,
    /// async-std's global runtime.
    AsyncStd,
}

impl Flavour {
    /// Every flavour.
    pub const ALL: [Flavour; 4] =
        [Flavour::TokioMt, Flavour::TokioCt, Flavour::Smol, Flavour::AsyncStd];

    /// The name used in benchmark ids and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Flavour::TokioMt => "tokio_mt",
            Flavour::TokioCt => "tokio_ct",
            Flavour::Smol => "smol",
            Flavour::AsyncStd => "async_std",
        }
    }

    /// The loopbridge backend of this flavour.
    pub fn kind(self) -> BackendKind {
        match self {
            Flavour::TokioMt | Flavour::TokioCt => BackendKind::Tokio,
            Flavour::Smol => BackendKind::Smol,
            Flavour::AsyncStd => BackendKind::AsyncStd,
        }
    }

    /// Executor threads, the same for loopbridge and the native runtime.
    pub fn workers(self) -> usize {
        match self {
            Flavour::TokioCt => 1,
            Flavour::TokioMt | Flavour::Smol | Flavour::AsyncStd => 2,
        }
    }

    /// A loopbridge runner of this flavour.
    ///
    /// # Panics
    ///
    /// If it cannot start.
    pub fn runner(self) -> Runner {
        Runner::builder()
            .backend(self.kind())
            .worker_threads(self.workers())
            .thread_name(format!("lb-{}", self.name()))
            .build()
            .expect("start a loopbridge runner")
    }

    /// Makes the global runner one of this flavour (shutting down the one running, if any).
    ///
    /// # Panics
    ///
    /// If the global runner cannot be configured.
    pub fn make_global(self) {
        let _report = loopbridge::shutdown_global(Duration::from_secs(5));
        loopbridge::set_default_backend(self.kind()).expect("set the default backend");
        let builder = Runner::builder().backend(self.kind()).worker_threads(self.workers());
        loopbridge::configure_global(builder).expect("configure the global runner");
        loopbridge::block_on(async {}); // start it now, outside the measurement
    }
}

/// The criterion configuration of every bench: short enough for the whole suite to run in
/// about 10 minutes on 2 CPUs; `cargo xtask bench` (or the command line) may override it.
pub fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

/// Benchmarks `{flavour}/{implementation}` in `group`, timing what `run(iters)` reports: a
/// measured loop that times itself (as a task inside a runtime, say), not criterion's closure.
pub fn bench(
    group: &mut BenchmarkGroup<'_, WallTime>,
    flavour: &str,
    implementation: &str,
    mut run: impl FnMut(u64) -> Duration,
) {
    group.bench_function(BenchmarkId::new(flavour, implementation), |b| b.iter_custom(&mut run));
}

/// A tokio multi-thread runtime like loopbridge's: 2 workers, IO and time enabled.
pub fn tokio_mt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("native-tokio-mt")
        .build()
        .expect("tokio runtime")
}

/// A tokio current-thread runtime driven by one thread parked in `Runtime::block_on`, so that
/// other threads can spawn onto it and `Handle::block_on` it: the native pattern for a
/// background current-thread loop, and what loopbridge does.
#[derive(Debug)]
pub struct TokioCt {
    handle: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    driver: Option<thread::JoinHandle<()>>,
}

impl TokioCt {
    /// Starts it.
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let driver = thread::Builder::new()
            .name("native-tokio-ct".into())
            .spawn(move || {
                let _ = runtime.block_on(stopped);
            })
            .expect("driver thread");
        TokioCt { handle, stop: Some(stop), driver: Some(driver) }
    }

    /// Its handle.
    pub fn handle(&self) -> &tokio::runtime::Handle {
        &self.handle
    }
}

impl Drop for TokioCt {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(driver) = self.driver.take() {
            let _ = driver.join();
        }
    }
}

/// A plain async-executor on 2 named worker threads: native smol as loopbridge runs it.
#[derive(Debug)]
pub struct SmolPool {
    executor: Arc<async_executor::Executor<'static>>,
    stop: async_channel::Sender<()>,
    workers: Vec<thread::JoinHandle<()>>,
}

impl SmolPool {
    /// Starts it with `workers` threads.
    pub fn start(workers: usize) -> Self {
        let executor = Arc::new(async_executor::Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let workers = (0..workers)
            .map(|i| {
                let (executor, stopped) = (Arc::clone(&executor), stopped.clone());
                thread::Builder::new()
                    .name(format!("native-smol-{i}"))
                    .spawn(move || {
                        let _ = async_io::block_on(executor.run(stopped.recv()));
                    })
                    .expect("worker thread")
            })
            .collect();
        SmolPool { executor, stop, workers }
    }

    /// The executor.
    pub fn executor(&self) -> &Arc<async_executor::Executor<'static>> {
        &self.executor
    }
}

impl Drop for SmolPool {
    fn drop(&mut self) {
        self.stop.close();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// A future that is pending once (waking itself) and then ready: "once-yielding", the same on
/// both sides of a comparison, independent of any runtime's own `yield_now`.
#[derive(Debug, Default)]
pub struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// The trivial task every spawn bench spawns.
pub async fn trivial() -> i32 {
    std::hint::black_box(1)
}

/// Runs `n` iterations of `op` and returns the time they took: the body of a measured loop
/// that runs as a task inside a runtime.
pub async fn time_loop<F, Fut>(iters: u64, mut op: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future,
{
    let start = Instant::now();
    for _ in 0..iters {
        std::hint::black_box(op().await);
    }
    start.elapsed()
}

/// CPU placement for measurements that cross threads (see "Measuring" in docs/performance.md).
pub mod cpus {
    use core_affinity::CoreId;

    /// How many CPUs this process may use.
    pub fn count() -> usize {
        core_affinity::get_core_ids().map_or(1, |ids| ids.len())
    }

    /// Pins the calling thread to `cpu`; threads it starts from now on inherit the placement.
    /// Returns whether it worked (not on every platform).
    pub fn pin(cpu: usize) -> bool {
        core_affinity::set_for_current(CoreId { id: cpu })
    }
}

/// `n` persistent caller threads that run a batch of operations each on command, so that the
/// concurrent-callers benches do not time thread creation.
#[derive(Debug)]
pub struct CallerPool {
    commands: Vec<mpsc::Sender<u64>>,
    start: Arc<Barrier>,
    done: Arc<Barrier>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl CallerPool {
    /// Starts `n` threads, each running `op` the commanded number of times.
    pub fn start(n: usize, op: impl Fn() + Send + Sync + 'static) -> Self {
        let op = Arc::new(op);
        let start = Arc::new(Barrier::new(n + 1));
        let done = Arc::new(Barrier::new(n + 1));
        let mut commands = Vec::with_capacity(n);
        let mut threads = Vec::with_capacity(n);
        for i in 0..n {
            let (tx, rx) = mpsc::channel::<u64>();
            commands.push(tx);
            let (op, start, done) = (Arc::clone(&op), Arc::clone(&start), Arc::clone(&done));
            threads.push(
                thread::Builder::new()
                    .name(format!("bench-caller-{i}"))
                    .spawn(move || {
                        while let Ok(iters) = rx.recv() {
                            start.wait();
                            for _ in 0..iters {
                                op();
                            }
                            done.wait();
                        }
                    })
                    .expect("caller thread"),
            );
        }
        CallerPool { commands, start, done, threads }
    }

    /// Has every thread run `op` `iters` times, all at once; returns the wall time.
    pub fn run(&self, iters: u64) -> Duration {
        for command in &self.commands {
            command.send(iters).expect("caller thread alive");
        }
        self.start.wait();
        let began = Instant::now();
        self.done.wait();
        began.elapsed()
    }
}

impl Drop for CallerPool {
    fn drop(&mut self) {
        self.commands.clear();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Where the measurements that criterion does not take (allocations, idle cost) are written:
/// `$LOOPBRIDGE_BENCH_OUT`, else `target/loopbridge-bench` of the workspace.
pub fn results_dir() -> PathBuf {
    match std::env::var_os("LOOPBRIDGE_BENCH_OUT") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/loopbridge-bench"),
    }
}

/// Result lines of one measurement binary, written as `key<TAB>value` to
/// `results_dir()/{name}.tsv` and echoed to stdout.
#[derive(Debug)]
pub struct Results {
    name: &'static str,
    lines: Vec<(String, String)>,
}

impl Results {
    /// Empty results of the binary `name`.
    pub fn new(name: &'static str) -> Self {
        Results { name, lines: Vec::new() }
    }

    /// Records `key = value`.
    pub fn record(&mut self, key: impl Into<String>, value: impl ToString) {
        let (key, value) = (key.into(), value.to_string());
        println!("{key:<48} {value}");
        self.lines.push((key, value));
    }

    /// Writes the file.
    ///
    /// # Panics
    ///
    /// If it cannot be written.
    pub fn write(&self) {
        let dir = results_dir();
        std::fs::create_dir_all(&dir).expect("create the results directory");
        let path = dir.join(format!("{}.tsv", self.name));
        let mut file = std::fs::File::create(&path).expect("create the results file");
        for (key, value) in &self.lines {
            writeln!(file, "{key}\t{value}").expect("write the results file");
        }
        println!("results written to {}", path.display());
    }
}

/// The result cell of [`own_handle`]: the output and the waker of the handle's last poll.
type OwnSlot<T> = Arc<std::sync::Mutex<(Option<T>, Option<std::task::Waker>)>>;

/// The least a join handle that is not the runtime's own can cost, in safe Rust: one shared
/// allocation, one lock to store the result and wake the handle, one per poll of the handle.
/// Spawning `task` natively and awaiting the handle is the floor of the spawn bench: what any
/// library pays whose handles behave the same on every runtime (loopbridge's do; a peer that
/// returns the runtime's own handle passes on that runtime's semantics instead).
///
/// ```
/// let (task, handle) = loopbridge_benches::own_handle(async { 7 });
/// let out = futures_lite::future::block_on(async { futures_lite::future::zip(task, handle).await });
/// assert_eq!(out.1, 7);
/// ```
pub fn own_handle<F: Future>(future: F) -> (impl Future<Output = ()>, OwnHandle<F::Output>) {
    let slot: OwnSlot<F::Output> = Arc::default();
    let task_slot = Arc::clone(&slot);
    let task = async move {
        let value = future.await;
        let waker = {
            let mut slot = task_slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            slot.0 = Some(value);
            slot.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    };
    (task, OwnHandle(slot))
}

/// The handle of [`own_handle`].
#[derive(Debug)]
pub struct OwnHandle<T>(OwnSlot<T>);

impl<T> Future for OwnHandle<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut slot = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match slot.0.take() {
            Some(value) => Poll::Ready(value),
            None => {
                if !slot.1.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    slot.1 = Some(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}

/// Whether tokio or async-std claims the calling thread, asked of each runtime itself: the
/// least any library must do before it blocks a thread, to refuse (instead of deadlocking or
/// panicking) where it is inside a runtime, and to find the runtime a free function runs on.
/// The floor of the detection and `block_on` benches.
///
/// ```
/// assert!(!loopbridge_benches::in_some_runtime());
/// ```
pub fn in_some_runtime() -> bool {
    tokio::runtime::Handle::try_current().is_ok() || async_std::task::try_current().is_some()
}
