//! What outside probes found, end to end: oversized and stalled bodies, paths and methods no
//! call serves, browsers at the root, sign-in floods from one address, and access key ids.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use keygate_tests::support::sign::{JSON, basic_read_access_keys};
use keygate_tests::support::{Fresh, header, http};
use serde_json::Value;

/// Sends `head` (request line and headers, without the blank line) and `body` as given, then
/// reads whatever answer comes, within `wait`. `None`: the connection closed with no answer.
fn raw(addr: SocketAddr, head: &str, body: &[u8], wait: Duration) -> Option<String> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    s.write_all(format!("{head}\r\n\r\n").as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    (!raw.is_empty()).then(|| String::from_utf8_lossy(&raw).into_owned())
}

fn status_of(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap()
}

fn osc_code(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}", String::from_utf8_lossy(body));
    });
    assert!(v["ResponseContext"]["RequestId"].is_string(), "{v}");
    v["Errors"][0]["Code"].as_str().unwrap().to_owned()
}

fn iam_code(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    assert!(text.starts_with("<?xml"), "{text}");
    let start = text.find("<Code>").unwrap() + 6;
    let end = text[start..].find('<').unwrap() + start;
    text[start..end].to_owned()
}

#[test]
fn bodies_too_large_or_too_slow_are_refused_without_holding_the_connection() {
    let fresh = Fresh::start(&[("KEYGATE__SERVER__READ_TIMEOUT_SECS", "1")]);
    let addr = fresh.server.addr;
    // Announced too large: answered at once, nothing read.
    for (path, dialect) in [("/", "iam"), ("/api/v1/ReadUsers", "osc")] {
        let started = Instant::now();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {JSON}\r\nContent-Length: 10000000000"
        );
        let answer = raw(addr, &head, b"", Duration::from_secs(10)).expect("an answer");
        assert_eq!(status_of(&answer), 413, "{answer}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{dialect}: not at once"
        );
        let body = answer.split("\r\n\r\n").nth(1).unwrap().as_bytes();
        match dialect {
            "iam" => assert_eq!(iam_code(body), "RequestEntityTooLarge"),
            _ => assert_eq!(osc_code(body), "4106"),
        }
    }
    // Half a body, then silence: given up on after the read timeout.
    for (path, want) in [("/", "RequestTimeout"), ("/api/v1/ReadUsers", "0")] {
        let started = Instant::now();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {JSON}\r\nContent-Length: 100"
        );
        let answer = raw(addr, &head, b"{\"Us", Duration::from_secs(10));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path}: held for {:?}",
            started.elapsed()
        );
        let answer = answer.expect("an answer before the close");
        assert_eq!(status_of(&answer), 408, "{answer}");
        let body = answer.split("\r\n\r\n").nth(1).unwrap().as_bytes();
        let code = if path == "/" {
            iam_code(body)
        } else {
            osc_code(body)
        };
        assert_eq!(code, want);
    }
}

#[test]
fn every_path_and_method_answers_in_its_dialect() {
    let fresh = Fresh::start(&[]);
    let addr = fresh.server.addr;
    for method in ["PUT", "DELETE", "PATCH", "OPTIONS"] {
        let (s, h, b) = http(addr, method, "/", &[], b"");
        assert_eq!(s, 405, "{method}");
        assert_eq!(header(&h, "allow"), Some("GET, POST"));
        assert_eq!(iam_code(&b), "MethodNotAllowed");
    }
    for path in [
        "/api/v1/",
        "/api/v2/ReadUsers",
        "/api/v1/ReadUsers/extra",
        "/api",
    ] {
        let (s, h, b) = http(addr, "POST", path, &[("Content-Type", JSON)], b"{}");
        assert_eq!(s, 400, "{path}");
        assert_eq!(header(&h, "content-type"), Some("application/json"));
        assert_eq!(osc_code(&b), "0", "{path}");
        assert!(String::from_utf8_lossy(&b).contains(path), "names the path");
    }
    for method in ["GET", "PUT", "DELETE"] {
        let (s, h, b) = http(addr, method, "/api/v1/ReadUsers", &[], b"");
        assert_eq!(s, 405, "{method}");
        assert_eq!(header(&h, "allow"), Some("POST"));
        assert_eq!(osc_code(&b), "2");
    }
    for path in ["/healthz", "/console/"] {
        let (s, get_h, get_b) = http(addr, "GET", path, &[], b"");
        assert_eq!(s, 200, "{path}");
        let (s, h, b) = http(addr, "HEAD", path, &[], b"");
        assert_eq!(s, 200, "HEAD {path}");
        assert!(b.is_empty(), "HEAD {path} has no body");
        assert_eq!(header(&h, "content-type"), header(&get_h, "content-type"));
        assert_eq!(
            header(&h, "content-length").map(str::to_owned),
            Some(get_b.len().to_string())
        );
    }
    let (s, h, _) = http(addr, "POST", "/healthz", &[], b"");
    assert_eq!(s, 405);
    assert_eq!(header(&h, "allow"), Some("GET, HEAD"));
    // A browser at the root is sent to the console; an API client is not.
    let html = [("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")];
    let (s, h, _) = http(addr, "GET", "/", &html, b"");
    assert_eq!(s, 302);
    assert_eq!(header(&h, "location"), Some("/console/"));
    let (s, _, b) = http(addr, "GET", "/", &[("Accept", "*/*")], b"");
    assert_eq!(s, 400);
    assert_eq!(iam_code(&b), "MissingAction");
    let (s, _, b) = http(addr, "GET", "/?Action=ListUsers", &html, b"");
    assert_eq!(s, 400, "a query is an API call");
    assert_eq!(iam_code(&b), "MissingParameter");
}

#[test]
fn failed_sign_ins_from_one_address_are_throttled_across_logins() {
    let fresh = Fresh::start(&[]);
    let basic =
        |login: &str, password: &str| basic_read_access_keys(fresh.server.addr, login, password);
    for i in 0..10 {
        assert_eq!(
            basic(&format!("guess{i}@example.com"), "x"),
            (401, "1".into())
        );
    }
    assert_eq!(basic("guess10@example.com", "x"), (429, "24".into()));
    assert_eq!(
        basic(&fresh.file.login, &fresh.file.password),
        (429, "24".into()),
        "the whole address waits out the minute"
    );
    // Signed requests are not sign-ins.
    let (s, b) =
        keygate_tests::support::osc_call(fresh.server.addr, &fresh.root, "ReadAccessKeys", b"{}");
    assert_eq!(s, 200);
    let v: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(
        v["AccessKeys"][0]["AccessKeyId"],
        fresh.file.access_key_id.as_str(),
        "{v}"
    );
}

#[test]
fn new_long_term_keys_start_with_akia() {
    let fresh = Fresh::start(&[]);
    assert!(
        fresh.file.access_key_id.starts_with("AKIA"),
        "{}",
        fresh.file.access_key_id
    );
}
