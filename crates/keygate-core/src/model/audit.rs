//! The audit trail's records: who made which call, from where, and how it was answered. No
//! secret, password, token or policy document is ever part of one.

use std::net::IpAddr;

use crate::ids::AccountId;
use crate::model::Timestamp;

/// One call as the audit trail keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub at: Timestamp,
    pub request_id: String,
    /// `None`: the credentials named no account (an unknown key, a wrong login).
    pub account_id: Option<AccountId>,
    /// The caller's ARN, once authenticated.
    pub principal: Option<String>,
    /// `root`, `user`, `session` (a user's or the root's temporary credentials), `assumed-role`,
    /// or `anonymous` before authentication.
    pub principal_kind: String,
    /// The access key id the request was signed with, as sent.
    pub access_key_id: Option<String>,
    pub source_ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// `iam`, `sts` or `osc`.
    pub dialect: String,
    /// The action or call, as the dialect names it.
    pub call: String,
    pub status: u16,
    /// The dialect's error code; `None` for a success.
    pub error_code: Option<String>,
    /// For a change, the resource it was made on.
    pub resource: Option<String>,
}

impl AuditRecord {
    /// The name CloudTrail gives the caller: `root`, a user's name, an assumed role's session.
    pub fn username(&self) -> Option<&str> {
        let arn = self.principal.as_deref()?;
        if arn.ends_with(":root") {
            return Some("root");
        }
        arn.rsplit('/').next()
    }

    /// The resource's name: the last part of its ARN.
    pub fn resource_name(&self) -> Option<&str> {
        self.resource.as_deref()?.rsplit(['/', ':']).next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_arns() {
        let mut r = AuditRecord {
            at: Timestamp::from_unix_millis(0),
            request_id: String::new(),
            account_id: None,
            principal: Some("arn:aws:iam::123456789012:root".into()),
            principal_kind: "root".into(),
            access_key_id: None,
            source_ip: None,
            user_agent: None,
            dialect: "iam".into(),
            call: "CreateUser".into(),
            status: 200,
            error_code: None,
            resource: Some("arn:aws:iam::123456789012:user/ops/ann".into()),
        };
        assert_eq!(r.username(), Some("root"));
        assert_eq!(r.resource_name(), Some("ann"));
        r.principal = Some("arn:aws:sts::123456789012:assumed-role/ops/night".into());
        assert_eq!(r.username(), Some("night"));
        r.principal = Some("arn:aws:iam::123456789012:user/eng/bob".into());
        assert_eq!(r.username(), Some("bob"));
    }
}
