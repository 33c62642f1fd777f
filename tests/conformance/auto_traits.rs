//! Send/Sync/Unpin of every public type (the futures-rs `auto_traits.rs` idea), checked at
//! compile time.

use loopbridge::{
    BackendKind, BlockOnError, Bridge, Elapsed, Error, Interval, JoinError, JoinHandle,
    MissedTickBehavior, Sleep, SpawnLocalError, Timeout, YieldNow,
};

fn send_sync<T: Send + Sync>() {}
fn unpin<T: Unpin>() {}
fn error<T: std::error::Error + Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
    send_sync::<Bridge>();
    send_sync::<BackendKind>();
    send_sync::<JoinHandle<u32>>();
    send_sync::<Sleep>();
    send_sync::<Timeout<std::future::Ready<u8>>>();
    send_sync::<YieldNow>();
    send_sync::<Interval>();
    send_sync::<MissedTickBehavior>();
    unpin::<JoinHandle<std::rc::Rc<u8>>>();
    unpin::<Sleep>();
    unpin::<Interval>(); // `tick(&mut self)` and `Stream` need no pinning
    error::<JoinError>();
    error::<BlockOnError>();
    error::<Elapsed>();
    error::<Error>();
    error::<SpawnLocalError>();
}

#[test]
fn bridge_is_cheap_to_clone_and_debug() {
    fn clone_debug<T: Clone + std::fmt::Debug>() {}
    clone_debug::<Bridge>();
    fn debug<T: std::fmt::Debug>() {}
    debug::<JoinHandle<()>>();
    debug::<JoinError>();
    debug::<Interval>();
    debug::<SpawnLocalError>();
}

#[cfg(feature = "tokio")]
#[test]
fn compat_keeps_the_auto_traits_of_its_future() {
    use loopbridge::compat::Compat;
    send_sync::<Compat<std::future::Ready<u8>>>();
    unpin::<Compat<std::future::Ready<u8>>>();
    fn debug<T: std::fmt::Debug>() {}
    debug::<Compat<std::future::Pending<()>>>();
}

#[test]
fn bridge_is_a_futures_spawn_by_value_and_by_reference() {
    fn spawn<S: futures_task::Spawn>() {}
    spawn::<Bridge>();
    spawn::<&Bridge>();
    spawn::<std::sync::Arc<Bridge>>();
}
