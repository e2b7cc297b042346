//! The OSC dialect's errors: one enum whose variants are the codes keygate sends, each with its
//! status, numeric code and `Type` (WIRE B.5), the `Errors[{Code, Type, Details}]` envelope's
//! parts, and the exhaustive mappings from `CoreError` (in `core_errors`) and authentication failures. No other
//! file of this crate spells an error code.
#![deny(clippy::wildcard_enum_match_arm)]

use actix_web::http::StatusCode;
use keygate_auth::{AuthError, BodyError, Failure};
use keygate_core::CoreError;

use crate::orn;

/// An error as the OSC API shows it: the variant decides status, code and type; the text is
/// its `Details`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OscError {
    /// 401 code 1: the credentials do not authenticate.
    AuthFailed(String),
    /// 405 code 2: a method other than POST.
    MethodNotAllowed(String),
    /// 401 code 4: the caller's policies deny the call.
    NotAuthorized(String),
    /// 401 code 9: a login and password on a call that takes a signature only.
    PasswordNotAccepted,
    /// 401 code 12: an `Authorization` scheme nobody speaks.
    UnknownAuthType,
    /// 401 code 14: none of the account's API access rules admits the request.
    NotAdmitted,
    /// 400 code 4118: the API access policy or rules forbid the change, or name what is not
    /// there (Outscale's answers for these).
    Governance(String),
    /// 400 code 4124: `CaPem` is no CA certificate.
    InvalidCertificate(String),
    /// 401 code 13: too many wrong passwords; locked for a while.
    LoginLocked(String),
    /// 429 code 24: too many failed sign-ins from this address; the nearest documented code,
    /// "throttled per account".
    Throttled(String),
    /// 503 code 6: every password check is taken ("throttled, whole platform").
    Busy,
    /// 409 code 9002 (`busy`, a `ResourceConflict` in Outscale's error list): the change met
    /// concurrent ones and could not be settled; nothing changed.
    Conflicted,
    /// 408 code 0: the body did not arrive in time.
    BodyTimedOut(String),
    /// 400 code 4047: a value breaks its field's rule.
    InvalidValue(String),
    /// 400 code 4108: a field of the wrong JSON type, or a body that is not a JSON object.
    InvalidType(String),
    /// 400 code 4045: a field not in the call's schema, or a required one missing.
    InvalidParameter(String),
    /// 400 code 4106: a value beyond a limit.
    OutOfLimits(String),
    /// 413 code 4106: a body larger than the server accepts.
    BodyTooLarge(String),
    /// 400 code 4020: not an e-mail address.
    InvalidEmail(String),
    /// 400 code 5044: the account does not exist.
    NoSuchAccount,
    /// 400 code 5044: the user has no policy of that name.
    NoSuchPolicy(String),
    /// 400 code 5044: the user group does not exist.
    NoSuchGroup(String),
    /// 400 code 5075: the user does not exist.
    NoSuchUser(String),
    /// 400 code 5027: the access key does not exist.
    NoSuchAccessKey(String),
    /// 409 code 9022: the name is taken.
    AlreadyExists(String),
    /// 400 code 10005: the key quota is reached.
    TooManyKeys(String),
    /// 409 code 6003: an EIM user's key is still ACTIVE.
    KeyNotInactive(String),
    /// 409 code 9029: the user still owns keys or policies.
    HasDependents(String),
    /// 400 code 0: no such call.
    UnknownCall(String),
    /// 500 code 0: keygate failed; the request id finds the cause in the log.
    Internal,
}

impl OscError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::AuthFailed(_)
            | Self::NotAdmitted
            | Self::NotAuthorized(_)
            | Self::PasswordNotAccepted
            | Self::UnknownAuthType
            | Self::LoginLocked(_) => StatusCode::UNAUTHORIZED,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::InvalidValue(_)
            | Self::InvalidType(_)
            | Self::InvalidParameter(_)
            | Self::OutOfLimits(_)
            | Self::InvalidEmail(_)
            | Self::Governance(_)
            | Self::InvalidCertificate(_)
            | Self::NoSuchAccount
            | Self::NoSuchPolicy(_)
            | Self::NoSuchGroup(_)
            | Self::NoSuchUser(_)
            | Self::NoSuchAccessKey(_)
            | Self::TooManyKeys(_)
            | Self::UnknownCall(_) => StatusCode::BAD_REQUEST,
            Self::BodyTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::BodyTimedOut(_) => StatusCode::REQUEST_TIMEOUT,
            Self::AlreadyExists(_)
            | Self::KeyNotInactive(_)
            | Self::HasDependents(_)
            | Self::Conflicted => StatusCode::CONFLICT,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The numeric `Code`, as a string as the API sends it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AuthFailed(_) => "1",
            Self::MethodNotAllowed(_) => "2",
            Self::NotAuthorized(_) => "4",
            Self::PasswordNotAccepted => "9",
            Self::UnknownAuthType => "12",
            Self::LoginLocked(_) => "13",
            Self::NotAdmitted => "14",
            Self::Governance(_) => "4118",
            Self::InvalidCertificate(_) => "4124",
            Self::Throttled(_) => "24",
            Self::Busy => "6",
            Self::Conflicted => "9002",
            Self::InvalidValue(_) => "4047",
            Self::InvalidType(_) => "4108",
            Self::InvalidParameter(_) => "4045",
            Self::OutOfLimits(_) | Self::BodyTooLarge(_) => "4106",
            Self::InvalidEmail(_) => "4020",
            Self::NoSuchAccount | Self::NoSuchPolicy(_) | Self::NoSuchGroup(_) => "5044",
            Self::NoSuchUser(_) => "5075",
            Self::NoSuchAccessKey(_) => "5027",
            Self::AlreadyExists(_) => "9022",
            Self::TooManyKeys(_) => "10005",
            Self::KeyNotInactive(_) => "6003",
            Self::HasDependents(_) => "9029",
            Self::UnknownCall(_) | Self::BodyTimedOut(_) | Self::Internal => "0",
        }
    }

    /// The error's `Type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::AuthFailed(_)
            | Self::MethodNotAllowed(_)
            | Self::NotAuthorized(_)
            | Self::UnknownAuthType
            | Self::LoginLocked(_)
            | Self::NotAdmitted
            | Self::Throttled(_)
            | Self::Busy => "AccessDenied",
            Self::PasswordNotAccepted => "AuthFailure",
            Self::InvalidValue(_)
            | Self::InvalidParameter(_)
            | Self::OutOfLimits(_)
            | Self::BodyTooLarge(_)
            | Self::Governance(_)
            | Self::InvalidCertificate(_)
            | Self::InvalidEmail(_) => "InvalidParameterValue",
            Self::InvalidType(_) => "InvalidParameterType",
            Self::NoSuchAccount
            | Self::NoSuchPolicy(_)
            | Self::NoSuchGroup(_)
            | Self::NoSuchUser(_)
            | Self::NoSuchAccessKey(_) => "InvalidResource",
            Self::AlreadyExists(_) | Self::HasDependents(_) | Self::Conflicted => {
                "ResourceConflict"
            }
            Self::TooManyKeys(_) => "TooManyResources",
            Self::KeyNotInactive(_) => "InvalidState",
            Self::UnknownCall(_) | Self::BodyTimedOut(_) | Self::Internal => "DefaultError",
        }
    }

    /// The error's `Details`.
    pub fn details(&self) -> &str {
        match self {
            Self::AuthFailed(d)
            | Self::MethodNotAllowed(d)
            | Self::NotAuthorized(d)
            | Self::LoginLocked(d)
            | Self::Throttled(d)
            | Self::BodyTimedOut(d)
            | Self::InvalidValue(d)
            | Self::InvalidType(d)
            | Self::InvalidParameter(d)
            | Self::OutOfLimits(d)
            | Self::BodyTooLarge(d)
            | Self::InvalidEmail(d)
            | Self::NoSuchPolicy(d)
            | Self::NoSuchGroup(d)
            | Self::NoSuchUser(d)
            | Self::NoSuchAccessKey(d)
            | Self::AlreadyExists(d)
            | Self::TooManyKeys(d)
            | Self::KeyNotInactive(d)
            | Self::HasDependents(d)
            | Self::Governance(d)
            | Self::InvalidCertificate(d)
            | Self::UnknownCall(d) => d,
            Self::NotAdmitted => {
                "API access rules not matched: no rule of the account admits this request."
            }
            Self::PasswordNotAccepted => {
                "This call does not accept a login and password: sign it with an access key."
            }
            Self::UnknownAuthType => "The authorization type is not known.",
            Self::Busy => "Too many sign-ins at once: retry shortly.",
            Self::Conflicted => {
                "The change conflicted with other changes made at the same time: nothing was \
                 changed; retry the call."
            }
            Self::NoSuchAccount => "The account does not exist.",
            Self::Internal => {
                "An internal error occurred; the request id identifies it in the server's log."
            }
        }
    }

    /// Authentication failed (code 1).
    pub fn auth(details: impl Into<String>) -> Self {
        Self::AuthFailed(details.into())
    }

    /// Wrong login or password, or a login that is no e-mail address.
    pub fn bad_login() -> Self {
        Self::auth("The login or password is not valid.")
    }

    /// A value breaks the field's rule (code 4047).
    pub fn invalid_value(field: &str, why: impl std::fmt::Display) -> Self {
        Self::InvalidValue(format!("The value of {field} is not valid: {why}"))
    }

    pub fn invalid_email(field: &str) -> Self {
        Self::InvalidEmail(format!(
            "The value of {field} is not a valid e-mail address."
        ))
    }

    pub fn unknown_call(name: &str) -> Self {
        Self::UnknownCall(format!("The call '{name}' does not exist."))
    }

    pub fn unknown_path(path: &str) -> Self {
        Self::UnknownCall(format!(
            "The path '{path}' names no call: send POST /api/v1/<Call>."
        ))
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::MethodNotAllowed(format!("The method {method} is not allowed: use POST."))
    }

    /// The body was not received whole.
    pub fn from_body(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge { .. } => Self::BodyTooLarge(e.to_string()),
            BodyError::TimedOut { .. } => Self::BodyTimedOut(e.to_string()),
            BodyError::Broken(_) => Self::InvalidType(e.to_string()),
        }
    }

    pub fn from_auth_failure(f: Failure<CoreError>) -> Self {
        match f {
            Failure::Auth(e) => Self::auth(e.to_string()),
            Failure::UnknownKey => {
                Self::auth("The access key is not valid, or is inactive or expired.")
            }
            Failure::ExpiredToken => Self::auth("The session token has expired."),
            Failure::NotAdmitted => Self::NotAdmitted,
            Failure::WrongService { expected } => Self::auth(format!(
                "The signature must be scoped to the service '{expected}'."
            )),
            Failure::Lookup(e) => Self::from_core(e),
        }
    }

    /// The `X-Osc-Date` beside `Basic` credentials is malformed or too far off.
    pub fn from_date_header(e: AuthError) -> Self {
        match e {
            AuthError::Expired { .. } | AuthError::NotYetCurrent { .. } => {
                Self::auth("X-Osc-Date is too far from the server's clock.")
            }
            AuthError::Missing
            | AuthError::Incomplete(_)
            | AuthError::WrongAlgorithm(_)
            | AuthError::SignatureMismatch
            | AuthError::BadBasic(_) => Self::auth("X-Osc-Date must be YYYYMMDDTHHMMSSZ."),
        }
    }
}

impl From<CoreError> for OscError {
    fn from(e: CoreError) -> Self {
        Self::from_core(e)
    }
}

mod core_errors;
