//! tinykv: a tiny key-value store, and loopbridge's example of a library written once.
//!
//! Its API is async and uses only loopbridge (`sleep`, `timeout`, `spawn`, `to_thread`), so it
//! runs on whichever runtime the application uses — tokio, smol or async-std — chosen by the
//! application through this crate's features, which it forwards to loopbridge.
//! `#[loopbridge::blocking]` gives every async method a blocking twin, `NAME_blocking`, for
//! sync callers; the tests (`tests/api.rs`) are written once with `#[loopbridge::test]` and run
//! on every runtime flavour compiled in.
//!
//! ```
//! use tinykv::Store;
//!
//! // Sync code: the blocking twins.
//! let store = Store::in_memory();
//! store.set_blocking("workers", 8)?;
//! let workers: u32 = store.get_blocking("workers")?;
//! assert_eq!(workers, 8);
//!
//! // Async code, on any runtime: the same API, awaited.
//! let name = loopbridge::block_on(async {
//!     store.set("name", "db-1").await?;
//!     store.get::<String>("name").await
//! })?;
//! assert_eq!(name, "db-1");
//! # Ok::<(), tinykv::Error>(())
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How often [`Store::wait_for`] looks again.
const POLL: Duration = Duration::from_millis(2);

/// A key-value store kept in memory and saved to a file by [`flush`](Store::flush). Clones
/// share the same data.
///
/// Every operation of a handle waits for its latency first (zero unless
/// [`with_latency`](Store::with_latency) says otherwise): a stand-in for a remote store's
/// network round trip, which [`get_many`](Store::get_many) pays only once.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use tinykv::Store;
///
/// let store = Store::in_memory().with_latency(Duration::from_millis(1));
/// store.set_blocking("port", 8080)?;
/// assert_eq!(store.get_blocking::<u16>("port")?, 8080);
/// assert!(store.get_blocking::<bool>("port").is_err()); // not a bool
/// # Ok::<(), tinykv::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Store {
    shared: Arc<Shared>,
    latency: Duration,
}

#[derive(Debug)]
struct Shared {
    path: Option<PathBuf>,
    data: Mutex<HashMap<String, String>>,
}

impl Store {
    /// A store that lives in memory only; [`flush`](Store::flush) saves nothing.
    pub fn in_memory() -> Store {
        Store::with(None, HashMap::new())
    }

    /// This handle, with every operation first waiting `latency`.
    #[must_use]
    pub fn with_latency(self, latency: Duration) -> Store {
        Store { latency, ..self }
    }

    fn with(path: Option<PathBuf>, data: HashMap<String, String>) -> Store {
        let shared = Arc::new(Shared { path, data: Mutex::new(data) });
        Store { shared, latency: Duration::ZERO }
    }

    /// The data. A panic while it was held cannot leave it half-written (every change is one
    /// `insert`), so a poisoned lock is still good.
    fn lock(&self) -> MutexGuard<'_, HashMap<String, String>> {
        self.shared.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The simulated round trip.
    async fn round_trip(&self) {
        loopbridge::sleep(self.latency).await;
    }
}

#[loopbridge::blocking]
impl Store {
    /// Opens the store saved at `path`, or an empty one if there is no such file. The file is
    /// read on a blocking thread (`loopbridge::to_thread`), off the executor.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file exists but cannot be read, or is not a store.
    pub async fn open(path: impl Into<PathBuf>) -> Result<Store, Error> {
        let path = path.into();
        let file = path.clone();
        let text = loopbridge::to_thread(move || match std::fs::read_to_string(file) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            other => other,
        })
        .await??;
        let mut data = HashMap::new();
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                let what = format!("`{}` is not a store: bad line `{line}`", path.display());
                return Err(Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, what)));
            };
            data.insert(key.to_owned(), value.to_owned());
        }
        Ok(Store::with(Some(path), data))
    }

    /// Stores `value` under `key`, replacing what was there.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] if the key contains `=` or a line break, or the value a line break.
    pub async fn set(&self, key: impl Into<String>, value: impl ToString) -> Result<(), Error> {
        let (key, value) = (key.into(), value.to_string());
        if key.contains(['=', '\n']) || value.contains('\n') {
            return Err(Error::Invalid { key });
        }
        self.round_trip().await;
        self.lock().insert(key, value);
        Ok(())
    }

    /// Reads the value under `key` as a `T`.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if there is no such key, [`Error::Parse`] if the value is not a `T`.
    pub async fn get<T>(&self, key: &str) -> Result<T, Error>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        self.round_trip().await;
        let value = self.lock().get(key).cloned();
        let value = value.ok_or_else(|| Error::NotFound { key: key.to_owned() })?;
        value.parse().map_err(|err: T::Err| Error::Parse {
            key: key.to_owned(),
            value,
            reason: err.to_string(),
        })
    }

    /// Reads many keys concurrently, one task each (`loopbridge::spawn`), so the latency is
    /// paid once, not once per key. The results are in the order of `keys`.
    pub async fn get_many<T>(&self, keys: &[&str]) -> Vec<Result<T, Error>>
    where
        T: FromStr + Send + 'static,
        T::Err: fmt::Display,
    {
        let tasks: Vec<_> = keys
            .iter()
            .map(|key| {
                let (store, key) = (self.clone(), (*key).to_owned());
                loopbridge::spawn(async move { store.get::<T>(&key).await })
            })
            .collect();
        let mut results = Vec::with_capacity(tasks.len());
        for task in tasks {
            results.push(task.await.unwrap_or_else(|err| Err(Error::Task(err))));
        }
        results
    }

    /// Waits until `key` has a value and returns it, for at most `within`.
    ///
    /// # Errors
    ///
    /// [`Error::TimedOut`] if no value arrived in time.
    pub async fn wait_for(&self, key: &str, within: Duration) -> Result<String, Error> {
        let poll = async {
            loop {
                if let Ok(value) = self.get::<String>(key).await {
                    return value;
                }
                loopbridge::sleep(POLL).await;
            }
        };
        loopbridge::timeout(within, poll)
            .await
            .map_err(|_| Error::TimedOut { key: key.to_owned(), after: within })
    }

    /// Saves the store to its file, keys in order, and returns how many it wrote; an in-memory
    /// store saves nothing. The file is written on a blocking thread, then renamed into
    /// place, so a crash never leaves half a file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be written.
    pub async fn flush(&self) -> Result<usize, Error> {
        let Some(path) = self.shared.path.clone() else {
            return Ok(0);
        };
        let sorted: BTreeMap<String, String> =
            self.lock().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        loopbridge::to_thread(move || {
            let text: String = sorted.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            let partial = path.with_extension("partial");
            std::fs::write(&partial, text)?;
            std::fs::rename(&partial, &path)?;
            Ok(sorted.len())
        })
        .await?
    }
}

/// What can go wrong in a [`Store`].
///
/// # Examples
///
/// ```
/// use tinykv::{Error, Store};
///
/// let store = Store::in_memory();
/// let err = store.get_blocking::<u8>("missing").unwrap_err();
/// assert!(matches!(err, Error::NotFound { .. }));
/// assert_eq!(err.to_string(), "no value under `missing`");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// There is no value under the key.
    NotFound {
        /// The key.
        key: String,
    },
    /// The value under the key is not of the type asked for.
    Parse {
        /// The key.
        key: String,
        /// The value found.
        value: String,
        /// Why it did not parse.
        reason: String,
    },
    /// A key with `=` or a line break, or a value with a line break.
    Invalid {
        /// The key.
        key: String,
    },
    /// No value arrived in time.
    TimedOut {
        /// The key.
        key: String,
        /// How long it waited.
        after: Duration,
    },
    /// Reading or writing the store's file failed.
    Io(std::io::Error),
    /// A task of the store panicked or was cancelled.
    Task(loopbridge::JoinError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound { key } => write!(f, "no value under `{key}`"),
            Error::Parse { key, value, reason } => {
                write!(f, "the value `{value}` under `{key}` does not parse: {reason}")
            }
            Error::Invalid { key } => {
                write!(
                    f,
                    "cannot store under `{key}`: keys hold no `=` or line break, values no line break"
                )
            }
            Error::TimedOut { key, after } => write!(f, "no value under `{key}` within {after:?}"),
            Error::Io(err) => write!(f, "store file: {err}"),
            Error::Task(err) => write!(f, "store task: {err}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(err) => Some(err),
            Error::Task(err) => Some(err),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::Io(err)
    }
}

impl From<loopbridge::JoinError> for Error {
    fn from(err: loopbridge::JoinError) -> Self {
        Error::Task(err)
    }
}
