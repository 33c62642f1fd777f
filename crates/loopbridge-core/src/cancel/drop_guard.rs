//! [`DropGuard`]: cancels its token when dropped.

use super::CancellationToken;

/// Cancels its token when dropped, unless [disarmed](Self::disarm); from
/// [`CancellationToken::drop_guard`]. Ties a token to a scope: leaving the scope, by return,
/// `?` or panic, cancels what the token guards.
///
/// # Examples
///
/// ```
/// use loopbridge_core::cancel::CancellationToken;
///
/// let token = CancellationToken::new();
/// {
///     let _guard = token.clone().drop_guard();
/// } // dropped here
/// assert!(token.is_cancelled());
/// ```
#[derive(Debug)]
#[must_use = "the token is cancelled as soon as the guard is dropped"]
pub struct DropGuard {
    token: Option<CancellationToken>,
}

impl DropGuard {
    pub(super) fn new(token: CancellationToken) -> Self {
        DropGuard { token: Some(token) }
    }

    /// The token this guard cancels when dropped (tokio-util's name).
    ///
    /// # Examples
    ///
    /// ```
    /// let guard = loopbridge_core::cancel::CancellationToken::new().drop_guard();
    /// let child = guard.token().child_token(); // cancelled with the guard's token
    /// drop(guard);
    /// assert!(child.is_cancelled());
    /// ```
    pub fn token(&self) -> &CancellationToken {
        match &self.token {
            Some(token) => token,
            None => unreachable!("the token is only taken by `disarm` or `drop`"),
        }
    }

    /// Gives the token back without cancelling it.
    ///
    /// # Examples
    ///
    /// ```
    /// let token = loopbridge_core::cancel::CancellationToken::new();
    /// let token = token.drop_guard().disarm();
    /// assert!(!token.is_cancelled());
    /// ```
    pub fn disarm(mut self) -> CancellationToken {
        match self.token.take() {
            Some(token) => token,
            None => unreachable!("the token is only taken by `disarm` or `drop`"),
        }
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            token.cancel();
        }
    }
}
