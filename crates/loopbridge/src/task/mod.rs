//! Tasks: spawning futures and blocking closures, joining them, and scopes that join them for
//! you — tokio's `tokio::task`, on whichever runtime is current.
//!
//! Every [`JoinHandle`] has the same semantics on every backend: a task runs even if its
//! handle is dropped, [`JoinHandle::abort`] cancels at the next `.await`, and a panic comes
//! back as a [`JoinError`] with its payload. A [`JoinSet`] joins many in the order they end; a
//! [`task_group`] is a scope that nothing started in it outlives. Each name is also at the
//! crate root.
//!
//! # Examples
//!
//! ```
//! use loopbridge::task::{JoinSet, spawn, to_thread};
//!
//! let total = loopbridge::block_on(async {
//!     let mut set = JoinSet::new();
//!     for n in 1..=3 {
//!         set.spawn(async move { n * 10 });
//!     }
//!     let mut total = to_thread(|| 4).await.unwrap() + spawn(async { 2 }).await.unwrap();
//!     while let Some(result) = set.join_next().await {
//!         total += result.unwrap();
//!     }
//!     total
//! });
//! assert_eq!(total, 66);
//! ```

mod join_set;
mod local;
mod spawn;
mod task_group;

pub use join_set::JoinSet;
pub use local::{spawn_local, try_spawn_local};
pub use loopbridge_core::task::{AbortHandle, Id, id, try_id};
pub use loopbridge_core::{JoinError, JoinHandle, SpawnLocalError};
pub use spawn::{spawn, to_thread};
pub use task_group::{TaskGroup, task_group, task_group_with_timeout};
