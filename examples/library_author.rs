//! An application using the `tinykv` library (`examples/library_author/`) from plain sync
//! code: the library is written once as async code, and `#[loopbridge::blocking]` gave each
//! async method a blocking twin.
//!
//! ```text
//! cargo run --example library_author                                  # tokio (the default)
//! cargo run --example library_author --no-default-features --features smol
//! ```
//!
//! The runtime is the application's choice: this package's `smol` feature turns on
//! `tinykv/smol`, which the library forwards to `loopbridge/smol`.

use std::time::{Duration, Instant};

use tinykv::{Error, Store};

fn main() -> Result<(), Error> {
    let path = std::env::temp_dir().join(format!("tinykv-example-{}.kv", std::process::id()));

    // No runtime in sight: the first twin starts loopbridge's global runner, and it stays.
    let store = Store::open_blocking(&path)?;
    store.set_blocking("workers", 8)?;
    store.set_blocking("name", "db-1")?;
    store.set_blocking("ratio", 0.75)?;
    let workers: u32 = store.get_blocking("workers")?;
    let ratio: f64 = store.get_blocking("ratio")?;
    println!("workers = {workers}, ratio = {ratio} (on {})", loopbridge::Bridge::global().kind());

    // The generic twin returns the library's `Result<T, Error>`, typed by the caller.
    match store.get_blocking::<u32>("name") {
        Err(err) => println!("as expected, `name` is no number: {err}"),
        Ok(n) => println!("surprise: `name` is {n}"),
    }

    // A slow (remote) store: the async implementation reads many keys concurrently, and the
    // twin gives sync code that speed too.
    let slow = store.clone().with_latency(Duration::from_millis(50));
    let started = Instant::now();
    let values = slow.get_many_blocking::<String>(&["workers", "name", "ratio", "missing"]);
    println!("4 reads at 50 ms each took {:?}:", started.elapsed());
    for value in &values {
        match value {
            Ok(value) => println!("  {value}"),
            Err(err) => println!("  error: {err}"),
        }
    }

    // Sync code that waits for something async code does.
    let writer = store.clone();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        writer.set_blocking("ready", "yes")
    });
    println!("ready = {}", store.wait_for_blocking("ready", Duration::from_secs(5))?);
    if let Ok(written) = writer.join() {
        written?;
    }

    let saved = store.flush_blocking()?;
    println!("saved {saved} keys to {}", path.display());
    let reopened = Store::open_blocking(&path)?;
    assert_eq!(reopened.get_blocking::<u32>("workers")?, workers);
    std::fs::remove_file(&path)?;
    Ok(())
}
