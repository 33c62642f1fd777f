//! Ambient detection: `current()`, `in_async_context()`, `Bridge::current()`.

use loopbridge_tests::conformance;

conformance! {
    async fn inside_a_task_the_runtime_is_ambient(flavor) {
        let expected = loopbridge_tests::kind_of(flavor);
        assert_eq!(loopbridge::current(), Some(expected));
        assert!(loopbridge::in_async_context());
        assert_eq!(loopbridge::Bridge::current().kind(), expected);
    }
}

conformance! {
    async fn a_plain_thread_has_no_ambient_runtime() {
        let seen = std::thread::spawn(|| (loopbridge::current(), loopbridge::in_async_context()))
            .join()
            .unwrap();
        assert_eq!(seen, (None, false));
    }
}
