//! Receiving a request over actix-web: the body is refused at once when its announced length is
//! over the limit, and given up on when it does not arrive in time, so that neither an
//! oversized nor a stalled body can hold a connection.

use std::time::Duration;

use actix_web::http::header::CONTENT_LENGTH;
use actix_web::{HttpRequest, web};

use crate::gate::SignedHttp;

/// How much body a request may carry, and how long it may take to arrive.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub max_bytes: usize,
    pub timeout: Duration,
}

/// Why a body was not received. Each front end words it in its own envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Announced or found larger than `max` bytes.
    #[error("Request body must be at most {max} bytes")]
    TooLarge { max: usize },
    /// Not complete after the timeout.
    #[error("Request body did not arrive within {} s", .after.as_secs())]
    TimedOut { after: Duration },
    /// The connection failed or the framing was broken.
    #[error("Request body cannot be read: {0}")]
    Broken(String),
}

/// Reads the body of `req` within `limits`.
pub async fn receive(
    req: &HttpRequest,
    payload: web::Payload,
    limits: BodyLimits,
) -> Result<SignedHttp, BodyError> {
    let too_large = BodyError::TooLarge {
        max: limits.max_bytes,
    };
    let announced = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().parse::<u64>());
    match announced {
        Some(Ok(n)) if n > u64::try_from(limits.max_bytes).unwrap_or(u64::MAX) => {
            return Err(too_large);
        }
        // actix refuses a malformed Content-Length before any handler; a huge number is over.
        Some(Err(_)) => return Err(too_large),
        _ => {}
    }
    let read =
        actix_web::rt::time::timeout(limits.timeout, payload.to_bytes_limited(limits.max_bytes))
            .await;
    match read {
        Err(_) => Err(BodyError::TimedOut {
            after: limits.timeout,
        }),
        Ok(Err(_)) => Err(too_large),
        Ok(Ok(Err(e))) => Err(BodyError::Broken(e.to_string())),
        Ok(Ok(Ok(body))) => Ok(SignedHttp::from_actix(req, body)),
    }
}
