use super::*;

#[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
#[test]
#[should_panic(
    expected = "enable a backend feature (`tokio`, `smol` or `async-std`) of the crate you are building"
)]
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

/// What `#[loopbridge::test]` writes for a build without a backend: one test that fails and
/// says what to enable (the macros' snapshot shows the expansion).
#[cfg(not(any(feature = "tokio", feature = "smol", feature = "async-std")))]
#[test]
fn without_a_backend_a_loopbridge_test_is_one_failing_test() {
    crate::__private::if_no_backend! {
        fn kept() -> bool { true }
    }
    assert!(kept(), "the no-backend gate keeps its input");
    let Err(payload) = std::panic::catch_unwind(|| crate::__private::fail_without_backend());
    let message = payload.downcast_ref::<String>().map_or("", String::as_str);
    assert!(message.contains("`#[loopbridge::test]` has no backend flavour"), "{message}");
    assert!(message.contains("of the crate you are building, which forwards it"), "{message}");
}

/// `net` compiles without a backend, and making a socket there is one `Unsupported` error that
/// names the features (a literal address: no name lookup, which would need a runtime).
#[cfg(all(feature = "net", not(any(feature = "tokio", feature = "smol", feature = "async-std"))))]
#[test]
fn without_a_backend_a_socket_is_an_unsupported_error_naming_the_features() {
    use loopbridge_core::unstable::park;
    let connect = park::wait(crate::net::TcpStream::connect("127.0.0.1:1"));
    let bind = crate::net::UdpSocket::from_std(std::net::UdpSocket::bind("127.0.0.1:0").unwrap());
    for err in [connect.unwrap_err(), bind.unwrap_err()] {
        assert_eq!(err.kind(), std::io::ErrorKind::Unsupported, "{err}");
        let message = err.to_string();
        assert!(message.contains("loopbridge::net needs a reactor"), "{message}");
        assert!(message.contains("enable a backend feature"), "{message}");
    }
}

// With a backend, the no-backend gate drops its input (a `compile_error!` here).
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
crate::__private::if_no_backend! {
    compile_error!("the no-backend gate must drop its input when a backend is compiled in");
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
