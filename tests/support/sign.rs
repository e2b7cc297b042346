//! Signing raw test requests (AWS4 for the IAM dialect, OSC4 for the OSC one), for the cases and
//! drivers no real client covers.

use keygate_auth::{
    Flavour, HttpRequest, Scope, canonical_request, derive_signing_key, sign, string_to_sign,
};
use time::OffsetDateTime;
use time::macros::format_description;

use super::clients::Creds;

pub const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";
pub const JSON: &str = "application/json; charset=utf-8";

/// The headers of a `POST <path>` signed over `content-type;host;<date header>`.
#[allow(clippy::too_many_arguments)]
fn signed_headers(
    flavour: Flavour,
    host: &str,
    path: &str,
    content_type: &str,
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
    let date_header = flavour.date_header().to_ascii_lowercase();
    let headers = [
        ("content-type", content_type),
        ("host", host),
        (date_header.as_str(), date.as_str()),
    ];
    let req = HttpRequest {
        method: "POST",
        path,
        query: "",
        headers: &headers,
        body,
    };
    let signed = ["content-type", "host", date_header.as_str()];
    let canonical = canonical_request(&req, &signed, false).unwrap();
    let scope = Scope {
        access_key_id: creds.key_id.clone(),
        date: date[..8].to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
    };
    let to_sign = string_to_sign(flavour, &date, &scope, &canonical);
    let key = derive_signing_key(flavour, &creds.secret, &scope.date, region, service);
    let signature: String = sign(&key, &to_sign)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    vec![
        ("Content-Type".into(), content_type.into()),
        (flavour.date_header().into(), date.clone()),
        (
            "Authorization".into(),
            format!(
                "{} Credential={}/{}/{region}/{service}/{}, SignedHeaders={}, Signature={signature}",
                flavour.algorithm(),
                creds.key_id,
                scope.date,
                flavour.terminator(),
                signed.join(";"),
            ),
        ),
    ]
}

/// A `POST /` form request signed like the aws CLI signs one, at `at`.
pub fn aws4_form_headers(
    host: &str,
    creds: &Creds,
    body: &[u8],
    region: &str,
    service: &str,
    at: OffsetDateTime,
) -> Vec<(String, String)> {
    signed_headers(
        Flavour::Aws4,
        host,
        "/",
        FORM,
        creds,
        body,
        region,
        service,
        at,
    )
}

/// OSC `ReadAccessKeys` with `Basic` login/password credentials: the status and the OSC error
/// code, `ok` for a success.
pub fn basic_read_access_keys(
    addr: std::net::SocketAddr,
    login: &str,
    password: &str,
) -> (u16, String) {
    use base64::Engine;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"));
    let auth = format!("Basic {token}");
    let (s, _, b) = super::http(
        addr,
        "POST",
        "/api/v1/ReadAccessKeys",
        &[("Authorization", &auth), ("Content-Type", JSON)],
        b"{}",
    );
    let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
    let code = v["Errors"][0]["Code"].as_str().unwrap_or("ok").to_owned();
    (s, code)
}

/// A `POST /api/v1/<Call>` JSON request signed like osc-sdk-python signs one, now.
pub fn osc4_json_headers(
    host: &str,
    call: &str,
    creds: &Creds,
    body: &[u8],
) -> Vec<(String, String)> {
    let path = format!("/api/v1/{call}");
    let now = super::now();
    signed_headers(
        Flavour::Osc4,
        host,
        &path,
        JSON,
        creds,
        body,
        "eu-west-2",
        "api",
        now,
    )
}
