//! What differs between the two real services, as data each front end hands the core (`Rules`),
//! the operations the core authorises, and the deployment's own settings (`Limits`), which
//! both dialects share because they share state.

/// Whether a user's access key may be deleted while it is still active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDeletion {
    /// AWS IAM: a key is deleted in either state.
    AnyState,
    /// Outscale EIM: a user's key must be `INACTIVE` first (root keys are exempt).
    RequireInactive,
}

/// What a new key without an expiration date gets when the account's API access policy sets a
/// maximum lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingExpiration {
    /// Outscale: refused; the caller must give a date within the maximum.
    Refuse,
    /// AWS IAM, whose CreateAccessKey has no date to give: the key lives for the maximum.
    GiveMaximum,
}

/// Every operation the core authorises, named dialect-neutrally. Each dialect names it for
/// policies through `Rules::action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    CreateUser,
    GetUser,
    ListUsers,
    UpdateUser,
    DeleteUser,
    TagUser,
    UntagUser,
    ListUserTags,
    CreateAccessKey,
    ListAccessKeys,
    UpdateAccessKey,
    DeleteAccessKey,
    GetAccessKeyLastUsed,
    PutUserPolicy,
    GetUserPolicy,
    ListUserPolicies,
    DeleteUserPolicy,
    CreateGroup,
    GetGroup,
    ListGroups,
    UpdateGroup,
    DeleteGroup,
    AddUserToGroup,
    RemoveUserFromGroup,
    ListGroupsForUser,
    PutGroupPolicy,
    GetGroupPolicy,
    ListGroupPolicies,
    DeleteGroupPolicy,
    CreatePolicy,
    GetPolicy,
    ListPolicies,
    DeletePolicy,
    CreatePolicyVersion,
    GetPolicyVersion,
    ListPolicyVersions,
    DeletePolicyVersion,
    SetDefaultPolicyVersion,
    AttachUserPolicy,
    DetachUserPolicy,
    ListAttachedUserPolicies,
    AttachGroupPolicy,
    DetachGroupPolicy,
    ListAttachedGroupPolicies,
    ListEntitiesForPolicy,
    TagPolicy,
    UntagPolicy,
    ListPolicyTags,
    CreateVirtualMFADevice,
    EnableMFADevice,
    ListMFADevices,
    ListVirtualMFADevices,
    ResyncMFADevice,
    DeactivateMFADevice,
    DeleteVirtualMFADevice,
    CreateLoginProfile,
    GetLoginProfile,
    UpdateLoginProfile,
    DeleteLoginProfile,
    ChangePassword,
    GetAccountPasswordPolicy,
    UpdateAccountPasswordPolicy,
    DeleteAccountPasswordPolicy,
    CreateRole,
    GetRole,
    ListRoles,
    UpdateRole,
    UpdateRoleDescription,
    UpdateAssumeRolePolicy,
    DeleteRole,
    TagRole,
    UntagRole,
    ListRoleTags,
    PutRolePolicy,
    GetRolePolicy,
    ListRolePolicies,
    DeleteRolePolicy,
    AttachRolePolicy,
    DetachRolePolicy,
    ListAttachedRolePolicies,
    /// Taking on a role for a while (STS AssumeRole).
    AssumeRole,
    /// The account an access key id belongs to (STS GetAccessKeyInfo).
    GetAccessKeyInfo,
    ReadApiAccessPolicy,
    UpdateApiAccessPolicy,
    CreateApiAccessRule,
    ReadApiAccessRules,
    UpdateApiAccessRule,
    DeleteApiAccessRule,
    CreateCa,
    ReadCas,
    UpdateCa,
    DeleteCa,
    /// Reading the account's audit trail (OSC ReadApiLogs).
    ReadApiLogs,
    /// Reading the caller's own account (OSC ReadAccounts).
    ReadAccount,
    /// Checking a login and password of the caller's account (OSC CheckAuthentication).
    CheckAuthentication,
}

impl Operation {
    /// Whether the operation only reads the store: such a call may be answered on the thread
    /// that received it when the store's reads never wait on anything but local memory and
    /// disk. A call that changes state, or checks a password (a deliberately slow hash), is
    /// not.
    pub fn only_reads(self) -> bool {
        match self {
            Operation::GetUser
            | Operation::ListUsers
            | Operation::ListUserTags
            | Operation::ListAccessKeys
            | Operation::GetAccessKeyLastUsed
            | Operation::GetUserPolicy
            | Operation::ListUserPolicies
            | Operation::GetGroup
            | Operation::ListGroups
            | Operation::ListGroupsForUser
            | Operation::GetGroupPolicy
            | Operation::ListGroupPolicies
            | Operation::GetPolicy
            | Operation::ListPolicies
            | Operation::GetPolicyVersion
            | Operation::ListPolicyVersions
            | Operation::ListAttachedUserPolicies
            | Operation::ListAttachedGroupPolicies
            | Operation::ListEntitiesForPolicy
            | Operation::ListPolicyTags
            | Operation::ListMFADevices
            | Operation::ListVirtualMFADevices
            | Operation::GetLoginProfile
            | Operation::GetAccountPasswordPolicy
            | Operation::GetRole
            | Operation::ListRoles
            | Operation::ListRoleTags
            | Operation::GetRolePolicy
            | Operation::ListRolePolicies
            | Operation::ListAttachedRolePolicies
            | Operation::GetAccessKeyInfo
            | Operation::ReadApiAccessPolicy
            | Operation::ReadApiAccessRules
            | Operation::ReadCas
            | Operation::ReadApiLogs
            | Operation::ReadAccount => true,
            Operation::CreateUser
            | Operation::UpdateUser
            | Operation::DeleteUser
            | Operation::TagUser
            | Operation::UntagUser
            | Operation::CreateAccessKey
            | Operation::UpdateAccessKey
            | Operation::DeleteAccessKey
            | Operation::PutUserPolicy
            | Operation::DeleteUserPolicy
            | Operation::CreateGroup
            | Operation::UpdateGroup
            | Operation::DeleteGroup
            | Operation::AddUserToGroup
            | Operation::RemoveUserFromGroup
            | Operation::PutGroupPolicy
            | Operation::DeleteGroupPolicy
            | Operation::CreatePolicy
            | Operation::DeletePolicy
            | Operation::CreatePolicyVersion
            | Operation::DeletePolicyVersion
            | Operation::SetDefaultPolicyVersion
            | Operation::AttachUserPolicy
            | Operation::DetachUserPolicy
            | Operation::AttachGroupPolicy
            | Operation::DetachGroupPolicy
            | Operation::TagPolicy
            | Operation::UntagPolicy
            | Operation::CreateVirtualMFADevice
            | Operation::EnableMFADevice
            | Operation::ResyncMFADevice
            | Operation::DeactivateMFADevice
            | Operation::DeleteVirtualMFADevice
            | Operation::CreateLoginProfile
            | Operation::UpdateLoginProfile
            | Operation::DeleteLoginProfile
            | Operation::ChangePassword
            | Operation::UpdateAccountPasswordPolicy
            | Operation::DeleteAccountPasswordPolicy
            | Operation::CreateRole
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
            | Operation::AssumeRole
            | Operation::UpdateApiAccessPolicy
            | Operation::CreateApiAccessRule
            | Operation::UpdateApiAccessRule
            | Operation::DeleteApiAccessRule
            | Operation::CreateCa
            | Operation::UpdateCa
            | Operation::DeleteCa
            | Operation::CheckAuthentication => false,
        }
    }
}

/// How one real service behaves where the two differ. Each front end declares its constant
/// (the dialect's data) and hands it to every core call; the core never asks which dialect
/// it serves.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// AWS IAM deletes a key in either state; Outscale wants an EIM user's key INACTIVE first.
    pub user_key_deletion: KeyDeletion,
    /// A key created without an expiration date under a maximum lifetime.
    pub missing_expiration: MissingExpiration,
    /// The policy action an operation is checked against, e.g. `iam:DeleteAccessKey` or
    /// `api:DeleteAccessKey`: the front end's router names it.
    pub action: fn(Operation) -> &'static str,
}

/// Deployment settings, one value for both dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Access keys per principal (the root, or one user). AWS IAM: 2; Outscale: 10.
    pub access_keys_per_principal: u32,
    /// Sum of a user's inline policy documents, white space not counted (AWS: 2,048).
    pub inline_policy_chars: u32,
    /// Failed password sign-ins per source address and minute, across logins (0: unlimited).
    pub password_failures_per_source_per_minute: u32,
    /// Password checks computed at once; each holds about 19 MiB while it runs.
    pub password_checks_in_flight: u32,
    /// Groups one user may belong to (AWS: 10).
    pub groups_per_user: u32,
    /// Sum of a group's inline policy documents, white space not counted (AWS: 5,120).
    pub group_inline_policy_chars: u32,
    /// One managed policy document, white space not counted (AWS: 6,144).
    pub managed_policy_chars: u32,
    /// Versions one managed policy keeps (AWS: 5).
    pub versions_per_policy: u32,
    /// Managed policies attached to one user (AWS: 10).
    pub policies_per_user: u32,
    /// Managed policies attached to one group (AWS: 10).
    pub policies_per_group: u32,
    /// Managed policies attached to one role (AWS: 10).
    pub policies_per_role: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            access_keys_per_principal: 2,
            inline_policy_chars: 2048,
            password_failures_per_source_per_minute: 10,
            password_checks_in_flight: 2,
            groups_per_user: 10,
            group_inline_policy_chars: 5120,
            managed_policy_chars: 6144,
            versions_per_policy: 5,
            policies_per_user: 10,
            policies_per_group: 10,
            policies_per_role: 10,
        }
    }
}
