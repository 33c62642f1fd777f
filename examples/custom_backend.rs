//! Your own executor as a loopbridge backend: the whole facade on an event loop loopbridge does
//! not ship — here a single-thread loop, as a GUI toolkit or a game engine has one.
//!
//! ```text
//! cargo run --example custom_backend          # works in any build, with any backend features
//! ```
//!
//! `EventLoop` implements `loopbridge::rt::LoopBackend`: it runs loopbridge's tasks on its one
//! thread (scheduled with async-task, the task crate smol is built on), its blocking jobs on a
//! thread pool (the `blocking` crate, smol's), and its timers with futures-timer. `Bridge::from_backend` then gives the loop
//! everything loopbridge gives tokio or smol: `spawn` and `JoinHandle` semantics, `to_thread`,
//! timers, `block_on` from the main thread and from blocking jobs, and the free functions
//! inside its tasks. What to look for in the output: every task ran on `event-loop`, the loop
//! is the ambient backend inside them, and `block_on` on the loop's own thread is refused
//! (blocking the only thread of a loop would freeze it) instead of deadlocking.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use loopbridge::rt::{BlockingJob, LoopBackend, TaskFuture, park};
use loopbridge::{BackendKind, BlockOnError, Bridge};

/// A single-thread event loop: a queue of runnable tasks and the one thread that runs them.
#[derive(Clone, Debug)]
struct EventLoop {
    queue: mpsc::Sender<async_task::Runnable>,
}

impl EventLoop {
    /// Starts the loop's thread; it runs until every handle to the loop is gone.
    fn start(name: &str) -> std::io::Result<EventLoop> {
        let (queue, runnable) = mpsc::channel::<async_task::Runnable>();
        thread::Builder::new().name(name.to_owned()).spawn(move || {
            for task in runnable {
                task.run();
            }
        })?;
        Ok(EventLoop { queue })
    }
}

impl LoopBackend for EventLoop {
    type Timer = futures_timer::Delay;

    fn kind(&self) -> BackendKind {
        BackendKind::Other("event-loop")
    }

    fn spawn_task<F>(&self, task: TaskFuture<F>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // The task's handle is loopbridge's (inside `task`); async-task's own is detached.
        // Once the loop is gone the runnable is dropped, which resolves the handle cancelled.
        let queue = self.queue.clone();
        let (runnable, native) = async_task::spawn(task, move |runnable| {
            let _ = queue.send(runnable);
        });
        native.detach();
        runnable.schedule();
    }

    fn spawn_blocking_job<F, T>(&self, job: BlockingJob<F, T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        // Detached: the job's handle, not this task, carries its result.
        blocking::unblock(move || job.run()).detach();
    }

    fn try_block_on_until<F: Future>(
        &self,
        future: F,
        deadline: Option<Instant>,
    ) -> Result<F::Output, BlockOnError> {
        // The loop's thread never calls this for itself (loopbridge refuses `block_on` in its
        // tasks), so the caller's own thread can wait for the future.
        park::wait_with_deadline(future, deadline)
    }

    fn timer_at(&self, deadline: Instant) -> Self::Timer {
        futures_timer::Delay::new(deadline.saturating_duration_since(Instant::now()))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bridge = Bridge::from_backend(EventLoop::start("event-loop")?);
    println!("backend: {}", bridge.kind());

    // Tasks on the loop; the free functions inside them use it.
    let report = bridge.block_on(async {
        let tasks: Vec<_> = (0..3)
            .map(|i| {
                loopbridge::spawn(async move {
                    loopbridge::sleep(Duration::from_millis(10 * i)).await;
                    let on = thread::current().name().unwrap_or("?").to_owned();
                    format!("task {i} on {on}, ambient backend {:?}", loopbridge::current())
                })
            })
            .collect();
        let mut lines = Vec::new();
        for task in tasks {
            lines.push(task.await?);
        }
        Ok::<_, loopbridge::JoinError>(lines)
    })?;
    for line in report {
        println!("  {line}");
    }

    // Blocking work goes to the loop's pool, never onto the loop's thread.
    let (on, product) = bridge.block_on(bridge.to_thread(|| {
        let on = thread::current().name().unwrap_or("?").to_owned();
        (on, (1..=20_u64).product::<u64>())
    }))?;
    println!("to_thread: 20! = {product}, on {on}");

    // A deadline, on the loop's timers.
    let slow =
        bridge.block_on(bridge.timeout(Duration::from_millis(20), std::future::pending::<()>()));
    println!("a future that never finishes, under a 20 ms timeout: timed out = {}", slow.is_err());

    // Blocking the loop's only thread would freeze the loop: refused, not a deadlock.
    let inner = bridge.clone();
    let refused = bridge.block_on(bridge.spawn(async move {
        inner.try_block_on(async {}).is_err_and(|e| e.is_in_async_context())
    }))?;
    println!("block_on inside a task on the loop: refused = {refused}");
    Ok(())
}
