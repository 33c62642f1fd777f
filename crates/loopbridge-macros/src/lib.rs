//! The attributes of [loopbridge](https://docs.rs/loopbridge): `#[loopbridge::blocking]` gives an
//! `async fn` a blocking twin, and `#[loopbridge::test]` runs an async test on every backend
//! flavour. Use them through the `loopbridge` crate (its default `macros` feature), not
//! through this crate.
//!
//! Each attribute is parsed (`args` modules) and then expanded (`expand` modules), as in
//! `tracing-attributes`. A mistake is a `syn::Error` spanned at the problem, and the item is
//! still emitted as written so that the rest of the crate resolves. Every path the expansions
//! use goes through `::loopbridge::__private` (or the `crate = "..."` option's path), so that
//! the facade alone decides what the generated code calls and which backends exist.

// The `# Errors` and `# Panics` sections clippy can tell are due. Set here, in each published
// crate, not in the workspace lints, which also cover tests and benches (their helpers are
// not API).
#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]

use proc_macro::TokenStream;

mod blocking;
mod options;
mod test;

#[cfg(test)]
mod snapshots;

/// Keeps an `async fn` and adds a blocking twin, `NAME_blocking`, for sync callers.
///
/// The twin has the same generics, arguments, return type, `where` clause, visibility and
/// docs (plus a paragraph saying that it blocks, and a `# Panics` section); it runs the async
/// fn to completion on the calling thread with [`loopbridge::block_on`], so the same rules
/// apply: from sync code (a `main`, a `to_thread` job, a thread of your own) it works, with the
/// global runner's runtime or the ambient one; where blocking the thread could deadlock (on a
/// single-thread executor, for instance) it panics at once with a message saying to `.await`
/// instead.
///
/// [`loopbridge::block_on`]: https://docs.rs/loopbridge/latest/loopbridge/fn.block_on.html
///
/// # Examples
///
/// ```
/// # extern crate lb as loopbridge;
/// use std::time::Duration;
///
/// /// Fetches the temperature of `city`, in °C.
/// #[loopbridge::blocking]
/// pub async fn temperature(city: &str) -> Result<i32, String> {
///     loopbridge::sleep(Duration::from_millis(1)).await; // the network, say
///     match city {
///         "Oslo" => Ok(4),
///         _ => Err(format!("no station in {city}")),
///     }
/// }
///
/// fn main() {
///     // From plain sync code:
///     assert_eq!(temperature_blocking("Oslo"), Ok(4));
///     // The async fn is unchanged:
///     assert!(loopbridge::block_on(temperature("Atlantis")).is_err());
/// }
/// ```
///
/// # On an `impl` block
///
/// On an `impl` block, every `async fn` in it gets a twin. Methods with `&self`, `&mut self`,
/// `self`, lifetimes, generics (also those no argument mentions, passed on explicitly) and
/// `impl Trait` arguments all work. A method can opt out with `#[loopbridge::blocking(skip)]`,
/// or pick its twin's name with `#[loopbridge::blocking(name = "...")]`.
///
/// ```
/// # extern crate lb as loopbridge;
/// use std::collections::HashMap;
/// use std::str::FromStr;
///
/// #[derive(Default)]
/// pub struct Settings {
///     values: HashMap<String, String>,
/// }
///
/// #[loopbridge::blocking]
/// impl Settings {
///     pub async fn set(&mut self, key: impl Into<String>, value: impl ToString) {
///         self.values.insert(key.into(), value.to_string());
///     }
///
///     /// Parses the value of `key` as a `T`.
///     pub async fn get<T: FromStr>(&self, key: &str) -> Result<T, String> {
///         let text = self.values.get(key).ok_or_else(|| format!("no `{key}`"))?;
///         text.parse().map_err(|_| format!("`{key}` is not a {}", std::any::type_name::<T>()))
///     }
///
///     #[loopbridge::blocking(name = "count_now")]
///     pub async fn count(&self) -> usize {
///         self.values.len()
///     }
///
///     #[loopbridge::blocking(skip)]
///     pub async fn only_async(self) {}
/// }
///
/// fn main() {
///     let mut settings = Settings::default();
///     settings.set_blocking("workers", 4);
///     assert_eq!(settings.get_blocking::<u32>("workers"), Ok(4));
///     assert!(settings.get_blocking::<bool>("workers").is_err());
///     assert_eq!(settings.count_now(), 1);
/// }
/// ```
///
/// On `impl Trait for Type` (the trait may have `async fn`s), the twins go to an inherent
/// `impl Type` block the attribute adds after it, as `pub` methods that call
/// `<Self as Trait>::NAME`. A trait *definition* cannot carry the attribute: its methods may
/// have no body, and a provided twin could be overridden.
///
/// # Options
///
/// - `suffix = "_sync"`: the twin's name is the async fn's name and this suffix (default
///   `"_blocking"`); on a function, an `impl` block or a method in one.
/// - `name = "fetch_now"`: the twin's whole name; on a function or a method.
/// - `skip`: no twin for this method of an annotated `impl` block.
/// - `crate = "path"`: where loopbridge is, when it is not `::loopbridge`: a renamed
///   dependency (`crate = "lb"`) or a library that re-exports it
///   (`crate = "my_lib::__loopbridge"`). The macro itself is then used through that path too.
///
/// # What it does not do
///
/// - On a method of an impl block that is not itself annotated, only a `self` receiver tells
///   a method from a free function: put the attribute on the impl block for an associated
///   function without `self`, and always for the methods of a trait impl (a trait impl block
///   cannot hold the twin).
/// - The twin copies the async fn's `doc`, `cfg`, lint-level (`expect` becomes `allow`),
///   `deprecated` and `must_use` attributes and no others: another attribute may be a macro
///   meant for the async fn only, such as `#[tracing::instrument]`.
#[proc_macro_attribute]
pub fn blocking(args: TokenStream, item: TokenStream) -> TokenStream {
    blocking::expand(args.into(), item.into()).into()
}

/// Runs an `async fn` test on every backend flavour compiled into loopbridge: one `#[test]`
/// per flavour, each on a fresh runtime of its own.
///
/// On `async fn spawned_tasks_run` (the first example below), it keeps the `async fn` and adds
/// a module of the same name with the tests `spawned_tasks_run::tokio_multi_thread`,
/// `::tokio_current_thread` (with the `tokio` feature), `::smol` (with `smol`) and
/// `::async_std` (with `async-std`); like a `#[test]`, both exist in test builds only. Which
/// backends exist is decided by loopbridge's cargo features, not by your crate's: a library
/// that forwards its `smol` feature to `loopbridge/smol` gets the `smol` tests exactly when it
/// is built with it.
///
/// Each test starts a fresh runtime of its flavour (tokio multi-thread and smol with 2
/// workers, tokio current-thread, async-std's global runtime) and, as `#[tokio::test]` does,
/// runs the body through that runtime's `block_on` — on a thread of its own, named like the
/// test, while the test's thread keeps a watchdog: a body still running after the timeout (60
/// seconds unless `timeout` says otherwise) fails the test instead of hanging the run, even
/// one stuck in a blocking call. The body's future need not be `Send`, and it may use
/// `loopbridge::spawn_local` on every flavour. Spawned tasks run on the runtime's workers; to
/// test something *inside a task*, spawn one.
///
/// The function may take one argument, the flavour it runs on, and may return a `Result`
/// (anything [`Termination`](std::process::Termination)). `#[should_panic]` and `#[ignore]`
/// apply to every flavour's test; a `#[cfg]` applies to the module too.
///
/// # Examples
///
/// ```
/// # extern crate lb as loopbridge;
/// # fn main() {}
/// #[loopbridge::test]
/// async fn spawned_tasks_run() {
///     assert_eq!(loopbridge::spawn(async { 6 * 7 }).await.unwrap(), 42);
/// }
/// ```
///
/// The options, a flavour argument, a `Result`, an expected panic, and a `!Send` body:
///
/// ```
/// # extern crate lb as loopbridge;
/// # fn main() {}
/// use loopbridge::Flavor;
///
/// #[loopbridge::test(backends(tokio, smol), timeout = "5s")]
/// async fn reads_its_own_flavor(flavor: Flavor) -> Result<(), loopbridge::JoinError> {
///     let kind = loopbridge::spawn(async { loopbridge::current() }).await?;
///     assert_eq!(kind, Some(flavor.kind()));
///     Ok(())
/// }
///
/// #[loopbridge::test]
/// #[should_panic(expected = "boom")]
/// async fn panics_reach_the_test() {
///     panic!("boom");
/// }
///
/// #[loopbridge::test]
/// async fn bodies_may_hold_rc_and_spawn_local_tasks() {
///     let shared = std::rc::Rc::new(std::cell::Cell::new(1));
///     let task = loopbridge::spawn_local({
///         let shared = shared.clone();
///         async move { shared.set(2) }
///     });
///     task.await.unwrap();
///     assert_eq!(shared.get(), 2);
/// }
/// ```
///
/// # Options
///
/// - `backends(...)`: only these, among `tokio`, `smol`, `async_std` and the single flavours
///   `tokio_multi_thread` and `tokio_current_thread`. A listed backend that is not compiled in
///   simply has no test.
/// - `timeout = "5s"`: the watchdog, as a whole number with `ms`, `s` or `min` (or `m`).
/// - `start_paused = true`: each flavour's runtime starts with its clock paused — time jumps to
///   the next timer whenever the runtime has no work (`loopbridge::time::pause`), on every
///   flavour. The watchdog stays on the wall clock.
/// - `crate = "path"`: where loopbridge is, when it is not `::loopbridge` (see
///   [`blocking`](macro@blocking)).
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    test::expand(args.into(), item.into()).into()
}
