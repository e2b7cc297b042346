//! What the core's unit tests share: a world on the in-memory store with a fixed clock, and
//! the two dialects' rules as their front ends declare them.

pub(crate) use std::sync::Arc;

pub(crate) use crate::caller::{
    AttachTarget, Caller, GroupChange, GroupRef, Identity, KeyChange, KeyFilter, NewPolicy,
    UserChange,
};
pub(crate) use crate::error::CoreResult;
pub(crate) use crate::error::{CoreError, Dependents, Quota, SessionRule};
pub(crate) use crate::ids::VersionId;
pub(crate) use crate::ids::{
    AccessKeyId, Email, GroupName, PathPrefix, PolicyName, TagKey, UserName, UserPath,
};
pub(crate) use crate::memory::MemoryStore;
pub(crate) use crate::model::{KeyState, KeyView, LastUsed, Principal, SigningKey, Tag, Timestamp};
pub(crate) use crate::model::{PolicyOwner, PolicyRef};
pub(crate) use crate::page::PageRequest;
pub(crate) use crate::rules::{KeyDeletion, Limits, MissingExpiration, Operation, Rules};
pub(crate) use crate::service::Service;
pub(crate) use crate::sign_in::Source;
pub(crate) use crate::system::{FixedClock, RandomIds};

/// The policy actions the IAM front end's router names.
pub(crate) fn iam_action(op: Operation) -> &'static str {
    match op {
        Operation::CreateUser => "iam:CreateUser",
        Operation::GetUser => "iam:GetUser",
        Operation::ListUsers => "iam:ListUsers",
        Operation::UpdateUser => "iam:UpdateUser",
        Operation::DeleteUser => "iam:DeleteUser",
        Operation::TagUser => "iam:TagUser",
        Operation::UntagUser => "iam:UntagUser",
        Operation::ListUserTags => "iam:ListUserTags",
        Operation::CreateAccessKey => "iam:CreateAccessKey",
        Operation::ListAccessKeys => "iam:ListAccessKeys",
        Operation::UpdateAccessKey => "iam:UpdateAccessKey",
        Operation::DeleteAccessKey => "iam:DeleteAccessKey",
        Operation::GetAccessKeyLastUsed => "iam:GetAccessKeyLastUsed",
        Operation::PutUserPolicy => "iam:PutUserPolicy",
        Operation::GetUserPolicy => "iam:GetUserPolicy",
        Operation::ListUserPolicies => "iam:ListUserPolicies",
        Operation::DeleteUserPolicy => "iam:DeleteUserPolicy",
        Operation::CreateGroup => "iam:CreateGroup",
        Operation::GetGroup => "iam:GetGroup",
        Operation::ListGroups => "iam:ListGroups",
        Operation::UpdateGroup => "iam:UpdateGroup",
        Operation::DeleteGroup => "iam:DeleteGroup",
        Operation::AddUserToGroup => "iam:AddUserToGroup",
        Operation::RemoveUserFromGroup => "iam:RemoveUserFromGroup",
        Operation::ListGroupsForUser => "iam:ListGroupsForUser",
        Operation::PutGroupPolicy => "iam:PutGroupPolicy",
        Operation::GetGroupPolicy => "iam:GetGroupPolicy",
        Operation::ListGroupPolicies => "iam:ListGroupPolicies",
        Operation::DeleteGroupPolicy => "iam:DeleteGroupPolicy",
        Operation::CreatePolicy => "iam:CreatePolicy",
        Operation::GetPolicy => "iam:GetPolicy",
        Operation::ListPolicies => "iam:ListPolicies",
        Operation::DeletePolicy => "iam:DeletePolicy",
        Operation::CreatePolicyVersion => "iam:CreatePolicyVersion",
        Operation::GetPolicyVersion => "iam:GetPolicyVersion",
        Operation::ListPolicyVersions => "iam:ListPolicyVersions",
        Operation::DeletePolicyVersion => "iam:DeletePolicyVersion",
        Operation::SetDefaultPolicyVersion => "iam:SetDefaultPolicyVersion",
        Operation::AttachUserPolicy => "iam:AttachUserPolicy",
        Operation::DetachUserPolicy => "iam:DetachUserPolicy",
        Operation::ListAttachedUserPolicies => "iam:ListAttachedUserPolicies",
        Operation::AttachGroupPolicy => "iam:AttachGroupPolicy",
        Operation::DetachGroupPolicy => "iam:DetachGroupPolicy",
        Operation::ListAttachedGroupPolicies => "iam:ListAttachedGroupPolicies",
        Operation::ListEntitiesForPolicy => "iam:ListEntitiesForPolicy",
        Operation::TagPolicy => "iam:TagPolicy",
        Operation::UntagPolicy => "iam:UntagPolicy",
        Operation::ListPolicyTags => "iam:ListPolicyTags",
        Operation::GetAccessKeyInfo => "sts:GetAccessKeyInfo",
        Operation::CreateLoginProfile => "iam:CreateLoginProfile",
        Operation::GetLoginProfile => "iam:GetLoginProfile",
        Operation::UpdateLoginProfile => "iam:UpdateLoginProfile",
        Operation::DeleteLoginProfile => "iam:DeleteLoginProfile",
        Operation::ChangePassword => "iam:ChangePassword",
        Operation::GetAccountPasswordPolicy => "iam:GetAccountPasswordPolicy",
        Operation::UpdateAccountPasswordPolicy => "iam:UpdateAccountPasswordPolicy",
        Operation::DeleteAccountPasswordPolicy => "iam:DeleteAccountPasswordPolicy",
        Operation::CreateVirtualMFADevice => "iam:CreateVirtualMFADevice",
        Operation::EnableMFADevice => "iam:EnableMFADevice",
        Operation::ListMFADevices => "iam:ListMFADevices",
        Operation::ListVirtualMFADevices => "iam:ListVirtualMFADevices",
        Operation::ResyncMFADevice => "iam:ResyncMFADevice",
        Operation::DeactivateMFADevice => "iam:DeactivateMFADevice",
        Operation::DeleteVirtualMFADevice => "iam:DeleteVirtualMFADevice",
        Operation::CreateRole => "iam:CreateRole",
        Operation::GetRole => "iam:GetRole",
        Operation::ListRoles => "iam:ListRoles",
        Operation::UpdateRole => "iam:UpdateRole",
        Operation::UpdateRoleDescription => "iam:UpdateRoleDescription",
        Operation::UpdateAssumeRolePolicy => "iam:UpdateAssumeRolePolicy",
        Operation::DeleteRole => "iam:DeleteRole",
        Operation::TagRole => "iam:TagRole",
        Operation::UntagRole => "iam:UntagRole",
        Operation::ListRoleTags => "iam:ListRoleTags",
        Operation::PutRolePolicy => "iam:PutRolePolicy",
        Operation::GetRolePolicy => "iam:GetRolePolicy",
        Operation::ListRolePolicies => "iam:ListRolePolicies",
        Operation::DeleteRolePolicy => "iam:DeleteRolePolicy",
        Operation::AttachRolePolicy => "iam:AttachRolePolicy",
        Operation::DetachRolePolicy => "iam:DetachRolePolicy",
        Operation::ListAttachedRolePolicies => "iam:ListAttachedRolePolicies",
        Operation::AssumeRole => "sts:AssumeRole",
        Operation::ReadApiAccessPolicy => "iam:ReadApiAccessPolicy",
        Operation::UpdateApiAccessPolicy => "iam:UpdateApiAccessPolicy",
        Operation::CreateApiAccessRule => "iam:CreateApiAccessRule",
        Operation::ReadApiAccessRules => "iam:ReadApiAccessRules",
        Operation::UpdateApiAccessRule => "iam:UpdateApiAccessRule",
        Operation::DeleteApiAccessRule => "iam:DeleteApiAccessRule",
        Operation::CreateCa => "iam:CreateCa",
        Operation::ReadCas => "iam:ReadCas",
        Operation::UpdateCa => "iam:UpdateCa",
        Operation::DeleteCa => "iam:DeleteCa",
        Operation::ReadApiLogs => "cloudtrail:LookupEvents",
        Operation::ReadAccount => "iam:GetAccountSummary",
        Operation::CheckAuthentication => "iam:GetLoginProfile",
    }
}

/// The policy actions the OSC front end's router names.
pub(crate) fn osc_action(op: Operation) -> &'static str {
    match op {
        Operation::CreateUser => "api:CreateUser",
        Operation::GetUser | Operation::ListUsers | Operation::ListUserTags => "api:ReadUsers",
        Operation::UpdateUser | Operation::TagUser | Operation::UntagUser => "api:UpdateUser",
        Operation::DeleteUser => "api:DeleteUser",
        Operation::CreateAccessKey => "api:CreateAccessKey",
        Operation::ListAccessKeys | Operation::GetAccessKeyLastUsed => "api:ReadAccessKeys",
        Operation::UpdateAccessKey => "api:UpdateAccessKey",
        Operation::DeleteAccessKey => "api:DeleteAccessKey",
        Operation::PutUserPolicy => "api:PutUserPolicy",
        Operation::GetUserPolicy => "api:ReadUserPolicy",
        Operation::ListUserPolicies => "api:ReadUserPolicies",
        Operation::DeleteUserPolicy => "api:DeleteUserPolicy",
        Operation::CreateGroup => "api:CreateUserGroup",
        Operation::GetGroup => "api:ReadUserGroup",
        Operation::ListGroups => "api:ReadUserGroups",
        Operation::UpdateGroup => "api:UpdateUserGroup",
        Operation::DeleteGroup => "api:DeleteUserGroup",
        Operation::AddUserToGroup => "api:AddUserToUserGroup",
        Operation::RemoveUserFromGroup => "api:RemoveUserFromUserGroup",
        Operation::ListGroupsForUser => "api:ReadUserGroupsPerUser",
        Operation::PutGroupPolicy => "api:PutUserGroupPolicy",
        Operation::GetGroupPolicy => "api:ReadUserGroupPolicy",
        Operation::ListGroupPolicies => "api:ReadUserGroupPolicies",
        Operation::DeleteGroupPolicy => "api:DeleteUserGroupPolicy",
        Operation::CreatePolicy => "api:CreatePolicy",
        Operation::GetPolicy => "api:ReadPolicy",
        Operation::ListPolicies => "api:ReadPolicies",
        Operation::DeletePolicy => "api:DeletePolicy",
        Operation::CreatePolicyVersion => "api:CreatePolicyVersion",
        Operation::GetPolicyVersion => "api:ReadPolicyVersion",
        Operation::ListPolicyVersions => "api:ReadPolicyVersions",
        Operation::DeletePolicyVersion => "api:DeletePolicyVersion",
        Operation::SetDefaultPolicyVersion => "api:SetDefaultPolicyVersion",
        Operation::AttachUserPolicy => "api:LinkPolicy",
        Operation::DetachUserPolicy => "api:UnlinkPolicy",
        Operation::ListAttachedUserPolicies => "api:ReadLinkedPolicies",
        Operation::AttachGroupPolicy => "api:LinkManagedPolicyToUserGroup",
        Operation::DetachGroupPolicy => "api:UnlinkManagedPolicyFromUserGroup",
        Operation::ListAttachedGroupPolicies => "api:ReadManagedPoliciesLinkedToUserGroup",
        Operation::ListEntitiesForPolicy => "api:ReadEntitiesLinkedToPolicy",
        Operation::TagPolicy => "api:CreatePolicyVersion",
        Operation::UntagPolicy => "api:CreatePolicyVersion",
        Operation::ListPolicyTags => "api:ReadPolicy",
        Operation::CreateVirtualMFADevice
        | Operation::EnableMFADevice
        | Operation::ResyncMFADevice
        | Operation::DeactivateMFADevice
        | Operation::DeleteVirtualMFADevice => "api:UpdateUser",
        Operation::ListMFADevices | Operation::ListVirtualMFADevices => "api:ReadUsers",
        Operation::GetAccessKeyInfo => "api:ReadAccessKeys",
        Operation::GetLoginProfile | Operation::GetAccountPasswordPolicy => "api:ReadUsers",
        Operation::CreateLoginProfile
        | Operation::UpdateLoginProfile
        | Operation::DeleteLoginProfile
        | Operation::ChangePassword
        | Operation::UpdateAccountPasswordPolicy
        | Operation::DeleteAccountPasswordPolicy => "api:UpdateUser",
        Operation::GetRole
        | Operation::ListRoles
        | Operation::ListRoleTags
        | Operation::GetRolePolicy
        | Operation::ListRolePolicies
        | Operation::ListAttachedRolePolicies => "api:ReadUsers",
        Operation::CreateRole
        | Operation::UpdateRole
        | Operation::UpdateRoleDescription
        | Operation::UpdateAssumeRolePolicy
        | Operation::DeleteRole
        | Operation::TagRole
        | Operation::UntagRole
        | Operation::PutRolePolicy
        | Operation::DeleteRolePolicy
        | Operation::AttachRolePolicy
        | Operation::DetachRolePolicy
        | Operation::AssumeRole => "api:UpdateUser",
        Operation::ReadApiAccessPolicy => "api:ReadApiAccessPolicy",
        Operation::UpdateApiAccessPolicy => "api:UpdateApiAccessPolicy",
        Operation::CreateApiAccessRule => "api:CreateApiAccessRule",
        Operation::ReadApiAccessRules => "api:ReadApiAccessRules",
        Operation::UpdateApiAccessRule => "api:UpdateApiAccessRule",
        Operation::DeleteApiAccessRule => "api:DeleteApiAccessRule",
        Operation::CreateCa => "api:CreateCa",
        Operation::ReadCas => "api:ReadCas",
        Operation::UpdateCa => "api:UpdateCa",
        Operation::DeleteCa => "api:DeleteCa",
        Operation::ReadApiLogs => "api:ReadApiLogs",
        Operation::ReadAccount => "api:ReadAccounts",
        Operation::CheckAuthentication => "api:CheckAuthentication",
    }
}

/// AWS IAM: keys are deleted in either state.
pub(crate) const IAM: Rules = Rules {
    user_key_deletion: KeyDeletion::AnyState,
    missing_expiration: MissingExpiration::GiveMaximum,
    action: iam_action,
};
/// Outscale: an EIM user's key must be INACTIVE first.
pub(crate) const OSC: Rules = Rules {
    user_key_deletion: KeyDeletion::RequireInactive,
    missing_expiration: MissingExpiration::Refuse,
    action: osc_action,
};

pub(crate) const SELF_SERVICE: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"ManageOwnAccessKeys","Effect":"Allow","Action":["iam:CreateAccessKey","iam:DeleteAccessKey","iam:GetAccessKeyLastUsed","iam:GetUser","iam:ListAccessKeys","iam:UpdateAccessKey","iam:TagUser"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#;

pub(crate) struct World {
    pub(crate) svc: Service,
    pub(crate) clock: Arc<FixedClock>,
    pub(crate) root: Principal,
}

pub(crate) fn name(s: &str) -> UserName {
    UserName::parse(s).unwrap()
}

pub(crate) fn policy_name(s: &str) -> PolicyName {
    PolicyName::parse(s).unwrap()
}

pub(crate) const T0: i64 = 1_714_564_800_000; // 2024-05-01T12:00:00Z

pub(crate) fn world() -> World {
    world_with(Limits::default())
}

pub(crate) fn world_with(limits: Limits) -> World {
    let clock = Arc::new(FixedClock::new(Timestamp::from_unix_millis(T0)));
    let svc = Service::new(
        Arc::new(MemoryStore::new()),
        clock.clone(),
        Arc::new(RandomIds),
        limits,
    );
    let creds = svc.create_account("acme", None).unwrap();
    let root = Principal::Root {
        account: creds.account.id,
    };
    World { svc, clock, root }
}

impl World {
    pub(crate) fn root(&self, rules: &'static Rules) -> Caller<'_> {
        self.svc.caller(&self.root, rules)
    }

    /// Creates a user with no policy and returns it as a principal.
    pub(crate) fn user(&self, n: &str) -> Principal {
        let u = self
            .root(&IAM)
            .create_user(name(n), None, None, vec![])
            .unwrap();
        Principal::for_user(&u)
    }

    /// An existing user, as a principal.
    pub(crate) fn principal_of(&self, n: &str) -> Principal {
        match self.root(&IAM).get_user(Some(&name(n))) {
            Ok(Identity::User(u)) => Principal::for_user(&u),
            other => panic!("{n} is no user: {other:?}"),
        }
    }

    pub(crate) fn grant(&self, user: &str, policy: &str, doc: &str) {
        self.root(&IAM)
            .put_user_policy(&name(user), &policy_name(policy), doc)
            .unwrap();
    }

    /// A new key of `user` (the root's own when `None`), made by the root.
    pub(crate) fn new_key(&self, user: Option<&str>) -> AccessKeyId {
        let user = user.map(name);
        self.root(&IAM)
            .create_access_key(user.as_ref(), None, None)
            .unwrap()
            .view
            .key
            .id
    }

    /// What a long-term key signs for, when it signs.
    pub(crate) fn signing_key(&self, id: &AccessKeyId) -> CoreResult<Option<SigningKey>> {
        Ok(match self.svc.signing_credentials(id, None, None, &[])? {
            crate::service::KeyLookup::Found(k) => Some(*k),
            crate::service::KeyLookup::Unknown | crate::service::KeyLookup::Expired => None,
        })
    }

    pub(crate) fn keys_of(&self, user: Option<&str>) -> Vec<KeyView> {
        let n = user.map(name);
        self.root(&IAM)
            .list_access_keys(n.as_ref(), &KeyFilter::default(), &PageRequest::default())
            .unwrap()
            .items
    }
}

// ---- managed policies ----

pub(crate) const READ_USERS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#;
pub(crate) const DENY_USERS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:GetUser","Resource":"*"}]}"#;

pub(crate) fn new_policy(n: &str, doc: &str) -> NewPolicy {
    NewPolicy {
        name: policy_name(n),
        path: None,
        description: Some("for tests".into()),
        document: doc.into(),
        tags: vec![],
    }
}

pub(crate) fn local(w: &World, n: &str) -> PolicyRef {
    PolicyRef {
        owner: PolicyOwner::Account(w.root.account().clone()),
        path: UserPath::root(),
        name: policy_name(n),
    }
}

pub(crate) fn provider(n: &str) -> PolicyRef {
    PolicyRef {
        owner: PolicyOwner::Provider,
        path: UserPath::root(),
        name: policy_name(n),
    }
}

pub(crate) fn v(s: &str) -> VersionId {
    VersionId::parse(s).unwrap()
}

pub(crate) fn user(n: &str) -> AttachTarget {
    AttachTarget::User(name(n))
}

pub(crate) fn group(n: &str) -> AttachTarget {
    AttachTarget::Group(GroupRef::named(GroupName::parse(n).unwrap()))
}
