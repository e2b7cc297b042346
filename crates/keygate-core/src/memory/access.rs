//! Access governance in a `MemoryStore`: API access policies and rules, and the audit trail,
//! both halves of the transaction; the trait impls delegate here.

use crate::error::CoreResult;
use crate::ids::{AccountId, ApiAccessRuleId, CaId};
use crate::model::{ApiAccessPolicy, ApiAccessRule, AuditRecord, Ca, Timestamp};

use super::{Tx, conflict};

impl Tx {
    pub(super) fn stored_api_access_policy(
        &self,
        account: &AccountId,
    ) -> CoreResult<Option<ApiAccessPolicy>> {
        Ok(self.0.borrow().access_policies.get(account).copied())
    }

    pub(super) fn stored_access_rules(
        &self,
        account: &AccountId,
    ) -> CoreResult<Vec<ApiAccessRule>> {
        Ok(self
            .0
            .borrow()
            .access_rules
            .values()
            .filter(|r| &r.account_id == account)
            .cloned()
            .collect())
    }

    pub(super) fn stored_cas(&self, account: &AccountId) -> CoreResult<Vec<Ca>> {
        Ok(self
            .0
            .borrow()
            .cas
            .values()
            .filter(|c| &c.account_id == account)
            .cloned()
            .collect())
    }

    pub(super) fn stored_insert_ca(&self, ca: &Ca) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if !s.accounts.contains_key(&ca.account_id) || s.cas.contains_key(&ca.id) {
            return Err(conflict("no such account, or CA id taken"));
        }
        s.cas.insert(ca.id.clone(), ca.clone());
        Ok(())
    }

    pub(super) fn stored_update_ca(&self, ca: &Ca) -> CoreResult<()> {
        match self.0.borrow_mut().cas.get_mut(&ca.id) {
            Some(c) if c.account_id == ca.account_id => {
                c.description = ca.description.clone();
                Ok(())
            }
            _ => Err(conflict("no such CA")),
        }
    }

    pub(super) fn stored_delete_ca(&self, account: &AccountId, id: &CaId) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.cas.get(id).is_some_and(|c| &c.account_id == account) {
            s.cas.remove(id);
        }
        Ok(())
    }

    pub(super) fn stored_put_api_access_policy(
        &self,
        account: &AccountId,
        policy: &ApiAccessPolicy,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if !s.accounts.contains_key(account) {
            return Err(conflict("no such account"));
        }
        s.access_policies.insert(account.clone(), *policy);
        Ok(())
    }

    pub(super) fn stored_insert_access_rule(&self, rule: &ApiAccessRule) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if !s.accounts.contains_key(&rule.account_id) || s.access_rules.contains_key(&rule.id) {
            return Err(conflict("no such account, or rule id taken"));
        }
        s.access_rules.insert(rule.id.clone(), rule.clone());
        Ok(())
    }

    pub(super) fn stored_update_access_rule(&self, rule: &ApiAccessRule) -> CoreResult<()> {
        match self.0.borrow_mut().access_rules.get_mut(&rule.id) {
            Some(r) if r.account_id == rule.account_id => {
                *r = rule.clone();
                Ok(())
            }
            _ => Err(conflict("no such access rule")),
        }
    }

    pub(super) fn stored_delete_access_rule(
        &self,
        account: &AccountId,
        id: &ApiAccessRuleId,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.access_rules
            .get(id)
            .is_some_and(|r| &r.account_id == account)
        {
            s.access_rules.remove(id);
        }
        Ok(())
    }
}

impl Tx {
    pub(super) fn stored_audit_records(
        &self,
        account: Option<&AccountId>,
        after: Option<i64>,
        limit: usize,
    ) -> CoreResult<Vec<(i64, AuditRecord)>> {
        Ok(self
            .0
            .borrow()
            .audit
            .range(after.map_or(i64::MIN, |a| a.saturating_add(1))..)
            .filter(|(_, r)| account.is_none_or(|a| r.account_id.as_ref() == Some(a)))
            .take(limit)
            .map(|(n, r)| (*n, r.clone()))
            .collect())
    }

    pub(super) fn stored_audit_records_newest(
        &self,
        account: &AccountId,
        before: Option<i64>,
        limit: usize,
    ) -> CoreResult<Vec<(i64, AuditRecord)>> {
        Ok(self
            .0
            .borrow()
            .audit
            .range(..before.unwrap_or(i64::MAX))
            .rev()
            .filter(|(_, r)| r.account_id.as_ref() == Some(account))
            .take(limit)
            .map(|(n, r)| (*n, r.clone()))
            .collect())
    }

    pub(super) fn stored_insert_audit_record(&self, record: &AuditRecord) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let next = s
            .audit
            .last_key_value()
            .map_or(1, |(n, _)| n + 1)
            .max(s.audit_next);
        s.audit.insert(next, record.clone());
        s.audit_next = next + 1;
        Ok(())
    }

    pub(super) fn stored_delete_audit_records_before(&self, before: Timestamp) -> CoreResult<()> {
        self.0.borrow_mut().audit.retain(|_, r| r.at >= before);
        Ok(())
    }
}
