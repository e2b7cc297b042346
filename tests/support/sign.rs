//! Signing raw test requests with SigV4, for the cases no real client would send.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use keygate_auth::{
    Flavour, HttpRequest, Scope, canonical_request, derive_signing_key, sign, string_to_sign,
};
use time::OffsetDateTime;
use time::macros::format_description;

use super::clients::Creds;

pub const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// The headers of a `POST /` form request signed like the aws CLI signs one, at `at`, for
/// `region` and `service`.
pub fn aws4_form_headers(
    host: &str,
    creds: &Creds,
    body: &[u8],
    region: &str,
    service: &str,
    at: OffsetDateTime,
) -> Vec<(String, String)> {
    let date = at
        .format(format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap();
    let headers = [
        ("content-type", FORM),
        ("host", host),
        ("x-amz-date", date.as_str()),
    ];
    let req = HttpRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body,
    };
    let signed = ["content-type", "host", "x-amz-date"];
    let canonical = canonical_request(&req, &signed, false).unwrap();
    let scope = Scope {
        access_key_id: creds.key_id.clone(),
        date: date[..8].to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
    };
    let to_sign = string_to_sign(Flavour::Aws4, &date, &scope, &canonical);
    let key = derive_signing_key(Flavour::Aws4, &creds.secret, &scope.date, region, service);
    let signature: String = sign(&key, &to_sign)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    vec![
        ("Content-Type".into(), FORM.into()),
        ("X-Amz-Date".into(), date.clone()),
        (
            "Authorization".into(),
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{}/{region}/{service}/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature={signature}",
                creds.key_id, scope.date
            ),
        ),
    ]
}
