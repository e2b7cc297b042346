//! Input rules the core checks before it opens a transaction: tags, key labels, account names
//! and policy document text. Identifier shapes are the newtypes' own (`ids`).

use crate::error::{CoreError, CoreResult, Quota};
use crate::model::{Tag, Timestamp};

/// Tags one user may carry, as in AWS IAM.
pub const MAX_TAGS_PER_USER: u32 = 50;

/// Characters a policy document may hold, as in AWS IAM.
const MAX_POLICY_DOCUMENT_CHARS: usize = 131_072;

pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> CoreError {
    CoreError::InvalidInput {
        field,
        reason: reason.into(),
    }
}

/// The longest life a key may be given: Outscale's bound on `MaxAccessKeyExpirationSeconds`
/// (3,153,600,000 s, 100 years). It also keeps every date within four-digit years.
const MAX_KEY_LIFETIME_SECS: i64 = 3_153_600_000;

/// A key's expiration date, when given, lies in the future and within the longest life.
pub fn expiration(at: Option<Timestamp>, now: Timestamp) -> CoreResult<()> {
    match at {
        Some(at) if at <= now => Err(invalid(
            "ExpirationDate",
            "the date is not in the future; a key cannot be created or kept already expired",
        )),
        Some(at) if at > now.plus_seconds(MAX_KEY_LIFETIME_SECS) => Err(invalid(
            "ExpirationDate",
            "the date is more than 100 years away",
        )),
        _ => Ok(()),
    }
}

/// A request's tags: at most 50, keys unique, none reserved by AWS.
pub fn tags(tags: &[Tag], field: &'static str) -> CoreResult<()> {
    if tags.len() > MAX_TAGS_PER_USER as usize {
        return Err(CoreError::LimitExceeded(Quota::TagsPerEntity(
            MAX_TAGS_PER_USER,
        )));
    }
    for (i, t) in tags.iter().enumerate() {
        if t.key.as_str().to_ascii_lowercase().starts_with("aws:") {
            return Err(invalid(
                field,
                "tag keys starting with 'aws:' are reserved for AWS use",
            ));
        }
        if tags[..i].iter().any(|o| o.key == t.key) {
            return Err(invalid(field, "duplicate tag keys found"));
        }
    }
    Ok(())
}

/// Whether an entity carrying `existing` tags stays within 50 once `added` are put (a key it
/// has already is overwritten, not added).
pub fn tags_fit(existing: &[Tag], added: &[Tag]) -> CoreResult<()> {
    let new = added
        .iter()
        .filter(|t| !existing.iter().any(|o| o.key == t.key))
        .count();
    if existing.len() + new > MAX_TAGS_PER_USER as usize {
        return Err(CoreError::LimitExceeded(Quota::TagsPerEntity(
            MAX_TAGS_PER_USER,
        )));
    }
    Ok(())
}

/// At most 50 tag keys to remove at once.
pub fn tag_keys_count(count: usize, field: &'static str) -> CoreResult<()> {
    if count > MAX_TAGS_PER_USER as usize {
        return Err(invalid(field, "at most 50 keys"));
    }
    Ok(())
}

/// A key's label: up to 255 characters, no control characters.
pub fn key_tag(tag: Option<&str>) -> CoreResult<()> {
    match tag {
        Some(t) if t.chars().count() > 255 || t.chars().any(char::is_control) => Err(invalid(
            "Tag",
            "must be at most 255 characters, without control characters",
        )),
        _ => Ok(()),
    }
}

/// An account's display name: 1 to 64 printable characters.
pub fn account_name(name: &str) -> CoreResult<()> {
    let n = name.chars().count();
    if n == 0 || n > 64 || name.chars().any(char::is_control) {
        return Err(invalid("Name", "must be 1 to 64 printable characters"));
    }
    Ok(())
}

/// A managed policy's description: at most 1,000 characters.
pub fn policy_description(description: Option<&str>) -> CoreResult<()> {
    match description {
        Some(d) if d.chars().count() > 1000 => {
            Err(invalid("Description", "must be at most 1000 characters"))
        }
        _ => Ok(()),
    }
}

/// A policy document's text: 1 to 131,072 characters from IAM's character set.
pub fn policy_document(document: &str) -> CoreResult<()> {
    self::document("PolicyDocument", document)
}

/// The text of a policy document given as request member `field`.
pub fn document(field: &'static str, document: &str) -> CoreResult<()> {
    let n = document.chars().count();
    if n == 0 || n > MAX_POLICY_DOCUMENT_CHARS {
        return Err(invalid(field, "must be 1 to 131072 characters"));
    }
    if document
        .chars()
        .any(|c| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
    {
        return Err(invalid(
            field,
            r"must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+",
        ));
    }
    Ok(())
}

/// An AssumeRole `ExternalId`: 2 to 1,224 of `[\w+=,.@:/-]`.
pub fn external_id(id: &str) -> CoreResult<()> {
    let n = id.chars().count();
    let ok = (2..=1224).contains(&n)
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(invalid("ExternalId", r"must be 2 to 1224 of [\w+=,.@:/-]"))
    }
}

/// A role's description: at most 1,000 characters from IAM's set (no control characters
/// but tab and line breaks, nothing from DEL to U+00A0).
pub fn description(description: Option<&str>) -> CoreResult<()> {
    let Some(d) = description else {
        return Ok(());
    };
    if d.chars().count() > 1000 {
        return Err(invalid("Description", "must be at most 1000 characters"));
    }
    if d.chars()
        .any(|c| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{a1}'..='\u{ff}'))
    {
        return Err(invalid(
            "Description",
            r"must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*",
        ));
    }
    Ok(())
}
