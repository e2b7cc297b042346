//! The calls, one module per resource. Each call is a typed input with its body's schema and
//! checks (`Op::decode`) and its run against the core, which shapes the answer as the spec's
//! response schema (`Op::run`), side by side.

pub mod access_keys;
pub mod account;
pub mod api_access;
pub mod api_logs;
pub mod cas;
pub mod policies;
pub mod policy_links;
pub mod user_groups;
pub mod user_policies;
pub mod user_sessions;
pub mod users;

pub(crate) use keygate_core::page::window;
use keygate_core::{Caller, PageRequest, Timestamp};
use serde_json::Value;
use time::macros::format_description;

use crate::error::OscError;

/// The largest `ResultsPerPage` served; larger requests are cut to it.
pub const MAX_RESULTS: usize = 1000;

/// One call: read from its JSON body, then run for a caller.
pub trait Op: Sized {
    /// Reads the body strictly; the flag is its `DryRun`.
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError>;
    /// Runs the call; the answer's fields, without `ResponseContext`.
    fn run(self, c: &Caller<'_>) -> Result<Value, OscError>;
}

/// `YYYY-MM-DDTHH:MM:SS.mmm+0000`, as every spec example writes dates.
pub fn date(t: Timestamp) -> String {
    t.to_datetime()
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+0000"
        ))
        .unwrap_or_default()
}

/// The OSC calls that list answer everything at once.
pub(crate) fn everything() -> PageRequest {
    PageRequest {
        marker: None,
        max_items: Some(keygate_core::page::MAX_PAGE),
    }
}

/// `FirstItem` and `ResultsPerPage` of the calls that read many items: the first item, how
/// many, and whether the page asked for was cut to the maximum.
pub(crate) fn slice(
    first: Option<i64>,
    per_page: Option<i64>,
) -> Result<(usize, usize, bool), OscError> {
    let first = match first {
        None => 0,
        Some(n) => usize::try_from(n)
            .map_err(|_| OscError::invalid_value("FirstItem", "must be 0 or more"))?,
    };
    let asked = match per_page {
        None => 100,
        Some(n) if n >= 1 => usize::try_from(n).unwrap_or(usize::MAX),
        Some(_) => {
            return Err(OscError::invalid_value(
                "ResultsPerPage",
                "must be 1 or more",
            ));
        }
    };
    Ok((first, asked.min(MAX_RESULTS), asked > MAX_RESULTS))
}

/// A page of a listing, as the spec's read calls answer it: the items under `field`, whether
/// more follow, the largest page served, and whether the page asked for was cut to it.
pub(crate) fn listing(
    field: &str,
    items: impl serde::Serialize,
    more: bool,
    truncated: bool,
) -> Value {
    let mut page = serde_json::json!({
        "HasMoreItems": more,
        "MaxResultsLimit": MAX_RESULTS,
        "MaxResultsTruncated": truncated,
    });
    page[field] = serde_json::json!(items);
    page
}
