//! Replays every recorded client request from `shared/captures` through parse, check_time and
//! verify, at the capture's own clock.
// Helpers outside `#[test]` functions unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use keygate_auth::{
    AuthError, Flavour, HttpRequest, SignedRequest, VerifyOptions, check_time, parse, parse_basic,
    verify,
};
use serde::Deserialize;
use time::Duration;

#[derive(Deserialize)]
struct Capture {
    client: Client,
    credentials: Credentials,
    region: String,
    service: String,
    request: Request,
}

#[derive(Deserialize)]
struct Client {
    name: String,
}

#[derive(Deserialize)]
struct Credentials {
    #[serde(alias = "access_key")]
    access_key_id: Option<String>,
    #[serde(alias = "secret_key")]
    secret_access_key: Option<String>,
    login: Option<String>,
    password: Option<String>,
}

#[derive(Deserialize)]
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

const SKEW: Duration = Duration::minutes(15);

/// Where the captures are once the crate lives in `crates/keygate-auth` of the main tree, with a
/// fallback for a standalone checkout.
fn captures_dir() -> PathBuf {
    let in_tree = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/captures"
    ));
    if in_tree.is_dir() {
        in_tree
    } else {
        PathBuf::from("/work/shared/captures")
    }
}

fn load_captures() -> Vec<(String, Capture)> {
    let dir = captures_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let capture = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, capture)
        })
        .collect()
}

#[derive(Default, Debug)]
struct Seen {
    basic: usize,
    aws_header: usize,
    osc_header: usize,
    presigned: usize,
    host_fallback: usize,
}

#[test]
fn every_capture_verifies() {
    let captures = load_captures();
    assert!(
        captures.len() >= 42,
        "only {} captures found",
        captures.len()
    );
    let mut seen = Seen::default();
    for (name, capture) in &captures {
        check_capture(name, capture, &mut seen);
    }
    assert!(
        seen.basic >= 4
            && seen.aws_header >= 20
            && seen.osc_header >= 10
            && seen.presigned >= 2
            && seen.host_fallback >= 5,
        "{seen:?}"
    );
}

fn check_capture(name: &str, capture: &Capture, seen: &mut Seen) {
    let headers: Vec<(&str, &str)> = capture
        .request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let (path, query) = capture
        .request
        .path
        .split_once('?')
        .unwrap_or((&capture.request.path, ""));
    let req = HttpRequest {
        method: &capture.request.method,
        path,
        query,
        headers: &headers,
        body: capture.request.body.as_bytes(),
    };
    let authorization = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| *v);

    if let Some(value) = authorization.filter(|v| v.starts_with("Basic ")) {
        let (login, password) = parse_basic(value).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(Some(login), capture.credentials.login, "{name}");
        assert_eq!(
            Some(password.expose()),
            capture.credentials.password.as_deref(),
            "{name}"
        );
        assert!(
            !format!("{password:?}").contains(password.expose()),
            "{name}"
        );
        assert_eq!(
            parse(Flavour::Osc4, &req).unwrap_err(),
            AuthError::WrongAlgorithm("Basic".into())
        );
        seen.basic += 1;
        return;
    }

    let flavour = match authorization {
        Some(value) if value.starts_with("OSC4-HMAC-SHA256 ") => Flavour::Osc4,
        Some(value) if value.starts_with("AWS4-HMAC-SHA256 ") => Flavour::Aws4,
        Some(value) => panic!("{name}: unexpected Authorization {value}"),
        None if query.contains("X-Amz-Algorithm=") => Flavour::Aws4,
        None => panic!("{name}: no authentication"),
    };
    let other = match flavour {
        Flavour::Aws4 => Flavour::Osc4,
        Flavour::Osc4 => Flavour::Aws4,
    };
    assert!(
        matches!(parse(other, &req), Err(AuthError::WrongAlgorithm(_))),
        "{name}"
    );

    let signed = parse(flavour, &req).unwrap_or_else(|e| panic!("{name}: {e}"));
    let scope = signed.scope();
    assert_eq!(
        Some(&scope.access_key_id),
        capture.credentials.access_key_id.as_ref(),
        "{name}"
    );
    assert_eq!(scope.region, capture.region, "{name}");
    assert_eq!(scope.service, capture.service, "{name}");
    check_clock(name, &signed);

    let secret = capture.credentials.secret_access_key.as_deref().unwrap();
    let strict = VerifyOptions::default();
    let lenient = VerifyOptions {
        host_without_port_fallback: true,
    };
    if capture.client.name == "osc-sdk-python" {
        assert_eq!(
            verify(&req, &signed, secret, None, strict),
            Err(AuthError::SignatureMismatch),
            "{name}: osc-sdk-python signs the host without its port"
        );
        verify(&req, &signed, secret, None, lenient).unwrap_or_else(|e| panic!("{name}: {e}"));
        seen.host_fallback += 1;
    } else {
        verify(&req, &signed, secret, None, strict).unwrap_or_else(|e| panic!("{name}: {e}"));
    }

    let wrong_secret = format!("{secret}x");
    assert_eq!(
        verify(&req, &signed, &wrong_secret, None, lenient),
        Err(AuthError::SignatureMismatch),
        "{name}: wrong secret"
    );

    let mut body = req.body.to_vec();
    match body.last_mut() {
        Some(last) => *last ^= 1,
        None => body.push(b' '),
    }
    let altered = HttpRequest { body: &body, ..req };
    assert_eq!(
        verify(&altered, &signed, secret, None, lenient),
        Err(AuthError::SignatureMismatch),
        "{name}: altered body"
    );

    match (signed.is_presigned(), flavour) {
        (true, _) => seen.presigned += 1,
        (false, Flavour::Aws4) => seen.aws_header += 1,
        (false, Flavour::Osc4) => seen.osc_header += 1,
    }
}

/// Passes at the capture's own time, fails 16 minutes later (presigned URLs are capped at 15
/// minutes whatever their X-Amz-Expires) and 16 minutes earlier.
fn check_clock(name: &str, signed: &SignedRequest) {
    let at = signed.request_time();
    check_time(signed, at, SKEW).unwrap_or_else(|e| panic!("{name}: {e}"));
    check_time(signed, at + Duration::minutes(14), SKEW).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        matches!(
            check_time(signed, at + Duration::minutes(16), SKEW),
            Err(AuthError::Expired { .. })
        ),
        "{name}: 16 minutes later"
    );
    assert!(
        matches!(
            check_time(signed, at - Duration::minutes(16), SKEW),
            Err(AuthError::NotYetCurrent { .. })
        ),
        "{name}: 16 minutes earlier"
    );
}
