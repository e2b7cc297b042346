//! The actions keygate serves, declared once: each row gives the wire name (the variant's
//! name), the service it belongs to, its input type and the core `Operation` it performs. From
//! the table derive the action enums, the lookup by `Action` and `Version`, the dispatch to
//! each action's module, the policy action (`iam:<name>`) and the log's `action` field.

use keygate_core::{Caller, KeyDeletion, MissingExpiration, Operation, Rules};

use crate::error::IamError;
use crate::ops::{
    Answer, Op, access_keys, groups, login_profiles, managed_policies, mfa, policy_attachments,
    role_policies, roles, sts, user_policies, users,
};
use crate::params::Params;

pub const IAM_VERSION: &str = "2010-05-08";
pub const STS_VERSION: &str = "2011-06-15";

/// How AWS IAM behaves where the dialects differ: keys are deleted in either state (AWS CLI
/// docs), CreateAccessKey gives no expiration date (a maximum lifetime then applies), and
/// policies name `iam:` actions.
pub const RULES: Rules = Rules {
    user_key_deletion: KeyDeletion::AnyState,
    missing_expiration: MissingExpiration::GiveMaximum,
    action: policy_action,
};

/// Which service an action belongs to, and so which scope service may sign it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Iam,
    Sts,
}

impl Api {
    pub fn version(self) -> &'static str {
        match self {
            Api::Iam => IAM_VERSION,
            Api::Sts => STS_VERSION,
        }
    }

    pub fn namespace(self) -> &'static str {
        match self {
            Api::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
            Api::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
        }
    }

    /// The signature scope services accepted: IAM's own, Outscale's EIM name for it, or STS.
    pub fn scope_services(self) -> &'static [&'static str] {
        match self {
            Api::Iam => &["iam", "eim"],
            Api::Sts => &["sts"],
        }
    }
}

macro_rules! actions {
    (
        $( $name:ident($input:ty) in $api:ident $(, checked as $op:ident)? ; )*
        @also { $( $other:ident => $also:literal ),* $(,)? }
    ) => {
        /// An action's name, before its parameters are read.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ActionName {
            $( $name, )*
        }

        impl ActionName {
            pub const ALL: &'static [ActionName] = &[$( ActionName::$name, )*];

            /// The `Action` parameter's value.
            pub fn wire(self) -> &'static str {
                match self {
                    $( ActionName::$name => stringify!($name), )*
                }
            }

            pub fn api(self) -> Api {
                match self {
                    $( ActionName::$name => Api::$api, )*
                }
            }

            /// The core operation it performs; `None` for what is never authorised.
            pub fn operation(self) -> Option<Operation> {
                match self {
                    $( ActionName::$name => actions!(@op $($op)?), )*
                }
            }

            /// The action a policy names, e.g. `iam:CreateUser`.
            pub fn policy_action(self) -> &'static str {
                match self {
                    $( ActionName::$name => match Api::$api {
                        Api::Iam => concat!("iam:", stringify!($name)),
                        Api::Sts => concat!("sts:", stringify!($name)),
                    }, )*
                }
            }

            pub fn from_wire(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|a| a.wire() == name)
            }

            /// Reads the action's parameters.
            pub fn decode(self, p: &Params) -> Result<Action, IamError> {
                Ok(match self {
                    $( ActionName::$name => Action::$name(<$input as Op>::decode(p)?), )*
                })
            }
        }

        /// An action with its parameters read and checked.
        #[derive(Debug)]
        pub enum Action {
            $( $name($input), )*
        }

        impl Action {
            /// Runs the action for the caller; every rule is the core's.
            pub fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
                match self {
                    $( Action::$name(op) => op.run(c), )*
                }
            }
        }

        /// The policy action each core operation is checked against in this dialect.
        pub fn policy_action(op: Operation) -> &'static str {
            match op {
                $( $( Operation::$op => ActionName::$name.policy_action(), )? )*
                $( Operation::$other => $also, )*
            }
        }
    };
    (@op) => { None };
    (@op $op:ident) => { Some(Operation::$op) };
}

actions! {
    CreateUser(users::CreateUser) in Iam, checked as CreateUser;
    GetUser(users::GetUser) in Iam, checked as GetUser;
    ListUsers(users::ListUsers) in Iam, checked as ListUsers;
    UpdateUser(users::UpdateUser) in Iam, checked as UpdateUser;
    DeleteUser(users::DeleteUser) in Iam, checked as DeleteUser;
    TagUser(users::TagUser) in Iam, checked as TagUser;
    UntagUser(users::UntagUser) in Iam, checked as UntagUser;
    ListUserTags(users::ListUserTags) in Iam, checked as ListUserTags;
    CreateAccessKey(access_keys::CreateAccessKey) in Iam, checked as CreateAccessKey;
    ListAccessKeys(access_keys::ListAccessKeys) in Iam, checked as ListAccessKeys;
    UpdateAccessKey(access_keys::UpdateAccessKey) in Iam, checked as UpdateAccessKey;
    DeleteAccessKey(access_keys::DeleteAccessKey) in Iam, checked as DeleteAccessKey;
    GetAccessKeyLastUsed(access_keys::GetAccessKeyLastUsed) in Iam, checked as GetAccessKeyLastUsed;
    PutUserPolicy(user_policies::PutUserPolicy) in Iam, checked as PutUserPolicy;
    GetUserPolicy(user_policies::GetUserPolicy) in Iam, checked as GetUserPolicy;
    ListUserPolicies(user_policies::ListUserPolicies) in Iam, checked as ListUserPolicies;
    DeleteUserPolicy(user_policies::DeleteUserPolicy) in Iam, checked as DeleteUserPolicy;
    CreateGroup(groups::CreateGroup) in Iam, checked as CreateGroup;
    GetGroup(groups::GetGroup) in Iam, checked as GetGroup;
    ListGroups(groups::ListGroups) in Iam, checked as ListGroups;
    UpdateGroup(groups::UpdateGroup) in Iam, checked as UpdateGroup;
    DeleteGroup(groups::DeleteGroup) in Iam, checked as DeleteGroup;
    AddUserToGroup(groups::AddUserToGroup) in Iam, checked as AddUserToGroup;
    RemoveUserFromGroup(groups::RemoveUserFromGroup) in Iam, checked as RemoveUserFromGroup;
    ListGroupsForUser(groups::ListGroupsForUser) in Iam, checked as ListGroupsForUser;
    PutGroupPolicy(groups::PutGroupPolicy) in Iam, checked as PutGroupPolicy;
    GetGroupPolicy(groups::GetGroupPolicy) in Iam, checked as GetGroupPolicy;
    ListGroupPolicies(groups::ListGroupPolicies) in Iam, checked as ListGroupPolicies;
    DeleteGroupPolicy(groups::DeleteGroupPolicy) in Iam, checked as DeleteGroupPolicy;
    CreatePolicy(managed_policies::CreatePolicy) in Iam, checked as CreatePolicy;
    GetPolicy(managed_policies::GetPolicy) in Iam, checked as GetPolicy;
    ListPolicies(managed_policies::ListPolicies) in Iam, checked as ListPolicies;
    DeletePolicy(managed_policies::DeletePolicy) in Iam, checked as DeletePolicy;
    CreatePolicyVersion(managed_policies::CreatePolicyVersion) in Iam, checked as CreatePolicyVersion;
    GetPolicyVersion(managed_policies::GetPolicyVersion) in Iam, checked as GetPolicyVersion;
    ListPolicyVersions(managed_policies::ListPolicyVersions) in Iam, checked as ListPolicyVersions;
    DeletePolicyVersion(managed_policies::DeletePolicyVersion) in Iam, checked as DeletePolicyVersion;
    SetDefaultPolicyVersion(managed_policies::SetDefaultPolicyVersion) in Iam, checked as SetDefaultPolicyVersion;
    AttachUserPolicy(policy_attachments::AttachUserPolicy) in Iam, checked as AttachUserPolicy;
    DetachUserPolicy(policy_attachments::DetachUserPolicy) in Iam, checked as DetachUserPolicy;
    ListAttachedUserPolicies(policy_attachments::ListAttachedUserPolicies) in Iam, checked as ListAttachedUserPolicies;
    AttachGroupPolicy(policy_attachments::AttachGroupPolicy) in Iam, checked as AttachGroupPolicy;
    DetachGroupPolicy(policy_attachments::DetachGroupPolicy) in Iam, checked as DetachGroupPolicy;
    ListAttachedGroupPolicies(policy_attachments::ListAttachedGroupPolicies) in Iam, checked as ListAttachedGroupPolicies;
    ListEntitiesForPolicy(policy_attachments::ListEntitiesForPolicy) in Iam, checked as ListEntitiesForPolicy;
    TagPolicy(managed_policies::TagPolicy) in Iam, checked as TagPolicy;
    UntagPolicy(managed_policies::UntagPolicy) in Iam, checked as UntagPolicy;
    ListPolicyTags(managed_policies::ListPolicyTags) in Iam, checked as ListPolicyTags;
    CreateVirtualMFADevice(mfa::CreateVirtualMFADevice) in Iam, checked as CreateVirtualMFADevice;
    EnableMFADevice(mfa::EnableMFADevice) in Iam, checked as EnableMFADevice;
    ListMFADevices(mfa::ListMFADevices) in Iam, checked as ListMFADevices;
    ListVirtualMFADevices(mfa::ListVirtualMFADevices) in Iam, checked as ListVirtualMFADevices;
    ResyncMFADevice(mfa::ResyncMFADevice) in Iam, checked as ResyncMFADevice;
    DeactivateMFADevice(mfa::DeactivateMFADevice) in Iam, checked as DeactivateMFADevice;
    DeleteVirtualMFADevice(mfa::DeleteVirtualMFADevice) in Iam, checked as DeleteVirtualMFADevice;
    CreateLoginProfile(login_profiles::CreateLoginProfile) in Iam, checked as CreateLoginProfile;
    GetLoginProfile(login_profiles::GetLoginProfile) in Iam, checked as GetLoginProfile;
    UpdateLoginProfile(login_profiles::UpdateLoginProfile) in Iam, checked as UpdateLoginProfile;
    DeleteLoginProfile(login_profiles::DeleteLoginProfile) in Iam, checked as DeleteLoginProfile;
    ChangePassword(login_profiles::ChangePassword) in Iam, checked as ChangePassword;
    GetAccountPasswordPolicy(login_profiles::GetAccountPasswordPolicy) in Iam, checked as GetAccountPasswordPolicy;
    UpdateAccountPasswordPolicy(login_profiles::UpdateAccountPasswordPolicy) in Iam, checked as UpdateAccountPasswordPolicy;
    DeleteAccountPasswordPolicy(login_profiles::DeleteAccountPasswordPolicy) in Iam, checked as DeleteAccountPasswordPolicy;
    CreateRole(roles::CreateRole) in Iam, checked as CreateRole;
    GetRole(roles::GetRole) in Iam, checked as GetRole;
    ListRoles(roles::ListRoles) in Iam, checked as ListRoles;
    UpdateRole(roles::UpdateRole) in Iam, checked as UpdateRole;
    UpdateRoleDescription(roles::UpdateRoleDescription) in Iam, checked as UpdateRoleDescription;
    UpdateAssumeRolePolicy(roles::UpdateAssumeRolePolicy) in Iam, checked as UpdateAssumeRolePolicy;
    DeleteRole(roles::DeleteRole) in Iam, checked as DeleteRole;
    TagRole(roles::TagRole) in Iam, checked as TagRole;
    UntagRole(roles::UntagRole) in Iam, checked as UntagRole;
    ListRoleTags(roles::ListRoleTags) in Iam, checked as ListRoleTags;
    PutRolePolicy(role_policies::PutRolePolicy) in Iam, checked as PutRolePolicy;
    GetRolePolicy(role_policies::GetRolePolicy) in Iam, checked as GetRolePolicy;
    ListRolePolicies(role_policies::ListRolePolicies) in Iam, checked as ListRolePolicies;
    DeleteRolePolicy(role_policies::DeleteRolePolicy) in Iam, checked as DeleteRolePolicy;
    AttachRolePolicy(policy_attachments::AttachRolePolicy) in Iam, checked as AttachRolePolicy;
    DetachRolePolicy(policy_attachments::DetachRolePolicy) in Iam, checked as DetachRolePolicy;
    ListAttachedRolePolicies(policy_attachments::ListAttachedRolePolicies) in Iam, checked as ListAttachedRolePolicies;
    GetCallerIdentity(sts::GetCallerIdentity) in Sts;
    AssumeRole(sts::AssumeRole) in Sts, checked as AssumeRole;
    GetSessionToken(sts::GetSessionToken) in Sts;
    GetAccessKeyInfo(sts::GetAccessKeyInfo) in Sts, checked as GetAccessKeyInfo;
    // Operations only the OSC dialect performs, named as IAM's nearest actions.
    @also {
        ReadAccount => "iam:GetAccountSummary",
        CheckAuthentication => "iam:GetLoginProfile",
        ReadApiAccessPolicy => "iam:GetAccountSummary",
        ReadApiAccessRules => "iam:GetAccountSummary",
        UpdateApiAccessPolicy => "iam:UpdateAccountPasswordPolicy",
        CreateApiAccessRule => "iam:UpdateAccountPasswordPolicy",
        UpdateApiAccessRule => "iam:UpdateAccountPasswordPolicy",
        DeleteApiAccessRule => "iam:UpdateAccountPasswordPolicy",
        ReadApiLogs => "cloudtrail:LookupEvents",
        CreateCa => "iam:UpdateAccountPasswordPolicy",
        UpdateCa => "iam:UpdateAccountPasswordPolicy",
        DeleteCa => "iam:UpdateAccountPasswordPolicy",
        ReadCas => "iam:GetAccountSummary",
    }
}

/// The action named by `Action` and `Version`, before anything else is read. `target` is the
/// request's `X-Amz-Target` header.
///
/// osc-cli's `eim` command, a client of Outscale's EIM endpoint (which speaks this API), sends
/// the day's date as its `Version` and marks its requests with `X-Amz-Target:
/// eim_<YYYYMMDD>.<Action>` (WIRE A.1 and A.2). For IAM actions so marked, any date from the
/// API's own version on is taken as that version; unmarked requests must name it exactly.
pub fn action_name(p: &Params, target: Option<&str>) -> Result<ActionName, IamError> {
    let name = p.get("Action").ok_or(IamError::MissingAction)?;
    let version = p.get("Version").ok_or(IamError::MissingVersion)?;
    let from_eim_client = target
        .and_then(|t| t.strip_prefix("eim_"))
        .and_then(|t| t.split_once('.'))
        .is_some_and(|(_, action)| action == name);
    ActionName::from_wire(name)
        .filter(|a| {
            a.api().version() == version
                || (from_eim_client && a.api() == Api::Iam && is_date_from(version, IAM_VERSION))
        })
        .ok_or_else(|| IamError::unknown_action(name, version))
}

/// Whether `version` is a `YYYY-MM-DD` date no earlier than `first` (same shape).
fn is_date_from(version: &str, first: &str) -> bool {
    let b = version.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    let month = version.get(5..7).and_then(|m| m.parse::<u8>().ok());
    let day = version.get(8..10).and_then(|d| d.parse::<u8>().ok());
    shaped
        && month.is_some_and(|m| (1..=12).contains(&m))
        && day.is_some_and(|d| (1..=31).contains(&d))
        && version >= first
}
