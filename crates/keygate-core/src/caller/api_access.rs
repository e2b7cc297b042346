//! What a principal may do with its account's access governance: read and set the API access
//! policy (its preconditions as Outscale documents them), and create, read, replace and delete
//! API access rules, never the last one.

use crate::error::{AccessPolicyRule, CoreError, CoreResult};
use crate::ids::{ApiAccessRuleId, CaId};
use crate::model::{ApiAccessPolicy, ApiAccessRule, Ca, IpRange, KeyOwner};
use crate::rules::Operation;
use crate::store::ReadTx;
use crate::validate;

use super::Caller;

/// The longest `MaxAccessKeyExpirationSeconds`: 100 years, as Outscale bounds it.
pub const MAX_KEY_LIFETIME_SECONDS: u64 = 3_153_600_000;

/// What a new or replaced API access rule says; a replacement drops what it leaves out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSpec {
    pub ip_ranges: Vec<String>,
    pub ca_ids: Vec<CaId>,
    pub cns: Vec<String>,
    pub description: String,
}

/// Which rules ReadApiAccessRules answers: those matching every filter given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleFilter {
    pub ids: Option<Vec<ApiAccessRuleId>>,
    pub ca_ids: Option<Vec<CaId>>,
    pub cns: Option<Vec<String>>,
    pub descriptions: Option<Vec<String>>,
    pub ip_ranges: Option<Vec<String>>,
}

impl RuleFilter {
    fn keeps(&self, r: &ApiAccessRule) -> bool {
        let any = |wanted: &Option<Vec<String>>, have: &mut dyn Iterator<Item = &str>| {
            wanted.as_ref().is_none_or(|w| {
                let have: Vec<&str> = have.collect();
                w.iter().any(|x| have.contains(&x.as_str()))
            })
        };
        self.ids.as_ref().is_none_or(|ids| ids.contains(&r.id))
            && self
                .ca_ids
                .as_ref()
                .is_none_or(|ids| ids.iter().any(|c| r.ca_ids.contains(c)))
            && any(&self.cns, &mut r.cns.iter().map(String::as_str))
            && any(
                &self.descriptions,
                &mut std::iter::once(r.description.as_str()),
            )
            && any(
                &self.ip_ranges,
                &mut r.ip_ranges.iter().map(|i| i.text.as_str()),
            )
    }
}

/// Which CAs ReadCas answers: those matching every filter given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaFilter {
    pub fingerprints: Option<Vec<String>>,
    pub ids: Option<Vec<CaId>>,
    pub descriptions: Option<Vec<String>>,
}

impl CaFilter {
    fn keeps(&self, c: &Ca) -> bool {
        self.ids.as_ref().is_none_or(|ids| ids.contains(&c.id))
            && self
                .fingerprints
                .as_ref()
                .is_none_or(|f| f.iter().any(|x| x.eq_ignore_ascii_case(&c.fingerprint)))
            && self
                .descriptions
                .as_ref()
                .is_none_or(|d| d.contains(&c.description))
    }
}

fn ca_description(d: &str) -> CoreResult<()> {
    if d.chars().count() > 255 || d.chars().any(char::is_control) {
        return Err(validate::invalid(
            "Description",
            "must be at most 255 characters, without control characters",
        ));
    }
    Ok(())
}

/// A rule's ranges read, and the rule's shape checked: ranges or CAs, CNs only with CAs, a
/// description of at most 255 characters.
fn checked(spec: &RuleSpec) -> CoreResult<Vec<IpRange>> {
    let ranges = spec
        .ip_ranges
        .iter()
        .map(|s| {
            IpRange::parse(s).ok_or_else(|| {
                validate::invalid(
                    "IpRanges",
                    format!("{s} is neither an IP address nor a CIDR block"),
                )
            })
        })
        .collect::<CoreResult<Vec<_>>>()?;
    if ranges.is_empty() && spec.ca_ids.is_empty() {
        return Err(CoreError::AccessPolicy(
            AccessPolicyRule::RuleNeedsRangesOrCas,
        ));
    }
    if !spec.cns.is_empty() && spec.ca_ids.is_empty() {
        return Err(CoreError::AccessPolicy(AccessPolicyRule::CnsNeedCas));
    }
    if spec.description.chars().count() > 255 || spec.description.chars().any(char::is_control) {
        return Err(validate::invalid(
            "Description",
            "must be at most 255 characters, without control characters",
        ));
    }
    Ok(ranges)
}

impl Caller<'_> {
    pub fn read_api_access_policy(&self) -> CoreResult<ApiAccessPolicy> {
        self.read(|tx| {
            self.authorize(tx, Operation::ReadApiAccessPolicy, &["*"])?;
            Ok(tx.api_access_policy(self.account())?.unwrap_or_default())
        })
    }

    /// Sets the policy. A maximum lifetime needs every key of the account to expire within it
    /// already; a trusted environment needs a maximum and every rule to name a CA.
    pub fn update_api_access_policy(&self, p: ApiAccessPolicy) -> CoreResult<ApiAccessPolicy> {
        if p.max_key_expiration_seconds > MAX_KEY_LIFETIME_SECONDS {
            return Err(validate::invalid(
                "MaxAccessKeyExpirationSeconds",
                format!("must be between 0 and {MAX_KEY_LIFETIME_SECONDS}"),
            ));
        }
        let now = self.svc.clock.now();
        self.write(|tx| {
            self.authorize(tx, Operation::UpdateApiAccessPolicy, &["*"])?;
            let max = p.max_key_expiration_seconds;
            if max > 0 {
                let latest = now.plus_seconds(i64::try_from(max).unwrap_or(i64::MAX));
                let within =
                    |k: &crate::model::AccessKey| k.expires_at.is_some_and(|e| e <= latest);
                if !self.account_keys(tx)?.iter().all(within) {
                    return Err(CoreError::AccessPolicy(
                        AccessPolicyRule::KeysOutliveMaximum(max),
                    ));
                }
            }
            if p.require_trusted_env {
                if max == 0 {
                    return Err(CoreError::AccessPolicy(
                        AccessPolicyRule::TrustedEnvNeedsMaximum,
                    ));
                }
                if tx
                    .access_rules(self.account())?
                    .iter()
                    .any(|r| r.ca_ids.is_empty())
                {
                    return Err(CoreError::AccessPolicy(
                        AccessPolicyRule::TrustedEnvNeedsCas,
                    ));
                }
            }
            tx.put_api_access_policy(self.account(), &p)?;
            Ok(p)
        })
    }

    /// Every long-term key of the account: the root's and each user's.
    fn account_keys(&self, tx: &dyn ReadTx) -> CoreResult<Vec<crate::model::AccessKey>> {
        let mut keys = tx.keys(self.account(), &KeyOwner::Root)?;
        for u in tx.users(self.account(), None, None, usize::MAX)? {
            keys.extend(tx.keys(self.account(), &KeyOwner::User(u.id))?);
        }
        Ok(keys)
    }

    /// The rule's CAs exist, and under a trusted environment it names some.
    fn rule_fits(&self, tx: &dyn ReadTx, spec: &RuleSpec) -> CoreResult<()> {
        let cas = tx.cas(self.account())?;
        if let Some(missing) = spec
            .ca_ids
            .iter()
            .find(|id| !cas.iter().any(|c| &c.id == *id))
        {
            return Err(CoreError::NoSuchCa(missing.clone()));
        }
        let trusted = tx
            .api_access_policy(self.account())?
            .is_some_and(|p| p.require_trusted_env);
        if trusted && spec.ca_ids.is_empty() {
            return Err(CoreError::AccessPolicy(
                AccessPolicyRule::TrustedEnvNeedsCas,
            ));
        }
        Ok(())
    }

    pub fn create_access_rule(&self, spec: RuleSpec) -> CoreResult<ApiAccessRule> {
        let ip_ranges = checked(&spec)?;
        self.write(|tx| {
            self.authorize(tx, Operation::CreateApiAccessRule, &["*"])?;
            self.rule_fits(tx, &spec)?;
            let rule = ApiAccessRule {
                account_id: self.account().clone(),
                id: self.svc.ids.access_rule_id(),
                ip_ranges: ip_ranges.clone(),
                ca_ids: spec.ca_ids.clone(),
                cns: spec.cns.clone(),
                description: spec.description.clone(),
            };
            tx.insert_access_rule(&rule)?;
            Ok(rule)
        })
    }

    pub fn read_access_rules(&self, filter: &RuleFilter) -> CoreResult<Vec<ApiAccessRule>> {
        self.read(|tx| {
            self.authorize(tx, Operation::ReadApiAccessRules, &["*"])?;
            Ok(tx
                .access_rules(self.account())?
                .into_iter()
                .filter(|r| filter.keeps(r))
                .collect())
        })
    }

    /// Replaces the whole rule: what `spec` leaves out, the rule no longer has.
    pub fn update_access_rule(
        &self,
        id: &ApiAccessRuleId,
        spec: RuleSpec,
    ) -> CoreResult<ApiAccessRule> {
        let ip_ranges = checked(&spec)?;
        self.write(|tx| {
            self.authorize(tx, Operation::UpdateApiAccessRule, &["*"])?;
            let mut rule = self.existing_rule(tx, id)?;
            self.rule_fits(tx, &spec)?;
            rule.ip_ranges = ip_ranges.clone();
            rule.ca_ids = spec.ca_ids.clone();
            rule.cns = spec.cns.clone();
            rule.description = spec.description.clone();
            tx.update_access_rule(&rule)?;
            Ok(rule)
        })
    }

    /// Deletes a rule; the last remaining one stays (Outscale), so that an account keeps a way
    /// in.
    pub fn delete_access_rule(&self, id: &ApiAccessRuleId) -> CoreResult<()> {
        self.write(|tx| {
            self.authorize(tx, Operation::DeleteApiAccessRule, &["*"])?;
            self.existing_rule(tx, id)?;
            if tx.access_rules(self.account())?.len() <= 1 {
                return Err(CoreError::AccessPolicy(AccessPolicyRule::LastRule));
            }
            tx.delete_access_rule(self.account(), id)
        })
    }

    /// Adds a client CA: its certificate read and fingerprinted by the front end.
    pub fn create_ca(
        &self,
        pem: String,
        fingerprint: String,
        description: String,
    ) -> CoreResult<Ca> {
        ca_description(&description)?;
        self.write(|tx| {
            self.authorize(tx, Operation::CreateCa, &["*"])?;
            let ca = Ca {
                account_id: self.account().clone(),
                id: self.svc.ids.ca_id(),
                fingerprint: fingerprint.clone(),
                pem: pem.clone(),
                description: description.clone(),
            };
            tx.insert_ca(&ca)?;
            Ok(ca)
        })
    }

    pub fn read_cas(&self, filter: &CaFilter) -> CoreResult<Vec<Ca>> {
        self.read(|tx| {
            self.authorize(tx, Operation::ReadCas, &["*"])?;
            Ok(tx
                .cas(self.account())?
                .into_iter()
                .filter(|c| filter.keeps(c))
                .collect())
        })
    }

    pub fn update_ca(&self, id: &CaId, description: String) -> CoreResult<Ca> {
        ca_description(&description)?;
        self.write(|tx| {
            self.authorize(tx, Operation::UpdateCa, &["*"])?;
            let mut ca = self.existing_ca(tx, id)?;
            ca.description = description.clone();
            tx.update_ca(&ca)?;
            Ok(ca)
        })
    }

    /// Deletes a CA no rule names.
    pub fn delete_ca(&self, id: &CaId) -> CoreResult<()> {
        self.write(|tx| {
            self.authorize(tx, Operation::DeleteCa, &["*"])?;
            self.existing_ca(tx, id)?;
            if tx
                .access_rules(self.account())?
                .iter()
                .any(|r| r.ca_ids.contains(id))
            {
                return Err(CoreError::AccessPolicy(AccessPolicyRule::CaInUse));
            }
            tx.delete_ca(self.account(), id)
        })
    }

    fn existing_ca(&self, tx: &dyn ReadTx, id: &CaId) -> CoreResult<Ca> {
        tx.cas(self.account())?
            .into_iter()
            .find(|c| &c.id == id)
            .ok_or_else(|| CoreError::NoSuchCa(id.clone()))
    }

    fn existing_rule(&self, tx: &dyn ReadTx, id: &ApiAccessRuleId) -> CoreResult<ApiAccessRule> {
        tx.access_rules(self.account())?
            .into_iter()
            .find(|r| &r.id == id)
            .ok_or_else(|| CoreError::NoSuchAccessRule(id.clone()))
    }
}

#[cfg(test)]
#[path = "api_access_tests.rs"]
mod tests;
