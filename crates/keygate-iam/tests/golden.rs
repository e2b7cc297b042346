//! Golden files: the exact XML of every action's success body and of every error code, with
//! fixed data. `KEYGATE_UPDATE_GOLDEN=1 cargo test -p keygate-iam --test golden` rewrites them;
//! review the diff before committing.
// Helpers outside `#[test]` functions unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use keygate_auth::{AuthError, BodyError};
use keygate_core::*;
use keygate_iam::error::IamError;
use keygate_iam::ops::login_profiles as login;
use keygate_iam::ops::managed_policies as managed;
use keygate_iam::ops::mfa;
use keygate_iam::ops::policy_attachments as attachments;
use keygate_iam::ops::{
    Answer, Empty, access_keys, groups, role_policies, roles, sts, user_policies, users,
};
use keygate_iam::router::Api;
use keygate_iam::xml;

const RID: &str = "c5a9d1e2-7b44-4f0e-9d3a-2f6b8e1c0a11";
const CREATED: i64 = 1_714_564_800_000; // 2024-05-01T12:00:00Z

fn account() -> Account {
    Account {
        id: AccountId::parse("123456789012").unwrap(),
        name: "acme".into(),
        email: Email::parse("admin@example.com").unwrap(),
        created_at: Timestamp::from_unix_millis(CREATED - 86_400_000),
    }
}

fn alice(tags: bool) -> User {
    User {
        account_id: account().id,
        id: UserId::parse("AIDAJQABLZS4A3QDU576Q").unwrap(),
        name: UserName::parse("alice").unwrap(),
        path: UserPath::parse("/engineering/").unwrap(),
        email: None,
        created_at: Timestamp::from_unix_millis(CREATED),
        modified_at: Timestamp::from_unix_millis(CREATED),
        tags: if tags {
            vec![Tag {
                key: TagKey::parse("team").unwrap(),
                value: TagValue::parse("blue+green").unwrap(),
            }]
        } else {
            vec![]
        },
    }
}

fn devs() -> Group {
    Group {
        account_id: account().id,
        id: GroupId::parse("AGPAJQABLZS4A3QDU576R").unwrap(),
        name: GroupName::parse("devs").unwrap(),
        path: UserPath::parse("/engineering/").unwrap(),
        created_at: Timestamp::from_unix_millis(CREATED + 60_000),
        modified_at: Timestamp::from_unix_millis(CREATED + 60_000),
    }
}

fn deployer(tags: bool, used: bool) -> Role {
    Role {
        account_id: account().id,
        id: RoleId::parse("AROAJQABLZS4A3QDU576T").unwrap(),
        name: RoleName::parse("deployer").unwrap(),
        path: UserPath::parse("/ci/").unwrap(),
        trust_policy: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}]}"#.into(),
        description: Some("Ships builds & tags".into()),
        max_session_seconds: 7200,
        trust_set_at: Timestamp::from_unix_millis(CREATED + 240_000),
        created_at: Timestamp::from_unix_millis(CREATED + 240_000),
        last_used: used.then(|| (Timestamp::from_unix_millis(CREATED + 300_000), "eu-west-2".into())),
        tags: if tags { alice(true).tags } else { vec![] },
    }
}

fn credentials(id: &str, origin: SessionOrigin, seconds: i64) -> NewSession {
    NewSession {
        session: Session {
            key_id: AccessKeyId::parse(id).unwrap(),
            account_id: account().id,
            origin,
            created_at: Timestamp::from_unix_millis(CREATED),
            expires_at: Timestamp::from_unix_millis(CREATED + seconds * 1000),
            mfa_at: None,
        },
        secret: Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into()),
        token: Secret::new("AQoDYXdzEJr1K0EXAMPLESESSIONTOKEN".into()),
    }
}

fn readers(tags: bool) -> PolicyView {
    PolicyView {
        policy: ManagedPolicy {
            owner: PolicyOwner::Account(account().id),
            id: PolicyId::parse("ANPAJQABLZS4A3QDU576S").unwrap(),
            name: PolicyName::parse("readers").unwrap(),
            path: UserPath::parse("/engineering/").unwrap(),
            description: Some("Reads users & keys".into()),
            default_version: VersionId::parse("v2").unwrap(),
            latest_version: VersionId::parse("v2").unwrap(),
            created_at: Timestamp::from_unix_millis(CREATED + 120_000),
            modified_at: Timestamp::from_unix_millis(CREATED + 180_000),
            tags: if tags { alice(true).tags } else { vec![] },
        },
        attachment_count: 2,
    }
}

fn version(n: &str, doc: &str) -> PolicyVersion {
    PolicyVersion {
        id: VersionId::parse(n).unwrap(),
        document: doc.into(),
        created_at: Timestamp::from_unix_millis(CREATED + 180_000),
    }
}

fn phone(enabled: bool) -> MfaDevice {
    MfaDevice {
        account_id: account().id,
        serial: "arn:aws:iam::123456789012:mfa/alice-phone".into(),
        seed: Secret::new("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".into()),
        user: enabled.then(|| {
            (
                alice(false).id,
                Timestamp::from_unix_millis(CREATED + 240_000),
            )
        }),
        created_at: Timestamp::from_unix_millis(CREATED + 200_000),
        last_step: None,
        drift: 0,
        failures: 0,
        tags: vec![],
    }
}

fn key(id: &str, state: KeyState, used: bool) -> AccessKey {
    AccessKey {
        id: AccessKeyId::parse(id).unwrap(),
        account_id: account().id,
        owner: KeyOwner::User(alice(false).id),
        state,
        created_at: Timestamp::from_unix_millis(CREATED + 300_000),
        modified_at: Timestamp::from_unix_millis(CREATED + 300_000),
        expires_at: None,
        last_used: used.then(|| LastUsed {
            at: Timestamp::from_unix_millis(CREATED + 73_800_000),
            service: "iam".into(),
            region: "eu-west-2".into(),
        }),
        tag: None,
    }
}

fn view(k: AccessKey, user: bool) -> KeyView {
    KeyView {
        key: k,
        user_name: user.then(|| UserName::parse("alice").unwrap()),
    }
}

fn page<T>(items: Vec<T>, marker: Option<&str>) -> Page<T> {
    Page {
        items,
        next_marker: marker.map(str::to_owned),
    }
}

fn success(name: &str, api: Api, reply: &Answer) -> String {
    let write = |x: &mut xml::Xml| reply.write(x);
    let result = reply
        .has_result()
        .then_some(&write as &dyn Fn(&mut xml::Xml));
    xml::response(name, api.namespace(), RID, result)
}

fn bodies() -> BTreeMap<String, String> {
    let secret = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into());
    let doc = "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"iam:ListAccessKeys\", \"Resource\": \"*\"}}";
    let principal = Principal::for_user(&alice(false));
    let cases: Vec<(&str, &str, Api, Answer)> = vec![
        (
            "CreateUser",
            "CreateUser",
            Api::Iam,
            Box::new(users::CreatedUser(alice(true))),
        ),
        (
            "GetUser",
            "GetUser",
            Api::Iam,
            Box::new(users::GotUser(Identity::User(alice(true)))),
        ),
        (
            "GetUser-root",
            "GetUser",
            Api::Iam,
            Box::new(users::GotUser(Identity::Root(account()))),
        ),
        (
            "ListUsers",
            "ListUsers",
            Api::Iam,
            Box::new(users::Users(page(vec![alice(true)], Some("YWxpY2U")))),
        ),
        ("UpdateUser", "UpdateUser", Api::Iam, Box::new(Empty)),
        ("DeleteUser", "DeleteUser", Api::Iam, Box::new(Empty)),
        ("TagUser", "TagUser", Api::Iam, Box::new(Empty)),
        ("UntagUser", "UntagUser", Api::Iam, Box::new(Empty)),
        (
            "ListUserTags",
            "ListUserTags",
            Api::Iam,
            Box::new(users::Tags(page(alice(true).tags, None))),
        ),
        (
            "CreateAccessKey",
            "CreateAccessKey",
            Api::Iam,
            Box::new(access_keys::NewKey(NewAccessKey {
                view: view(key("AKIAIOSFODNN7EXAMPLE", KeyState::Active, false), true),
                secret: secret.clone(),
            })),
        ),
        (
            "CreateAccessKey-root",
            "CreateAccessKey",
            Api::Iam,
            Box::new(access_keys::NewKey(NewAccessKey {
                view: view(key("AKIAIOSFODNN7EXAMPLE", KeyState::Active, false), false),
                secret,
            })),
        ),
        (
            "ListAccessKeys",
            "ListAccessKeys",
            Api::Iam,
            Box::new(access_keys::Keys(page(
                vec![
                    view(key("AKIAIOSFODNN7EXAMPLE", KeyState::Active, false), true),
                    view(key("AKIAI44QH8DHBEXAMPLE", KeyState::Inactive, false), true),
                ],
                None,
            ))),
        ),
        (
            "UpdateAccessKey",
            "UpdateAccessKey",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "DeleteAccessKey",
            "DeleteAccessKey",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "GetAccessKeyLastUsed",
            "GetAccessKeyLastUsed",
            Api::Iam,
            Box::new(access_keys::LastUsed(view(
                key("AKIAIOSFODNN7EXAMPLE", KeyState::Active, true),
                true,
            ))),
        ),
        (
            "GetAccessKeyLastUsed-never",
            "GetAccessKeyLastUsed",
            Api::Iam,
            Box::new(access_keys::LastUsed(view(
                key("AKIAIOSFODNN7EXAMPLE", KeyState::Active, false),
                true,
            ))),
        ),
        ("PutUserPolicy", "PutUserPolicy", Api::Iam, Box::new(Empty)),
        (
            "GetUserPolicy",
            "GetUserPolicy",
            Api::Iam,
            Box::new(user_policies::Policy {
                user: UserName::parse("alice").unwrap(),
                name: PolicyName::parse("ListOwnKeys").unwrap(),
                document: doc.into(),
            }),
        ),
        (
            "ListUserPolicies",
            "ListUserPolicies",
            Api::Iam,
            Box::new(user_policies::PolicyNames(page(
                vec![PolicyName::parse("ListOwnKeys").unwrap()],
                None,
            ))),
        ),
        (
            "ListUserPolicies-empty",
            "ListUserPolicies",
            Api::Iam,
            Box::new(user_policies::PolicyNames(page(vec![], None))),
        ),
        (
            "DeleteUserPolicy",
            "DeleteUserPolicy",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "CreateGroup",
            "CreateGroup",
            Api::Iam,
            Box::new(groups::OneGroup(devs())),
        ),
        (
            "GetGroup",
            "GetGroup",
            Api::Iam,
            Box::new(groups::GroupWithUsers(
                devs(),
                page(vec![alice(true)], Some("YWxpY2U")),
            )),
        ),
        (
            "ListGroups",
            "ListGroups",
            Api::Iam,
            Box::new(groups::Groups(page(vec![devs()], None))),
        ),
        (
            "ListGroupsForUser",
            "ListGroupsForUser",
            Api::Iam,
            Box::new(groups::Groups(page(vec![devs()], None))),
        ),
        ("UpdateGroup", "UpdateGroup", Api::Iam, Box::new(Empty)),
        ("DeleteGroup", "DeleteGroup", Api::Iam, Box::new(Empty)),
        (
            "AddUserToGroup",
            "AddUserToGroup",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "RemoveUserFromGroup",
            "RemoveUserFromGroup",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "PutGroupPolicy",
            "PutGroupPolicy",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "GetGroupPolicy",
            "GetGroupPolicy",
            Api::Iam,
            Box::new(groups::GroupPolicy {
                group: GroupName::parse("devs").unwrap(),
                name: PolicyName::parse("ListOwnKeys").unwrap(),
                document: doc.into(),
            }),
        ),
        (
            "ListGroupPolicies",
            "ListGroupPolicies",
            Api::Iam,
            Box::new(user_policies::PolicyNames(page(
                vec![PolicyName::parse("ListOwnKeys").unwrap()],
                None,
            ))),
        ),
        (
            "DeleteGroupPolicy",
            "DeleteGroupPolicy",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "CreatePolicy",
            "CreatePolicy",
            Api::Iam,
            Box::new(managed::OnePolicy(readers(true))),
        ),
        (
            "GetPolicy",
            "GetPolicy",
            Api::Iam,
            Box::new(managed::OnePolicy(readers(true))),
        ),
        (
            "ListPolicies",
            "ListPolicies",
            Api::Iam,
            Box::new(managed::Policies(page(
                vec![readers(true)],
                Some("cmVhZGVycw"),
            ))),
        ),
        ("DeletePolicy", "DeletePolicy", Api::Iam, Box::new(Empty)),
        (
            "CreatePolicyVersion",
            "CreatePolicyVersion",
            Api::Iam,
            Box::new(managed::OneVersion {
                version: version("v2", doc),
                default: true,
                with_document: false,
            }),
        ),
        (
            "GetPolicyVersion",
            "GetPolicyVersion",
            Api::Iam,
            Box::new(managed::OneVersion {
                version: version("v2", doc),
                default: true,
                with_document: true,
            }),
        ),
        (
            "ListPolicyVersions",
            "ListPolicyVersions",
            Api::Iam,
            Box::new(managed::Versions(page(
                vec![(version("v2", doc), true), (version("v1", doc), false)],
                None,
            ))),
        ),
        (
            "DeletePolicyVersion",
            "DeletePolicyVersion",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "SetDefaultPolicyVersion",
            "SetDefaultPolicyVersion",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "AttachUserPolicy",
            "AttachUserPolicy",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "DetachUserPolicy",
            "DetachUserPolicy",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "AttachGroupPolicy",
            "AttachGroupPolicy",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "DetachGroupPolicy",
            "DetachGroupPolicy",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "ListAttachedUserPolicies",
            "ListAttachedUserPolicies",
            Api::Iam,
            Box::new(attachments::Attached(page(
                vec![readers(false).policy, catalog::policies().remove(0)],
                None,
            ))),
        ),
        (
            "ListAttachedGroupPolicies",
            "ListAttachedGroupPolicies",
            Api::Iam,
            Box::new(attachments::Attached(page(
                vec![readers(false).policy],
                None,
            ))),
        ),
        (
            "ListEntitiesForPolicy",
            "ListEntitiesForPolicy",
            Api::Iam,
            Box::new(attachments::Entities(page(
                vec![
                    attachments::Entity::Group(devs().name, devs().id.to_string()),
                    attachments::Entity::User(alice(false).name, alice(false).id.to_string()),
                    attachments::Entity::Role(deployer(false, false).name, deployer(false, false).id.to_string()),
                ],
                None,
            ))),
        ),
        ("TagPolicy", "TagPolicy", Api::Iam, Box::new(Empty)),
        ("UntagPolicy", "UntagPolicy", Api::Iam, Box::new(Empty)),
        (
            "ListPolicyTags",
            "ListPolicyTags",
            Api::Iam,
            Box::new(users::Tags(page(alice(true).tags, None))),
        ),
        (
            "CreateVirtualMFADevice",
            "CreateVirtualMFADevice",
            Api::Iam,
            Box::new(mfa::NewDevice(NewMfaDevice {
                device: phone(false),
                qr_png: b"\x89PNG\r\n\x1a\n".to_vec(),
            })),
        ),
        (
            "EnableMFADevice",
            "EnableMFADevice",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "ResyncMFADevice",
            "ResyncMFADevice",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "DeactivateMFADevice",
            "DeactivateMFADevice",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "DeleteVirtualMFADevice",
            "DeleteVirtualMFADevice",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "ListMFADevices",
            "ListMFADevices",
            Api::Iam,
            Box::new(mfa::Devices(
                Some(alice(false)),
                page(vec![phone(true)], None),
            )),
        ),
        (
            "ListVirtualMFADevices",
            "ListVirtualMFADevices",
            Api::Iam,
            Box::new(mfa::VirtualDevices(page(
                vec![(phone(true), Some(alice(false))), (phone(false), None)],
                None,
            ))),
        ),
        (
            "CreateLoginProfile",
            "CreateLoginProfile",
            Api::Iam,
            Box::new(login::Profile(
                alice(false).name,
                LoginProfile {
                    account_id: account().id,
                    user: alice(false).id,
                    hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                    reset_required: true,
                    created_at: Timestamp::from_unix_millis(CREATED + 360_000),
                },
            )),
        ),
        (
            "GetAccountPasswordPolicy",
            "GetAccountPasswordPolicy",
            Api::Iam,
            Box::new(login::Policy(PasswordPolicy {
                minimum_length: 12,
                require_symbols: true,
                require_numbers: true,
                require_uppercase: false,
                require_lowercase: true,
                allow_users_to_change: true,
            })),
        ),
        (
            "ChangePassword",
            "ChangePassword",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "DeleteLoginProfile",
            "DeleteLoginProfile",
            Api::Iam,
            Box::new(Empty),
        ),
        (
            "GetAccessKeyInfo",
            "GetAccessKeyInfo",
            Api::Sts,
            Box::new(sts::KeyAccount(account().id)),
        ),
        (
            "GetSessionToken",
            "GetSessionToken",
            Api::Sts,
            Box::new(sts::SessionCredentials(credentials(
                "ASIAIOSFODNN7EXAMPLE",
                SessionOrigin::Key {
                    owner: KeyOwner::User(alice(false).id),
                    parent_key: AccessKeyId::parse("AKIAIOSFODNN7EXAMPLE").unwrap(),
                },
                43_200,
            ))),
        ),
        (
            "AssumeRole",
            "AssumeRole",
            Api::Sts,
            Box::new(sts::Assumed(AssumedRole {
                credentials: credentials(
                    "ASIAIOSFODNN7EXAMPLF",
                    SessionOrigin::Role(RoleSession {
                        role: deployer(false, false).id,
                        name: RoleSessionName::parse("build-7").unwrap(),
                        assumed_by: alice(false).arn(),
                        source_key: AccessKeyId::parse("AKIAIOSFODNN7EXAMPLE").unwrap(),
                        policies: vec![],
                    }),
                    3600,
                ),
                arn: "arn:aws:sts::123456789012:assumed-role/deployer/build-7".into(),
                assumed_role_id: "AROAJQABLZS4A3QDU576T:build-7".into(),
                packed_policy_size: Some(6),
            })),
        ),
        (
            "GetCallerIdentity-role",
            "GetCallerIdentity",
            Api::Sts,
            Box::new(sts::CallerIdentity(Principal::Role {
                account: account().id,
                id: deployer(false, false).id,
                name: deployer(false, false).name,
                path: deployer(false, false).path,
                session: RoleSessionName::parse("build-7").unwrap(),
            })),
        ),
        ("CreateRole", "CreateRole", Api::Iam, Box::new(roles::OneRole(deployer(true, false)))),
        ("GetRole", "GetRole", Api::Iam, Box::new(roles::OneRole(deployer(true, true)))),
        ("GetRole-never-used", "GetRole", Api::Iam, Box::new(roles::OneRole(deployer(false, false)))),
        (
            "ListRoles",
            "ListRoles",
            Api::Iam,
            Box::new(roles::Roles(page(vec![deployer(true, true)], Some("deployer")))),
        ),
        ("UpdateRole", "UpdateRole", Api::Iam, Box::new(Empty)),
        (
            "UpdateRoleDescription",
            "UpdateRoleDescription",
            Api::Iam,
            Box::new(roles::OneRole(deployer(false, true))),
        ),
        ("UpdateAssumeRolePolicy", "UpdateAssumeRolePolicy", Api::Iam, Box::new(Empty)),
        ("DeleteRole", "DeleteRole", Api::Iam, Box::new(Empty)),
        ("TagRole", "TagRole", Api::Iam, Box::new(Empty)),
        ("UntagRole", "UntagRole", Api::Iam, Box::new(Empty)),
        (
            "ListRoleTags",
            "ListRoleTags",
            Api::Iam,
            Box::new(users::Tags(page(alice(true).tags, None))),
        ),
        ("PutRolePolicy", "PutRolePolicy", Api::Iam, Box::new(Empty)),
        (
            "GetRolePolicy",
            "GetRolePolicy",
            Api::Iam,
            Box::new(role_policies::RolePolicy {
                role: deployer(false, false).name,
                name: PolicyName::parse("read-users").unwrap(),
                document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#.into(),
            }),
        ),
        (
            "ListRolePolicies",
            "ListRolePolicies",
            Api::Iam,
            Box::new(user_policies::PolicyNames(page(
                vec![PolicyName::parse("read-users").unwrap()],
                None,
            ))),
        ),
        ("DeleteRolePolicy", "DeleteRolePolicy", Api::Iam, Box::new(Empty)),
        ("AttachRolePolicy", "AttachRolePolicy", Api::Iam, Box::new(Empty)),
        ("DetachRolePolicy", "DetachRolePolicy", Api::Iam, Box::new(Empty)),
        (
            "ListAttachedRolePolicies",
            "ListAttachedRolePolicies",
            Api::Iam,
            Box::new(attachments::Attached(page(vec![readers(false).policy], None))),
        ),
        (
            "GetCallerIdentity",
            "GetCallerIdentity",
            Api::Sts,
            Box::new(sts::CallerIdentity(principal)),
        ),
    ];
    let mut out: BTreeMap<String, String> = cases
        .into_iter()
        .map(|(file, name, api, reply)| (file.to_owned(), success(name, api, &reply)))
        .collect();

    let user = UserName::parse("bob").unwrap();
    let errors = [
        IamError::from_core(CoreError::NoSuchUser(user.clone()), None),
        IamError::from_core(CoreError::UserAlreadyExists(user), None),
        IamError::from_core(
            CoreError::LimitExceeded(Quota::AccessKeysPerPrincipal(2)),
            None,
        ),
        IamError::from_core(CoreError::DeleteConflict(Dependents::AccessKeys), None),
        IamError::from_core(
            CoreError::InvalidInput {
                field: "Marker",
                reason: "is not a marker this service issued".into(),
            },
            None,
        ),
        IamError::from_core(
            CoreError::MalformedPolicy("Syntax errors in policy.".into()),
            None,
        ),
        IamError::from_core(
            CoreError::AccessDenied {
                principal: "arn:aws:iam::123456789012:user/bob".into(),
                action: "iam:DeleteAccessKey".into(),
                resource: "arn:aws:iam::123456789012:user/alice".into(),
                why: Box::new(Denial::NoAllow),
            },
            None,
        ),
        IamError::from_core(
            CoreError::storage(std::io::Error::other("disk I/O error")),
            None,
        ),
        IamError::validation(
            "userName",
            Some("<a b>"),
            r"Member must satisfy regular expression pattern: [\w+=,.@-]+",
        ),
        IamError::MissingAction,
        IamError::MissingVersion,
        IamError::unknown_action("FooBar", "2010-05-08"),
        IamError::MalformedQueryString("invalid percent-encoding at byte 3".into()),
        IamError::from_body(BodyError::TooLarge { max: 262_144 }),
        IamError::from_body(BodyError::TimedOut {
            after: std::time::Duration::from_secs(5),
        }),
        IamError::method_not_allowed("PUT"),
        IamError::from_core(CoreError::Busy, None),
        IamError::from_auth(AuthError::Missing),
        IamError::from_auth(AuthError::Incomplete(
            "Authorization header requires 'Signature' parameter".into(),
        )),
        IamError::from_auth(AuthError::SignatureMismatch),
        IamError::InvalidClientTokenId,
        IamError::from_auth_failure(keygate_auth::Failure::ExpiredToken),
        IamError::from_core(CoreError::InvalidAuthenticationCode, None),
        IamError::from_core(
            CoreError::PasswordPolicy("at least 12 characters".into()),
            None,
        ),
        IamError::from_core(CoreError::NotAUser, None),
        IamError::from_core(
            CoreError::SessionRefused(SessionRule::PackedPolicyTooLarge(112)),
            None,
        ),
    ];
    for e in errors {
        let body = xml::error(Api::Iam.namespace(), e.fault(), e.code(), e.message(), RID);
        let name = format!("error-{}-{}", e.status().as_u16(), e.code());
        assert!(
            out.insert(name.clone(), body).is_none(),
            "two errors named {name}"
        );
    }
    out
}

#[test]
fn bodies_match_golden_files() {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden"));
    let update = std::env::var_os("KEYGATE_UPDATE_GOLDEN").is_some();
    let bodies = bodies();
    for (name, body) in &bodies {
        let path = dir.join(format!("{name}.xml"));
        if update {
            std::fs::write(&path, body).unwrap();
            continue;
        }
        let want =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(body, &want, "{name} differs from its golden file");
    }
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(files, bodies.len(), "a golden file has no case");
}
