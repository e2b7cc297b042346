//! `/metrics` end to end: the Prometheus text format on its own listener, parsed by a
//! Prometheus text-format parser, its counters moving with the requests sent.

use keygate_tests::support::clients::{Creds, aws, osc_cli};
use keygate_tests::support::{Fresh, free_port, http, sign};

/// Every sample, parsed as Prometheus parses the text format.
fn scrape(addr: std::net::SocketAddr) -> prometheus_parse::Scrape {
    let (status, headers, body) = http(addr, "GET", "/metrics", &[], b"");
    assert_eq!(status, 200);
    assert!(
        keygate_tests::support::header(&headers, "content-type")
            .is_some_and(|t| t.starts_with("text/plain; version=0.0.4")),
        "{headers:?}"
    );
    let text = String::from_utf8(body).unwrap();
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    prometheus_parse::Scrape::parse(lines).unwrap()
}

/// The value of the sample `name` whose labels include every pair of `labels` (0 if none).
fn value(s: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    s.samples
        .iter()
        .filter(|x| x.metric == name)
        .filter(|x| labels.iter().all(|(k, v)| x.labels.get(k) == Some(*v)))
        .map(|x| match x.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            prometheus_parse::Value::Histogram(ref h) => h.last().map_or(0.0, |b| b.count),
            prometheus_parse::Value::Summary(_) => 0.0,
        })
        .sum()
}

#[test]
fn metrics_parse_and_move_with_the_requests() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let w = Fresh::start(&[("KEYGATE__SERVER__METRICS_LISTEN", &listen)]);
    let at: std::net::SocketAddr = listen.parse().unwrap();
    let before = scrape(at);
    let ok = |s: &prometheus_parse::Scrape| {
        value(
            s,
            "keygate_requests_total",
            &[
                ("dialect", "iam"),
                ("action", "ListUsers"),
                ("status", "200"),
            ],
        )
    };
    assert_eq!(ok(&before), 0.0);
    aws(&w.server, &w.root, &["iam", "list-users"]).json();
    aws(&w.server, &w.root, &["iam", "list-users"]).json();
    osc_cli(&w.server, &w.root, &["ReadAccessKeys"]).json();
    let wrong = Creds::new(&w.root.key_id, "not the secret");
    aws(&w.server, &wrong, &["iam", "list-users"]).failed_with("SignatureDoesNotMatch");
    aws(&w.server, &wrong, &["cloudtrail", "lookup-events"])
        .failed_with("InvalidSignatureException");
    let (status, code) = sign::basic_read_access_keys(w.server.addr, &w.file.login, "nope");
    assert_eq!((status, code.as_str()), (401, "1"));
    let after = scrape(at);
    assert_eq!(ok(&after), 2.0);
    assert_eq!(
        value(
            &after,
            "keygate_requests_total",
            &[
                ("dialect", "osc"),
                ("action", "ReadAccessKeys"),
                ("status", "200")
            ]
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "keygate_authentication_failures_total",
            &[("dialect", "iam"), ("reason", "SignatureDoesNotMatch")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "keygate_authentication_failures_total",
            &[
                ("dialect", "cloudtrail"),
                ("reason", "InvalidSignatureException")
            ]
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "keygate_password_refusals_total",
            &[("reason", "wrong")]
        ),
        1.0
    );
    assert!(
        value(
            &after,
            "keygate_request_duration_seconds_count",
            &[("dialect", "iam"), ("action", "ListUsers")]
        ) >= 2.0
    );
    assert!(
        value(
            &after,
            "keygate_store_transaction_seconds_count",
            &[("kind", "read")]
        ) > value(
            &before,
            "keygate_store_transaction_seconds_count",
            &[("kind", "read")]
        )
    );
    // Only /metrics answers there; the API is not served on it.
    let (status, _, _) = http(at, "POST", "/api/v1/ReadAccessKeys", &[], b"{}");
    assert_eq!(status, 404);
}
