//! The connection pool behind [`Client`](crate::Client).
//!
//! 1. At most `pool_size` connections are out at once: a fair semaphore (async-lock's, which
//!    works on every runtime) hands out permits, and a caller beyond the limit waits for one.
//! 2. Idle connections wait in a `Mutex<Vec<_>>`, the most recently used on top. The lock is
//!    held for a `push` or a `pop`, never across an `.await`.
//! 3. A connection goes back to the pool only if its last command completed: one that saw an
//!    I/O error, a timeout, a malformed reply or a cancelled call is dropped, and the next
//!    caller connects afresh — so the pool recovers from any failure by itself.
//! 4. An idle connection is checked before reuse ([`Connection::check_idle`]): one the server
//!    closed while it waited is dropped instead of failing the next command.

use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, PoisonError};

use async_lock::{Semaphore, SemaphoreGuard};

use crate::config::Config;
use crate::connection::Connection;
use crate::error::Error;

/// Connections to one server, at most `config.pool_size()` at once.
#[derive(Debug)]
pub(crate) struct Pool {
    config: Config,
    permits: Semaphore,
    idle: Mutex<Vec<Connection>>,
}

impl Pool {
    pub(crate) fn new(config: Config) -> Pool {
        let permits = Semaphore::new(config.get_pool_size());
        Pool { config, permits, idle: Mutex::new(Vec::new()) }
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// A connection for one command or pipeline: an idle one that is still open, else a new
    /// one. Waits while `pool_size` connections are out.
    pub(crate) async fn get(&self) -> Result<Pooled<'_>, Error> {
        let permit = self.permits.acquire().await;
        while let Some(mut conn) = self.pop_idle() {
            if conn.check_idle().await {
                return Ok(Pooled { pool: self, conn: Some(conn), _permit: permit });
            }
        }
        let conn = Connection::connect(&self.config).await?;
        Ok(Pooled { pool: self, conn: Some(conn), _permit: permit })
    }

    /// How many connections are idle in the pool now.
    pub(crate) fn idle_count(&self) -> usize {
        self.idle_list().len()
    }

    fn pop_idle(&self) -> Option<Connection> {
        self.idle_list().pop()
    }

    /// The idle list. A panic while it was locked cannot leave it half-changed (every change
    /// is one `push` or `pop`), so a poisoned lock is still good.
    fn idle_list(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A connection taken from the pool; dropped, it goes back unless it is broken, and then its
/// permit is released (fields drop after `drop` runs).
#[derive(Debug)]
pub(crate) struct Pooled<'a> {
    pool: &'a Pool,
    conn: Option<Connection>,
    _permit: SemaphoreGuard<'a>,
}

impl Deref for Pooled<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        // `conn` is `Some` until `drop`: it is taken there only.
        self.conn.as_ref().unwrap_or_else(|| unreachable!("a pooled connection is kept until drop"))
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().unwrap_or_else(|| unreachable!("a pooled connection is kept until drop"))
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if !conn.is_broken() {
                self.pool.idle_list().push(conn);
            }
        }
    }
}
