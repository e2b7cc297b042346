//! Access governance in SQL: API access policies and rules. The `ReadTx` and `WriteTx`
//! halves (`tx`, `write`) delegate here.

use crate::sql::{Row, params};
use keygate_core::{
    AccountId, ApiAccessPolicy, ApiAccessRule, ApiAccessRuleId, Ca, CaId, CoreResult, IpRange,
};

use crate::rows::{corrupt, parse_col};
use crate::tx::{SqlTx, described};

fn strings(r: &Row<'_>, idx: usize, what: &str) -> crate::sql::Result<Vec<String>> {
    let text: String = r.get(idx)?;
    serde_json::from_str(&text).map_err(|e| corrupt(what, e))
}

fn json(items: impl Iterator<Item = String>) -> CoreResult<String> {
    serde_json::to_string(&items.collect::<Vec<_>>()).map_err(|e| described(e.to_string()))
}

fn rule_row(r: &Row<'_>) -> crate::sql::Result<ApiAccessRule> {
    Ok(ApiAccessRule {
        id: parse_col(r, 0, "access rule id", ApiAccessRuleId::parse)?,
        account_id: parse_col(r, 1, "account id", AccountId::parse)?,
        ip_ranges: strings(r, 2, "IP ranges")?
            .iter()
            .map(|s| IpRange::parse(s).ok_or_else(|| corrupt("IP range", s)))
            .collect::<Result<_, _>>()?,
        ca_ids: strings(r, 3, "CA ids")?
            .iter()
            .map(|s| CaId::parse(s).map_err(|e| corrupt("CA id", e)))
            .collect::<Result<_, _>>()?,
        cns: strings(r, 4, "CNs")?,
        description: r.get(5)?,
    })
}

impl SqlTx<'_> {
    pub(crate) fn read_cas(&self, account: &AccountId) -> CoreResult<Vec<Ca>> {
        self.many(
            "SELECT id, account_id, fingerprint, pem, description FROM cas \
             WHERE account_id = ?1 ORDER BY id",
            [account.as_str()],
            |r| {
                Ok(Ca {
                    id: parse_col(r, 0, "CA id", CaId::parse)?,
                    account_id: parse_col(r, 1, "account id", AccountId::parse)?,
                    fingerprint: r.get(2)?,
                    pem: r.get(3)?,
                    description: r.get(4)?,
                })
            },
        )
    }

    pub(crate) fn write_insert_ca(&self, ca: &Ca) -> CoreResult<()> {
        self.exec(
            "INSERT INTO cas (id, account_id, fingerprint, pem, description) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                ca.id.as_str(),
                ca.account_id.as_str(),
                ca.fingerprint,
                ca.pem,
                ca.description
            ],
        )
        .map(drop)
    }

    pub(crate) fn write_update_ca(&self, ca: &Ca) -> CoreResult<()> {
        let n = self.exec(
            "UPDATE cas SET description = ?3 WHERE id = ?1 AND account_id = ?2",
            params![ca.id.as_str(), ca.account_id.as_str(), ca.description],
        )?;
        match n {
            1 => Ok(()),
            _ => Err(described("no such CA in this account".into())),
        }
    }

    pub(crate) fn write_delete_ca(&self, account: &AccountId, id: &CaId) -> CoreResult<()> {
        self.exec(
            "DELETE FROM cas WHERE account_id = ?1 AND id = ?2",
            params![account.as_str(), id.as_str()],
        )
        .map(drop)
    }

    pub(crate) fn read_api_access_policy(
        &self,
        account: &AccountId,
    ) -> CoreResult<Option<ApiAccessPolicy>> {
        self.one(
            "SELECT max_key_expiration_seconds, require_trusted_env FROM api_access_policies \
             WHERE account_id = ?1",
            [account.as_str()],
            |r| {
                let max: i64 = r.get(0)?;
                Ok(ApiAccessPolicy {
                    max_key_expiration_seconds: u64::try_from(max)
                        .map_err(|e| corrupt("maximum key lifetime", e))?,
                    require_trusted_env: r.get(1)?,
                })
            },
        )
    }

    pub(crate) fn read_access_rules(&self, account: &AccountId) -> CoreResult<Vec<ApiAccessRule>> {
        self.many(
            "SELECT id, account_id, ip_ranges, ca_ids, cns, description FROM api_access_rules \
             WHERE account_id = ?1 ORDER BY id",
            [account.as_str()],
            rule_row,
        )
    }

    pub(crate) fn write_put_api_access_policy(
        &self,
        account: &AccountId,
        p: &ApiAccessPolicy,
    ) -> CoreResult<()> {
        self.exec(
            "INSERT INTO api_access_policies (account_id, max_key_expiration_seconds, \
             require_trusted_env) VALUES (?1, ?2, ?3) ON CONFLICT (account_id) DO UPDATE SET \
             max_key_expiration_seconds = excluded.max_key_expiration_seconds, \
             require_trusted_env = excluded.require_trusted_env",
            params![
                account.as_str(),
                i64::try_from(p.max_key_expiration_seconds).unwrap_or(i64::MAX),
                p.require_trusted_env
            ],
        )
        .map(drop)
    }

    fn rule_params(r: &ApiAccessRule) -> CoreResult<(String, String, String)> {
        Ok((
            json(r.ip_ranges.iter().map(|i| i.text.clone()))?,
            json(r.ca_ids.iter().map(|c| c.to_string()))?,
            json(r.cns.iter().cloned())?,
        ))
    }

    pub(crate) fn write_insert_access_rule(&self, r: &ApiAccessRule) -> CoreResult<()> {
        let (ranges, cas, cns) = Self::rule_params(r)?;
        self.exec(
            "INSERT INTO api_access_rules (id, account_id, ip_ranges, ca_ids, cns, description) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                r.id.as_str(),
                r.account_id.as_str(),
                ranges,
                cas,
                cns,
                r.description
            ],
        )
        .map(drop)
    }

    pub(crate) fn write_update_access_rule(&self, r: &ApiAccessRule) -> CoreResult<()> {
        let (ranges, cas, cns) = Self::rule_params(r)?;
        let n = self.exec(
            "UPDATE api_access_rules SET ip_ranges = ?3, ca_ids = ?4, cns = ?5, description = ?6 \
             WHERE id = ?1 AND account_id = ?2",
            params![
                r.id.as_str(),
                r.account_id.as_str(),
                ranges,
                cas,
                cns,
                r.description
            ],
        )?;
        match n {
            1 => Ok(()),
            _ => Err(described("no such access rule in this account".into())),
        }
    }

    pub(crate) fn write_delete_access_rule(
        &self,
        account: &AccountId,
        id: &ApiAccessRuleId,
    ) -> CoreResult<()> {
        self.exec(
            "DELETE FROM api_access_rules WHERE account_id = ?1 AND id = ?2",
            params![account.as_str(), id.as_str()],
        )
        .map(drop)
    }
}
