//! [`DropGuardRef`]: cancels the token it borrows when dropped.

use super::CancellationToken;

/// Cancels the token it borrows when dropped, unless [disarmed](Self::disarm); from
/// [`CancellationToken::drop_guard_ref`]. The borrowing [`DropGuard`](super::DropGuard): ties
/// a token to a scope without cloning it, while the token stays usable through
/// [`token`](Self::token) or the original reference.
///
/// # Examples
///
/// ```
/// use loopbridge_core::cancel::CancellationToken;
///
/// let token = CancellationToken::new();
/// let result: Result<(), &str> = (|| {
///     let _guard = token.drop_guard_ref();
///     Err("failed")?; // leaving the scope early cancels
///     Ok(())
/// })();
/// assert!(result.is_err() && token.is_cancelled());
/// ```
#[derive(Debug)]
#[must_use = "the token is cancelled as soon as the guard is dropped"]
pub struct DropGuardRef<'a> {
    token: &'a CancellationToken,
    /// Cleared by `disarm`: a shared reference can be handed back and still be used by `drop`,
    /// so a flag is all it takes, with no `Option` to unwrap.
    armed: bool,
}

impl<'a> DropGuardRef<'a> {
    pub(super) fn new(token: &'a CancellationToken) -> Self {
        DropGuardRef { token, armed: true }
    }

    /// The token this guard cancels when dropped (tokio-util's name).
    ///
    /// # Examples
    ///
    /// ```
    /// let token = loopbridge_core::cancel::CancellationToken::new();
    /// let guard = token.drop_guard_ref();
    /// assert!(!guard.token().is_cancelled());
    /// ```
    pub fn token(&self) -> &CancellationToken {
        self.token
    }

    /// Gives the reference back without cancelling the token.
    ///
    /// # Examples
    ///
    /// ```
    /// let token = loopbridge_core::cancel::CancellationToken::new();
    /// let same = token.drop_guard_ref().disarm();
    /// assert!(!same.is_cancelled() && !token.is_cancelled());
    /// ```
    pub fn disarm(mut self) -> &'a CancellationToken {
        self.armed = false;
        self.token
    }
}

impl Drop for DropGuardRef<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.token.cancel();
        }
    }
}
