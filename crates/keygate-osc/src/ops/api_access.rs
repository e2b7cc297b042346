//! The account's access governance: ReadApiAccessPolicy, UpdateApiAccessPolicy,
//! CreateApiAccessRule, ReadApiAccessRules, UpdateApiAccessRule and DeleteApiAccessRule, with
//! the spec's field names.

use keygate_core::{
    ApiAccessPolicy, ApiAccessRule, ApiAccessRuleId, CaId, Caller, RuleFilter, RuleSpec,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Op;
use crate::body::{body, dry, id, ids};
use crate::error::OscError;

fn policy(p: &ApiAccessPolicy) -> Value {
    json!({"ApiAccessPolicy": {
        "MaxAccessKeyExpirationSeconds": p.max_key_expiration_seconds,
        "RequireTrustedEnv": p.require_trusted_env,
    }})
}

fn rule(r: &ApiAccessRule) -> Value {
    json!({
        "ApiAccessRuleId": r.id.as_str(),
        "CaIds": r.ca_ids.iter().map(CaId::as_str).collect::<Vec<_>>(),
        "Cns": r.cns,
        "Description": r.description,
        "IpRanges": r.ip_ranges.iter().map(|i| i.text.as_str()).collect::<Vec<_>>(),
    })
}

fn rule_id(v: &str) -> Result<ApiAccessRuleId, OscError> {
    id("ApiAccessRuleId", v, ApiAccessRuleId::parse)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DryRunBody {
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadApiAccessPolicy;

impl Op for ReadApiAccessPolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: DryRunBody = body(raw)?;
        Ok((Self, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        Ok(policy(&c.read_api_access_policy()?))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UpdatePolicyBody {
    max_access_key_expiration_seconds: i64,
    require_trusted_env: bool,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateApiAccessPolicy(pub ApiAccessPolicy);

impl Op for UpdateApiAccessPolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: UpdatePolicyBody = body(raw)?;
        let max = u64::try_from(b.max_access_key_expiration_seconds).map_err(|_| {
            OscError::invalid_value(
                "MaxAccessKeyExpirationSeconds",
                "must be between 0 and 3153600000",
            )
        })?;
        let p = ApiAccessPolicy {
            max_key_expiration_seconds: max,
            require_trusted_env: b.require_trusted_env,
        };
        Ok((Self(p), dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        Ok(policy(&c.update_api_access_policy(self.0)?))
    }
}

/// CreateApiAccessRule's and UpdateApiAccessRule's rule fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RuleBody {
    api_access_rule_id: Option<String>,
    ca_ids: Option<Vec<String>>,
    cns: Option<Vec<String>>,
    description: Option<String>,
    ip_ranges: Option<Vec<String>>,
    dry_run: Option<bool>,
}

impl RuleBody {
    fn spec(self) -> Result<(Option<String>, RuleSpec, bool), OscError> {
        let spec = RuleSpec {
            ip_ranges: self.ip_ranges.unwrap_or_default(),
            ca_ids: ids("CaIds", self.ca_ids, CaId::parse)?.unwrap_or_default(),
            cns: self.cns.unwrap_or_default(),
            description: self.description.unwrap_or_default(),
        };
        Ok((self.api_access_rule_id, spec, dry(self.dry_run)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateApiAccessRule(pub RuleSpec);

impl Op for CreateApiAccessRule {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let (id, spec, dry) = body::<RuleBody>(raw)?.spec()?;
        if id.is_some() {
            return Err(OscError::InvalidParameter(
                "The parameter ApiAccessRuleId is not valid for this call.".into(),
            ));
        }
        Ok((Self(spec), dry))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        Ok(json!({"ApiAccessRule": rule(&c.create_access_rule(self.0)?)}))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RuleFilters {
    api_access_rule_ids: Option<Vec<String>>,
    ca_ids: Option<Vec<String>>,
    cns: Option<Vec<String>>,
    descriptions: Option<Vec<String>>,
    ip_ranges: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadRulesBody {
    filters: Option<RuleFilters>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadApiAccessRules(pub RuleFilter);

impl Op for ReadApiAccessRules {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadRulesBody = body(raw)?;
        let filter = match b.filters {
            None => RuleFilter::default(),
            Some(f) => RuleFilter {
                ids: ids(
                    "Filters.ApiAccessRuleIds",
                    f.api_access_rule_ids,
                    ApiAccessRuleId::parse,
                )?,
                ca_ids: ids("Filters.CaIds", f.ca_ids, CaId::parse)?,
                cns: f.cns,
                descriptions: f.descriptions,
                ip_ranges: f.ip_ranges,
            },
        };
        Ok((Self(filter), dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let rules: Vec<Value> = c.read_access_rules(&self.0)?.iter().map(rule).collect();
        Ok(json!({"ApiAccessRules": rules}))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateApiAccessRule {
    pub id: ApiAccessRuleId,
    pub spec: RuleSpec,
}

impl Op for UpdateApiAccessRule {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let (id, spec, dry) = body::<RuleBody>(raw)?.spec()?;
        let id = id.ok_or_else(|| {
            OscError::InvalidParameter("The parameter ApiAccessRuleId is required.".into())
        })?;
        Ok((
            Self {
                id: rule_id(&id)?,
                spec,
            },
            dry,
        ))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        Ok(json!({"ApiAccessRule": rule(&c.update_access_rule(&self.id, self.spec)?)}))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DeleteRuleBody {
    api_access_rule_id: String,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteApiAccessRule(pub ApiAccessRuleId);

impl Op for DeleteApiAccessRule {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: DeleteRuleBody = body(raw)?;
        Ok((Self(rule_id(&b.api_access_rule_id)?), dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        c.delete_access_rule(&self.0)?;
        Ok(json!({}))
    }
}
