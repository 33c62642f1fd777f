//! The conformance suite: loopbridge's semantics, written once, run on every runtime flavour.
//!
//! Each `#[loopbridge::test]` expands to one `#[test]` per compiled-in flavour
//! (`tokio_multi_thread`, `tokio_current_thread`, `smol`, `async_std`), each on a fresh runtime,
//! the body in that runtime's `block_on` (not in a task: tests about tasks spawn one), and
//! under a watchdog, so a hang fails instead of stalling the run. Tests that drive a runner
//! from sync code use the suite's `runner_test!`, which does the same on a plain thread. This
//! suite is the executable specification of docs/semantics.md: where the docs and the suite
//! disagree, the suite wins.

// Built with no backend feature (the clippy powerset does that), every test expands to nothing
// and the imports its modules share go unused; there is simply nothing to run.
#![cfg_attr(
    not(any(feature = "tokio", feature = "smol", feature = "async-std")),
    allow(unused_imports, dead_code)
)]

mod abort;
mod auto_traits;
mod block_on;
mod cancellation;
mod contexts;
mod custom_backend;
mod detect;
mod global;
mod http;
mod http_client;
mod interop;
mod interval;
mod join_set;
mod local;
mod macros;
mod mock_task;
mod net_datagram_unix;
mod net_errors;
mod net_lifecycle;
mod net_tcp;
mod panics;
mod paused_time;
mod runner;
mod spawn;
mod task_group;
mod task_ids;
mod thread_bound;
mod time;
mod time_api;
#[cfg(feature = "tokio")]
mod time_tokio_paused;
mod to_thread;
mod tokio_time_interval;
mod tokio_time_pause;
mod tokio_time_sleep;
mod tokio_time_timeout;
#[cfg(feature = "tracing")]
mod trace;
