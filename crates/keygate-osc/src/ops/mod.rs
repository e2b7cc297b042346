//! The calls, one module per resource. Each call is a typed input with its body's schema and
//! checks (`Op::decode`) and its run against the core, which shapes the answer as the spec's
//! response schema (`Op::run`), side by side.

pub mod access_keys;
pub mod account;
pub mod user_policies;
pub mod users;

use keygate_core::{Caller, PageRequest, Timestamp};
use serde_json::Value;
use time::macros::format_description;

use crate::error::OscError;

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
