use super::parse_timeout;

#[test]
fn timeouts_parse_with_their_unit() {
    assert_eq!(parse_timeout("500ms"), Ok(500));
    assert_eq!(parse_timeout("5s"), Ok(5_000));
    assert_eq!(parse_timeout("2m"), Ok(120_000));
    assert_eq!(parse_timeout("2min"), Ok(120_000));
}

#[test]
fn bad_timeouts_say_why() {
    assert!(parse_timeout("5").unwrap_err().contains("no unit"));
    assert!(parse_timeout("5 s").unwrap_err().contains("not a timeout"));
    assert!(parse_timeout("1.5s").unwrap_err().contains("not a timeout"));
    assert!(parse_timeout("s").unwrap_err().contains("does not start with a number"));
    assert!(parse_timeout("0s").unwrap_err().contains("zero"));
    assert!(parse_timeout("99999999999999999999s").unwrap_err().contains("too long"));
    assert!(parse_timeout("999999999999999999m").unwrap_err().contains("too long"));
}
