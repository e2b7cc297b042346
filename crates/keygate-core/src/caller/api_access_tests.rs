//! Access governance: the policy's preconditions and its maximum key lifetime in both
//! dialects, the rules' shapes, the last rule kept, and authentication admitting requests only
//! from where a rule allows.

use std::net::IpAddr;

use super::*;
use crate::ids::ApiAccessRuleId;
use crate::service::KeyLookup;
use crate::testing::*;

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().unwrap())
}

fn ranges(r: &[&str]) -> RuleSpec {
    RuleSpec {
        ip_ranges: r.iter().map(|s| (*s).to_owned()).collect(),
        ..RuleSpec::default()
    }
}

fn admitted(w: &World, key: &AccessKeyId, from: &str) -> bool {
    match w.svc.signing_credentials(key, None, ip(from), &[]).unwrap() {
        KeyLookup::Found(k) => k.admitted,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_maximum_lifetime_needs_every_key_within_it_then_binds_both_dialects() {
    let w = world_with(Limits {
        access_keys_per_principal: 10,
        ..Limits::default()
    });
    let root = w.root(&OSC);
    assert_eq!(
        root.read_api_access_policy().unwrap(),
        ApiAccessPolicy::default()
    );
    let hour = ApiAccessPolicy {
        max_key_expiration_seconds: 3600,
        require_trusted_env: false,
    };
    assert_eq!(
        root.update_api_access_policy(hour),
        Err(CoreError::AccessPolicy(
            AccessPolicyRule::KeysOutliveMaximum(3600)
        )),
        "the root's key never expires"
    );
    let now = Timestamp::from_unix_millis(T0);
    let key = w.keys_of(None)[0].key.id.clone();
    root.update_access_key(
        None,
        &key,
        KeyChange {
            expires_at: Some(Some(now.plus_seconds(600))),
            ..KeyChange::default()
        },
    )
    .unwrap();
    assert_eq!(root.update_api_access_policy(hour), Ok(hour));
    assert_eq!(
        root.create_access_key(None, None, None).map(|_| ()),
        Err(CoreError::AccessPolicy(
            AccessPolicyRule::ExpirationRequired(3600)
        )),
        "the OSC dialect asks for a date"
    );
    assert_eq!(
        root.create_access_key(None, Some(now.plus_seconds(7200)), None)
            .map(|_| ()),
        Err(CoreError::AccessPolicy(AccessPolicyRule::ExpirationTooFar(
            3600
        )))
    );
    let iam = w.root(&IAM).create_access_key(None, None, None).unwrap();
    assert_eq!(
        iam.view.key.expires_at,
        Some(now.plus_seconds(3600)),
        "the IAM dialect, which has no date to give, gets the maximum"
    );
    assert!(
        root.update_access_key(
            None,
            &key,
            KeyChange {
                expires_at: Some(None),
                ..KeyChange::default()
            },
        )
        .is_err(),
        "a date is not removed under a maximum"
    );
    assert_eq!(
        root.update_api_access_policy(ApiAccessPolicy {
            max_key_expiration_seconds: MAX_KEY_LIFETIME_SECONDS + 1,
            require_trusted_env: false,
        })
        .map(|_| ())
        .map_err(|e| matches!(e, CoreError::InvalidInput { .. })),
        Err(true)
    );
    assert_eq!(
        root.update_api_access_policy(ApiAccessPolicy {
            max_key_expiration_seconds: 0,
            require_trusted_env: true,
        }),
        Err(CoreError::AccessPolicy(
            AccessPolicyRule::TrustedEnvNeedsMaximum
        ))
    );
    assert_eq!(
        root.update_api_access_policy(ApiAccessPolicy {
            max_key_expiration_seconds: 3600,
            require_trusted_env: true,
        }),
        Err(CoreError::AccessPolicy(
            AccessPolicyRule::TrustedEnvNeedsCas
        )),
        "the default rule names no CA"
    );
}

#[test]
fn rules_are_shaped_as_outscale_says_and_the_last_one_stays() {
    let w = world();
    let root = w.root(&OSC);
    let rules = root.read_access_rules(&RuleFilter::default()).unwrap();
    assert_eq!(rules.len(), 1, "a new account's default rule");
    assert_eq!(rules[0].description, "Allows all IPv4 domain");
    assert_eq!(
        root.create_access_rule(RuleSpec::default()),
        Err(CoreError::AccessPolicy(
            AccessPolicyRule::RuleNeedsRangesOrCas
        ))
    );
    assert!(matches!(
        root.create_access_rule(ranges(&["1.1.1/32"])),
        Err(CoreError::InvalidInput {
            field: "IpRanges",
            ..
        })
    ));
    assert_eq!(
        root.create_access_rule(RuleSpec {
            cns: vec!["ops".into()],
            ..ranges(&["192.0.2.0/24"])
        }),
        Err(CoreError::AccessPolicy(AccessPolicyRule::CnsNeedCas))
    );
    let ca = crate::ids::CaId::parse("ca-00000000000000000000000000000001").unwrap();
    assert_eq!(
        root.create_access_rule(RuleSpec {
            ca_ids: vec![ca.clone()],
            ..RuleSpec::default()
        }),
        Err(CoreError::NoSuchCa(ca))
    );
    let office = root
        .create_access_rule(RuleSpec {
            description: "office".into(),
            ..ranges(&["192.0.2.0/24", "198.51.100.7"])
        })
        .unwrap();
    assert!(office.id.as_str().starts_with("aar-"));
    let only_office = RuleFilter {
        descriptions: Some(vec!["office".into()]),
        ..RuleFilter::default()
    };
    assert_eq!(
        root.read_access_rules(&only_office).unwrap(),
        vec![office.clone()]
    );
    let replaced = root
        .update_access_rule(&office.id, ranges(&["203.0.113.0/24"]))
        .unwrap();
    assert_eq!(
        replaced.description, "",
        "what the update leaves out is gone"
    );
    root.delete_access_rule(&rules[0].id).unwrap();
    assert_eq!(
        root.delete_access_rule(&office.id),
        Err(CoreError::AccessPolicy(AccessPolicyRule::LastRule))
    );
    let unknown = ApiAccessRuleId::parse("aar-ffffffffffffffffffffffffffffffff").unwrap();
    assert_eq!(
        root.delete_access_rule(&unknown),
        Err(CoreError::NoSuchAccessRule(unknown))
    );
}

#[test]
fn authentication_admits_only_what_a_rule_admits() {
    let w = world();
    let root = w.root(&OSC);
    let key = w.keys_of(None)[0].key.id.clone();
    assert!(admitted(&w, &key, "127.0.0.1"));
    assert!(!admitted(&w, &key, "::1"), "the default rule is IPv4's");
    let default = root.read_access_rules(&RuleFilter::default()).unwrap()[0]
        .id
        .clone();
    root.create_access_rule(ranges(&["127.0.0.2"])).unwrap();
    root.delete_access_rule(&default).unwrap();
    assert!(!admitted(&w, &key, "127.0.0.1"));
    assert!(admitted(&w, &key, "127.0.0.2"));
    assert!(admitted(&w, &key, "::ffff:127.0.0.2"));
    // The account's password too, once it is proven.
    let creds = w.svc.accounts().unwrap()[0].clone();
    let wrong = w.svc.verify_password(
        &creds.email,
        "wrong",
        crate::Source::new(ip("127.0.0.1")),
        &[],
    );
    assert_eq!(wrong, Err(CoreError::BadCredentials));
}
