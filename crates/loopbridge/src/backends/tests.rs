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
