//! The attributes themselves. `#[loopbridge::test]` runs every other async test of the suite;
//! here are the promises beyond that — the flavour argument, `Result` returns,
//! `#[should_panic]`, the watchdog, `backends(...)` — and `#[loopbridge::blocking]` twins
//! called where docs/semantics.md, "block_on" says blocking works, and where it must fail fast instead.

use std::panic::catch_unwind;

use loopbridge::{BackendKind, Flavor, JoinError};
use loopbridge_tests::{blocking_in_task_completes, panic_message, with_watchdog};

#[loopbridge::test]
async fn the_flavor_argument_is_the_runtime_the_body_runs_on(flavor: Flavor) {
    assert!(Flavor::COMPILED_IN.contains(&flavor));
    assert_eq!(loopbridge::current(), Some(flavor.kind()));
}

#[loopbridge::test]
async fn a_test_may_return_a_result() -> Result<(), JoinError> {
    let value = loopbridge::spawn(async { 6 * 7 }).await?;
    assert_eq!(value, 42);
    Ok(())
}

#[loopbridge::test]
#[should_panic(expected = "the body's own message")]
async fn a_panic_in_the_body_fails_the_test_with_its_payload() {
    loopbridge::yield_now().await;
    panic!("the body's own message");
}

// About time itself: the body never finishes, so only the watchdog can end the test.
#[loopbridge::test(timeout = "100ms")]
#[should_panic(expected = "did not finish within 100ms")]
async fn a_hanging_body_fails_at_its_timeout() {
    std::future::pending::<()>().await;
}

#[loopbridge::test(backends(smol, tokio_current_thread))]
async fn backends_restricts_the_flavours(flavor: Flavor) {
    assert!(matches!(flavor, Flavor::Smol | Flavor::TokioCurrentThread), "{flavor:?}");
}

/// Where the twin finds itself running.
#[loopbridge::blocking]
async fn ambient_backend() -> Option<BackendKind> {
    loopbridge::yield_now().await;
    loopbridge::current()
}

#[loopbridge::test]
async fn a_blocking_twin_works_in_a_to_thread_job_on_that_runtime(flavor: Flavor) {
    let seen = loopbridge::to_thread(ambient_backend_blocking).await.unwrap();
    assert_eq!(seen, Some(flavor.kind()));
}

#[loopbridge::test]
async fn a_blocking_twin_in_a_task_completes_or_fails_fast(flavor: Flavor) {
    let in_task = loopbridge::spawn(async {
        catch_unwind(ambient_backend_blocking).map_err(|payload| panic_message(&*payload))
    });
    match in_task.await.unwrap() {
        Ok(seen) => {
            assert!(blocking_in_task_completes(flavor), "{flavor:?} should refuse");
            assert_eq!(seen, Some(flavor.kind()));
        }
        Err(msg) => {
            assert!(!blocking_in_task_completes(flavor), "{flavor:?} should complete");
            assert!(msg.contains("cannot block on a future here"), "{msg}");
        }
    }
}

#[loopbridge::test]
async fn a_blocking_twin_in_the_body_itself_completes(flavor: Flavor) {
    // The body runs in the flavour's `block_on`, on a thread of its own, not on a worker:
    // blocking there starves nothing (except on tokio current-thread, whose one runtime
    // refuses any nested `block_on`; tokio's own `#[tokio::test]` would panic there too).
    match catch_unwind(ambient_backend_blocking) {
        Ok(seen) => assert_eq!(seen, Some(flavor.kind())),
        Err(payload) => {
            assert_eq!(flavor, Flavor::TokioCurrentThread);
            let msg = panic_message(&*payload);
            assert!(msg.contains("cannot block on a future here"), "{msg}");
        }
    }
}

#[loopbridge::test]
async fn a_body_may_hold_values_that_are_not_send_across_awaits() {
    // Like `#[tokio::test]`: the body runs in a `block_on` and never moves to another thread.
    let not_send = std::rc::Rc::new(std::cell::Cell::new(1));
    loopbridge::yield_now().await;
    not_send.set(not_send.get() + 1);
    let local = loopbridge::spawn_local({
        let not_send = std::rc::Rc::clone(&not_send);
        async move { not_send.get() * 21 }
    });
    assert_eq!(local.await.unwrap(), 42);
}

#[test]
fn a_blocking_twin_works_from_sync_code_on_the_global_runner() {
    let seen = with_watchdog(ambient_backend_blocking);
    assert_eq!(seen, Some(loopbridge::Bridge::global().kind()));
}
