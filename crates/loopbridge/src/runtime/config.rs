//! Which backend a runner gets when none is named (docs/semantics.md, "Detection", steps 2 and 3): the
//! application's explicit [`set_default_backend`](crate::set_default_backend), else the
//! `LOOPBRIDGE_BACKEND` environment variable, else the first compiled-in backend in the order
//! tokio, smol, async-std.

use loopbridge_core::{BackendKind, Error};

use crate::backends::COMPILED_IN;

/// The environment variable that names the default backend.
pub(crate) const ENV_VAR: &str = "LOOPBRIDGE_BACKEND";

/// The backend to use given the application's explicit choice, if any.
///
/// # Errors
///
/// No backend compiled in; or `LOOPBRIDGE_BACKEND` names one that is unknown or not compiled in
/// — an explicit choice this build cannot honour, which must not be silently replaced.
pub(crate) fn preferred(explicit: Option<BackendKind>) -> Result<BackendKind, Error> {
    if let Some(kind) = explicit {
        return Ok(kind);
    }
    if let Some(value) = std::env::var_os(ENV_VAR) {
        let kind = value.to_string_lossy().parse::<BackendKind>()?;
        return if COMPILED_IN.contains(&kind) {
            Ok(kind)
        } else {
            Err(Error::not_compiled_in(kind))
        };
    }
    COMPILED_IN.first().copied().ok_or_else(Error::no_backend)
}
