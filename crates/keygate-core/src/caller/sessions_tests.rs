//! Sessions: made from a long-term key, found only with their own token and only while they
//! last and their parent key signs, and limited as AWS limits GetSessionToken's credentials.

use crate::model::SessionFacts;
use crate::service::KeyLookup;
use crate::testing::*;

/// A session made by `user` (the root when `None`) from a new key of its own.
fn session_of(
    w: &World,
    user: Option<&str>,
    seconds: Option<u32>,
) -> (AccessKeyId, crate::NewSession) {
    let key = w.new_key(user);
    let principal = match user {
        Some(u) => w.principal_of(u),
        None => w.root.clone(),
    };
    let made = w
        .svc
        .caller(&principal, &IAM)
        .signed_with(key.clone(), None)
        .get_session_token(seconds, None)
        .unwrap();
    (key, made)
}

fn lookup(w: &World, id: &AccessKeyId, token: Option<&str>) -> &'static str {
    match w.svc.signing_credentials(id, token, None, &[]).unwrap() {
        KeyLookup::Found(k) if k.session.is_some() => "session",
        KeyLookup::Found(_) => "long-term",
        KeyLookup::Unknown => "unknown",
        KeyLookup::Expired => "expired",
    }
}

#[test]
fn a_session_is_found_with_its_own_token_only_and_while_it_lasts() {
    let w = world_with(Limits {
        access_keys_per_principal: 10,
        ..Limits::default()
    });
    w.user("alice");
    let (parent, made) = session_of(&w, Some("alice"), Some(900));
    let id = made.session.key_id.clone();
    assert!(id.as_str().starts_with("ASIA"), "{id}");
    let token = made.token.expose().to_owned();
    assert_eq!(lookup(&w, &id, Some(&token)), "session");
    assert_eq!(lookup(&w, &id, None), "unknown", "no token");
    let mut flipped = token.clone().into_bytes();
    flipped[10] ^= 1;
    let flipped = String::from_utf8(flipped).unwrap();
    assert_eq!(lookup(&w, &id, Some(&flipped)), "unknown", "a flipped byte");
    let (_, other) = session_of(&w, Some("alice"), Some(900));
    assert_eq!(
        lookup(&w, &id, Some(other.token.expose())),
        "unknown",
        "another session's token"
    );
    assert_eq!(
        lookup(&w, &parent, Some(&token)),
        "unknown",
        "a long-term key with a token"
    );
    assert_eq!(lookup(&w, &parent, None), "long-term");
    // Its parent key's state decides: inactive, it signs nothing; deleted, it is gone.
    let root = w.root(&IAM);
    let alice = name("alice");
    root.update_access_key(
        Some(&alice),
        &parent,
        KeyChange {
            state: Some(KeyState::Inactive),
            ..KeyChange::default()
        },
    )
    .unwrap();
    assert_eq!(lookup(&w, &id, Some(&token)), "unknown");
    root.update_access_key(
        Some(&alice),
        &parent,
        KeyChange {
            state: Some(KeyState::Active),
            ..KeyChange::default()
        },
    )
    .unwrap();
    assert_eq!(lookup(&w, &id, Some(&token)), "session");
    w.clock.advance_seconds(900);
    assert_eq!(lookup(&w, &id, Some(&token)), "expired");
    let (parent2, made2) = session_of(&w, Some("alice"), None);
    root.delete_access_key(Some(&alice), &parent2).unwrap();
    assert_eq!(
        lookup(&w, &made2.session.key_id, Some(made2.token.expose())),
        "unknown"
    );
    // Temporary keys are never listed.
    assert!(
        w.keys_of(Some("alice"))
            .iter()
            .all(|k| !k.key.id.as_str().starts_with("ASIA"))
    );
}

#[test]
fn durations_follow_aws_bounds_and_the_roots_hour() {
    let w = world_with(Limits {
        access_keys_per_principal: 10,
        ..Limits::default()
    });
    w.user("alice");
    let (_, user) = session_of(&w, Some("alice"), None);
    assert_eq!(
        user.session.expires_at,
        user.session.created_at.plus_seconds(43_200)
    );
    let (_, root) = session_of(&w, None, Some(7200));
    assert_eq!(
        root.session.expires_at,
        root.session.created_at.plus_seconds(3600),
        "the root's sessions last an hour at most"
    );
    let key = w.new_key(None);
    let c = w.svc.caller(&w.root, &IAM).signed_with(key, None);
    assert!(matches!(
        c.get_session_token(Some(899), None),
        Err(CoreError::InvalidInput {
            field: "DurationSeconds",
            ..
        })
    ));
    assert_eq!(
        c.get_session_token(None, Some(("arn:aws:iam::123456789012:mfa/x", "123456")))
            .map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::MfaUnknownDevice))
    );
    let unsigned = w.svc.caller(&w.root, &IAM);
    assert_eq!(
        unsigned.get_session_token(None, None).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::SignedOnly))
    );
}

#[test]
fn session_credentials_are_limited_as_aws_limits_them() {
    let w = world_with(Limits {
        access_keys_per_principal: 10,
        ..Limits::default()
    });
    w.user("alice");
    w.grant(
        "alice",
        "all",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    );
    let alice = w.principal_of("alice");
    let key = w.new_key(Some("alice"));
    let facts = |mfa: bool| SessionFacts {
        kind: crate::model::SessionKind::Token,
        issued_at: Timestamp::from_unix_millis(T0),
        expires_at: Timestamp::from_unix_millis(T0).plus_seconds(3600),
        mfa_at: mfa.then(|| Timestamp::from_unix_millis(T0)),
        policies: Vec::new(),
    };
    let plain = w
        .svc
        .caller(&alice, &IAM)
        .signed_with(key.clone(), Some(facts(false)));
    assert_eq!(
        plain.get_session_token(None, None).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::NoSessionFromSession))
    );
    assert_eq!(
        plain.get_user(None).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::MfaRequired)),
        "no IAM call without MFA"
    );
    let root_key = w.new_key(None);
    let root_session = w
        .svc
        .caller(&w.root, &IAM)
        .signed_with(root_key, Some(facts(false)));
    assert_eq!(
        root_session.get_user(None).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::MfaRequired)),
        "the root's session too"
    );
    let page = PageRequest::default();
    assert_eq!(
        plain
            .list_access_keys(None, &KeyFilter::default(), &page)
            .map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::MfaRequired))
    );
    // The seed rule: with temporary credentials, key calls name their user.
    let mfa = w
        .svc
        .caller(&alice, &IAM)
        .signed_with(key, Some(facts(true)));
    assert_eq!(
        mfa.list_access_keys(None, &KeyFilter::default(), &page)
            .map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::UserNameRequired))
    );
    assert_eq!(
        mfa.create_access_key(None, None, None).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::UserNameRequired))
    );
    assert!(
        mfa.list_access_keys(Some(&name("alice")), &KeyFilter::default(), &page)
            .is_ok()
    );
}

#[test]
fn access_key_info_names_the_account_of_any_key() {
    let w = world();
    let other = w.svc.create_account("other", None).unwrap();
    let (_, made) = session_of(&w, None, None);
    let root = w.root(&IAM);
    assert_eq!(
        root.access_key_info(&other.access_key_id).unwrap(),
        other.account.id,
        "another account's key: its account, as AWS answers"
    );
    assert_eq!(
        root.access_key_info(&made.session.key_id).unwrap(),
        *w.root.account()
    );
    let unknown = AccessKeyId::parse("AKIAUNKNOWN000000000").unwrap();
    assert_eq!(
        root.access_key_info(&unknown),
        Err(CoreError::NoSuchAccessKey(unknown))
    );
}
