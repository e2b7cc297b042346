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
