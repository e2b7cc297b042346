//! The actions, one module per resource. Each action is an input struct with its decoding
//! (`Op::decode`) and its run against the core (`Op::run`), and its answer a type that encodes
//! its own `<…Result>` element (`Encode`), side by side.

pub mod access_keys;
pub mod groups;
pub mod login_profiles;
pub mod managed_policies;
pub mod mfa;
pub mod policy_attachments;
pub mod role_policies;
pub mod roles;
pub mod sts;
pub mod user_policies;
pub mod users;

use keygate_core::{Caller, Page, Tag, User};

use crate::error::IamError;
use crate::params::Params;
use crate::xml::Xml;

/// One action: read from the request's parameters, then run for a caller.
pub trait Op: Sized {
    fn decode(p: &Params) -> Result<Self, IamError>;
    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError>;
}

/// What an action answers, before encoding.
pub type Answer = Box<dyn Encode + Send>;

/// An answer that writes the inside of its action's `<…Result>` element.
pub trait Encode: std::fmt::Debug {
    fn write(&self, x: &mut Xml);

    /// Whether the action answers with a `<…Result>` element at all.
    fn has_result(&self) -> bool {
        true
    }
}

/// The answer of an action that has no output.
#[derive(Debug)]
pub struct Empty;

impl Encode for Empty {
    fn write(&self, _: &mut Xml) {}

    fn has_result(&self) -> bool {
        false
    }
}

pub(crate) fn empty() -> Result<Answer, IamError> {
    Ok(Box::new(Empty))
}

pub(crate) fn user(x: &mut Xml, u: &User, with_tags: bool) {
    x.text("Path", u.path.as_str());
    x.text("UserName", u.name.as_str());
    x.text("UserId", u.id.as_str());
    x.text("Arn", &u.arn());
    x.date("CreateDate", u.created_at);
    if with_tags && !u.tags.is_empty() {
        x.list("Tags", &u.tags, tag);
    }
}

pub(crate) fn tag(x: &mut Xml, t: &Tag) {
    x.text("Key", t.key.as_str());
    x.text("Value", t.value.as_str());
}

/// `IsTruncated` and, when there is more, the `Marker` to ask for it.
pub(crate) fn truncation<T>(x: &mut Xml, page: &Page<T>) {
    x.boolean("IsTruncated", page.is_truncated());
    if let Some(m) = &page.next_marker {
        x.text("Marker", m);
    }
}

/// Every byte but `A–Z a–z 0–9 - _ . ~` as `%XX`, the way IAM returns policy documents.
pub(crate) fn rfc3986(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_documents_are_percent_encoded_with_percent_20() {
        assert_eq!(
            rfc3986("{\"Action\": \"iam:*\"}\n/~"),
            "%7B%22Action%22%3A%20%22iam%3A%2A%22%7D%0A%2F~"
        );
        assert_eq!(rfc3986("é"), "%C3%A9");
    }
}
