use super::*;

#[test]
fn names_round_trip() {
    for kind in BackendKind::ALL {
        assert_eq!(kind.name().parse::<BackendKind>().unwrap(), kind);
    }
    assert_eq!(" Async_Std ".parse::<BackendKind>().unwrap(), BackendKind::AsyncStd);
}

#[test]
fn unknown_name_is_a_helpful_error() {
    let err = "tokyo".parse::<BackendKind>().unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("tokyo") && msg.contains("smol"), "{msg}");
}
