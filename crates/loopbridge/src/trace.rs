//! Optional [`tracing`](https://docs.rs/tracing) instrumentation: the only module that knows
//! whether the `tracing` feature is on.
//!
//! As in hyper's `trace.rs`, the rest of the crate calls the macros and the [`SpanContext`]
//! below unconditionally; without the feature they expand to nothing and `SpanContext` is an
//! empty type, so the instrumentation costs nothing and no call site carries a `#[cfg]`.
//!
//! What is instrumented, at `DEBUG` level under the `loopbridge` target:
//! - a runner's start (backend, worker threads, thread name) and its shutdown with the report;
//! - the global runner's start, and its replacement in a child process after `fork()`;
//! - the start of the compat runtime (`loopbridge::compat`).
//!
//! And `to_thread` jobs and `ThreadBound` calls run inside the caller's current span, under the
//! caller's subscriber, like a future wrapped in `Instrument` and `WithSubscriber`.

// Each macro is used somewhere in some feature combination (the compat runtime's start only
// with `tokio`).
#![allow(unused_macros, reason = "which macros are used depends on the backend features")]

/// A `DEBUG` event of the `loopbridge` target; nothing without the `tracing` feature.
macro_rules! debug {
    ($($arg:tt)+) => {
        #[cfg(feature = "tracing")]
        {
            ::tracing::debug!(target: "loopbridge", $($arg)+);
        }
    };
}

/// The caller's current span and subscriber, captured on one thread to run a closure inside
/// them on another: a `to_thread` job or a `ThreadBound` call then belongs to the request, the
/// task or the operation that made it.
///
/// Without the `tracing` feature it is an empty type and [`in_scope`](Self::in_scope) just
/// calls the closure.
#[must_use = "capture the context where the work is submitted, and run the work in it"]
pub(crate) struct SpanContext {
    #[cfg(feature = "tracing")]
    dispatch: tracing::Dispatch,
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

impl SpanContext {
    /// Captures the calling thread's current span and default subscriber.
    #[inline]
    pub(crate) fn capture() -> Self {
        SpanContext {
            #[cfg(feature = "tracing")]
            dispatch: tracing::dispatcher::get_default(tracing::Dispatch::clone),
            #[cfg(feature = "tracing")]
            span: tracing::Span::current(),
        }
    }

    /// Runs `f` with the captured subscriber as this thread's default and the captured span
    /// entered; both are restored when `f` returns or unwinds.
    #[inline]
    pub(crate) fn in_scope<R>(self, f: impl FnOnce() -> R) -> R {
        #[cfg(feature = "tracing")]
        {
            let SpanContext { dispatch, span } = self;
            tracing::dispatcher::with_default(&dispatch, || span.in_scope(f))
        }
        #[cfg(not(feature = "tracing"))]
        {
            f()
        }
    }
}
