//! Runtime-independent waiting, from [`loopbridge_core::park`]: the test watchdog and
//! `ThreadBound::call_blocking` wait with it, because it works whatever the runtime is doing.

pub(crate) use loopbridge_core::park::wait;
