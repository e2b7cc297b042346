//! Signing a request as a client does, for keygate's own clients (its tests and its load
//! generator): the canonical request, string to sign and key derivation the verifier uses, run
//! the other way. A request is signed over `content-type;host;<date header>` in its headers, or
//! presigned over `host` in its query.

use time::OffsetDateTime;
use time::macros::format_description;

use crate::{
    Flavour, HttpRequest, Scope, canonical_request, derive_signing_key, sign, string_to_sign,
};

/// Where a signed request goes and what it carries.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub flavour: Flavour,
    pub method: &'a str,
    /// The `Host` header's value: the address the request is sent to.
    pub host: &'a str,
    pub path: &'a str,
    pub content_type: &'a str,
    pub body: &'a [u8],
    pub region: &'a str,
    pub service: &'a str,
    pub at: OffsetDateTime,
}

/// An access key as a client holds it. The secret is never shown.
#[derive(Clone, Copy)]
pub struct Signer<'a> {
    pub key_id: &'a str,
    pub secret: &'a str,
}

impl std::fmt::Debug for Signer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

fn basic_date(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year][month][day]T[hour][minute][second]Z"
    ))
    .unwrap_or_default()
}

impl Signer<'_> {
    fn scope(&self, req: &Outgoing<'_>, date: &str) -> Scope {
        Scope {
            access_key_id: self.key_id.to_owned(),
            date: date.get(..8).unwrap_or_default().to_owned(),
            region: req.region.to_owned(),
            service: req.service.to_owned(),
        }
    }

    fn signature(&self, req: &Outgoing<'_>, scope: &Scope, date: &str, canonical: &str) -> String {
        let to_sign = string_to_sign(req.flavour, date, scope, canonical);
        let key = derive_signing_key(
            req.flavour,
            self.secret,
            &scope.date,
            req.region,
            req.service,
        );
        hex::encode(sign(&key, &to_sign))
    }

    /// The headers that sign `req`: `Content-Type`, the date header and `Authorization`.
    pub fn headers(&self, req: &Outgoing<'_>) -> Vec<(String, String)> {
        let date = basic_date(req.at);
        let date_header = req.flavour.date_header().to_ascii_lowercase();
        let headers = [
            ("content-type", req.content_type),
            ("host", req.host),
            (date_header.as_str(), date.as_str()),
        ];
        let http = HttpRequest {
            method: req.method,
            path: req.path,
            query: "",
            headers: &headers,
            body: req.body,
        };
        let signed = ["content-type", "host", date_header.as_str()];
        let canonical = canonical_request(&http, &signed, false).unwrap_or_default();
        let scope = self.scope(req, &date);
        let signature = self.signature(req, &scope, &date, &canonical);
        vec![
            ("Content-Type".into(), req.content_type.into()),
            (req.flavour.date_header().into(), date),
            (
                "Authorization".into(),
                format!(
                    "{} Credential={}/{}/{}/{}/{}, SignedHeaders={}, Signature={signature}",
                    req.flavour.algorithm(),
                    self.key_id,
                    scope.date,
                    req.region,
                    req.service,
                    req.flavour.terminator(),
                    signed.join(";"),
                ),
            ),
        ]
    }

    /// The query of `req` presigned for `expires` seconds (AWS4 only): `query` (already
    /// encoded, the action's own parameters) followed by the signature's.
    pub fn presigned_query(&self, req: &Outgoing<'_>, query: &str, expires: u32) -> String {
        let date = basic_date(req.at);
        let scope = self.scope(req, &date);
        let credential = format!(
            "{}%2F{}%2F{}%2F{}%2F{}",
            self.key_id,
            scope.date,
            req.region,
            req.service,
            req.flavour.terminator()
        );
        let mut pairs: Vec<String> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        pairs.extend([
            format!("X-Amz-Algorithm={}", req.flavour.algorithm()),
            format!("X-Amz-Credential={credential}"),
            format!("X-Amz-Date={date}"),
            format!("X-Amz-Expires={expires}"),
            "X-Amz-SignedHeaders=host".to_owned(),
        ]);
        let unsigned = pairs.join("&");
        let headers = [("host", req.host)];
        let http = HttpRequest {
            method: req.method,
            path: req.path,
            query: &unsigned,
            headers: &headers,
            body: req.body,
        };
        let canonical = canonical_request(&http, &["host"], true).unwrap_or_default();
        let signature = self.signature(req, &scope, &date, &canonical);
        format!("{unsigned}&X-Amz-Signature={signature}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{VerifyOptions, parse, verify};

    /// Whether `http`, as received, verifies under `secret`.
    fn verifies(http: &HttpRequest<'_>, secret: &str) -> bool {
        let parsed = parse(Flavour::Aws4, http).unwrap();
        verify(http, &parsed, secret, None, VerifyOptions::default()).is_ok()
    }

    fn at() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_764_633_600).unwrap()
    }

    #[test]
    fn what_it_signs_the_verifier_accepts() {
        let signer = Signer {
            key_id: "AKIAEXAMPLE000000001",
            secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        };
        let req = Outgoing {
            flavour: Flavour::Aws4,
            method: "POST",
            host: "127.0.0.1:8470",
            path: "/",
            content_type: "application/x-www-form-urlencoded; charset=utf-8",
            body: b"Action=ListUsers&Version=2010-05-08",
            region: "us-east-1",
            service: "iam",
            at: at(),
        };
        let mut headers = signer.headers(&req);
        headers.push(("Host".into(), req.host.into()));
        let refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let http = HttpRequest {
            method: req.method,
            path: req.path,
            query: "",
            headers: &refs,
            body: req.body,
        };
        assert!(verifies(&http, signer.secret));
        let wrong = Signer {
            secret: "another secret",
            ..signer
        };
        let mut bad = wrong.headers(&req);
        bad.push(("Host".into(), req.host.into()));
        let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let http = HttpRequest {
            headers: &refs,
            ..http
        };
        assert!(!verifies(&http, signer.secret));

        let get = Outgoing {
            method: "GET",
            body: b"",
            ..req
        };
        let query = signer.presigned_query(&get, "Action=ListAccessKeys&Version=2010-05-08", 300);
        let host = [("Host", req.host)];
        let http = HttpRequest {
            method: "GET",
            path: "/",
            query: &query,
            headers: &host,
            body: b"",
        };
        assert!(verifies(&http, signer.secret));
    }
}
