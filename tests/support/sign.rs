//! Signing raw test requests (AWS4 for the IAM dialect, OSC4 for the OSC one), for the cases and
//! drivers no real client covers.

use keygate_auth::{Flavour, Outgoing, Signer};
use time::OffsetDateTime;

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
    Signer {
        key_id: &creds.key_id,
        secret: &creds.secret,
    }
    .headers(&Outgoing {
        flavour,
        method: "POST",
        host,
        path,
        content_type,
        body,
        region,
        service,
        at,
    })
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
