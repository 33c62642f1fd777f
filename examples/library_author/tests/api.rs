//! tinykv's tests, written once with `#[loopbridge::test]`: each runs on every runtime flavour
//! compiled in through this crate's features (`cargo test -p tinykv --all-features` runs each
//! on tokio multi-thread, tokio current-thread, smol and async-std). `cargo xtask test` checks
//! that the list has exactly one test per flavour for each of them.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use loopbridge::Flavor;
use tinykv::{Error, Store};

/// A file of its own for one test on one flavour (they run in parallel, in one process).
fn scratch_file(test: &str, flavor: Flavor) -> PathBuf {
    std::env::temp_dir().join(format!("tinykv-{}-{test}-{flavor:?}.kv", std::process::id()))
}

#[loopbridge::test]
async fn set_then_get_parses_the_type_asked_for() -> Result<(), Error> {
    let store = Store::in_memory();
    store.set("port", 8080).await?;
    assert_eq!(store.get::<u16>("port").await?, 8080);
    assert_eq!(store.get::<String>("port").await?, "8080");
    let err = store.get::<bool>("port").await.unwrap_err();
    assert!(matches!(err, Error::Parse { ref value, .. } if value == "8080"), "{err}");
    Ok(())
}

#[loopbridge::test]
async fn missing_keys_and_invalid_keys_are_errors() {
    let store = Store::in_memory();
    assert!(matches!(store.get::<u8>("nope").await, Err(Error::NotFound { .. })));
    assert!(matches!(store.set("a=b", 1).await, Err(Error::Invalid { .. })));
    assert!(matches!(store.set("a", "two\nlines").await, Err(Error::Invalid { .. })));
}

#[loopbridge::test]
async fn flush_then_open_keeps_the_data(flavor: Flavor) -> Result<(), Error> {
    let path = scratch_file("flush", flavor);
    let store = Store::open(&path).await?;
    store.set("flavor", format!("{flavor:?}")).await?;
    store.set("answer", 42).await?;
    assert_eq!(store.flush().await?, 2);
    let reopened = Store::open(&path).await?;
    assert_eq!(reopened.get::<String>("flavor").await?, format!("{flavor:?}"));
    assert_eq!(reopened.get::<i64>("answer").await?, 42);
    std::fs::remove_file(&path)?;
    Ok(())
}

#[loopbridge::test]
async fn get_many_pays_the_latency_once_per_batch() -> Result<(), Error> {
    let latency = Duration::from_millis(50);
    let store = Store::in_memory();
    for i in 0..10 {
        store.set(format!("k{i}"), i).await?;
    }
    let store = store.with_latency(latency);
    let keys: Vec<String> = (0..10).map(|i| format!("k{i}")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).chain(["missing"]).collect();
    let started = Instant::now();
    let values = store.get_many::<u32>(&keys).await;
    // One key after another could not take less than 11 latencies (a sleep is never early);
    // concurrently it takes about one, so this bound leaves half a second to a slow machine.
    let took = started.elapsed();
    assert!(took < latency * 11, "took {took:?}: the keys were not read concurrently");
    let found: Vec<u32> = values.iter().filter_map(|v| v.as_ref().ok().copied()).collect();
    assert_eq!(found, (0..10).collect::<Vec<_>>());
    assert!(matches!(values.last(), Some(Err(Error::NotFound { .. }))));
    Ok(())
}

#[loopbridge::test]
async fn wait_for_sees_a_value_set_by_another_task() -> Result<(), Error> {
    let store = Store::in_memory();
    let writer = store.clone();
    let task = loopbridge::spawn(async move {
        loopbridge::sleep(Duration::from_millis(10)).await;
        writer.set("ready", "yes").await
    });
    assert_eq!(store.wait_for("ready", Duration::from_secs(20)).await?, "yes");
    task.await??;
    Ok(())
}

#[loopbridge::test]
async fn wait_for_gives_up_at_its_deadline() {
    let store = Store::in_memory();
    let err = store.wait_for("never", Duration::from_millis(20)).await.unwrap_err();
    assert!(matches!(err, Error::TimedOut { .. }), "{err}");
}

#[loopbridge::test]
async fn the_blocking_twins_work_on_a_blocking_thread(flavor: Flavor) {
    // Sync code inside an async application: a `to_thread` job, on this flavour's runtime.
    let path = scratch_file("twins", flavor);
    let saved = loopbridge::to_thread(move || -> Result<u32, Error> {
        let store = Store::open_blocking(&path)?;
        store.set_blocking("workers", 8)?;
        store.flush_blocking()?;
        let workers = Store::open_blocking(&path)?.get_blocking::<u32>("workers")?;
        std::fs::remove_file(&path)?;
        Ok(workers)
    })
    .await
    .unwrap();
    assert_eq!(saved.unwrap(), 8);
}

#[test]
fn the_blocking_twins_work_from_plain_sync_code() -> Result<(), Error> {
    let store = Store::in_memory();
    store.set_blocking("name", "db-1")?;
    assert_eq!(store.get_blocking::<String>("name")?, "db-1");
    let values = store.get_many_blocking::<String>(&["name", "other"]);
    assert_eq!(values.len(), 2);
    assert_eq!(store.wait_for_blocking("name", Duration::from_secs(1))?, "db-1");
    Ok(())
}
