//! Reading a call's JSON body strictly against the spec's request schema, and the rules of the
//! values the calls share (identifiers, paths, e-mails, states, dates). The calls' own modules
//! (`ops`) compose these.

use keygate_core::{Email, InvalidId, KeyState, Timestamp, UserPath};
use serde::de::DeserializeOwned;
use serde_json::Value;
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
    let value: Value = serde_json::from_slice(raw).map_err(|e| {
        OscError::InvalidType(format!("The request body is not a JSON object: {e}"))
    })?;
    check_values(&value, "")?;
    let de = &mut serde_json::Deserializer::from_slice(raw);
    serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let text = e.into_inner().to_string();
        // serde names our own fields between backticks; the caller's names come from the path,
        // which holds them exactly.
        let ours = text.split('`').nth(1).unwrap_or_default();
        let within = |field: &str| {
            if path == "." || path.is_empty() {
                field.to_owned()
            } else {
                format!("{path}.{field}")
            }
        };
        if text.starts_with("unknown field") {
            OscError::InvalidParameter(format!("The parameter {path} is not valid for this call."))
        } else if text.starts_with("missing field") {
            OscError::InvalidParameter(format!("The parameter {} is required.", within(ours)))
        } else if text.starts_with("duplicate field") {
            OscError::InvalidParameter(format!(
                "The parameter {} is given more than once.",
                within(ours)
            ))
        } else {
            OscError::InvalidType(format!("The parameter type of {path} is not valid: {text}"))
        }
    })
}

/// What the typed reading cannot tell apart: the spec types no request field as nullable, so
/// `null` is refused wherever it appears; and an integer beyond i64 is out of range, not a
/// float (no call keygate serves takes a fractional number).
fn check_values(value: &Value, at: &str) -> Result<(), OscError> {
    let name = |key: &str| {
        if at.is_empty() {
            key.to_owned()
        } else {
            format!("{at}.{key}")
        }
    };
    match value {
        Value::Object(map) => map.iter().try_for_each(|(k, v)| match v {
            Value::Null => Err(OscError::InvalidType(format!(
                "The parameter {} must not be null.",
                name(k)
            ))),
            v => check_values(v, &name(k)),
        }),
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, v)| match v {
            Value::Null => Err(OscError::InvalidType(format!(
                "The parameter {at}[{i}] must not be null."
            ))),
            v => check_values(v, &format!("{at}[{i}]")),
        }),
        Value::Number(n)
            if n.as_i64().is_none() && n.as_f64().is_some_and(|f| f.fract() == 0.0) =>
        {
            Err(OscError::OutOfLimits(format!(
                "The value of {at} is out of range."
            )))
        }
        Value::Number(_) | Value::Bool(_) | Value::String(_) | Value::Null => Ok(()),
    }
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

/// A list of identifiers, each checked, named `field` in errors.
pub(crate) fn ids<T>(
    field: &str,
    values: Option<Vec<String>>,
    parse: impl Fn(&str) -> Result<T, InvalidId>,
) -> Result<Option<Vec<T>>, OscError> {
    values
        .map(|vs| vs.iter().map(|v| id(field, v, &parse)).collect())
        .transpose()
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

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "PascalCase")]
    #[allow(dead_code)]
    struct Probe {
        user_name: Option<String>,
        first_item: Option<i64>,
        filters: Option<ProbeFilters>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "PascalCase")]
    #[allow(dead_code)]
    struct ProbeFilters {
        user_names: Option<Vec<String>>,
    }

    fn refused(raw: &str) -> (String, String) {
        let e = body::<Probe>(raw.as_bytes()).unwrap_err();
        (e.code().to_owned(), e.details().to_owned())
    }

    #[test]
    fn refusals_name_the_field_exactly() {
        let (code, d) = refused(r#"{"Foo": 1}"#);
        assert_eq!(code, "4045");
        assert_eq!(d, "The parameter Foo is not valid for this call.");
        let (_, d) = refused(r#"{"Fo`o": 1}"#);
        assert_eq!(d, "The parameter Fo`o is not valid for this call.");
        let (_, d) = refused(r#"{"Filters": {"Bar": []}}"#);
        assert_eq!(d, "The parameter Filters.Bar is not valid for this call.");
        let (code, d) = refused(r#"{"UserName": "a", "UserName": "b"}"#);
        assert_eq!(code, "4045");
        assert_eq!(d, "The parameter UserName is given more than once.");
        for (raw, field) in [
            (r#"{"UserName": null}"#, "UserName"),
            (r#"{"Filters": {"UserNames": null}}"#, "Filters.UserNames"),
            (
                r#"{"Filters": {"UserNames": ["a", null]}}"#,
                "Filters.UserNames[1]",
            ),
        ] {
            let (code, d) = refused(raw);
            assert_eq!(code, "4108", "{raw}");
            assert_eq!(d, format!("The parameter {field} must not be null."));
        }
        for big in ["99999999999999999999", "9223372036854775808", "-1e30"] {
            let (code, d) = refused(&format!(r#"{{"FirstItem": {big}}}"#));
            assert_eq!(code, "4106", "{big}");
            assert_eq!(d, "The value of FirstItem is out of range.");
        }
        let (code, d) = refused(r#"{"FirstItem": 1.5}"#);
        assert_eq!(code, "4108");
        assert!(d.contains("FirstItem"), "{d}");
    }
}
