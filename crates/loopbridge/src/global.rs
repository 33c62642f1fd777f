//! The global runner: one lazily started runtime of the chosen backend that serves every
//! operation made outside any runtime.
//!
//! It starts on first use, exactly once even under contention (`OnceLock`), with threads named
//! `loopbridge-<backend>-<n>`, and lives for the rest of the process.

use std::sync::OnceLock;

use loopbridge_core::RunnerConfig;

use crate::config;
use crate::select::{self, AnyBackend, OwnedRuntime};

struct Global {
    backend: AnyBackend,
    // Kept so its threads are owned; the global runner is never stopped yet.
    _runtime: OwnedRuntime,
}

static GLOBAL: OnceLock<Global> = OnceLock::new();

/// The global runner's backend, started on first use.
///
/// # Panics
///
/// If no backend is compiled in (see [`config::choose`]) or its threads cannot start.
#[track_caller]
pub(crate) fn backend() -> &'static AnyBackend {
    &GLOBAL
        .get_or_init(|| {
            let kind = config::choose();
            let settings = RunnerConfig::default().with_thread_name(format!("loopbridge-{kind}"));
            match select::start(kind, &settings) {
                Ok((backend, runtime)) => Global { backend, _runtime: runtime },
                Err(err) => panic!("loopbridge could not start its global {kind} runner: {err}"),
            }
        })
        .backend
}
