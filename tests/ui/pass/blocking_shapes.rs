//! Every shape of `async fn` a blocking twin must handle, each twin called from sync code.

use std::fmt::Display;
use std::str::FromStr;

#[loopbridge::blocking]
async fn borrowed<'a>(text: &'a str, (a, b): (u32, u32), mut extra: Vec<u32>) -> (&'a str, u32) {
    extra.push(a + b);
    loopbridge::yield_now().await;
    (text, extra.iter().sum())
}

/// Documented, generic, with a `where` clause.
#[loopbridge::blocking]
pub(crate) async fn generic_where<T>(value: T) -> String
where
    T: Display,
{
    value.to_string()
}

#[loopbridge::blocking]
async fn impl_trait(items: impl IntoIterator<Item = u32>) -> u32 {
    items.into_iter().sum()
}

#[loopbridge::blocking]
async fn repeat<const N: usize>(byte: u8) -> [u8; N] {
    [byte; N]
}

#[derive(Debug, PartialEq)]
struct ParseError(String);

#[derive(Default)]
struct Store {
    values: Vec<(String, String)>,
}

#[loopbridge::blocking]
impl Store {
    async fn new() -> Self {
        Store::default()
    }

    async fn get<T: FromStr>(&self, key: &str) -> Result<T, ParseError> {
        let found = self.values.iter().find(|(k, _)| k == key);
        let (_, text) = found.ok_or_else(|| ParseError(format!("no {key}")))?;
        text.parse().map_err(|_| ParseError(format!("bad {key}")))
    }

    async fn set(&mut self, key: &str, value: impl ToString) {
        self.values.push((key.to_owned(), value.to_string()));
    }

    async fn first(&self) -> Option<&str> {
        self.values.first().map(|(k, _)| k.as_str())
    }

    async fn boxed_len(self: Box<Self>) -> usize {
        self.values.len()
    }

    #[loopbridge::blocking(name = "count_now")]
    async fn into_count(mut self) -> usize {
        self.values.dedup();
        self.values.len()
    }

    #[loopbridge::blocking(skip)]
    async fn only_async(&self) {}

    const fn not_async() -> u32 {
        7
    }
}

trait Source {
    type Item;
    async fn next(&mut self) -> Option<Self::Item>;
}

#[loopbridge::blocking(suffix = "_sync")]
impl Source for Store {
    type Item = String;

    async fn next(&mut self) -> Option<Self::Item> {
        self.values.pop().map(|(key, _)| key)
    }
}

struct Counter(u32);

impl Counter {
    #[loopbridge::blocking]
    async fn bump(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }
}

fn main() {
    assert_eq!(borrowed_blocking("text", (1, 2), vec![4]), ("text", 7));
    assert_eq!(generic_where_blocking(4.5), "4.5");
    assert_eq!(impl_trait_blocking([1, 2, 3]), 6);
    assert_eq!(repeat_blocking::<3>(9), [9, 9, 9]);

    let mut store = Store::new_blocking();
    store.set_blocking("port", 8080);
    store.set_blocking("name", "db");
    assert_eq!(store.get_blocking::<u16>("port"), Ok(8080));
    assert_eq!(store.get_blocking::<u16>("name"), Err(ParseError("bad name".into())));
    assert_eq!(store.first_blocking(), Some("port"));
    assert_eq!(Store::not_async(), 7);
    assert_eq!(store.next_sync(), Some("name".to_owned()));
    assert_eq!(Box::new(Store::new_blocking()).boxed_len_blocking(), 0);
    assert_eq!(store.count_now(), 1);

    let mut counter = Counter(0);
    assert_eq!(counter.bump_blocking(), 1);
    assert_eq!(counter.bump_blocking(), 2);
}
