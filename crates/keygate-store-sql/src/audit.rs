//! The audit trail in SQL, in the order records were appended. The `ReadTx` and `WriteTx`
//! halves (`tx`, `write`) delegate here.

use crate::sql::{Row, params};
use keygate_core::{AccountId, AuditRecord, CoreResult, Timestamp};

use crate::rows::corrupt;
use crate::tx::SqlTx;

const AUDIT_COLS: &str = "seq, at, request_id, account_id, principal, principal_kind, \
                          access_key_id, source_ip, user_agent, dialect, call, status, \
                          error_code, resource";

fn record_row(r: &Row<'_>) -> crate::sql::Result<(i64, AuditRecord)> {
    let account: Option<String> = r.get(3)?;
    let ip: Option<String> = r.get(7)?;
    let status: i64 = r.get(11)?;
    Ok((
        r.get(0)?,
        AuditRecord {
            at: Timestamp::from_unix_millis(r.get(1)?),
            request_id: r.get(2)?,
            account_id: account
                .map(|a| AccountId::parse(&a).map_err(|e| corrupt("account id", e)))
                .transpose()?,
            principal: r.get(4)?,
            principal_kind: r.get(5)?,
            access_key_id: r.get(6)?,
            source_ip: ip
                .map(|i| i.parse().map_err(|e| corrupt("address", e)))
                .transpose()?,
            user_agent: r.get(8)?,
            dialect: r.get(9)?,
            call: r.get(10)?,
            status: u16::try_from(status).map_err(|e| corrupt("status", e))?,
            error_code: r.get(12)?,
            resource: r.get(13)?,
        },
    ))
}

impl SqlTx<'_> {
    pub(crate) fn read_audit_records(
        &self,
        account: Option<&AccountId>,
        after: Option<i64>,
        limit: usize,
    ) -> CoreResult<Vec<(i64, AuditRecord)>> {
        self.many(
            &format!(
                "SELECT {AUDIT_COLS} FROM audit_records WHERE (CAST(?1 AS TEXT) IS NULL OR account_id = ?1) \
                 AND seq > ?2 ORDER BY seq LIMIT ?3"
            ),
            params![
                account.map(AccountId::as_str),
                after.unwrap_or(0),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            record_row,
        )
    }

    pub(crate) fn read_audit_records_newest(
        &self,
        account: &AccountId,
        before: Option<i64>,
        limit: usize,
    ) -> CoreResult<Vec<(i64, AuditRecord)>> {
        self.many(
            &format!(
                "SELECT {AUDIT_COLS} FROM audit_records WHERE account_id = ?1 AND seq < ?2 \
                 ORDER BY seq DESC LIMIT ?3"
            ),
            params![
                account.as_str(),
                before.unwrap_or(i64::MAX),
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            record_row,
        )
    }

    pub(crate) fn write_insert_audit_record(&self, a: &AuditRecord) -> CoreResult<()> {
        self.exec(
            "INSERT INTO audit_records (at, request_id, account_id, principal, principal_kind, \
             access_key_id, source_ip, user_agent, dialect, call, status, error_code, resource) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                a.at.unix_millis(),
                a.request_id,
                a.account_id.as_ref().map(AccountId::as_str),
                a.principal,
                a.principal_kind,
                a.access_key_id,
                a.source_ip.map(|i| i.to_string()),
                a.user_agent,
                a.dialect,
                a.call,
                i64::from(a.status),
                a.error_code,
                a.resource
            ],
        )
        .map(drop)
    }

    pub(crate) fn write_delete_audit_records_before(&self, before: Timestamp) -> CoreResult<()> {
        self.exec(
            "DELETE FROM audit_records WHERE at < ?1",
            [before.unix_millis()],
        )
        .map(drop)
    }
}
