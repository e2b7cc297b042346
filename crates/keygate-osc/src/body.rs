//! Reading a call's JSON body strictly against the spec's request schema, and the rules of the
//! values the calls share (identifiers, paths, e-mails, states, dates). The calls' own modules
//! (`ops`) compose these.

use keygate_core::{Email, InvalidId, KeyState, Timestamp, UserPath};
use serde::de::DeserializeOwned;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::error::OscError;

pub(crate) fn body<T: DeserializeOwned>(raw: &[u8]) -> Result<T, OscError> {
    let raw: &[u8] = if raw.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        raw
    };
    // Only an object is a request; serde would also read a struct from an array.
    if raw.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(OscError::InvalidType(
            "The request body must be a JSON object.".into(),
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(raw);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let text = inner.to_string();
        if inner.is_syntax() || inner.is_eof() {
            OscError::InvalidType(format!("The request body is not a JSON object: {text}"))
        } else if text.starts_with("unknown field") {
            let field = text.split('`').nth(1).unwrap_or_default();
            let at = if path == "." || path.is_empty() {
                String::new()
            } else {
                format!(" in {path}")
            };
            OscError::InvalidParameter(format!(
                "The parameter {field}{at} is not valid for this call."
            ))
        } else if text.starts_with("missing field") {
            let field = text.split('`').nth(1).unwrap_or_default();
            OscError::InvalidParameter(format!("The parameter {field} is required."))
        } else {
            OscError::InvalidType(format!("The parameter type of {path} is not valid: {text}"))
        }
    })?;
    de.end().map_err(|e| {
        OscError::InvalidType(format!("The request body is not a JSON object: {e}"))
    })?;
    Ok(value)
}

/// Outscale's rule for paths: letters, digits, `/` and `_`, on top of the shape every path has.
pub(crate) fn osc_path(field: &str, value: Option<String>) -> Result<Option<UserPath>, OscError> {
    if let Some(v) = &value
        && !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '_')
    {
        return Err(OscError::invalid_value(
            field,
            "only letters, digits, '/' and '_' are allowed",
        ));
    }
    opt(field, value, UserPath::parse)
}

pub(crate) fn id<T>(
    field: &str,
    value: &str,
    parse: impl Fn(&str) -> Result<T, InvalidId>,
) -> Result<T, OscError> {
    parse(value).map_err(|e| OscError::invalid_value(field, e.0))
}

pub(crate) fn opt<T>(
    field: &str,
    value: Option<String>,
    parse: impl Fn(&str) -> Result<T, InvalidId>,
) -> Result<Option<T>, OscError> {
    value.map(|v| id(field, &v, &parse)).transpose()
}

pub(crate) fn email(field: &str, value: Option<String>) -> Result<Option<Email>, OscError> {
    value
        .map(|v| Email::parse(&v).map_err(|_| OscError::invalid_email(field)))
        .transpose()
}

pub(crate) fn state(field: &str, s: &str) -> Result<KeyState, OscError> {
    match s {
        "ACTIVE" => Ok(KeyState::Active),
        "INACTIVE" => Ok(KeyState::Inactive),
        other => Err(OscError::invalid_value(
            field,
            format!("'{other}' is not ACTIVE or INACTIVE"),
        )),
    }
}

/// An ISO 8601 date-time (any offset) or a date alone, meaning midnight UTC.
pub fn parse_date(field: &str, s: &str) -> Result<Timestamp, OscError> {
    let with_offset = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]][offset_hour sign:mandatory][optional [:]][offset_minute]"
    );
    let dt = OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(s, with_offset))
        .or_else(|_| {
            PrimitiveDateTime::parse(
                s,
                format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
                ),
            )
            .map(|p| p.assume_utc())
        })
        .or_else(|_| {
            Date::parse(s, format_description!("[year]-[month]-[day]"))
                .map(|d| d.midnight().assume_offset(UtcOffset::UTC))
        })
        .map_err(|_| {
            OscError::invalid_value(field, format!("'{s}' is not an ISO 8601 date or date-time"))
        })?;
    Ok(Timestamp::from_datetime(dt))
}

pub(crate) fn date(field: &str, s: Option<String>) -> Result<Option<Timestamp>, OscError> {
    s.map(|s| parse_date(field, &s)).transpose()
}

pub(crate) fn dry(d: Option<bool>) -> bool {
    d.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d = |s| parse_date("D", s).unwrap().unix_millis();
        assert_eq!(d("2063-04-05"), d("2063-04-05T00:00:00.000Z"));
        assert_eq!(
            d("2010-10-01T12:34:56.789+0000"),
            d("2010-10-01T12:34:56.789Z")
        );
        assert_eq!(d("2010-10-01T14:34:56+02:00"), d("2010-10-01T12:34:56Z"));
        assert!(parse_date("D", "2010-13-01").is_err());
    }
}
