//! Runtime-independent waiting, from [`loopbridge_core::park`]: `ThreadBound::call_blocking`
//! waits with it, because it works whatever the runtime is doing.

pub(crate) use loopbridge_core::park::wait;
