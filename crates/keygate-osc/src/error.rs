//! The OSC dialect's errors: the `Errors[{Code, Type, Details}]` envelope, its status and code
//! table, and the exhaustive mappings from `CoreError` and authentication failures.

use actix_web::http::StatusCode;
use keygate_auth::Failure;
use keygate_core::{CoreError, Dependents, Quota};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OscError {
    pub status: StatusCode,
    pub code: &'static str,
    pub kind: &'static str,
    pub details: String,
}

impl OscError {
    pub fn new(
        status: u16,
        code: &'static str,
        kind: &'static str,
        details: impl Into<String>,
    ) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code,
            kind,
            details: details.into(),
        }
    }

    /// Authentication failed (code 1).
    pub fn auth(details: impl Into<String>) -> Self {
        Self::new(401, "1", "AccessDenied", details)
    }

    /// A value breaks the field's rule (code 4047).
    pub fn invalid_value(field: &str, why: impl std::fmt::Display) -> Self {
        Self::new(
            400,
            "4047",
            "InvalidParameterValue",
            format!("The value of {field} is not valid: {why}"),
        )
    }

    /// A field of the wrong JSON type, or a body that is not JSON (code 4108).
    pub fn invalid_type(details: impl Into<String>) -> Self {
        Self::new(400, "4108", "InvalidParameterType", details)
    }

    /// A field not in the call's schema, or a required one missing (code 4045).
    pub fn invalid_parameter(details: impl Into<String>) -> Self {
        Self::new(400, "4045", "InvalidParameterValue", details)
    }

    pub fn internal() -> Self {
        Self::new(
            500,
            "0",
            "DefaultError",
            "An internal error occurred; the request id identifies it in the server's log.",
        )
    }

    pub fn from_core(e: CoreError) -> Self {
        match e {
            CoreError::NoSuchAccount => Self::new(
                400,
                "5044",
                "InvalidResource",
                "The account does not exist.",
            ),
            CoreError::NoSuchUser(n) => Self::new(
                400,
                "5075",
                "InvalidResource",
                format!("The user '{n}' does not exist."),
            ),
            CoreError::NoSuchAccessKey(id) => Self::new(
                400,
                "5027",
                "InvalidResource",
                format!("The access key '{id}' does not exist."),
            ),
            CoreError::NoSuchPolicy(n) => Self::new(
                400,
                "5044",
                "InvalidResource",
                format!("The policy '{n}' does not exist."),
            ),
            CoreError::UserAlreadyExists(n) => Self::new(
                409,
                "9022",
                "ResourceConflict",
                format!("The user '{n}' already exists."),
            ),
            CoreError::AccountAlreadyExists => {
                Self::new(409, "9022", "ResourceConflict", e.to_string())
            }
            CoreError::LimitExceeded(q) => match q {
                Quota::AccessKeysPerPrincipal(n) => Self::new(
                    400,
                    "10005",
                    "TooManyResources",
                    format!("The limit of {n} access keys has been reached."),
                ),
                Quota::InlinePolicySize(n) => Self::new(
                    400,
                    "4106",
                    "InvalidParameterValue",
                    format!(
                        "The inline policies of the user exceed {n} characters without white space."
                    ),
                ),
                Quota::TagsPerUser(n) => Self::new(
                    400,
                    "4106",
                    "InvalidParameterValue",
                    format!("A user can have at most {n} tags."),
                ),
            },
            CoreError::KeyNotInactive(id) => Self::new(
                409,
                "6003",
                "InvalidState",
                format!(
                    "The access key '{id}' of an EIM user must be INACTIVE before it can be deleted."
                ),
            ),
            CoreError::DeleteConflict(d) => Self::new(
                409,
                "9029",
                "ResourceConflict",
                match d {
                    Dependents::AccessKeys => "The user still has access keys: delete them first.",
                    Dependents::Policies => "The user still has policies: delete them first.",
                },
            ),
            CoreError::InvalidInput { field, reason } => Self::invalid_value(field, reason),
            CoreError::MalformedPolicy(text) => {
                Self::new(400, "4047", "InvalidParameterValue", text)
            }
            CoreError::AccessDenied {
                principal,
                action,
                resource,
            } => {
                let who = principal.rsplit('/').next().unwrap_or(&principal);
                Self::new(
                    401,
                    "4",
                    "AccessDenied",
                    format!("User {who} is not allowed to perform {action} on {resource}"),
                )
            }
            CoreError::BadCredentials => Self::auth("The login or password is not valid."),
            CoreError::LoginLocked { retry_after_secs } => Self::new(
                401,
                "13",
                "AccessDenied",
                format!(
                    "Too many failed attempts: access is locked for {retry_after_secs} seconds."
                ),
            ),
            CoreError::Storage(cause) => {
                tracing::error!(%cause, "request failed in the store");
                Self::internal()
            }
        }
    }

    pub fn from_auth_failure(f: Failure) -> Self {
        match f {
            Failure::Auth(e) => Self::auth(e.to_string()),
            Failure::UnknownKey => {
                Self::auth("The access key is not valid, or is inactive or expired.")
            }
            Failure::WrongService { expected } => Self::auth(format!(
                "The signature must be scoped to the service '{expected}'."
            )),
            Failure::Core(e) => Self::from_core(e),
        }
    }
}
