//! What differs between the two real services, as data handed to the core (`Rules`), and the
//! deployment's own settings (`Limits`), which both dialects share because they share state.

/// Whether a user's access key may be deleted while it is still active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDeletion {
    /// AWS IAM: a key is deleted in either state.
    AnyState,
    /// Outscale EIM: a user's key must be `INACTIVE` first (root keys are exempt).
    RequireInactive,
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
    /// Reading the caller's own account (OSC ReadAccounts).
    ReadAccount,
    /// Checking a login and password of the caller's account (OSC CheckAuthentication).
    CheckAuthentication,
}

/// How one real service behaves where the two differ. A front end hands its constant to every
/// core call.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub user_key_deletion: KeyDeletion,
    /// The policy action an operation is checked against, e.g. `iam:DeleteAccessKey` or
    /// `api:DeleteAccessKey`.
    pub action: fn(Operation) -> &'static str,
}

fn iam_action(op: Operation) -> &'static str {
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
        Operation::ReadAccount => "iam:GetAccountSummary",
        Operation::CheckAuthentication => "iam:GetLoginProfile",
    }
}

fn osc_action(op: Operation) -> &'static str {
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
        Operation::ReadAccount => "api:ReadAccounts",
        Operation::CheckAuthentication => "api:CheckAuthentication",
    }
}

impl Rules {
    /// AWS IAM: keys are deleted in either state; policies name `iam:` actions.
    pub const AWS_IAM: Rules = Rules {
        user_key_deletion: KeyDeletion::AnyState,
        action: iam_action,
    };

    /// Outscale's OSC API: an EIM user's key must be INACTIVE before it is deleted; policies
    /// name `api:` actions (WIRE P.5).
    pub const OUTSCALE: Rules = Rules {
        user_key_deletion: KeyDeletion::RequireInactive,
        action: osc_action,
    };
}

/// Deployment settings, one value for both dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Access keys per principal (the root, or one user). AWS IAM: 2; Outscale: 10.
    pub access_keys_per_principal: u32,
    /// Sum of a user's inline policy documents, white space not counted (AWS: 2,048).
    pub inline_policy_chars: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            access_keys_per_principal: 2,
            inline_policy_chars: 2048,
        }
    }
}
