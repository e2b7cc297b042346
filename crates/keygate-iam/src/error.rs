//! The IAM dialect's errors: one status + code table, the XML error body, and the exhaustive
//! mappings from `CoreError` and from authentication failures.

use actix_web::http::StatusCode;
use keygate_auth::{AuthError, Failure};
use keygate_core::{CoreError, Dependents, Quota};

/// An error as the IAM Query API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl IamError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code,
            message: message.into(),
        }
    }

    /// `Sender` for the caller's faults, `Receiver` for the server's.
    pub fn fault(&self) -> &'static str {
        if self.status.is_server_error() {
            "Receiver"
        } else {
            "Sender"
        }
    }

    /// A broken model constraint, worded as AWS words it.
    pub fn validation(field: &str, value: Option<&str>, constraint: &str) -> Self {
        let value = value.map_or_else(|| "null".to_owned(), |v| format!("'{v}'"));
        Self::new(
            400,
            "ValidationError",
            format!(
                "1 validation error detected: Value {value} at '{field}' failed to satisfy constraint: {constraint}"
            ),
        )
    }

    pub fn missing(field: &str) -> Self {
        Self::validation(field, None, "Member must not be null")
    }

    pub fn internal() -> Self {
        Self::new(
            500,
            "ServiceFailure",
            "An internal error occurred; the request id identifies it in the server's log.",
        )
    }

    /// Maps a core error. `user` names the user a policy quota error is about.
    pub fn from_core(e: CoreError, user: Option<&str>) -> Self {
        match e {
            CoreError::NoSuchAccount => {
                Self::new(404, "NoSuchEntity", "The account cannot be found.")
            }
            CoreError::NoSuchUser(_)
            | CoreError::NoSuchAccessKey(_)
            | CoreError::NoSuchPolicy(_) => Self::new(404, "NoSuchEntity", e.to_string()),
            CoreError::UserAlreadyExists(_) | CoreError::AccountAlreadyExists => {
                Self::new(409, "EntityAlreadyExists", e.to_string())
            }
            CoreError::LimitExceeded(q) => Self::new(
                409,
                "LimitExceeded",
                match q {
                    Quota::AccessKeysPerPrincipal(n) => {
                        format!("Cannot exceed quota for AccessKeysPerUser: {n}")
                    }
                    Quota::InlinePolicySize(n) => format!(
                        "Maximum policy size of {n} bytes exceeded for user {}",
                        user.unwrap_or_default()
                    ),
                    Quota::TagsPerUser(n) => {
                        format!("The number of tags has reached the maximum limit of {n}.")
                    }
                },
            ),
            CoreError::KeyNotInactive(_) => Self::new(409, "DeleteConflict", e.to_string()),
            CoreError::DeleteConflict(d) => Self::new(
                409,
                "DeleteConflict",
                match d {
                    Dependents::AccessKeys => {
                        "Cannot delete entity, must delete access keys first."
                    }
                    Dependents::Policies => "Cannot delete entity, must delete policies first.",
                },
            ),
            CoreError::InvalidInput { field, reason } => {
                Self::new(400, "InvalidInput", format!("Invalid {field}: {reason}"))
            }
            CoreError::MalformedPolicy(text) => Self::new(400, "MalformedPolicyDocument", text),
            CoreError::AccessDenied { .. } => Self::new(403, "AccessDenied", e.to_string()),
            CoreError::BadCredentials => Self::invalid_token(),
            CoreError::LoginLocked { .. } => Self::new(403, "AccessDenied", e.to_string()),
            CoreError::Storage(cause) => {
                tracing::error!(%cause, "request failed in the store");
                Self::internal()
            }
        }
    }

    pub fn invalid_token() -> Self {
        Self::new(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        )
    }

    pub fn from_auth_failure(f: Failure) -> Self {
        match f {
            Failure::Auth(e) => Self::from_auth(e),
            Failure::UnknownKey => Self::invalid_token(),
            Failure::WrongService { expected } => Self::new(
                403,
                "SignatureDoesNotMatch",
                format!("Credential should be scoped to correct service: '{expected}'. "),
            ),
            Failure::Core(e) => Self::from_core(e, None),
        }
    }

    pub fn from_auth(e: AuthError) -> Self {
        match e {
            AuthError::Missing => Self::new(
                403,
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
            ),
            AuthError::Incomplete(m) | AuthError::WrongAlgorithm(m) | AuthError::BadBasic(m) => {
                Self::new(400, "IncompleteSignature", m)
            }
            AuthError::SignatureMismatch => Self::new(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method. Consult the service \
                 documentation for details.",
            ),
            e @ (AuthError::Expired { .. } | AuthError::NotYetCurrent { .. }) => {
                Self::new(403, "SignatureDoesNotMatch", e.to_string())
            }
        }
    }
}
