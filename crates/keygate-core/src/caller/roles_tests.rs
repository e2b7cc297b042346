//! Roles: created with a trust policy that names principals that exist, tagged, given inline
//! and attached policies, and deleted only without them.

use crate::caller::{NewRole, RoleChange};
use crate::ids::RoleName;
use crate::testing::*;

pub(crate) fn role_name(s: &str) -> RoleName {
    RoleName::parse(s).unwrap()
}

pub(crate) fn trusting(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

pub(crate) fn new_role(name: &str, trust: &str) -> NewRole {
    NewRole {
        name: role_name(name),
        path: None,
        trust_policy: trust.to_owned(),
        description: None,
        max_session_seconds: None,
        tags: vec![],
    }
}

#[test]
fn a_role_is_created_read_listed_updated_and_deleted() {
    let w = world();
    let account = w.root.account().to_string();
    let root = w.root(&IAM);
    let made = root
        .create_role(new_role("deployer", &trusting(&account)))
        .unwrap();
    assert!(made.id.as_str().starts_with("AROA"), "{}", made.id);
    assert_eq!(made.max_session_seconds, 3600, "the default hour");
    assert_eq!(made.arn(), format!("arn:aws:iam::{account}:role/deployer"));
    assert_eq!(
        root.create_role(new_role("DEPLOYER", &trusting(&account))),
        Err(CoreError::RoleAlreadyExists(role_name("DEPLOYER"))),
        "names compare without case"
    );
    assert_eq!(root.get_role(&role_name("deployer")).unwrap(), made);
    let listed = root.list_roles(None, &PageRequest::default()).unwrap();
    assert_eq!(listed.items, vec![made.clone()]);
    let changed = root
        .update_role(
            &role_name("deployer"),
            RoleChange {
                description: Some("ships builds".into()),
                max_session_seconds: Some(7200),
            },
            Operation::UpdateRole,
        )
        .unwrap();
    assert_eq!(changed.description.as_deref(), Some("ships builds"));
    assert_eq!(changed.max_session_seconds, 7200);
    assert!(matches!(
        root.update_role(
            &role_name("deployer"),
            RoleChange {
                max_session_seconds: Some(43_201),
                ..RoleChange::default()
            },
            Operation::UpdateRole,
        ),
        Err(CoreError::InvalidInput {
            field: "MaxSessionDuration",
            ..
        })
    ));
    root.delete_role(&role_name("deployer")).unwrap();
    assert_eq!(
        root.get_role(&role_name("deployer")),
        Err(CoreError::NoSuchRole(role_name("deployer")))
    );
}

#[test]
fn a_trust_policy_names_only_principals_that_exist() {
    let w = world();
    let account = w.root.account().to_string();
    w.user("alice");
    let root = w.root(&IAM);
    let alice = format!("arn:aws:iam::{account}:user/alice");
    root.create_role(new_role("by-alice", &trusting(&alice)))
        .unwrap();
    let bob = format!("arn:aws:iam::{account}:user/bob");
    assert_eq!(
        root.create_role(new_role("by-bob", &trusting(&bob))),
        Err(CoreError::MalformedPolicy(format!(
            "Invalid principal in policy: \"AWS\":\"{bob}\""
        )))
    );
    let at_path = format!("arn:aws:iam::{account}:user/ops/alice");
    assert!(
        root.update_trust_policy(&role_name("by-alice"), &trusting(&at_path))
            .is_err(),
        "alice is not at /ops/"
    );
    let role = format!("arn:aws:iam::{account}:role/by-alice");
    root.update_trust_policy(&role_name("by-alice"), &trusting(&role))
        .unwrap();
    assert_eq!(
        root.get_role(&role_name("by-alice")).unwrap().trust_policy,
        trusting(&role)
    );
    let with_resource = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}"#;
    assert_eq!(
        root.create_role(new_role("bad", with_resource)),
        Err(CoreError::MalformedPolicy(
            "Has prohibited field Resource".into()
        ))
    );
    let big = trusting(&account).replace(
        "\"Action\"",
        &format!("\"Sid\":\"{}\",\"Action\"", "s".repeat(2100)),
    );
    assert_eq!(
        root.create_role(new_role("big", &big)),
        Err(CoreError::LimitExceeded(Quota::TrustPolicySize(2048)))
    );
}

#[test]
fn a_role_goes_only_without_policies_and_keeps_its_tags() {
    let w = world();
    let account = w.root.account().to_string();
    let root = w.root(&IAM);
    let mut new = new_role("ops", &trusting(&account));
    new.tags = vec![Tag {
        key: TagKey::parse("team").unwrap(),
        value: crate::ids::TagValue::parse("core").unwrap(),
    }];
    root.create_role(new).unwrap();
    root.put_role_policy(&role_name("ops"), &policy_name("read"), READ_USERS)
        .unwrap();
    assert_eq!(
        root.list_role_policies(&role_name("ops"), &PageRequest::default())
            .unwrap()
            .items,
        vec![policy_name("read")]
    );
    assert_eq!(
        root.delete_role(&role_name("ops")),
        Err(CoreError::DeleteConflict(Dependents::Policies))
    );
    root.delete_role_policy(&role_name("ops"), &policy_name("read"))
        .unwrap();
    assert_eq!(
        root.get_role_policy(&role_name("ops"), &policy_name("read")),
        Err(CoreError::NoSuchRolePolicy(policy_name("read")))
    );
    let admin = provider("AdministratorAccess");
    root.attach_policy(&admin, &AttachTarget::Role(role_name("ops")))
        .unwrap();
    let entities = root.entities_for_policy(&admin, None).unwrap();
    assert_eq!(entities.roles.len(), 1);
    assert_eq!(
        root.delete_role(&role_name("ops")),
        Err(CoreError::DeleteConflict(Dependents::AttachedPolicies))
    );
    root.detach_policy(&admin, &AttachTarget::Role(role_name("ops")))
        .unwrap();
    root.untag_role(&role_name("ops"), &[TagKey::parse("team").unwrap()])
        .unwrap();
    assert!(
        root.list_role_tags(&role_name("ops"), &PageRequest::default())
            .unwrap()
            .items
            .is_empty()
    );
    root.delete_role(&role_name("ops")).unwrap();
}

#[test]
fn a_user_needs_permission_for_role_calls() {
    let w = world();
    let account = w.root.account().to_string();
    let alice = w.user("alice");
    let c = w.svc.caller(&alice, &IAM);
    assert!(matches!(
        c.create_role(new_role("mine", &trusting(&account))),
        Err(CoreError::AccessDenied { action, .. }) if action == "iam:CreateRole"
    ));
    assert!(
        matches!(
            c.get_role(&role_name("nobody")),
            Err(CoreError::AccessDenied { .. })
        ),
        "denied before it is known not to exist"
    );
}
