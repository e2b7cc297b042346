//! The requests measured, as bytes on the wire: signed reads in both dialects (IAM presigned
//! GET and signed POST, OSC signed POST), made once and replayed inside the clock window, and
//! unique signed writes (CreateUser with a fresh name), signed one by one as a client would.

use std::sync::Arc;

use keygate_auth::{Flavour, Outgoing, Signer};
use time::OffsetDateTime;

use crate::load::MakeRequest;

const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";
const JSON: &str = "application/json";

/// The kinds of request measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Healthz,
    IamGet,
    IamPost,
    OscPost,
    CreateUser,
}

impl Kind {
    pub const READS: [Kind; 4] = [Kind::Healthz, Kind::IamGet, Kind::IamPost, Kind::OscPost];

    pub fn label(self) -> &'static str {
        match self {
            Kind::Healthz => "GET /healthz",
            Kind::IamGet => "IAM ListAccessKeys, presigned GET (AWS4)",
            Kind::IamPost => "IAM ListAccessKeys, signed POST (AWS4)",
            Kind::OscPost => "OSC ReadAccessKeys, signed POST (OSC4)",
            Kind::CreateUser => "IAM CreateUser, a new name each time (AWS4)",
        }
    }
}

/// An access key the requests are signed with.
#[derive(Clone)]
pub struct Key {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A client signs with its own clock; keygate's `Clock` is the server's.
#[allow(clippy::disallowed_methods)]
fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn bytes(head: &str, headers: &[(String, String)], body: &[u8]) -> Arc<[u8]> {
    let mut out = Vec::with_capacity(512 + body.len());
    out.extend_from_slice(head.as_bytes());
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out.into()
}

fn signed_post(host: &str, key: &Key, flavour: Flavour, path: &str, body: &[u8]) -> Arc<[u8]> {
    let (content_type, region, service) = match flavour {
        Flavour::Aws4 => (FORM, "us-east-1", "iam"),
        Flavour::Osc4 => (JSON, "eu-west-2", "api"),
    };
    let signer = Signer {
        key_id: &key.id,
        secret: &key.secret,
    };
    let headers = signer.headers(&Outgoing {
        flavour,
        method: "POST",
        host,
        path,
        content_type,
        body,
        region,
        service,
        at: now(),
    });
    bytes(
        &format!("POST {path} HTTP/1.1\r\nHost: {host}\r\n"),
        &headers,
        body,
    )
}

/// The requests of `kind` for the server at `host`, signed with `key`.
pub fn make(kind: Kind, host: &str, key: &Key) -> MakeRequest {
    let once = |req: Arc<[u8]>| -> MakeRequest { Arc::new(move |_, _| req.clone()) };
    match kind {
        Kind::Healthz => once(bytes(
            &format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\n"),
            &[],
            b"",
        )),
        Kind::IamGet => {
            let signer = Signer {
                key_id: &key.id,
                secret: &key.secret,
            };
            let query = signer.presigned_query(
                &Outgoing {
                    flavour: Flavour::Aws4,
                    method: "GET",
                    host,
                    path: "/",
                    content_type: "",
                    body: b"",
                    region: "us-east-1",
                    service: "iam",
                    at: now(),
                },
                "Action=ListAccessKeys&Version=2010-05-08",
                900,
            );
            once(bytes(
                &format!("GET /?{query} HTTP/1.1\r\nHost: {host}\r\n"),
                &[],
                b"",
            ))
        }
        Kind::IamPost => once(signed_post(
            host,
            key,
            Flavour::Aws4,
            "/",
            b"Action=ListAccessKeys&Version=2010-05-08",
        )),
        Kind::OscPost => once(signed_post(
            host,
            key,
            Flavour::Osc4,
            "/api/v1/ReadAccessKeys",
            b"{}",
        )),
        Kind::CreateUser => {
            let (host, key) = (host.to_owned(), key.clone());
            let run = std::process::id();
            Arc::new(move |conn, n| {
                let body =
                    format!("Action=CreateUser&Version=2010-05-08&UserName=load-{run}-{conn}-{n}");
                signed_post(&host, &key, Flavour::Aws4, "/", body.as_bytes())
            })
        }
    }
}
