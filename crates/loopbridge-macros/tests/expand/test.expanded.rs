#[cfg(test)]
#[allow(
    dead_code,
    reason = "called by the per-flavour tests only, and there are none when no backend of loopbridge is compiled in"
)]
async fn spawn_and_await() {
    assert_eq!(loopbridge::spawn(async { 1 }). await .unwrap(), 1);
}
#[cfg(test)]
mod spawn_and_await {
    ::loopbridge::__private::if_tokio! {
        #[::core::prelude::v1::test] fn tokio_multi_thread() {
        ::loopbridge::__private::run_test(::loopbridge::__private::Flavor::TokioMultiThread,
        ::loopbridge::__private::DEFAULT_TEST_TIMEOUT, | _ | super::spawn_and_await()) }
    }
    ::loopbridge::__private::if_tokio! {
        #[::core::prelude::v1::test] fn tokio_current_thread() {
        ::loopbridge::__private::run_test(::loopbridge::__private::Flavor::TokioCurrentThread,
        ::loopbridge::__private::DEFAULT_TEST_TIMEOUT, | _ | super::spawn_and_await()) }
    }
    ::loopbridge::__private::if_smol! {
        #[::core::prelude::v1::test] fn smol() {
        ::loopbridge::__private::run_test(::loopbridge::__private::Flavor::Smol,
        ::loopbridge::__private::DEFAULT_TEST_TIMEOUT, | _ | super::spawn_and_await()) }
    }
    ::loopbridge::__private::if_async_std! {
        #[::core::prelude::v1::test] fn async_std() {
        ::loopbridge::__private::run_test(::loopbridge::__private::Flavor::AsyncStd,
        ::loopbridge::__private::DEFAULT_TEST_TIMEOUT, | _ | super::spawn_and_await()) }
    }
    ::loopbridge::__private::if_no_backend! {
        #[::core::prelude::v1::test] fn no_backend_compiled_in() {
        ::loopbridge::__private::fail_without_backend() }
    }
}
#[cfg(test)]
#[allow(
    dead_code,
    reason = "called by the per-flavour tests only, and there are none when no backend of loopbridge is compiled in"
)]
async fn knows_its_flavor(flavor: Flavor) -> Result<(), Error> {
    check(flavor).await?;
    panic!("boom")
}
#[cfg(test)]
mod knows_its_flavor {
    ::loopbridge::__private::if_tokio! {
        #[::core::prelude::v1::test] #[should_panic(expected = "boom")] fn
        tokio_current_thread() -> impl ::loopbridge::__private::Termination {
        ::loopbridge::__private::run_test(::loopbridge::__private::Flavor::TokioCurrentThread,
        ::loopbridge::__private::Duration::from_millis(5000), super::knows_its_flavor) }
    }
    ::loopbridge::__private::if_smol! {
        #[::core::prelude::v1::test] #[should_panic(expected = "boom")] fn smol() -> impl
        ::loopbridge::__private::Termination {
        ::loopbridge::__private::run_test(::loopbridge::__private::Flavor::Smol,
        ::loopbridge::__private::Duration::from_millis(5000), super::knows_its_flavor) }
    }
    ::loopbridge::__private::if_no_backend! {
        #[::core::prelude::v1::test] fn no_backend_compiled_in() {
        ::loopbridge::__private::fail_without_backend() }
    }
}
