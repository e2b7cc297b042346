//! The request-time window: clock skew for the header form, expiry for presigned URLs.

use time::{Duration, OffsetDateTime, UtcOffset};

use crate::parse::parse_date;
use crate::{AuthError, SignedRequest};

/// STS ignores a presigned `X-Amz-Expires` beyond 15 minutes, and so does keygate.
const PRESIGNED_MAX_VALIDITY: Duration = Duration::minutes(15);

/// Accepts a header-form request dated within `max_skew` of `now`, and a presigned one while
/// `now <= date + min(expires, 15 min)` and `date <= now + max_skew`.
pub fn check_time(
    signed: &SignedRequest,
    now: OffsetDateTime,
    max_skew: Duration,
) -> Result<(), AuthError> {
    let behind = signed
        .presigned_expires
        .map_or(max_skew, |expires| expires.min(PRESIGNED_MAX_VALIDITY));
    within(signed.request_time, now, max_skew, behind)
}

/// Checks an unsigned date header (`X-Osc-Date` beside `Basic` credentials): strictly
/// `YYYYMMDD'T'HHMMSS'Z'`, and within `max_skew` of `now` either way.
pub fn check_date_header(
    name: &str,
    value: &str,
    now: OffsetDateTime,
    max_skew: Duration,
) -> Result<(), AuthError> {
    within(parse_date(name, value)?, now, max_skew, max_skew)
}

/// Accepts `at` from `behind` before `now` to `ahead` after it, edges included.
fn within(
    at: OffsetDateTime,
    now: OffsetDateTime,
    ahead: Duration,
    behind: Duration,
) -> Result<(), AuthError> {
    let now = now.to_offset(UtcOffset::UTC);
    if let Some(latest) = now.checked_add(ahead)
        && at > latest
    {
        return Err(AuthError::NotYetCurrent {
            request: stamp(at),
            latest: stamp(latest),
            now: stamp(now),
            window: ahead,
        });
    }
    if let Some(earliest) = now.checked_sub(behind)
        && at < earliest
    {
        return Err(AuthError::Expired {
            request: stamp(at),
            earliest: stamp(earliest),
            now: stamp(now),
            window: behind,
        });
    }
    Ok(())
}

/// `YYYYMMDD'T'HHMMSS'Z'`, the form AWS uses in its clock error messages.
fn stamp(t: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
