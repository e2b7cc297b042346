//! The exhaustive mapping from the core's errors to the OSC API's codes and details: one arm per
//! `CoreError` variant, no wildcard.
#![deny(clippy::wildcard_enum_match_arm)]

use keygate_core::{
    AccessPolicyRule, CoreError, Denial, Dependents, PolicySource, Quota, SessionRule,
};

use super::*;

impl OscError {
    /// Maps a core error.
    pub fn from_core(e: CoreError) -> Self {
        match e {
            CoreError::NoSuchAccount => Self::NoSuchAccount,
            CoreError::NoSuchUser(n) => Self::NoSuchUser(format!("The user '{n}' does not exist.")),
            CoreError::NoSuchAccessKey(id) => {
                Self::NoSuchAccessKey(format!("The access key '{id}' does not exist."))
            }
            CoreError::NoSuchPolicy(n) | CoreError::NoSuchGroupPolicy(n) => {
                Self::NoSuchPolicy(format!("The policy '{n}' does not exist."))
            }
            CoreError::NoSuchManagedPolicy(r) | CoreError::PolicyNotAttachable(r) => {
                Self::NoSuchPolicy(format!("The policy '{}' does not exist.", orn::policy(&r)))
            }
            CoreError::NoSuchPolicyVersion(r, v) => Self::NoSuchPolicy(format!(
                "The policy '{}' has no version '{v}'.",
                orn::policy(&r)
            )),
            CoreError::PolicyNotAttached(r) => Self::NoSuchPolicy(format!(
                "The policy '{}' is not linked to this user or user group.",
                orn::policy(&r)
            )),
            CoreError::ManagedPolicyAlreadyExists(n) => {
                Self::AlreadyExists(format!("The policy '{n}' already exists."))
            }
            CoreError::ProviderPolicyReadOnly(r) => Self::NotAuthorized(format!(
                "The policy '{}' is provided by the platform and cannot be changed.",
                orn::policy(&r)
            )),
            CoreError::UserAlreadyExists(n) => {
                Self::AlreadyExists(format!("The user '{n}' already exists."))
            }
            CoreError::LoginProfileExists(n) => {
                Self::AlreadyExists(format!("The user '{n}' has a password already."))
            }
            CoreError::NoSuchLoginProfile(n) => {
                Self::NoSuchGroup(format!("The user '{n}' has no password."))
            }
            CoreError::NoPasswordPolicy => {
                Self::NoSuchGroup("The account sets no password policy.".into())
            }
            CoreError::PasswordPolicy(why) => Self::InvalidValue(format!(
                "The password does not meet the account's password policy: {why}."
            )),
            CoreError::NotAUser => Self::NotAuthorized("Only an EIM user may do this.".into()),
            CoreError::WrongOldPassword => Self::bad_login(),
            CoreError::NoSuchMfaDevice(s) => {
                Self::NoSuchGroup(format!("The MFA device '{s}' does not exist."))
            }
            CoreError::MfaDeviceExists(s) => {
                Self::AlreadyExists(format!("The MFA device '{s}' already exists."))
            }
            CoreError::MfaDeviceEnabled(s) => {
                Self::AlreadyExists(format!("The MFA device '{s}' is enabled already."))
            }
            CoreError::InvalidAuthenticationCode => Self::InvalidValue(
                "The authentication codes are not two consecutive codes of the device.".into(),
            ),
            CoreError::NoSuchGroup(n) => {
                Self::NoSuchGroup(format!("The user group '{n}' does not exist."))
            }
            CoreError::NotAdmitted => Self::NotAdmitted,
            CoreError::NoSuchAccessRule(id) => {
                Self::Governance(format!("The API access rule '{id}' does not exist."))
            }
            CoreError::NoSuchCa(id) => Self::Governance(format!("The CA '{id}' does not exist.")),
            CoreError::AccessPolicy(rule) => Self::Governance(match rule {
                AccessPolicyRule::ExpirationRequired(max) => format!(
                    "The API access policy requires access keys to expire: give an \
                     ExpirationDate at most {max} seconds away."
                ),
                AccessPolicyRule::ExpirationTooFar(max) => format!(
                    "The API access policy requires access keys to expire within {max} seconds."
                ),
                AccessPolicyRule::KeysOutliveMaximum(max) => format!(
                    "Every access key of the account must expire within {max} seconds before \
                     this maximum is set."
                ),
                AccessPolicyRule::TrustedEnvNeedsMaximum => {
                    "RequireTrustedEnv needs a MaxAccessKeyExpirationSeconds above 0.".into()
                }
                AccessPolicyRule::TrustedEnvNeedsCas => {
                    "RequireTrustedEnv needs every API access rule to name a CA.".into()
                }
                AccessPolicyRule::RuleNeedsRangesOrCas => {
                    "An API access rule needs IpRanges, CaIds, or both.".into()
                }
                AccessPolicyRule::CnsNeedCas => "Cns need CaIds: they name CAs' certificates.".into(),
                AccessPolicyRule::LastRule => {
                    "You cannot delete the last remaining API access rule.".into()
                }
                AccessPolicyRule::CaInUse => {
                    "The CA is named by an API access rule: update or delete the rule first."
                        .into()
                }
            }),
            // Roles are the IAM dialect's: an OSC call never names one, and these never reach it.
            CoreError::NoSuchRole(n) => {
                Self::NoSuchGroup(format!("The role '{n}' does not exist."))
            }
            CoreError::NoSuchRolePolicy(n) => {
                Self::NoSuchPolicy(format!("The policy '{n}' does not exist."))
            }
            CoreError::RoleAlreadyExists(n) => {
                Self::AlreadyExists(format!("The role '{n}' already exists."))
            }
            CoreError::GroupAlreadyExists(n) => {
                Self::AlreadyExists(format!("The user group '{n}' already exists."))
            }
            CoreError::AccountAlreadyExists => {
                Self::AlreadyExists("An account with this e-mail already exists.".into())
            }
            CoreError::AccountNameTaken(n) => {
                Self::AlreadyExists(format!("An account named '{n}' already exists."))
            }
            CoreError::LimitExceeded(q) => match q {
                Quota::AccessKeysPerPrincipal(n) => {
                    Self::TooManyKeys(format!("The limit of {n} access keys has been reached."))
                }
                Quota::InlinePolicySize(n) => Self::OutOfLimits(format!(
                    "The inline policies of the user exceed {n} characters without white space."
                )),
                Quota::TagsPerEntity(n) => Self::OutOfLimits(format!("At most {n} tags are allowed.")),
                Quota::GroupsPerUser(n) => {
                    Self::OutOfLimits(format!("A user can be in at most {n} user groups."))
                }
                Quota::GroupInlinePolicySize(n) => Self::OutOfLimits(format!(
                    "The inline policies of the user group exceed {n} characters without white space."
                )),
                Quota::ManagedPolicySize(n) => Self::OutOfLimits(format!(
                    "The policy document exceeds {n} characters without white space."
                )),
                Quota::VersionsPerPolicy(n) => Self::OutOfLimits(format!(
                    "A policy can have at most {n} versions: delete one first."
                )),
                Quota::PoliciesPerUser(n) => Self::OutOfLimits(format!(
                    "A user can have at most {n} policies linked."
                )),
                Quota::PoliciesPerGroup(n) => Self::OutOfLimits(format!(
                    "A user group can have at most {n} policies linked."
                )),
                Quota::PoliciesPerRole(n) => Self::OutOfLimits(format!(
                    "A role can have at most {n} policies linked."
                )),
                Quota::RoleInlinePolicySize(n) => Self::OutOfLimits(format!(
                    "The inline policies of the role exceed {n} characters without white space."
                )),
                Quota::TrustPolicySize(n) => Self::OutOfLimits(format!(
                    "The trust policy exceeds {n} characters without white space."
                )),
            },
            CoreError::KeyNotInactive(id) => Self::KeyNotInactive(format!(
                "The access key '{id}' of an EIM user must be INACTIVE before it can be deleted."
            )),
            CoreError::DeleteConflict(d) => Self::HasDependents(
                match d {
                    Dependents::AccessKeys => "The user still has access keys: delete them first.",
                    Dependents::Policies => "It still has policies: delete them first.",
                    Dependents::Groups => {
                        "The user is still in user groups: remove it from them first."
                    }
                    Dependents::Members => {
                        "The user group still has users: remove them first, or use Force."
                    }
                    Dependents::AttachedPolicies => {
                        "It still has managed policies linked: unlink them first."
                    }
                    Dependents::Attachments => {
                        "The policy is still linked to users or user groups: unlink it first."
                    }
                    Dependents::Versions => {
                        "The policy still has versions besides its default one: delete them first."
                    }
                    Dependents::MfaDevices => {
                        "The user still has MFA devices enabled: deactivate them first."
                    }
                    Dependents::LoginProfile => {
                        "The user still has a password: delete its login profile first."
                    }
                    Dependents::MfaInUse => {
                        "The MFA device is still enabled for a user: deactivate it first."
                    }
                    Dependents::DefaultVersion => {
                        "The default version of a policy cannot be deleted: set another one as default first."
                    }
                }
                .into(),
            ),
            CoreError::InvalidInput { field, reason } => Self::invalid_value(field, reason),
            CoreError::MalformedPolicy(text) => Self::InvalidValue(text),
            CoreError::AccessDenied {
                principal,
                action,
                resource,
                why,
            } => {
                let who = principal.rsplit('/').next().unwrap_or(&principal);
                let because = match *why {
                    Denial::NoAllow => "no policy allows it".to_owned(),
                    Denial::NoSessionAllow => "no session policy allows it".to_owned(),
                    Denial::NotTrusted => "the role's trust policy does not allow it".to_owned(),
                    Denial::ExplicitDeny { policy, sid } => {
                        let statement = sid.map(|s| format!("statement {s} of ")).unwrap_or_default();
                        match policy {
                            PolicySource::Managed(r) => {
                                format!("{statement}the managed policy {} denies it", orn::policy(&r))
                            }
                            PolicySource::Inline { name, of } => {
                                let owner = of.rsplit(['/', ':']).next().unwrap_or(&of);
                                format!("{statement}the inline policy {name} of {owner} denies it")
                            }
                            PolicySource::Session => format!("{statement}a session policy denies it"),
                        }
                    }
                };
                Self::NotAuthorized(format!(
                    "User {who} is not allowed to perform {action} on {resource}: {because}."
                ))
            }
            CoreError::SessionRefused(rule) => match rule {
                // A sign-in without a field it turned out to need: the field is named first,
                // so that a console can ask for it.
                SessionRule::NewPasswordRequired => Self::InvalidParameter(
                    "NewPassword: the user must set a new password at this sign-in.".into(),
                ),
                SessionRule::MfaCodeRequired => Self::InvalidParameter(
                    "MfaCode: the user has an MFA device; give its current code.".into(),
                ),
                SessionRule::NoSessionFromSession => {
                    Self::NotAuthorized("Session credentials cannot make another session.".into())
                }
                SessionRule::SignedOnly => {
                    Self::NotAuthorized("A session is made by a request signed with a long-term access key.".into())
                }
                SessionRule::MfaRequired => {
                    Self::NotAuthorized("Session credentials made without MFA call no EIM operation.".into())
                }
                SessionRule::UserNameRequired => {
                    Self::NotAuthorized("With temporary credentials, UserName must be given.".into())
                }
                SessionRule::MfaUnknownDevice => {
                    Self::NotAuthorized("No MFA device of that serial number is enabled for this user.".into())
                }
                SessionRule::MfaWrongCode => {
                    Self::NotAuthorized("The MFA code is wrong, or was used already.".into())
                }
                SessionRule::RootMayNotAssume => {
                    Self::NotAuthorized("The account's root cannot assume a role.".into())
                }
                SessionRule::OverRoleMaximum => {
                    Self::NotAuthorized("The session would last longer than the role's maximum session duration.".into())
                }
                SessionRule::ChainedOverAnHour => {
                    Self::NotAuthorized("A role assumed with a role's session lasts an hour at most.".into())
                }
                SessionRule::PackedPolicyTooLarge(_) => {
                    Self::NotAuthorized("The session policies are too large.".into())
                }
            },
            CoreError::BadCredentials => Self::bad_login(),
            CoreError::LoginLocked { retry_after_secs } => Self::LoginLocked(format!(
                "Too many failed attempts: access is locked for {retry_after_secs} seconds."
            )),
            CoreError::Throttled { retry_after_secs } => Self::Throttled(format!(
                "Too many failed sign-ins from this address: retry in {retry_after_secs} seconds."
            )),
            CoreError::Busy => Self::Busy,
            CoreError::ConcurrentModification => Self::Conflicted,
            // The store logged its failure, with its cause, where it happened.
            CoreError::Storage(_) => Self::Internal,
            CoreError::Internal(cause) => {
                tracing::error!(%cause, "internal failure");
                Self::Internal
            }
        }
    }
}
