//! The exhaustive mapping from the core's errors to IAM's codes and messages: one arm per
//! `CoreError` variant, no wildcard.
#![deny(clippy::wildcard_enum_match_arm)]

use keygate_core::{
    AccessPolicyRule, CoreError, Denial, Dependents, PolicySource, Quota, SessionRule,
};

use super::*;

impl IamError {
    /// Maps a core error. `user` names the user a policy quota error is about.
    pub fn from_core(e: CoreError, user: Option<&str>) -> Self {
        match e {
            CoreError::NoSuchAccount => Self::NoSuchEntity("The account cannot be found.".into()),
            CoreError::NoSuchUser(n) => {
                Self::NoSuchEntity(format!("The user with name {n} cannot be found."))
            }
            CoreError::NoSuchAccessKey(id) => {
                Self::NoSuchEntity(format!("The Access Key with id {id} cannot be found."))
            }
            CoreError::NoSuchPolicy(n) => {
                Self::NoSuchEntity(format!("The user policy with name {n} cannot be found."))
            }
            CoreError::NoSuchGroupPolicy(n) => {
                Self::NoSuchEntity(format!("The group policy with name {n} cannot be found."))
            }
            CoreError::LoginProfileExists(n) => {
                Self::EntityAlreadyExists(format!("Login Profile for user {n} already exists."))
            }
            CoreError::NoSuchLoginProfile(n) => {
                Self::NoSuchEntity(format!("Login Profile for User {n} cannot be found."))
            }
            CoreError::NoPasswordPolicy => Self::NoSuchEntity(
                "The Password Policy with domain name keygate cannot be found.".into(),
            ),
            CoreError::PasswordPolicy(why) => Self::PasswordPolicyViolation(format!(
                "Password does not conform to the account password policy: {why}."
            )),
            CoreError::NotAUser => {
                Self::InvalidUserType("The user making the request must be an IAM user.".into())
            }
            CoreError::WrongOldPassword => {
                Self::AccessDenied("The old password is incorrect.".into())
            }
            CoreError::NoSuchMfaDevice(s) => Self::NoSuchEntity(format!(
                "VirtualMFADevice with serial number {s} doesn't exist."
            )),
            CoreError::MfaDeviceExists(_) => Self::EntityAlreadyExists(
                "MFADevice entity at the same path and name already exists.".into(),
            ),
            CoreError::MfaDeviceEnabled(_) => {
                Self::EntityAlreadyExists("MFA Device is already in use.".into())
            }
            CoreError::InvalidAuthenticationCode => Self::InvalidAuthenticationCode,
            CoreError::UserAlreadyExists(n) => {
                Self::EntityAlreadyExists(format!("User with name {n} already exists."))
            }
            CoreError::NoSuchManagedPolicy(r) | CoreError::PolicyNotAttached(r) => {
                Self::NoSuchEntity(format!("Policy {} was not found.", r.arn()))
            }
            CoreError::PolicyNotAttachable(r) => Self::NoSuchEntity(format!(
                "Policy {} does not exist or is not attachable.",
                r.arn()
            )),
            CoreError::NoSuchPolicyVersion(r, v) => Self::NoSuchEntity(format!(
                "Policy {} version {v} does not exist or is not attachable.",
                r.arn()
            )),
            CoreError::ManagedPolicyAlreadyExists(n) => Self::EntityAlreadyExists(format!(
                "A policy called {n} already exists. Duplicate names are not allowed."
            )),
            // AWS answers as for any policy outside the caller's account: not authorised.
            CoreError::ProviderPolicyReadOnly(r) => Self::AccessDenied(format!(
                "Policy {} is managed by the provider and cannot be changed.",
                r.arn()
            )),
            CoreError::NoSuchRole(n) => {
                Self::NoSuchEntity(format!("The role with name {n} cannot be found."))
            }
            CoreError::RoleAlreadyExists(n) => {
                Self::EntityAlreadyExists(format!("Role with name {n} already exists."))
            }
            CoreError::NoSuchRolePolicy(n) => {
                Self::NoSuchEntity(format!("The role policy with name {n} cannot be found."))
            }
            CoreError::NoSuchGroup(n) => {
                Self::NoSuchEntity(format!("The group with name {n} cannot be found."))
            }
            CoreError::NotAdmitted => Self::AccessDenied(
                "The account's API access rules do not admit requests from this address.".into(),
            ),
            // The OSC dialect's governance calls: IAM has none, so only the key rules reach it.
            CoreError::NoSuchAccessRule(id) => {
                Self::NoSuchEntity(format!("The API access rule {id} cannot be found."))
            }
            CoreError::NoSuchCa(id) => Self::NoSuchEntity(format!("The CA {id} cannot be found.")),
            CoreError::AccessPolicy(rule) => Self::InvalidInput(match rule {
                AccessPolicyRule::ExpirationRequired(max)
                | AccessPolicyRule::ExpirationTooFar(max)
                | AccessPolicyRule::KeysOutliveMaximum(max) => format!(
                    "The account's API access policy requires access keys to expire within \
                     {max} seconds."
                ),
                AccessPolicyRule::TrustedEnvNeedsMaximum => {
                    "A trusted environment needs a maximum access key lifetime.".into()
                }
                AccessPolicyRule::TrustedEnvNeedsCas => {
                    "A trusted environment needs every API access rule to name a CA.".into()
                }
                AccessPolicyRule::RuleNeedsRangesOrCas => {
                    "An API access rule needs address ranges, CAs, or both.".into()
                }
                AccessPolicyRule::CnsNeedCas => "An API access rule's CNs need its CAs.".into(),
                AccessPolicyRule::LastRule => {
                    "The last remaining API access rule cannot be deleted.".into()
                }
                AccessPolicyRule::CaInUse => {
                    "The CA is named by an API access rule: change the rule first.".into()
                }
            }),
            CoreError::GroupAlreadyExists(n) => {
                Self::EntityAlreadyExists(format!("Group with name {n} already exists."))
            }
            CoreError::AccountAlreadyExists => {
                Self::EntityAlreadyExists("An account with this e-mail already exists.".into())
            }
            CoreError::AccountNameTaken(n) => {
                Self::EntityAlreadyExists(format!("An account named {n} already exists."))
            }
            CoreError::LimitExceeded(q) => Self::LimitExceeded(match q {
                Quota::AccessKeysPerPrincipal(n) => {
                    format!("Cannot exceed quota for AccessKeysPerUser: {n}")
                }
                Quota::InlinePolicySize(n) => format!(
                    "Maximum policy size of {n} bytes exceeded for user {}",
                    user.unwrap_or_default()
                ),
                Quota::TagsPerEntity(n) => {
                    format!("The number of tags has reached the maximum limit of {n}.")
                }
                Quota::GroupsPerUser(n) => format!("Cannot exceed quota for GroupsPerUser: {n}"),
                Quota::GroupInlinePolicySize(n) => format!(
                    "Maximum policy size of {n} bytes exceeded for group {}",
                    user.unwrap_or_default()
                ),
                Quota::ManagedPolicySize(n) => format!("Cannot exceed quota for PolicySize: {n}"),
                Quota::VersionsPerPolicy(n) => format!(
                    "A managed policy can have up to {n} versions. Before you create a new \
                     version, you must delete an existing version."
                ),
                Quota::PoliciesPerUser(n) => {
                    format!("Cannot exceed quota for PoliciesPerUser: {n}")
                }
                Quota::PoliciesPerGroup(n) => {
                    format!("Cannot exceed quota for PoliciesPerGroup: {n}")
                }
                Quota::PoliciesPerRole(n) => {
                    format!("Cannot exceed quota for PoliciesPerRole: {n}")
                }
                Quota::RoleInlinePolicySize(n) => format!(
                    "Maximum policy size of {n} bytes exceeded for role {}",
                    user.unwrap_or_default()
                ),
                Quota::TrustPolicySize(n) => format!("Cannot exceed quota for ACLSizePerRole: {n}"),
            }),
            CoreError::KeyNotInactive(id) => Self::DeleteConflict(format!(
                "The access key {id} must be INACTIVE before it can be deleted."
            )),
            CoreError::DeleteConflict(d) => Self::DeleteConflict(
                match d {
                    Dependents::AccessKeys => {
                        "Cannot delete entity, must delete access keys first."
                    }
                    Dependents::Policies => "Cannot delete entity, must delete policies first.",
                    Dependents::Groups => {
                        "Cannot delete entity, must remove users from group first."
                    }
                    Dependents::Members => {
                        "Cannot delete entity, must remove users from group first."
                    }
                    Dependents::AttachedPolicies => {
                        "Cannot delete entity, must detach all policies first."
                    }
                    Dependents::Attachments => "Cannot delete a policy attached to entities.",
                    Dependents::Versions => {
                        "This policy has more than one version. Before you delete a policy, you \
                         must delete the policy's versions. The default version is deleted with \
                         the policy."
                    }
                    Dependents::DefaultVersion => "Cannot delete the default version of a policy.",
                    Dependents::MfaDevices => "Cannot delete entity, must delete MFA device first.",
                    Dependents::MfaInUse => "MFA Device is still in use.",
                    Dependents::LoginProfile => {
                        "Cannot delete entity, must delete login profile first."
                    }
                }
                .into(),
            ),
            CoreError::InvalidInput { field, reason } => {
                Self::InvalidInput(format!("Invalid {field}: {reason}"))
            }
            CoreError::MalformedPolicy(text) => Self::MalformedPolicyDocument(text),
            // AWS's wording: the deciding policy, or that none allows the action.
            CoreError::AccessDenied {
                principal,
                action,
                resource,
                why,
            } => {
                let because = match *why {
                    Denial::NoAllow => {
                        format!("because no identity-based policy allows the {action} action")
                    }
                    Denial::NoSessionAllow => {
                        format!("because no session policy allows the {action} action")
                    }
                    // AWS gives no reason when a role's trust policy refuses.
                    Denial::NotTrusted => String::new(),
                    Denial::ExplicitDeny {
                        policy: PolicySource::Session,
                        ..
                    } => "with an explicit deny in a session policy".to_owned(),
                    Denial::ExplicitDeny {
                        policy: PolicySource::Managed(r),
                        ..
                    } => format!(
                        "with an explicit deny in an identity-based policy: {}",
                        r.arn()
                    ),
                    Denial::ExplicitDeny {
                        policy: PolicySource::Inline { .. },
                        ..
                    } => "with an explicit deny in an identity-based policy".to_owned(),
                };
                let because = if because.is_empty() {
                    because
                } else {
                    format!(" {because}")
                };
                Self::AccessDenied(format!(
                    "User: {principal} is not authorized to perform: {action} on resource: {resource}{because}"
                ))
            }
            CoreError::SessionRefused(rule) => match rule {
                SessionRule::NoSessionFromSession => Self::AccessDenied(
                    "Cannot call GetSessionToken with session credentials".into(),
                ),
                SessionRule::SignedOnly => Self::AccessDenied(
                    "GetSessionToken must be signed with a long-term access key.".into(),
                ),
                // What AWS answers an IAM call made with a session that has no MFA.
                SessionRule::MfaRequired => Self::InvalidClientTokenId,
                SessionRule::UserNameRequired => Self::ValidationError(
                    "Must specify userName when calling with non-User credentials".into(),
                ),
                SessionRule::MfaWrongCode => Self::AccessDenied(
                    "MultiFactorAuthentication failed with invalid MFA one time pass code. ".into(),
                ),
                // A password sign-in's: IAM has no such call, so these never reach it.
                SessionRule::NewPasswordRequired => Self::ValidationError(
                    "NewPassword is required: the user must set a new password.".into(),
                ),
                SessionRule::MfaCodeRequired => Self::ValidationError(
                    "MfaCode is required: the user has an MFA device.".into(),
                ),
                SessionRule::RootMayNotAssume => {
                    Self::AccessDenied("Roles may not be assumed by root accounts.".into())
                }
                SessionRule::OverRoleMaximum => Self::ValidationError(
                    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                        .into(),
                ),
                SessionRule::ChainedOverAnHour => Self::ValidationError(
                    "The requested DurationSeconds exceeds the 1 hour session limit for roles \
                     assumed by role chaining."
                        .into(),
                ),
                SessionRule::PackedPolicyTooLarge(percent) => Self::PackedPolicyTooLarge(format!(
                    "Packed policy consumes {percent}% of allotted space, please use smaller policy."
                )),
                SessionRule::MfaUnknownDevice => Self::AccessDenied(
                    "MultiFactorAuthentication failed, unable to validate MFA code.  Please \
                     verify your MFA serial number is valid and associated with this user."
                        .into(),
                ),
            },
            CoreError::BadCredentials => Self::InvalidClientTokenId,
            CoreError::LoginLocked { retry_after_secs } => Self::AccessDenied(format!(
                "too many failed attempts; retry in {retry_after_secs} s"
            )),
            e @ (CoreError::Throttled { .. } | CoreError::Busy) => Self::Throttling(e.to_string()),
            CoreError::ConcurrentModification => Self::ConcurrentModification(
                "The request was rejected because it conflicted with other changes made at the \
                 same time. Retry the request."
                    .into(),
            ),
            // The store logged its failure, with its cause, where it happened.
            CoreError::Storage(_) => Self::ServiceFailure,
            CoreError::Internal(cause) => {
                tracing::error!(%cause, "internal failure");
                Self::ServiceFailure
            }
        }
    }
}
