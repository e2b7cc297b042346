//! The request-time window and the exact AWS wording of its errors.
// Helpers outside `#[test]` functions unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use keygate_auth::{AuthError, Flavour, HttpRequest, SignedRequest, check_time, parse};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const SIG: &str = "4415ada2bd3b4db6ef66c4acd25e558f9b08e6788709452aabe5ce749ee1618b";

fn header_signed(date: &str) -> SignedRequest {
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=AKID/{}/us-east-1/sts/aws4_request, SignedHeaders=host, Signature={SIG}",
        &date[..8]
    );
    let headers = [
        ("Host", "sts.amazonaws.com"),
        ("X-Amz-Date", date),
        ("Authorization", auth.as_str()),
    ];
    let req = HttpRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: b"",
    };
    parse(Flavour::Aws4, &req).unwrap()
}

fn presigned(date: &str, expires: u32) -> SignedRequest {
    let query = format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F{}%2Fus-east-1%2Fiam%2Faws4_request\
         &X-Amz-Date={date}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host&X-Amz-Signature={SIG}",
        &date[..8]
    );
    let headers = [("Host", "iam.amazonaws.com")];
    let req = HttpRequest {
        method: "GET",
        path: "/",
        query: &query,
        headers: &headers,
        body: b"",
    };
    parse(Flavour::Aws4, &req).unwrap()
}

const SKEW: Duration = Duration::minutes(15);

#[test]
fn expired_message_matches_aws() {
    let signed = header_signed("20220127T001427Z");
    assert_eq!(signed.request_time(), datetime!(2022-01-27 00:14:27 UTC));
    let err = check_time(&signed, datetime!(2022-01-27 01:59:28 UTC), SKEW).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Signature expired: 20220127T001427Z is now earlier than 20220127T014428Z (20220127T015928Z - 15 min.)"
    );
}

#[test]
fn not_yet_current_message_matches_aws() {
    let signed = header_signed("20210112T194419Z");
    let err = check_time(&signed, datetime!(2021-01-12 07:11:25 UTC), SKEW).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Signature not yet current: 20210112T194419Z is still later than 20210112T072625Z (20210112T071125Z + 15 min.)"
    );
}

#[test]
fn header_window_is_inclusive_and_uses_the_given_skew() {
    let signed = header_signed("20240102T030405Z");
    let at = signed.request_time();
    let five = Duration::minutes(5);
    check_time(&signed, at + five, five).unwrap();
    check_time(&signed, at - five, five).unwrap();
    let err = check_time(&signed, at + five + Duration::SECOND, five).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("is now earlier than 20240102T030406Z (20240102T030906Z - 5 min.)"),
        "{err}"
    );
    assert!(matches!(
        check_time(&signed, at - five - Duration::SECOND, five),
        Err(AuthError::NotYetCurrent { .. })
    ));
}

#[test]
fn now_in_another_offset_is_converted_to_utc() {
    let signed = header_signed("20240102T030405Z");
    let paris = signed.request_time().to_offset(time::macros::offset!(+1));
    check_time(&signed, paris, SKEW).unwrap();
}

#[test]
fn presigned_expiry_is_capped_at_15_minutes() {
    let short = presigned("20240102T030405Z", 90);
    assert!(short.is_presigned());
    let at = short.request_time();
    check_time(&short, at + Duration::seconds(90), SKEW).unwrap();
    let err = check_time(&short, at + Duration::seconds(91), SKEW).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Signature expired: 20240102T030405Z is now earlier than 20240102T030406Z (20240102T030536Z - 90 s)"
    );

    let long = presigned("20240102T030405Z", 3600);
    check_time(&long, at + Duration::minutes(15), SKEW).unwrap();
    assert!(matches!(
        check_time(&long, at + Duration::minutes(16), SKEW),
        Err(AuthError::Expired { .. })
    ));
    // A URL from the future is refused beyond the skew, like a header.
    assert!(matches!(
        check_time(&long, at - Duration::minutes(16), SKEW),
        Err(AuthError::NotYetCurrent { .. })
    ));
    check_time(&long, at - Duration::minutes(14), SKEW).unwrap();
}

#[test]
fn extreme_clocks_do_not_panic() {
    let signed = header_signed("20240102T030405Z");
    check_time(&signed, OffsetDateTime::UNIX_EPOCH, Duration::MAX).unwrap();
}
