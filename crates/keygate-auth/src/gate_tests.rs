//! The gate against an in-memory lookup: which keys are found, the scope's service, the clock's
//! edges, and a use noted only once every check holds.

use std::collections::HashMap;
use std::sync::Mutex;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use super::*;
use crate::{Found, KeySecret, canonical_request, derive_signing_key, sign, string_to_sign};

const NOW: OffsetDateTime = datetime!(2024-05-01 12:00:00 UTC);
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Active,
    Inactive,
    Expired,
    /// A session with this token.
    Session(&'static str),
    /// An expired session with this token.
    EndedSession(&'static str),
}

/// Keys by id with their state, as a keeper of keys would hold them, and the uses noted.
#[derive(Debug, Default)]
struct Keys {
    keys: HashMap<&'static str, State>,
    uses: Mutex<Vec<(String, String, String)>>,
    fail: bool,
}

impl SecretLookup for Keys {
    type Owner = String;
    type Error = &'static str;

    fn signing_secret(
        &self,
        key_id: &str,
        token: Option<&str>,
        client: Option<std::net::IpAddr>,
        _certificates: &[Vec<u8>],
    ) -> Result<Found<String>, &'static str> {
        if self.fail {
            return Err("the store is down");
        }
        // The owner admits every address but 192.0.2.66.
        let key = || {
            Found::Key(KeySecret {
                secret: Zeroizing::new(SECRET.to_owned()),
                owner: format!("owner of {key_id}"),
                admitted: client != Some([192, 0, 2, 66].into()),
            })
        };
        Ok(match (self.keys.get(key_id), token) {
            (Some(State::Active), None) => key(),
            (Some(State::Session(t)), Some(given)) if *t == given => key(),
            (Some(State::EndedSession(t)), Some(given)) if *t == given => Found::Expired,
            _ => Found::Unknown,
        })
    }

    fn note_use(&self, key_id: &str, owner: &String, used: KeyUse<'_>) {
        assert_eq!(used.at, NOW);
        self.uses
            .lock()
            .unwrap()
            .push((key_id.to_owned(), owner.clone(), used.service.to_owned()));
    }

    fn now(&self) -> OffsetDateTime {
        NOW
    }
}

fn keys() -> Keys {
    Keys {
        keys: HashMap::from([
            ("AKIDACTIVE0000000001", State::Active),
            ("AKIDINACTIVE00000001", State::Inactive),
            ("AKIDEXPIRED000000001", State::Expired),
            ("ASIDSESSION000000001", State::Session("tok1")),
            ("ASIDENDED00000000001", State::EndedSession("tok2")),
        ]),
        ..Keys::default()
    }
}

/// A `POST /` signed with `secret` for `service` at `at`.
fn signed(key_id: &str, secret: &str, service: &str, at: OffsetDateTime) -> SignedHttp {
    let date = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    let body = b"Action=ListUsers&Version=2010-05-08".to_vec();
    let headers = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("host", "127.0.0.1:8470"),
        ("x-amz-date", date.as_str()),
    ];
    let req = HttpRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: &body,
    };
    let names = ["content-type", "host", "x-amz-date"];
    let canonical = canonical_request(&req, &names, false).unwrap();
    let scope = Scope {
        access_key_id: key_id.to_owned(),
        date: date[..8].to_owned(),
        region: "us-east-1".to_owned(),
        service: service.to_owned(),
    };
    let to_sign = string_to_sign(Flavour::Aws4, &date, &scope, &canonical);
    let key = derive_signing_key(Flavour::Aws4, secret, &scope.date, "us-east-1", service);
    let signature: String = sign(&key, &to_sign)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut all = http::HeaderMap::new();
    for (k, v) in headers {
        all.append(
            http::HeaderName::from_static(k),
            http::HeaderValue::from_str(v).unwrap(),
        );
    }
    all.append(
        http::header::AUTHORIZATION,
        http::HeaderValue::from_str(&format!(
            "AWS4-HMAC-SHA256 Credential={key_id}/{}/us-east-1/{service}/aws4_request, \
             SignedHeaders={}, Signature={signature}",
            scope.date,
            names.join(";")
        ))
        .unwrap(),
    );
    SignedHttp {
        method: http::Method::POST,
        uri: http::Uri::from_static("/"),
        headers: all,
        body: body.into(),
        client: None,
        secure: false,
        certificates: Vec::new(),
    }
}

fn check(gate: &Gate<Keys>, http: &SignedHttp) -> Result<String, Failure<&'static str>> {
    gate.authenticate(http, &["iam", "eim"])
        .map(|a| a.principal)
}

#[test]
fn an_active_key_is_found_and_its_use_noted() {
    let gate = Gate::new(keys(), Flavour::Aws4);
    let owner = check(&gate, &signed("AKIDACTIVE0000000001", SECRET, "iam", NOW)).unwrap();
    assert_eq!(owner, "owner of AKIDACTIVE0000000001");
    assert_eq!(
        *gate.lookup().uses.lock().unwrap(),
        [("AKIDACTIVE0000000001".to_owned(), owner, "iam".to_owned())]
    );
}

#[test]
fn unknown_inactive_and_expired_keys_look_alike() {
    let gate = Gate::new(keys(), Flavour::Aws4);
    for id in [
        "AKIDUNKNOWN000000001",
        "AKIDINACTIVE00000001",
        "AKIDEXPIRED000000001",
    ] {
        let e = check(&gate, &signed(id, SECRET, "iam", NOW)).unwrap_err();
        assert!(matches!(e, Failure::UnknownKey), "{id}: {e:?}");
    }
    assert!(gate.lookup().uses.lock().unwrap().is_empty());
}

#[test]
fn a_failing_lookup_is_the_lookups_error() {
    let gate = Gate::new(
        Keys {
            fail: true,
            ..keys()
        },
        Flavour::Aws4,
    );
    let e = check(&gate, &signed("AKIDACTIVE0000000001", SECRET, "iam", NOW)).unwrap_err();
    assert!(matches!(e, Failure::Lookup("the store is down")), "{e:?}");
}

#[test]
fn a_wrong_signature_notes_no_use() {
    let gate = Gate::new(keys(), Flavour::Aws4);
    let e = check(
        &gate,
        &signed("AKIDACTIVE0000000001", "guessed", "iam", NOW),
    )
    .unwrap_err();
    assert!(
        matches!(e, Failure::Auth(AuthError::SignatureMismatch)),
        "{e:?}"
    );
    assert!(gate.lookup().uses.lock().unwrap().is_empty());
}

#[test]
fn a_signature_for_another_service_is_refused_after_it_verifies() {
    let gate = Gate::new(keys(), Flavour::Aws4);
    let e = check(&gate, &signed("AKIDACTIVE0000000001", SECRET, "sts", NOW)).unwrap_err();
    assert!(
        matches!(e, Failure::WrongService { expected: "iam" }),
        "{e:?}"
    );
    assert!(gate.lookup().uses.lock().unwrap().is_empty());
    let eim = check(&gate, &signed("AKIDACTIVE0000000001", SECRET, "eim", NOW));
    assert!(eim.is_ok(), "Outscale's name for IAM is accepted");
}

#[test]
fn the_skew_window_is_inclusive_at_both_edges() {
    let gate = Gate::new(keys(), Flavour::Aws4).with_max_skew(Duration::minutes(5));
    let at = |offset: Duration| signed("AKIDACTIVE0000000001", SECRET, "iam", NOW + offset);
    assert!(check(&gate, &at(Duration::minutes(5))).is_ok());
    assert!(check(&gate, &at(-Duration::minutes(5))).is_ok());
    let early = check(&gate, &at(Duration::minutes(5) + Duration::seconds(1))).unwrap_err();
    assert!(
        matches!(early, Failure::Auth(AuthError::NotYetCurrent { .. })),
        "{early:?}"
    );
    let late = check(&gate, &at(-Duration::minutes(5) - Duration::seconds(1))).unwrap_err();
    assert!(
        matches!(late, Failure::Auth(AuthError::Expired { .. })),
        "{late:?}"
    );
    assert_eq!(
        gate.lookup().uses.lock().unwrap().len(),
        2,
        "only the requests inside the window"
    );
}

/// `signed`, carrying a session token in the header (unsigned, as clients may add it).
fn with_token(mut http: SignedHttp, token: &str) -> SignedHttp {
    http.headers.append(
        "x-amz-security-token",
        http::HeaderValue::from_str(token).unwrap(),
    );
    http
}

#[test]
fn a_session_signs_only_with_its_own_token_and_until_it_ends() {
    let gate = Gate::new(keys(), Flavour::Aws4);
    let session = |token: Option<&str>| {
        let http = signed("ASIDSESSION000000001", SECRET, "iam", NOW);
        let http = match token {
            Some(t) => with_token(http, t),
            None => http,
        };
        check(&gate, &http)
    };
    assert_eq!(
        session(Some("tok1")).unwrap(),
        "owner of ASIDSESSION000000001"
    );
    assert!(matches!(session(None), Err(Failure::UnknownKey)));
    assert!(matches!(session(Some("tok2")), Err(Failure::UnknownKey)));
    let ended = with_token(signed("ASIDENDED00000000001", SECRET, "iam", NOW), "tok2");
    assert!(matches!(check(&gate, &ended), Err(Failure::ExpiredToken)));
    // A long-term key with a token beside it signs nothing.
    let long = with_token(signed("AKIDACTIVE0000000001", SECRET, "iam", NOW), "tok1");
    assert!(matches!(check(&gate, &long), Err(Failure::UnknownKey)));
    // A presigned URL carries the token in its query.
    let mut query = signed("ASIDSESSION000000001", SECRET, "iam", NOW);
    query.uri = http::Uri::from_static("/?X-Amz-Security-Token=tok1");
    assert_eq!(session_token(&query, Flavour::Aws4), Some("tok1"));
    assert_eq!(
        session_token(&query, Flavour::Osc4),
        None,
        "the OSC API's is a header"
    );
}

#[test]
fn an_owner_that_does_not_admit_the_client_is_refused_after_the_signature() {
    let gate = Gate::new(keys(), Flavour::Aws4);
    let mut from = signed("AKIDACTIVE0000000001", SECRET, "iam", NOW);
    from.client = Some([192, 0, 2, 66].into());
    assert!(matches!(check(&gate, &from), Err(Failure::NotAdmitted)));
    // A wrong signature from there is refused as a wrong signature: nothing is told of keys.
    let mut forged = signed("AKIDACTIVE0000000001", "not the secret", "iam", NOW);
    forged.client = Some([192, 0, 2, 66].into());
    assert!(matches!(check(&gate, &forged), Err(Failure::Auth(_))));
    from.client = Some([192, 0, 2, 67].into());
    assert!(check(&gate, &from).is_ok());
}
