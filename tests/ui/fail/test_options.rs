//! Options of `#[loopbridge::test]` that are unknown or malformed.

#[loopbridge::test(backends(tokio, glommio))]
async fn unknown_backend() {}

#[loopbridge::test(backends(tokio, tokio_multi_thread))]
async fn listed_twice() {}

#[loopbridge::test(backends())]
async fn no_backend() {}

#[loopbridge::test(timeout = "5 seconds")]
async fn bad_timeout() {}

#[loopbridge::test(timeout = "0s")]
async fn zero_timeout() {}

#[loopbridge::test(retries = 3)]
async fn unknown_option() {}

fn main() {}
