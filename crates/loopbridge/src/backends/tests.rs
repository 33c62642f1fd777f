use super::*;

#[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
#[test]
#[should_panic(expected = "enable one of the cargo features `tokio`, `smol` or `async-std`")]
fn without_a_backend_the_first_operation_names_the_features() {
    drop(crate::spawn(async {}));
}

#[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
#[test]
fn without_a_backend_nothing_is_ambient_or_selectable() {
    assert!(COMPILED_IN.is_empty() && Flavor::COMPILED_IN.is_empty());
    assert_eq!(crate::current(), None);
    assert!(!crate::in_async_context());
    let err = crate::set_default_backend(BackendKind::Tokio).unwrap_err();
    assert!(err.is_not_compiled_in());
}

#[test]
fn flavors_and_kinds_agree() {
    for flavor in Flavor::COMPILED_IN {
        let (kind, config) = flavor_settings(*flavor);
        assert!(COMPILED_IN.contains(&kind));
        assert!(config.worker_threads >= 1);
    }
}

#[cfg(feature = "tokio")]
#[test]
fn a_shipped_backend_handed_over_keeps_its_own_variant() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    let backend = loopbridge_tokio::TokioBackend::new(runtime.handle().clone());
    assert!(matches!(AnyBackend::from_backend(backend), AnyBackend::Tokio(_)));
}
