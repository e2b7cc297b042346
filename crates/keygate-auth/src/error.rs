//! Why a request failed authentication. No variant ever carries a secret.

use time::Duration;

/// Reasons a request is not authenticated. The caller maps them to its API's error codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Neither an Authorization header nor a presigned `X-Amz-Algorithm` parameter.
    #[error("Request is missing Authentication Token")]
    Missing,
    /// The header, credential, scope, date or signed-header list is malformed or incomplete.
    #[error("{0}")]
    Incomplete(String),
    /// The request uses another scheme or flavour than the one asked for; the caller may try
    /// another flavour or `Basic`.
    #[error("Authorization scheme '{0}' is not accepted by this endpoint")]
    WrongAlgorithm(String),
    /// The recomputed signature differs from the one sent.
    #[error(
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method. \
         Consult the service documentation for details."
    )]
    SignatureMismatch,
    /// The request time is older than the allowed window.
    #[error(
        "Signature expired: {request} is now earlier than {earliest} ({now} - {})",
        window_text(.window)
    )]
    Expired {
        request: String,
        earliest: String,
        now: String,
        window: Duration,
    },
    /// The request time is further in the future than the allowed skew.
    #[error(
        "Signature not yet current: {request} is still later than {latest} ({now} + {})",
        window_text(.window)
    )]
    NotYetCurrent {
        request: String,
        latest: String,
        now: String,
        window: Duration,
    },
    /// The `Basic` credentials cannot be decoded.
    #[error("invalid Basic credentials: {0}")]
    BadBasic(String),
}

/// AWS words the window in minutes; a presigned expiry need not be whole minutes.
fn window_text(window: &Duration) -> String {
    let seconds = window.whole_seconds();
    if seconds % 60 == 0 {
        format!("{} min.", seconds / 60)
    } else {
        format!("{seconds} s")
    }
}
