//! Which backend serves operations made outside any runtime (DESIGN.md §3, steps 2 and 3).
//!
//! The choice is made once, when the global runner first starts: the application's explicit
//! [`set_default_backend`], else the `LOOPBRIDGE_BACKEND` environment variable, else the first
//! compiled-in backend in the order tokio, smol, async-std.

use std::sync::{Mutex, PoisonError};

use loopbridge_core::{BackendKind, Error};

use crate::select::COMPILED_IN;

/// The environment variable that names the default backend.
pub(crate) const ENV_VAR: &str = "LOOPBRIDGE_BACKEND";

struct Choice {
    explicit: Option<BackendKind>,
    /// Set when the global runner starts; from then on the choice is fixed.
    made: Option<BackendKind>,
}

static CHOICE: Mutex<Choice> = Mutex::new(Choice { explicit: None, made: None });

/// Makes `kind` the backend of the global runner, which serves operations made outside any
/// runtime. Operations inside a runtime always use that (ambient) runtime.
///
/// Overrides the `LOOPBRIDGE_BACKEND` environment variable. Call it at the start of `main`.
///
/// # Errors
///
/// - [`Error::is_not_compiled_in`]: the backend's cargo feature is not enabled;
/// - [`Error::is_too_late`]: the global runner has already started.
///
/// # Examples
///
/// ```
/// use loopbridge::BackendKind;
///
/// loopbridge::set_default_backend(BackendKind::Tokio)?;
/// assert_eq!(loopbridge::Bridge::global().kind(), BackendKind::Tokio);
/// // Too late now: the global runner is running.
/// assert!(loopbridge::set_default_backend(BackendKind::Tokio).unwrap_err().is_too_late());
/// # Ok::<(), loopbridge::Error>(())
/// ```
pub fn set_default_backend(kind: BackendKind) -> Result<(), Error> {
    if !COMPILED_IN.contains(&kind) {
        return Err(Error::not_compiled_in(kind));
    }
    let mut choice = CHOICE.lock().unwrap_or_else(PoisonError::into_inner);
    if choice.made.is_some() {
        return Err(Error::too_late("set_default_backend"));
    }
    choice.explicit = Some(kind);
    Ok(())
}

/// Fixes and returns the backend of the global runner.
///
/// # Panics
///
/// If no backend is compiled in, or `LOOPBRIDGE_BACKEND` names one that is unknown or not
/// compiled in: the application asked for something this build cannot do.
#[track_caller]
pub(crate) fn choose() -> BackendKind {
    let mut choice = CHOICE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(kind) = choice.made {
        return kind;
    }
    let kind = choice.explicit.unwrap_or_else(from_env_or_priority);
    choice.made = Some(kind);
    kind
}

#[track_caller]
fn from_env_or_priority() -> BackendKind {
    if let Some(value) = std::env::var_os(ENV_VAR) {
        let value = value.to_string_lossy();
        match value.parse::<BackendKind>() {
            Ok(kind) if COMPILED_IN.contains(&kind) => return kind,
            Ok(kind) => panic!("{ENV_VAR}={value}: {}", Error::not_compiled_in(kind)),
            Err(err) => panic!("{ENV_VAR}={value}: {err}"),
        }
    }
    match COMPILED_IN.first() {
        Some(kind) => *kind,
        None => panic!(
            "loopbridge was built without a runtime backend, so it cannot run anything: enable \
             one of the cargo features `tokio`, `smol` or `async-std` of the `loopbridge` crate \
             (e.g. `loopbridge = {{ version = \"0.1\", features = [\"tokio\"] }}`)"
        ),
    }
}
