//! Task ids (docs/semantics.md, "Task handles"): tokio's `task::Id` on every flavour — the
//! handle, its `AbortHandle`, the task itself (while it runs and while its future is dropped),
//! a `to_thread` job, its `JoinError` and a `JoinSet` all name the same task.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use loopbridge::JoinSet;
use loopbridge::task::{self, Id};
use loopbridge_tests::panic_message;

#[loopbridge::test]
async fn a_task_sees_the_id_its_handles_name_and_ids_are_distinct() {
    let mut seen = HashSet::new();
    for _ in 0..100 {
        let handle = loopbridge::spawn(async { (task::id(), task::try_id()) });
        let (id, abort_id) = (handle.id(), handle.abort_handle().id());
        let (inside, tried) = handle.await.unwrap();
        assert_eq!((inside, tried, abort_id), (id, Some(id), id));
        assert!(seen.insert(id), "{id} was handed out twice");
    }
    let job = loopbridge::to_thread(task::id);
    let id = job.id();
    assert_eq!(job.await.unwrap(), id, "a to_thread job is a task too");
    let local = loopbridge::spawn_local(async { task::id() });
    let id = local.id();
    assert_eq!(local.await.unwrap(), id);
}

#[loopbridge::test]
async fn a_join_error_names_its_task_and_the_destructor_runs_as_it() {
    let panicked = loopbridge::spawn(async { panic!("boom") });
    let id = panicked.id();
    let err = panicked.await.unwrap_err();
    assert_eq!((err.id(), err.is_panic()), (id, true));

    struct SeesId(Arc<Mutex<Option<Option<Id>>>>);
    impl Drop for SeesId {
        fn drop(&mut self) {
            *self.0.lock().unwrap() = Some(task::try_id());
        }
    }
    let seen = Arc::new(Mutex::new(None));
    let guard = SeesId(Arc::clone(&seen));
    let aborted = loopbridge::spawn(async move {
        let _guard = guard;
        std::future::pending::<()>().await
    });
    let id = aborted.id();
    loopbridge::yield_now().await;
    aborted.abort();
    let err = aborted.await.unwrap_err();
    assert_eq!((err.id(), err.is_cancelled()), (id, true));
    assert_eq!(*seen.lock().unwrap(), Some(Some(id)), "the destructor ran inside the task");
}

#[loopbridge::test]
async fn outside_a_task_try_id_is_none_and_id_panics_saying_where_it_works() {
    // The test's body runs in `block_on`: its future is not a task (as on tokio).
    assert_eq!(task::try_id(), None);
    let payload = std::panic::catch_unwind(task::id).unwrap_err();
    let message = panic_message(&*payload);
    assert!(message.contains("outside a task") && message.contains("try_id"), "{message}");
}

#[loopbridge::test]
async fn a_join_set_reports_the_id_of_each_task_that_ends() {
    let mut set = JoinSet::new();
    let mut expected = HashSet::new();
    for n in 0..20_u32 {
        expected.insert(set.spawn(async move { (n, task::id()) }).id());
    }
    let failing = set.spawn(async { panic!("in a set") }).id();
    let mut joined = HashSet::new();
    while let Some(next) = set.join_next_with_id().await {
        match next {
            Ok((id, (_, inside))) => {
                assert_eq!(id, inside);
                joined.insert(id);
            }
            Err(err) => assert_eq!(err.id(), failing),
        }
    }
    assert_eq!(joined, expected);

    let id = set.spawn(async { (0, task::id()) }).id();
    let next = loop {
        match set.try_join_next_with_id() {
            Some(next) => break next,
            None => loopbridge::yield_now().await,
        }
    };
    assert_eq!(next.unwrap().0, id);
}
