//! The signing-key cache returns the same keys as a fresh derivation, and never across secrets.

use std::sync::Arc;
use std::thread;

use keygate_auth::{
    Flavour, HttpRequest, Scope, SigningKeyCache, VerifyOptions, derive_signing_key, parse, verify,
};

fn scope(id: &str, date: &str) -> Scope {
    Scope {
        access_key_id: id.into(),
        date: date.into(),
        region: "eu-west-2".into(),
        service: "api".into(),
    }
}

fn fresh(flavour: Flavour, s: &Scope, secret: &str) -> [u8; 32] {
    derive_signing_key(flavour, secret, &s.date, &s.region, &s.service)
}

#[test]
fn cached_key_equals_derived_key() {
    let cache = SigningKeyCache::new(8);
    let s = scope("AK1", "20240102");
    let first = cache.signing_key(Flavour::Osc4, &s, "secret-one");
    let second = cache.signing_key(Flavour::Osc4, &s, "secret-one");
    assert_eq!(first, fresh(Flavour::Osc4, &s, "secret-one"));
    assert_eq!(second, first);
    assert_eq!(cache.len(), 1);
    // The flavour is part of the key: OSC4 and AWS4 derive differently.
    let aws = cache.signing_key(Flavour::Aws4, &s, "secret-one");
    assert_eq!(aws, fresh(Flavour::Aws4, &s, "secret-one"));
    assert_ne!(aws, first);
}

#[test]
fn another_secret_for_the_same_id_is_not_served_the_cached_key() {
    let cache = SigningKeyCache::new(8);
    let s = scope("AK1", "20240102");
    let real = cache.signing_key(Flavour::Osc4, &s, "real-secret");
    let guessed = cache.signing_key(Flavour::Osc4, &s, "guessed-secret");
    assert_ne!(guessed, real);
    assert_eq!(guessed, fresh(Flavour::Osc4, &s, "guessed-secret"));
    // After a rotation the new secret's key replaces the old one.
    assert_eq!(cache.signing_key(Flavour::Osc4, &s, "real-secret"), real);
}

#[test]
fn cache_stays_bounded() {
    let cache = SigningKeyCache::new(3);
    for day in 10..30 {
        let s = scope("AK1", &format!("202401{day}"));
        assert_eq!(
            cache.signing_key(Flavour::Aws4, &s, "k"),
            fresh(Flavour::Aws4, &s, "k")
        );
        assert!(cache.len() <= 3);
    }
    let disabled = SigningKeyCache::new(0);
    let s = scope("AK1", "20240102");
    assert_eq!(
        disabled.signing_key(Flavour::Aws4, &s, "k"),
        fresh(Flavour::Aws4, &s, "k")
    );
    assert!(disabled.is_empty());
}

#[test]
fn debug_shows_no_keys() {
    let cache = SigningKeyCache::new(2);
    cache.signing_key(Flavour::Aws4, &scope("AK1", "20240102"), "top-secret");
    assert_eq!(
        format!("{cache:?}"),
        "SigningKeyCache { capacity: 2, len: 1, .. }"
    );
}

#[test]
fn shared_between_threads() {
    let cache = Arc::new(SigningKeyCache::new(4));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let cache = Arc::clone(&cache);
            thread::spawn(move || {
                let s = scope(&format!("AK{}", i % 2), "20240102");
                for _ in 0..50 {
                    assert_eq!(
                        cache.signing_key(Flavour::Osc4, &s, "k"),
                        fresh(Flavour::Osc4, &s, "k")
                    );
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(cache.len(), 2);
}

#[test]
fn verify_through_the_cache() {
    // Vector V3 of WIRE.md B.2.
    let headers = [
        ("Host", "api.eu-west-2.outscale.com"),
        ("Content-Type", "application/json; charset=utf-8"),
        ("X-Osc-Date", "20240102T030405Z"),
        (
            "Authorization",
            "OSC4-HMAC-SHA256 Credential=ABCDEFGHIJ0123456789/20240102/eu-west-2/api/osc4_request, \
             SignedHeaders=content-type;host;x-osc-date, \
             Signature=e6919e256ff4f7b261976df7eb5fd7f06a98a80e2a6aedec1eb35b8cff00bdc7",
        ),
    ];
    let req = HttpRequest {
        method: "POST",
        path: "/api/v1/ReadAccessKeys",
        query: "",
        headers: &headers,
        body: b"{}",
    };
    let signed = parse(Flavour::Osc4, &req).unwrap();
    let cache = SigningKeyCache::new(4);
    let secret = "X".repeat(40);
    let opts = VerifyOptions::default();
    assert!(verify(&req, &signed, "Y", Some(&cache), opts).is_err());
    verify(&req, &signed, &secret, Some(&cache), opts).unwrap();
    verify(&req, &signed, &secret, Some(&cache), opts).unwrap();
    assert!(verify(&req, &signed, "Y", Some(&cache), opts).is_err());
}
