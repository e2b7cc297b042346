//! The calls keygate serves, declared once: each row gives the wire name (the variant's name),
//! the credentials the spec's `security` allows, its input type and the core `Operation` it
//! performs. From the table derive the call enums, the lookup by path, the dispatch to each
//! call's module, the policy action (`api:<name>`) and the log's `action` field.

use keygate_core::{Caller, KeyDeletion, MissingExpiration, Operation, Rules};
use serde_json::Value;

use crate::error::OscError;
use crate::ops::{
    Op, access_keys, account, api_access, api_logs, cas, policies, policy_links, user_groups,
    user_policies, users,
};

/// How Outscale behaves where the dialects differ: an EIM user's key must be INACTIVE before
/// it is deleted (Outscale's EIM docs), and policies name `api:` actions (WIRE P.5).
pub const RULES: Rules = Rules {
    user_key_deletion: KeyDeletion::RequireInactive,
    missing_expiration: MissingExpiration::Refuse,
    action: policy_action,
};

/// Which credentials a call accepts (the spec's per-call `security`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    AccessKey,
    AccessKeyOrPassword,
}

/// A call with its body read and every value checked, and its `DryRun` flag.
#[derive(Debug)]
pub struct Request {
    pub call: Call,
    pub dry_run: bool,
}

macro_rules! calls {
    (
        $( $name:ident($input:ty) by $security:ident, checked as $op:ident ; )*
        @also { $( $other:ident => $also:literal ),* $(,)? }
    ) => {
        /// A call's name, before its body is read.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum CallName {
            $( $name, )*
        }

        impl CallName {
            pub const ALL: &'static [CallName] = &[$( CallName::$name, )*];

            /// The name in the path, `/api/v1/<name>`.
            pub fn wire(self) -> &'static str {
                match self {
                    $( CallName::$name => stringify!($name), )*
                }
            }

            pub fn security(self) -> Security {
                match self {
                    $( CallName::$name => Security::$security, )*
                }
            }

            /// The core operation it performs.
            pub fn operation(self) -> Operation {
                match self {
                    $( CallName::$name => Operation::$op, )*
                }
            }

            /// The action a policy names, e.g. `api:ReadAccessKeys`.
            pub fn policy_action(self) -> &'static str {
                match self {
                    $( CallName::$name => concat!("api:", stringify!($name)), )*
                }
            }

            pub fn from_wire(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|c| c.wire() == name)
            }

            /// Reads the call's body.
            pub fn decode(self, raw: &[u8]) -> Result<Request, OscError> {
                Ok(match self {
                    $( CallName::$name => {
                        let (input, dry_run) = <$input as Op>::decode(raw)?;
                        Request { call: Call::$name(input), dry_run }
                    } )*
                })
            }
        }

        /// A call with its body read and checked.
        #[derive(Debug)]
        pub enum Call {
            $( $name($input), )*
        }

        impl Call {
            /// Runs the call for the caller; every rule is the core's.
            pub fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
                match self {
                    $( Call::$name(op) => op.run(c), )*
                }
            }
        }

        /// The policy action each core operation is checked against in this dialect.
        pub fn policy_action(op: Operation) -> &'static str {
            match op {
                $( Operation::$op => CallName::$name.policy_action(), )*
                $( Operation::$other => $also, )*
            }
        }
    };
}

calls! {
    CreateAccessKey(access_keys::CreateAccessKey) by AccessKeyOrPassword, checked as CreateAccessKey;
    DeleteAccessKey(access_keys::DeleteAccessKey) by AccessKeyOrPassword, checked as DeleteAccessKey;
    ReadAccessKeys(access_keys::ReadAccessKeys) by AccessKeyOrPassword, checked as ListAccessKeys;
    UpdateAccessKey(access_keys::UpdateAccessKey) by AccessKeyOrPassword, checked as UpdateAccessKey;
    CreateUser(users::CreateUser) by AccessKey, checked as CreateUser;
    DeleteUser(users::DeleteUser) by AccessKey, checked as DeleteUser;
    ReadUsers(users::ReadUsers) by AccessKey, checked as ListUsers;
    UpdateUser(users::UpdateUser) by AccessKey, checked as UpdateUser;
    PutUserPolicy(user_policies::PutUserPolicy) by AccessKey, checked as PutUserPolicy;
    ReadUserPolicy(user_policies::ReadUserPolicy) by AccessKey, checked as GetUserPolicy;
    ReadUserPolicies(user_policies::ReadUserPolicies) by AccessKey, checked as ListUserPolicies;
    DeleteUserPolicy(user_policies::DeleteUserPolicy) by AccessKey, checked as DeleteUserPolicy;
    ReadAccounts(account::ReadAccounts) by AccessKey, checked as ReadAccount;
    ReadApiAccessPolicy(api_access::ReadApiAccessPolicy) by AccessKeyOrPassword, checked as ReadApiAccessPolicy;
    UpdateApiAccessPolicy(api_access::UpdateApiAccessPolicy) by AccessKeyOrPassword, checked as UpdateApiAccessPolicy;
    CreateApiAccessRule(api_access::CreateApiAccessRule) by AccessKeyOrPassword, checked as CreateApiAccessRule;
    ReadApiAccessRules(api_access::ReadApiAccessRules) by AccessKeyOrPassword, checked as ReadApiAccessRules;
    UpdateApiAccessRule(api_access::UpdateApiAccessRule) by AccessKeyOrPassword, checked as UpdateApiAccessRule;
    DeleteApiAccessRule(api_access::DeleteApiAccessRule) by AccessKeyOrPassword, checked as DeleteApiAccessRule;
    ReadApiLogs(api_logs::ReadApiLogs) by AccessKey, checked as ReadApiLogs;
    CreateCa(cas::CreateCa) by AccessKeyOrPassword, checked as CreateCa;
    ReadCas(cas::ReadCas) by AccessKeyOrPassword, checked as ReadCas;
    UpdateCa(cas::UpdateCa) by AccessKeyOrPassword, checked as UpdateCa;
    DeleteCa(cas::DeleteCa) by AccessKeyOrPassword, checked as DeleteCa;
    CheckAuthentication(account::CheckAuthentication) by AccessKey, checked as CheckAuthentication;
    CreateUserGroup(user_groups::CreateUserGroup) by AccessKey, checked as CreateGroup;
    ReadUserGroup(user_groups::ReadUserGroup) by AccessKey, checked as GetGroup;
    ReadUserGroups(user_groups::ReadUserGroups) by AccessKey, checked as ListGroups;
    UpdateUserGroup(user_groups::UpdateUserGroup) by AccessKey, checked as UpdateGroup;
    DeleteUserGroup(user_groups::DeleteUserGroup) by AccessKey, checked as DeleteGroup;
    AddUserToUserGroup(user_groups::AddUserToUserGroup) by AccessKey, checked as AddUserToGroup;
    RemoveUserFromUserGroup(user_groups::RemoveUserFromUserGroup) by AccessKey, checked as RemoveUserFromGroup;
    ReadUserGroupsPerUser(user_groups::ReadUserGroupsPerUser) by AccessKey, checked as ListGroupsForUser;
    PutUserGroupPolicy(user_groups::PutUserGroupPolicy) by AccessKey, checked as PutGroupPolicy;
    ReadUserGroupPolicy(user_groups::ReadUserGroupPolicy) by AccessKey, checked as GetGroupPolicy;
    ReadUserGroupPolicies(user_groups::ReadUserGroupPolicies) by AccessKey, checked as ListGroupPolicies;
    DeleteUserGroupPolicy(user_groups::DeleteUserGroupPolicy) by AccessKey, checked as DeleteGroupPolicy;
    CreatePolicy(policies::CreatePolicy) by AccessKey, checked as CreatePolicy;
    ReadPolicy(policies::ReadPolicy) by AccessKey, checked as GetPolicy;
    ReadPolicies(policies::ReadPolicies) by AccessKey, checked as ListPolicies;
    DeletePolicy(policies::DeletePolicy) by AccessKey, checked as DeletePolicy;
    CreatePolicyVersion(policies::CreatePolicyVersion) by AccessKey, checked as CreatePolicyVersion;
    ReadPolicyVersion(policies::ReadPolicyVersion) by AccessKey, checked as GetPolicyVersion;
    ReadPolicyVersions(policies::ReadPolicyVersions) by AccessKey, checked as ListPolicyVersions;
    DeletePolicyVersion(policies::DeletePolicyVersion) by AccessKey, checked as DeletePolicyVersion;
    SetDefaultPolicyVersion(policies::SetDefaultPolicyVersion) by AccessKey, checked as SetDefaultPolicyVersion;
    LinkPolicy(policy_links::LinkPolicy) by AccessKey, checked as AttachUserPolicy;
    UnlinkPolicy(policy_links::UnlinkPolicy) by AccessKey, checked as DetachUserPolicy;
    ReadLinkedPolicies(policy_links::ReadLinkedPolicies) by AccessKey, checked as ListAttachedUserPolicies;
    LinkManagedPolicyToUserGroup(policy_links::LinkManagedPolicyToUserGroup) by AccessKey, checked as AttachGroupPolicy;
    UnlinkManagedPolicyFromUserGroup(policy_links::UnlinkManagedPolicyFromUserGroup) by AccessKey, checked as DetachGroupPolicy;
    ReadManagedPoliciesLinkedToUserGroup(policy_links::ReadManagedPoliciesLinkedToUserGroup) by AccessKey, checked as ListAttachedGroupPolicies;
    ReadEntitiesLinkedToPolicy(policy_links::ReadEntitiesLinkedToPolicy) by AccessKey, checked as ListEntitiesForPolicy;
    // Operations only the IAM dialect performs, checked as the OSC call that does their work.
    @also {
        TagPolicy => "api:CreatePolicyVersion",
        UntagPolicy => "api:CreatePolicyVersion",
        ListPolicyTags => "api:ReadPolicy",
        CreateVirtualMFADevice => "api:UpdateUser",
        EnableMFADevice => "api:UpdateUser",
        ResyncMFADevice => "api:UpdateUser",
        DeactivateMFADevice => "api:UpdateUser",
        DeleteVirtualMFADevice => "api:UpdateUser",
        ListMFADevices => "api:ReadUsers",
        ListVirtualMFADevices => "api:ReadUsers",
        GetAccessKeyInfo => "api:ReadAccessKeys",
        GetLoginProfile => "api:ReadUsers",
        GetAccountPasswordPolicy => "api:ReadUsers",
        CreateLoginProfile => "api:UpdateUser",
        UpdateLoginProfile => "api:UpdateUser",
        DeleteLoginProfile => "api:UpdateUser",
        ChangePassword => "api:UpdateUser",
        UpdateAccountPasswordPolicy => "api:UpdateUser",
        DeleteAccountPasswordPolicy => "api:UpdateUser",
        GetUser => "api:ReadUsers",
        ListUserTags => "api:ReadUsers",
        TagUser => "api:UpdateUser",
        UntagUser => "api:UpdateUser",
        GetAccessKeyLastUsed => "api:ReadAccessKeys",
        GetRole => "api:ReadUsers",
        ListRoles => "api:ReadUsers",
        ListRoleTags => "api:ReadUsers",
        GetRolePolicy => "api:ReadUsers",
        ListRolePolicies => "api:ReadUsers",
        ListAttachedRolePolicies => "api:ReadUsers",
        CreateRole => "api:UpdateUser",
        UpdateRole => "api:UpdateUser",
        UpdateRoleDescription => "api:UpdateUser",
        UpdateAssumeRolePolicy => "api:UpdateUser",
        DeleteRole => "api:UpdateUser",
        TagRole => "api:UpdateUser",
        UntagRole => "api:UpdateUser",
        PutRolePolicy => "api:UpdateUser",
        DeleteRolePolicy => "api:UpdateUser",
        AttachRolePolicy => "api:UpdateUser",
        DetachRolePolicy => "api:UpdateUser",
        AssumeRole => "api:UpdateUser",
    }
}

/// The call named in the path, before anything else is read.
pub fn call_name(name: &str) -> Result<CallName, OscError> {
    CallName::from_wire(name).ok_or_else(|| OscError::unknown_call(name))
}
