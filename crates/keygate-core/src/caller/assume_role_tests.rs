//! AssumeRole: the trust policy and the caller's identity policies decide together, as the
//! module's rule says; the session acts with the role's policies within its session policies,
//! for as long as the role exists.

use crate::caller::roles::tests::{new_role, role_name, trusting};
use crate::caller::{AssumeRequest, AssumedRole};
use crate::ids::RoleSessionName;
use crate::model::SessionFacts;
use crate::service::KeyLookup;
use crate::testing::*;

const ASSUME_ANY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;
const DENY_ASSUME: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Never","Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}"#;

fn request(arn: &str) -> AssumeRequest<'_> {
    AssumeRequest {
        role_arn: arn,
        session_name: Some(RoleSessionName::parse("night-shift").unwrap()),
        ..AssumeRequest::default()
    }
}

fn role_arn(w: &World, name: &str) -> String {
    format!("arn:aws:iam::{}:role/{name}", w.root.account())
}

/// `user` assumes with a new key of its own.
fn assume(w: &World, user: &str, req: &AssumeRequest<'_>) -> CoreResult<AssumedRole> {
    let key = w.new_key(Some(user));
    w.svc
        .caller(&w.principal_of(user), &IAM)
        .signed_with(key, None)
        .assume_role(req)
}

/// Who the session's credentials sign for.
fn signer(w: &World, made: &AssumedRole) -> Option<(Principal, SessionFacts)> {
    let c = &made.credentials;
    match w
        .svc
        .signing_credentials(&c.session.key_id, Some(c.token.expose()), None, &[])
        .unwrap()
    {
        KeyLookup::Found(k) => Some((k.principal, k.session.unwrap())),
        KeyLookup::Unknown | KeyLookup::Expired => None,
    }
}

fn world_with_alice() -> World {
    let w = world_with(Limits {
        access_keys_per_principal: 10,
        ..Limits::default()
    });
    w.user("alice");
    w
}

#[test]
fn a_trust_policy_naming_the_user_needs_no_identity_policy() {
    let w = world_with_alice();
    let alice = format!("arn:aws:iam::{}:user/alice", w.root.account());
    let root = w.root(&IAM);
    root.create_role(new_role("reader", &trusting(&alice)))
        .unwrap();
    root.put_role_policy(&role_name("reader"), &policy_name("read"), READ_USERS)
        .unwrap();
    let arn = role_arn(&w, "reader");
    let made = assume(&w, "alice", &request(&arn)).unwrap();
    assert_eq!(
        made.arn,
        format!(
            "arn:aws:sts::{}:assumed-role/reader/night-shift",
            w.root.account()
        )
    );
    assert!(made.assumed_role_id.starts_with("AROA"));
    assert!(made.assumed_role_id.ends_with(":night-shift"));
    assert!(made.credentials.session.key_id.as_str().starts_with("ASIA"));
    let (principal, facts) = signer(&w, &made).unwrap();
    assert_eq!(principal.arn(), made.arn);
    assert_eq!(principal.unique_id(), made.assumed_role_id);
    let session = w
        .svc
        .caller(&principal, &IAM)
        .signed_with(made.credentials.session.key_id.clone(), Some(facts));
    assert!(
        session.get_user(Some(&name("alice"))).is_ok(),
        "the role's policy"
    );
    assert!(
        matches!(
            session.list_users(None, &PageRequest::default()),
            Err(CoreError::AccessDenied { principal, .. }) if principal == made.arn
        ),
        "nothing else"
    );
    assert_eq!(
        session.get_session_token(None, None).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::NoSessionFromSession))
    );
    assert!(
        root.get_role(&role_name("reader"))
            .unwrap()
            .last_used
            .is_some(),
        "its last use is kept"
    );
}

#[test]
fn a_trust_policy_naming_the_account_needs_the_identity_policy_too() {
    let w = world_with_alice();
    let root = w.root(&IAM);
    let account = w.root.account().to_string();
    root.create_role(new_role("ops", &trusting(&account)))
        .unwrap();
    let arn = role_arn(&w, "ops");
    assert!(matches!(
        assume(&w, "alice", &request(&arn)),
        Err(CoreError::AccessDenied { action, resource, .. })
            if action == "sts:AssumeRole" && resource == arn
    ));
    w.grant("alice", "assume", ASSUME_ANY);
    assert!(assume(&w, "alice", &request(&arn)).is_ok());
    w.grant("alice", "never", DENY_ASSUME);
    assert!(assume(&w, "alice", &request(&arn)).is_err(), "a deny wins");
    let alice = format!("arn:aws:iam::{account}:user/alice");
    root.update_trust_policy(&role_name("ops"), &trusting(&alice))
        .unwrap();
    assert!(
        matches!(
            assume(&w, "alice", &request(&arn)),
            Err(CoreError::AccessDenied { why, .. })
                if matches!(*why, crate::Denial::ExplicitDeny { .. })
        ),
        "even when the trust policy names her"
    );
}

#[test]
fn what_is_refused() {
    let w = world_with_alice();
    let root = w.root(&IAM);
    let alice = format!("arn:aws:iam::{}:user/alice", w.root.account());
    root.create_role(new_role("ops", &trusting(&alice)))
        .unwrap();
    let arn = role_arn(&w, "ops");
    let root_key = w.new_key(None);
    assert_eq!(
        w.root(&IAM)
            .signed_with(root_key, None)
            .assume_role(&request(&arn))
            .map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::RootMayNotAssume))
    );
    assert!(
        matches!(
            assume(&w, "alice", &request(&role_arn(&w, "nobody"))),
            Err(CoreError::AccessDenied { .. })
        ),
        "a role that does not exist is one she may not assume"
    );
    let elsewhere = "arn:aws:iam::999999999999:role/ops";
    assert!(matches!(
        assume(&w, "alice", &request(elsewhere)),
        Err(CoreError::AccessDenied { .. })
    ));
    assert!(matches!(
        assume(&w, "alice", &request("arn:aws:iam::123:user/x")),
        Err(CoreError::InvalidInput {
            field: "RoleArn",
            ..
        })
    ));
    let long = AssumeRequest {
        duration: Some(7200),
        ..request(&arn)
    };
    assert_eq!(
        assume(&w, "alice", &long).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::OverRoleMaximum))
    );
    let with_external = trusting(&alice).replace(
        "\"Action\"",
        r#""Condition":{"StringEquals":{"sts:ExternalId":"zebra"}},"Action""#,
    );
    root.update_trust_policy(&role_name("ops"), &with_external)
        .unwrap();
    assert!(assume(&w, "alice", &request(&arn)).is_err());
    let with_id = AssumeRequest {
        external_id: Some("zebra"),
        ..request(&arn)
    };
    assert!(assume(&w, "alice", &with_id).is_ok());
}

#[test]
fn a_role_session_chains_for_an_hour_at_most_and_ends_with_its_role() {
    let w = world_with_alice();
    let root = w.root(&IAM);
    let account = w.root.account().to_string();
    let alice = format!("arn:aws:iam::{account}:user/alice");
    let mut first = new_role("first", &trusting(&alice));
    first.max_session_seconds = Some(43_200);
    root.create_role(first).unwrap();
    let first_arn = role_arn(&w, "first");
    let mut second = new_role("second", &trusting(&first_arn));
    second.max_session_seconds = Some(43_200);
    root.create_role(second).unwrap();
    root.put_role_policy(&role_name("first"), &policy_name("hop"), ASSUME_ANY)
        .unwrap();
    let made = assume(&w, "alice", &request(&first_arn)).unwrap();
    let (principal, facts) = signer(&w, &made).unwrap();
    let session = w
        .svc
        .caller(&principal, &IAM)
        .signed_with(made.credentials.session.key_id.clone(), Some(facts));
    let second_arn = role_arn(&w, "second");
    let two_hours = AssumeRequest {
        duration: Some(7200),
        ..request(&second_arn)
    };
    assert_eq!(
        session.assume_role(&two_hours).map(|_| ()),
        Err(CoreError::SessionRefused(SessionRule::ChainedOverAnHour))
    );
    let chained = session.assume_role(&request(&second_arn)).unwrap();
    let (p2, _) = signer(&w, &chained).unwrap();
    assert_eq!(
        p2.arn(),
        format!("arn:aws:sts::{account}:assumed-role/second/night-shift")
    );
    root.delete_role_policy(&role_name("first"), &policy_name("hop"))
        .unwrap();
    root.delete_role(&role_name("first")).unwrap();
    assert!(signer(&w, &made).is_none(), "gone with its role");
    assert!(
        signer(&w, &chained).is_some(),
        "a chained session stands on its own role"
    );
}

#[test]
fn session_policies_narrow_what_the_role_allows() {
    let w = world_with_alice();
    let root = w.root(&IAM);
    let alice = format!("arn:aws:iam::{}:user/alice", w.root.account());
    root.create_role(new_role("admin", &trusting(&alice)))
        .unwrap();
    root.attach_policy(
        &provider("AdministratorAccess"),
        &AttachTarget::Role(role_name("admin")),
    )
    .unwrap();
    let arn = role_arn(&w, "admin");
    let narrowed = AssumeRequest {
        policy: Some(READ_USERS),
        ..request(&arn)
    };
    let made = assume(&w, "alice", &narrowed).unwrap();
    assert!(made.packed_policy_size.is_some_and(|p| p > 0 && p <= 100));
    let (principal, facts) = signer(&w, &made).unwrap();
    let session = w
        .svc
        .caller(&principal, &IAM)
        .signed_with(made.credentials.session.key_id.clone(), Some(facts));
    assert!(session.get_user(Some(&name("alice"))).is_ok());
    assert!(matches!(
        session.list_users(None, &PageRequest::default()),
        Err(CoreError::AccessDenied { why, .. }) if *why == crate::Denial::NoSessionAllow
    ));
    let by_arn = [provider("ReadOnlyAccess")];
    let managed = AssumeRequest {
        policy_arns: &by_arn,
        ..request(&arn)
    };
    assert!(assume(&w, "alice", &managed).is_ok());
    let huge = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"{}","Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}]}}"#,
        "x".repeat(2100)
    );
    let too_big = AssumeRequest {
        policy: Some(&huge),
        ..request(&arn)
    };
    assert_eq!(
        assume(&w, "alice", &too_big).map(|_| ()),
        Err(CoreError::SessionRefused(
            SessionRule::PackedPolicyTooLarge(108)
        ))
    );
    assert_eq!(
        assume(&w, "alice", &request(&arn))
            .unwrap()
            .packed_policy_size,
        None
    );
}

#[test]
fn a_user_made_again_under_a_trusted_arn_is_not_the_one_trusted() {
    let w = world();
    w.user("alice");
    let root = w.root(&IAM);
    let alice = format!("arn:aws:iam::{}:user/alice", w.root.account());
    root.create_role(new_role("ops", &trusting(&alice)))
        .unwrap();
    let arn = role_arn(&w, "ops");
    root.delete_user(&name("alice")).unwrap();
    w.clock.advance_seconds(60);
    w.user("alice");
    let key = w.new_key(Some("alice"));
    let again = w.principal_of("alice");
    let c = w.svc.caller(&again, &IAM).signed_with(key, None);
    assert!(matches!(
        c.assume_role(&request(&arn)),
        Err(CoreError::AccessDenied { why, .. }) if *why == crate::Denial::NotTrusted
    ));
    // Setting the trust policy again names the alice there is now.
    root.update_trust_policy(&role_name("ops"), &trusting(&alice))
        .unwrap();
    assert!(c.assume_role(&request(&arn)).is_ok());
}
