use loopbridge_core::BackendKind;

use crate::Runner;

/// On a thread of a runtime loopbridge started, its marker decides the ambient runtime,
/// even where user code entered another tokio runtime's context on top.
#[test]
fn the_marker_decides_on_a_runner_thread() {
    let runner = Runner::builder()
        .backend(BackendKind::Tokio)
        .worker_threads(2)
        .thread_name("the-runner")
        .build()
        .expect("runner");
    let foreign = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("foreign")
        .build()
        .expect("foreign runtime");
    let foreign_handle = foreign.handle().clone();
    let where_it_ran = runner
        .block_on(runner.spawn(async move {
            for _ in 0..2 {
                let task = {
                    let _entered = foreign_handle.enter();
                    crate::spawn(async { std::thread::current().name().map(str::to_owned) })
                };
                let name = task.await.expect("task").unwrap_or_default();
                if !name.starts_with("the-runner") {
                    return name;
                }
            }
            "the-runner".to_owned()
        }))
        .expect("measured task");
    assert_eq!(where_it_ran, "the-runner");
}
