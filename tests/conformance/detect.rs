//! Marker detection: `current()`, `in_async_context()`, `Bridge::current()`.

use loopbridge::Flavor;

#[loopbridge::test]
async fn inside_a_task_the_runtime_is_ambient(flavor: Flavor) {
    let expected = flavor.kind();
    assert_eq!(loopbridge::current(), Some(expected));
    assert!(loopbridge::in_async_context());
    assert_eq!(loopbridge::Bridge::current().kind(), expected);
}

#[loopbridge::test]
async fn a_plain_thread_has_no_ambient_runtime() {
    let seen = std::thread::spawn(|| (loopbridge::current(), loopbridge::in_async_context()))
        .join()
        .unwrap();
    assert_eq!(seen, (None, false));
}
