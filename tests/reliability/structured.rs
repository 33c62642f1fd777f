//! Structured concurrency at scale: a `JoinSet` of thousands of tasks joined, aborted and
//! dropped, every destructor counted; a `task_group` of a thousand children whose one child
//! fails, every other child's destructor run before the group returns; trees of nested groups
//! whose one leaf fails, every task of the tree stopped before the outermost group returns.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use loopbridge::{JoinSet, TaskGroup, task_group};
use loopbridge_tests::{DropCounter, runner_for};

use crate::{Scale, for_each_flavor};

#[test]
fn a_join_set_of_thousands_is_joined_aborted_and_dropped() {
    for_each_flavor("structured/join-set", |flavor, scale: Scale| {
        let n = scale.set_tasks;
        let runner = runner_for(flavor);
        let dropped = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let (joined, cancelled) = runner.block_on(async {
            let mut set = JoinSet::new();
            for i in 0..n {
                set.spawn(async move {
                    loopbridge::yield_now().await;
                    i
                });
            }
            let mut sum = 0;
            while let Some(done) = set.join_next().await {
                sum += done.expect("a task of the set");
            }
            assert_eq!(sum, n * (n - 1) / 2, "a result was lost or mixed up");
            let joined = started.elapsed();

            let mut set = JoinSet::new();
            let pending = |set: &mut JoinSet<()>| {
                for _ in 0..n {
                    let guard = DropCounter::new(&dropped);
                    set.spawn(async move {
                        let _guard = guard;
                        std::future::pending::<()>().await;
                    });
                }
            };
            pending(&mut set);
            set.abort_all();
            let mut cancelled = 0;
            while let Some(done) = set.join_next().await {
                assert!(done.expect_err("aborted").is_cancelled());
                cancelled += 1;
            }
            assert_eq!(dropped.load(Ordering::SeqCst), n, "every aborted destructor ran");
            pending(&mut set);
            drop(set);
            (joined, cancelled)
        });
        // Dropped, not awaited: the aborts complete on the runner's threads.
        let start = Instant::now();
        while dropped.load(Ordering::SeqCst) < 2 * n && start.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(dropped.load(Ordering::SeqCst), 2 * n, "destructors after dropping the set");
        assert!(runner.shutdown(Duration::from_secs(10)).completed_in_time());
        format!("{n} tasks joined in {joined:.2?}; {cancelled} aborted; {n} dropped with the set")
    });
}

#[test]
fn a_group_of_a_thousand_whose_one_child_fails_stops_every_other_first() {
    for_each_flavor("structured/task-group", |flavor, scale: Scale| {
        let n = scale.group_children;
        let runner = runner_for(flavor);
        let dropped = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let result: Result<(), String> = runner.block_on(task_group(|group: TaskGroup<String>| {
            let dropped = Arc::clone(&dropped);
            async move {
                for _ in 0..n - 1 {
                    let guard = DropCounter::new(&dropped);
                    group.spawn(async move {
                        let _guard = guard;
                        loopbridge::sleep(Duration::from_secs(3600)).await;
                        Ok(())
                    });
                }
                group.spawn(async {
                    loopbridge::yield_now().await;
                    Err("the one that fails".to_owned())
                });
                Ok(())
            }
        }));
        let took = started.elapsed();
        assert_eq!(result.unwrap_err(), "the one that fails");
        assert_eq!(dropped.load(Ordering::SeqCst), n - 1, "a destructor ran after the group");
        assert!(runner.shutdown(Duration::from_secs(10)).completed_in_time());
        format!("{n} children, one failing: the group returned in {took:.2?}, every other stopped")
    });
}

/// The tasks of one tree of nested groups: made, dropped, and leaves made so far.
#[derive(Default)]
struct Counts {
    spawned: AtomicUsize,
    dropped: AtomicUsize,
    leaves: AtomicUsize,
}

/// Counts its task's destructor in [`Counts::dropped`].
struct Dropped(Arc<Counts>);

impl Drop for Dropped {
    fn drop(&mut self) {
        std::thread::yield_now(); // widens the window a group returning too early would show
        self.0.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

/// One node of a tree of nested groups: a child holding a destructor counter that runs a group
/// of `fan` children one level down; a leaf waits forever, except the `fail_at`-th leaf made,
/// which fails after a few yields.
fn node(
    depth: usize,
    fan: usize,
    counts: Arc<Counts>,
    fail_at: usize,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send>> {
    counts.spawned.fetch_add(1, Ordering::SeqCst);
    let guard = Dropped(Arc::clone(&counts));
    if depth == 0 {
        let leaf = counts.leaves.fetch_add(1, Ordering::SeqCst);
        return Box::pin(async move {
            let _guard = guard;
            if leaf == fail_at {
                for _ in 0..3 {
                    loopbridge::yield_now().await;
                }
                return Err(format!("leaf {leaf} failed"));
            }
            std::future::pending().await
        });
    }
    Box::pin(async move {
        let _guard = guard;
        task_group(move |group: TaskGroup<String>| async move {
            for _ in 0..fan {
                group.spawn(node(depth - 1, fan, Arc::clone(&counts), fail_at));
            }
            std::future::pending().await
        })
        .await
    })
}

#[test]
fn a_failure_deep_in_nested_groups_stops_the_whole_tree_before_the_outermost_returns() {
    for_each_flavor("structured/nested-groups", |flavor, scale: Scale| {
        let rounds = if scale.full { 200 } else { 20 };
        let (depth, fan): (usize, usize) = (3, 4); // 4 + 16 + 64 tasks below the outermost group
        let runner = runner_for(flavor);
        let started = Instant::now();
        for round in 0..rounds {
            let counts = Arc::new(Counts::default());
            let fail_at = (round * 37) % fan.pow(depth as u32);
            let result = runner.block_on(task_group(|group: TaskGroup<String>| {
                let counts = Arc::clone(&counts);
                async move {
                    for _ in 0..fan {
                        group.spawn(node(depth - 1, fan, Arc::clone(&counts), fail_at));
                    }
                    Ok(())
                }
            }));
            assert_eq!(result.unwrap_err(), format!("leaf {fail_at} failed"), "round {round}");
            let spawned = counts.spawned.load(Ordering::SeqCst);
            let dropped = counts.dropped.load(Ordering::SeqCst);
            assert_eq!(dropped, spawned, "round {round}: the outermost group returned first");
        }
        let took = started.elapsed();
        assert!(runner.shutdown(Duration::from_secs(10)).completed_in_time());
        format!("{rounds} trees of 84 tasks in 3 levels of groups, one leaf failing: {took:.2?}")
    });
}
