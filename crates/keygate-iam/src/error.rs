//! The IAM dialect's errors: one enum whose variants are IAM's codes, each with its status, and
//! the exhaustive mappings from `CoreError` (in `core_errors`), from authentication failures and from parameter
//! decoding. No other file of this crate spells an error code.
#![deny(clippy::wildcard_enum_match_arm)]

use actix_web::http::StatusCode;
use keygate_auth::{AuthError, BodyError, Failure};
use keygate_core::CoreError;

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

mod core_errors;
