//! The IAM dialect's errors: one enum whose variants are IAM's codes, each with its status, and
//! the exhaustive mappings from `CoreError`, from authentication failures and from parameter
//! decoding. No other file of this crate spells an error code.
#![deny(clippy::wildcard_enum_match_arm)]

use actix_web::http::StatusCode;
use keygate_auth::{AuthError, BodyError, Failure};
use keygate_core::{
    AccessPolicyRule, CoreError, Denial, Dependents, PolicySource, Quota, SessionRule,
};

use crate::params::ParamError;

/// An error as the IAM Query API shows it: the variant is the code, the text its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamError {
    /// 404: the user, key, policy or account named does not exist.
    NoSuchEntity(String),
    /// 409: a user of that name exists already.
    EntityAlreadyExists(String),
    /// 409: a quota would be exceeded.
    LimitExceeded(String),
    /// 409: the entity still has what must be deleted first.
    DeleteConflict(String),
    /// 400: a value broke a rule the model's constraints do not express.
    InvalidInput(String),
    /// 400: a policy document outside the language.
    MalformedPolicyDocument(String),
    /// 403: the caller's policies deny the action, or its login is locked.
    AccessDenied(String),
    /// 403: no active, unexpired key has the signature's key id.
    InvalidClientTokenId,
    /// 403: the session the token names has expired.
    ExpiredToken,
    /// 400: a password breaks the account's password policy.
    PasswordPolicyViolation(String),
    /// 400: only an IAM user may make this request.
    InvalidUserType(String),
    /// 403: the two codes are not two consecutive codes of the MFA device.
    InvalidAuthenticationCode,
    /// 403: the signature is wrong, out of its time window or scoped to another service.
    SignatureDoesNotMatch(String),
    /// 403: no credentials at all.
    MissingAuthenticationToken,
    /// 400: the session policies pack to more than is allowed.
    PackedPolicyTooLarge(String),
    /// 400: the credentials are there but cannot be read.
    IncompleteSignature(String),
    /// 400: a parameter broke the model's constraints, worded as AWS words it.
    ValidationError(String),
    /// 404: the parameters are not valid form encoding.
    MalformedQueryString(String),
    /// 413: the body is larger than the server accepts.
    RequestEntityTooLarge(String),
    /// 408: the body did not arrive in time.
    RequestTimeout(String),
    /// 405: a method the endpoint does not serve (S3's code for it).
    MethodNotAllowed(String),
    /// 400: too many requests for now; botocore retries it.
    Throttling(String),
    /// 409: the change met concurrent ones and could not be settled; nothing changed.
    ConcurrentModification(String),
    /// 400: no `Action` parameter.
    MissingAction,
    /// 400: no `Version` parameter.
    MissingVersion,
    /// 400: no such action in the version asked for.
    InvalidAction(String),
    /// 500: keygate failed; the request id finds the cause in the log.
    ServiceFailure,
}

impl IamError {
    /// The `<Code>` of the error body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoSuchEntity(_) => "NoSuchEntity",
            Self::EntityAlreadyExists(_) => "EntityAlreadyExists",
            Self::LimitExceeded(_) => "LimitExceeded",
            Self::DeleteConflict(_) => "DeleteConflict",
            Self::InvalidInput(_) => "InvalidInput",
            Self::MalformedPolicyDocument(_) => "MalformedPolicyDocument",
            Self::AccessDenied(_) => "AccessDenied",
            Self::InvalidClientTokenId => "InvalidClientTokenId",
            Self::ExpiredToken => "ExpiredToken",
            Self::InvalidAuthenticationCode => "InvalidAuthenticationCode",
            Self::PasswordPolicyViolation(_) => "PasswordPolicyViolation",
            Self::InvalidUserType(_) => "InvalidUserType",
            Self::SignatureDoesNotMatch(_) => "SignatureDoesNotMatch",
            Self::MissingAuthenticationToken => "MissingAuthenticationToken",
            Self::IncompleteSignature(_) => "IncompleteSignature",
            Self::PackedPolicyTooLarge(_) => "PackedPolicyTooLarge",
            Self::ValidationError(_) => "ValidationError",
            Self::MalformedQueryString(_) => "MalformedQueryString",
            Self::RequestEntityTooLarge(_) => "RequestEntityTooLarge",
            Self::RequestTimeout(_) => "RequestTimeout",
            Self::MethodNotAllowed(_) => "MethodNotAllowed",
            Self::Throttling(_) => "Throttling",
            Self::ConcurrentModification(_) => "ConcurrentModification",
            Self::MissingAction => "MissingAction",
            Self::MissingVersion => "MissingParameter",
            Self::InvalidAction(_) => "InvalidAction",
            Self::ServiceFailure => "ServiceFailure",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::NoSuchEntity(_) | Self::MalformedQueryString(_) => StatusCode::NOT_FOUND,
            Self::EntityAlreadyExists(_)
            | Self::LimitExceeded(_)
            | Self::DeleteConflict(_)
            | Self::ConcurrentModification(_) => StatusCode::CONFLICT,
            Self::InvalidInput(_)
            | Self::MalformedPolicyDocument(_)
            | Self::PasswordPolicyViolation(_)
            | Self::InvalidUserType(_)
            | Self::IncompleteSignature(_)
            | Self::PackedPolicyTooLarge(_)
            | Self::ValidationError(_)
            | Self::MissingAction
            | Self::MissingVersion
            | Self::Throttling(_)
            | Self::InvalidAction(_) => StatusCode::BAD_REQUEST,
            Self::AccessDenied(_)
            | Self::InvalidClientTokenId
            | Self::ExpiredToken
            | Self::InvalidAuthenticationCode
            | Self::SignatureDoesNotMatch(_)
            | Self::MissingAuthenticationToken => StatusCode::FORBIDDEN,
            Self::RequestEntityTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::ServiceFailure => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `<Message>` of the error body.
    pub fn message(&self) -> &str {
        match self {
            Self::NoSuchEntity(m)
            | Self::EntityAlreadyExists(m)
            | Self::LimitExceeded(m)
            | Self::DeleteConflict(m)
            | Self::InvalidInput(m)
            | Self::MalformedPolicyDocument(m)
            | Self::PasswordPolicyViolation(m)
            | Self::InvalidUserType(m)
            | Self::AccessDenied(m)
            | Self::SignatureDoesNotMatch(m)
            | Self::IncompleteSignature(m)
            | Self::PackedPolicyTooLarge(m)
            | Self::ValidationError(m)
            | Self::MalformedQueryString(m)
            | Self::RequestEntityTooLarge(m)
            | Self::RequestTimeout(m)
            | Self::MethodNotAllowed(m)
            | Self::Throttling(m)
            | Self::ConcurrentModification(m)
            | Self::InvalidAction(m) => m,
            Self::InvalidClientTokenId => "The security token included in the request is invalid.",
            Self::ExpiredToken => "The security token included in the request is expired",
            Self::InvalidAuthenticationCode => "Authentication code for device is not valid.",
            Self::MissingAuthenticationToken => "Request is missing Authentication Token",
            Self::MissingAction => "Request is missing the Action parameter",
            Self::MissingVersion => "The request must contain the parameter Version",
            Self::ServiceFailure => {
                "An internal error occurred; the request id identifies it in the server's log."
            }
        }
    }

    /// `Sender` for the caller's faults, `Receiver` for the server's.
    pub fn fault(&self) -> &'static str {
        if self.status().is_server_error() {
            "Receiver"
        } else {
            "Sender"
        }
    }

    /// A broken model constraint, worded as AWS words it.
    pub fn validation(field: &str, value: Option<&str>, constraint: &str) -> Self {
        let value = value.map_or_else(|| "null".to_owned(), |v| format!("'{v}'"));
        Self::ValidationError(format!(
            "1 validation error detected: Value {value} at '{field}' failed to satisfy constraint: {constraint}"
        ))
    }

    pub fn missing(field: &str) -> Self {
        Self::validation(field, None, "Member must not be null")
    }

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

    pub fn from_auth_failure(f: Failure<CoreError>) -> Self {
        match f {
            Failure::Auth(e) => Self::from_auth(e),
            Failure::UnknownKey => Self::InvalidClientTokenId,
            Failure::ExpiredToken => Self::ExpiredToken,
            Failure::NotAdmitted => Self::from_core(CoreError::NotAdmitted, None),
            Failure::WrongService { expected } => Self::SignatureDoesNotMatch(format!(
                "Credential should be scoped to correct service: '{expected}'. "
            )),
            Failure::Lookup(e) => Self::from_core(e, None),
        }
    }

    pub fn from_auth(e: AuthError) -> Self {
        match e {
            AuthError::Missing => Self::MissingAuthenticationToken,
            AuthError::Incomplete(m) | AuthError::BadBasic(m) => Self::IncompleteSignature(m),
            e @ AuthError::WrongAlgorithm(_) => Self::IncompleteSignature(e.to_string()),
            AuthError::SignatureMismatch => Self::SignatureDoesNotMatch(
                "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method. Consult the service \
                 documentation for details."
                    .into(),
            ),
            e @ (AuthError::Expired { .. } | AuthError::NotYetCurrent { .. }) => {
                Self::SignatureDoesNotMatch(e.to_string())
            }
        }
    }

    pub fn from_params(e: ParamError) -> Self {
        match e {
            ParamError::Malformed(m) => Self::MalformedQueryString(m),
            ParamError::Duplicate(name) => {
                Self::ValidationError(format!("Parameter {name} is given more than once"))
            }
        }
    }

    /// The body was not received whole.
    pub fn from_body(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge { .. } => Self::RequestEntityTooLarge(e.to_string()),
            BodyError::TimedOut { .. } => Self::RequestTimeout(e.to_string()),
            BodyError::Broken(_) => Self::MalformedQueryString(e.to_string()),
        }
    }

    /// `Status=Expired`: a state the model names but a caller cannot set.
    pub fn status_not_settable() -> Self {
        Self::InvalidInput(
            "The status of an access key can only be set to Active or Inactive.".into(),
        )
    }

    /// A permissions boundary: keygate evaluates identity policies only, and says so rather
    /// than create a user without the limit its caller asked for.
    pub fn boundaries_unsupported() -> Self {
        Self::InvalidInput(
            "PermissionsBoundary is not supported: keygate evaluates identity policies only, \
             so no user or role is created with a permissions boundary."
                .into(),
        )
    }

    pub fn session_tags_unsupported() -> Self {
        Self::InvalidInput(
            "Tags, TransitiveTagKeys and SourceIdentity are not supported: keygate's role \
             sessions carry no session tags or source identity."
                .into(),
        )
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::MethodNotAllowed(format!(
            "The method {method} is not allowed here: send GET or POST"
        ))
    }

    pub fn unknown_action(name: &str, version: &str) -> Self {
        Self::InvalidAction(format!(
            "Could not find operation {name} for version {version}"
        ))
    }
}

impl From<CoreError> for IamError {
    fn from(e: CoreError) -> Self {
        Self::from_core(e, None)
    }
}
