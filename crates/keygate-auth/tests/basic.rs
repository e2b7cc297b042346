//! `Authorization: Basic` decoding in both Base64 alphabets.
// Helpers outside `#[test]` functions unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use keygate_auth::{AuthError, parse_basic};

fn decoded(value: &str) -> (String, String) {
    let (login, password) = parse_basic(value).unwrap();
    (login, password.expose().to_owned())
}

#[test]
fn both_alphabets_with_or_without_padding() {
    let want = ("user@example.com".to_owned(), "s3cr3t>>??~~".to_owned());
    for token in [
        "dXNlckBleGFtcGxlLmNvbTpzM2NyM3Q-Pj8_fn4=",
        "dXNlckBleGFtcGxlLmNvbTpzM2NyM3Q+Pj8/fn4=",
        "dXNlckBleGFtcGxlLmNvbTpzM2NyM3Q-Pj8_fn4",
        "dXNlckBleGFtcGxlLmNvbTpzM2NyM3Q+Pj8/fn4",
    ] {
        assert_eq!(decoded(&format!("Basic {token}")), want, "{token}");
    }
    // WIRE.md B.2: the same credentials from osc-sdk-python and osc-cli.
    let me = ("me@example.com".to_owned(), "secret>>>???".to_owned());
    assert_eq!(decoded("Basic bWVAZXhhbXBsZS5jb206c2VjcmV0Pj4+Pz8/"), me);
    assert_eq!(decoded("basic  bWVAZXhhbXBsZS5jb206c2VjcmV0Pj4-Pz8_ "), me);
}

#[test]
fn password_may_contain_colons_and_be_empty() {
    // "a@b:x:y:" and "a@b:"
    assert_eq!(decoded("Basic YUBiOng6eTo="), ("a@b".into(), "x:y:".into()));
    assert_eq!(decoded("Basic YUBiOg=="), ("a@b".into(), String::new()));
}

#[test]
fn password_is_hidden_from_debug() {
    let (_, password) =
        parse_basic("Basic dXNlckBleGFtcGxlLmNvbTpjb3JyZWN0IGhvcnNlIGJhdHRlcnkgc3RhcGxl").unwrap();
    assert_eq!(password.expose(), "correct horse battery staple");
    let shown = format!("{password:?}");
    assert!(!shown.contains("horse"), "{shown}");
}

#[test]
fn malformed_credentials_are_rejected_without_echoing_them() {
    for (value, message) in [
        ("Basic", "expected 'Basic <credentials>'"),
        ("Bearer dXNlcjpwYXNz", "the scheme is not Basic"),
        ("Basic !!!!", "not valid Base64"),
        ("Basic dXNlcjpw-YX+Nz", "not valid Base64"),
        ("Basic dXNlcnBhc3N3b3Jk", "must be login:password"),
        ("Basic OnBhc3N3b3Jk", "the login is empty"),
        ("Basic //79", "not UTF-8"),
    ] {
        match parse_basic(value) {
            Err(AuthError::BadBasic(m)) => {
                assert!(m.contains(message), "{value}: {m}");
                let token = value.trim_start_matches("Basic").trim();
                assert!(token.is_empty() || !m.contains(token), "{value}: {m}");
                assert!(!m.contains("userpassword"), "{value}: {m}");
            }
            other => panic!("{value}: {:?}", other.map(|(login, _)| login)),
        }
    }
}
