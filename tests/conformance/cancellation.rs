//! `CancellationToken` (docs/semantics.md, "Structured concurrency"): tasks on every flavour
//! waiting for a cancel, token trees (down, never up), `run_until_cancelled`, drop guards.

use std::time::Duration;

use loopbridge::CancellationToken;

#[loopbridge::test]
async fn a_cancel_wakes_every_waiting_task_down_the_tree_and_never_up() {
    let root = CancellationToken::new();
    let branch = root.child_token();
    let leaves: Vec<_> = (0..8).map(|_| branch.child_token()).collect();
    let waiting: Vec<_> =
        leaves.iter().cloned().map(|leaf| loopbridge::spawn(leaf.cancelled_owned())).collect();
    // Cancelling a leaf leaves its parents alone.
    leaves[0].cancel();
    assert!(!branch.is_cancelled() && !root.is_cancelled());
    root.cancel();
    for task in waiting {
        task.await.unwrap();
    }
    assert!(leaves.iter().all(CancellationToken::is_cancelled));
    assert!(branch.child_token().is_cancelled(), "a child of a cancelled token starts so");
}

#[loopbridge::test]
async fn run_until_cancelled_stops_a_task_at_its_next_await() {
    let token = CancellationToken::new();
    let inner = token.clone();
    let task = loopbridge::spawn(async move {
        inner.run_until_cancelled(loopbridge::sleep(Duration::from_secs(3600))).await
    });
    loopbridge::sleep(Duration::from_millis(5)).await;
    token.cancel();
    assert_eq!(task.await.unwrap(), None);
    let quick = CancellationToken::new();
    assert_eq!(quick.run_until_cancelled(async { 3 }).await, Some(3));
}

#[loopbridge::test]
async fn a_drop_guard_cancels_when_its_scope_ends() {
    let token = CancellationToken::new();
    let watcher = loopbridge::spawn(token.clone().cancelled_owned());
    {
        let _guard = token.clone().drop_guard();
        loopbridge::yield_now().await;
    }
    watcher.await.unwrap();
    let kept = CancellationToken::new().drop_guard().disarm();
    assert!(!kept.is_cancelled());
}

#[loopbridge::test]
async fn dropping_a_middle_token_keeps_its_children_in_the_tree() {
    let root = CancellationToken::new();
    let grandchild = root.child_token().child_token(); // the child is dropped at once
    let waiter = loopbridge::spawn(grandchild.clone().cancelled_owned());
    loopbridge::yield_now().await;
    root.cancel();
    assert!(grandchild.is_cancelled(), "the grandchild of a dropped child was cut off");
    waiter.await.unwrap();

    // The consequence for groups: a child of a group's token follows the group's failure.
    let nested = std::sync::Arc::new(std::sync::Mutex::new(None));
    let result: Result<(), String> = loopbridge::task_group(|group| {
        let nested = std::sync::Arc::clone(&nested);
        async move {
            *nested.lock().unwrap() = Some(group.token().child_token());
            Err("failed".to_owned())
        }
    })
    .await;
    assert!(result.is_err());
    let nested = nested.lock().unwrap().take().unwrap();
    assert!(nested.is_cancelled(), "a child of the group's token missed the failure");
}

#[loopbridge::test]
async fn run_until_cancelled_owned_and_the_borrowing_guard() {
    let token = CancellationToken::new();
    let task = loopbridge::spawn(token.clone().run_until_cancelled_owned(async {
        std::future::pending::<()>().await;
    }));
    loopbridge::yield_now().await;
    token.cancel();
    assert_eq!(task.await.unwrap(), None);
    let done = CancellationToken::new().run_until_cancelled_owned(async { 7 }).await;
    assert_eq!(done, Some(7));

    let scoped = CancellationToken::new();
    {
        let guard = scoped.drop_guard_ref();
        assert!(!guard.token().is_cancelled());
    }
    assert!(scoped.is_cancelled(), "dropping the borrowing guard cancels");
    let kept = CancellationToken::new();
    let _ = kept.drop_guard_ref().disarm();
    let _ = kept.clone().drop_guard().disarm();
    assert!(!kept.is_cancelled(), "a disarmed guard cancels nothing");
}
