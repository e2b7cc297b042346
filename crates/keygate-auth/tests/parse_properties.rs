//! `parse` over arbitrary `Authorization` headers, dates and presigned query strings: it never
//! panics, and whatever it refuses is never echoed unless it is a known scheme name.

use keygate_auth::{AuthError, Flavour, HttpRequest, parse};
use proptest::prelude::*;

fn header() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(&["AWS4-HMAC-SHA256", "OSC4-HMAC-SHA256", "Basic", ""][..]);
    let part = prop_oneof![
        "Credential=[A-Za-z0-9]{0,24}(/[0-9a-z_-]{0,12}){0,6}",
        "SignedHeaders=[a-z;-]{0,40}",
        "Signature=[0-9a-f]{0,70}",
        "\\PC{0,30}",
    ];
    (scheme, prop::collection::vec(part, 0..5), "[ ,]{0,3}")
        .prop_map(|(s, parts, sep)| format!("{s} {}", parts.join(&format!(",{sep}"))))
}

fn query() -> impl Strategy<Value = String> {
    let name = prop::sample::select(
        &[
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-Date",
            "X-Amz-Expires",
            "X-Amz-SignedHeaders",
            "X-Amz-Signature",
            "Action",
        ][..],
    );
    prop::collection::vec((name, "[ -~]{0,30}"), 0..6).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    })
}

proptest! {
    #[test]
    fn any_header_or_query_parses_or_is_refused(
        authorization in prop::option::of(header()),
        date in "[0-9TZ]{0,20}",
        query in query(),
        osc in any::<bool>(),
    ) {
        let flavour = if osc { Flavour::Osc4 } else { Flavour::Aws4 };
        let mut headers = vec![("Host", "127.0.0.1:8470"), (flavour.date_header(), date.as_str())];
        if let Some(a) = &authorization {
            headers.push(("Authorization", a.as_str()));
        }
        let req = HttpRequest { method: "POST", path: "/", query: &query, headers: &headers, body: b"" };
        if let Err(AuthError::WrongAlgorithm(named)) = parse(flavour, &req) {
            prop_assert!(
                ["unrecognised", "AWS4-HMAC-SHA256", "OSC4-HMAC-SHA256", "Basic"].contains(&named.as_str()),
                "{named}"
            );
        }
    }

    #[test]
    fn any_bare_token_is_never_echoed(token in "[A-Za-z0-9_-]{1,40}") {
        prop_assume!(!["AWS", "Basic", "Bearer", "Digest", "Negotiate"].iter().any(|k| k.eq_ignore_ascii_case(&token)));
        let headers = [("Host", "h"), ("X-Amz-Date", "20240102T030405Z"), ("Authorization", token.as_str())];
        let req = HttpRequest { method: "POST", path: "/", query: "", headers: &headers, body: b"" };
        prop_assert_eq!(parse(Flavour::Aws4, &req).map(|_| ()), Err(AuthError::WrongAlgorithm("unrecognised".into())));
    }
}
