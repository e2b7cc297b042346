//! A user's inline policies: PutUserPolicy, ReadUserPolicy, ReadUserPolicies, DeleteUserPolicy.

use keygate_core::{Caller, PolicyName, UserName};
use serde::Deserialize;
use serde_json::{Value, json};

use super::users::{named_user, user_name};
use super::{Op, everything};
use crate::body::{body, dry, id};
use crate::error::OscError;

fn policy_name(v: &str) -> Result<PolicyName, OscError> {
    id("PolicyName", v, PolicyName::parse)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct PutUserPolicyBody {
    user_name: String,
    policy_name: String,
    policy_document: String,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutUserPolicy {
    pub user_name: UserName,
    pub policy_name: PolicyName,
    pub document: String,
}

impl Op for PutUserPolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: PutUserPolicyBody = body(raw)?;
        let call = Self {
            user_name: user_name(&b.user_name)?,
            policy_name: policy_name(&b.policy_name)?,
            document: b.policy_document,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        c.put_user_policy(&self.user_name, &self.policy_name, &self.document)?;
        Ok(json!({}))
    }
}

/// The body of the calls that name a user's policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UserPolicyBody {
    user_name: String,
    policy_name: String,
    dry_run: Option<bool>,
}

/// A user and one of its policies, as ReadUserPolicy and DeleteUserPolicy name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPolicy {
    pub user_name: UserName,
    pub policy_name: PolicyName,
}

impl NamedPolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: UserPolicyBody = body(raw)?;
        let named = Self {
            user_name: user_name(&b.user_name)?,
            policy_name: policy_name(&b.policy_name)?,
        };
        Ok((named, dry(b.dry_run)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadUserPolicy(pub NamedPolicy);

impl Op for ReadUserPolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        NamedPolicy::decode(raw).map(|(n, dry_run)| (Self(n), dry_run))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let NamedPolicy {
            user_name,
            policy_name,
        } = self.0;
        let doc = c.get_user_policy(&user_name, &policy_name)?;
        Ok(json!({
            "UserName": user_name.as_str(),
            "PolicyName": policy_name.as_str(),
            "PolicyDocument": doc,
        }))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadUserPolicies {
    pub user_name: UserName,
}

impl Op for ReadUserPolicies {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let (user_name, dry_run) = named_user(raw)?;
        Ok((Self { user_name }, dry_run))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let names = c.list_user_policies(&self.user_name, &everything())?;
        let out: Vec<&str> = names.items.iter().map(|n| n.as_str()).collect();
        Ok(json!({"PolicyNames": out}))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteUserPolicy(pub NamedPolicy);

impl Op for DeleteUserPolicy {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        NamedPolicy::decode(raw).map(|(n, dry_run)| (Self(n), dry_run))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        c.delete_user_policy(&self.0.user_name, &self.0.policy_name)?;
        Ok(json!({}))
    }
}
