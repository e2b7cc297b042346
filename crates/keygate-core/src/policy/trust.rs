//! Role trust policies: the `Principal` element, and deciding whether a trust policy lets a
//! caller assume its role. The rest of the language (actions, conditions) is the one identity
//! policies use.

use super::{Clause, Context, Effect, Json, Policy, compile_action, glob, parse_inner};

/// One principal a trust policy names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Who {
    /// `"*"`, or `{"AWS": "*"}`: anyone.
    Anyone,
    /// An account: its 12-digit id, or `arn:aws:iam::<id>:root`.
    Account(String),
    /// A user, role or assumed-role session, by ARN.
    Arn(String),
    /// A service, federated or canonical-user principal: none of them ever calls keygate.
    Elsewhere,
}

/// The principals of one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Principals {
    who: Vec<Who>,
}

/// AWS's text for a principal that is not one.
pub fn invalid_principal(kind: &str, value: &str) -> String {
    format!("Invalid principal in policy: \"{kind}\":\"{value}\"")
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// An `AWS` principal: anyone, an account, or an IAM user, role or assumed-role ARN.
fn aws(value: &str) -> Result<Who, String> {
    if value == "*" {
        return Ok(Who::Anyone);
    }
    if is_account(value) {
        return Ok(Who::Account(value.to_owned()));
    }
    let bad = || invalid_principal("AWS", value);
    let (service, rest) = value
        .strip_prefix("arn:aws:iam::")
        .map(|r| ("iam", r))
        .or_else(|| value.strip_prefix("arn:aws:sts::").map(|r| ("sts", r)))
        .ok_or_else(bad)?;
    let (account, resource) = rest.split_once(':').ok_or_else(bad)?;
    if !is_account(account) {
        return Err(bad());
    }
    match (service, resource) {
        ("iam", "root") => Ok(Who::Account(account.to_owned())),
        ("iam", r) if r.starts_with("user/") || r.starts_with("role/") => {
            Ok(Who::Arn(value.to_owned()))
        }
        ("sts", r) if r.starts_with("assumed-role/") && r.matches('/').count() == 2 => {
            Ok(Who::Arn(value.to_owned()))
        }
        _ => Err(bad()),
    }
}

fn strings(v: Json, kind: &str) -> Result<Vec<String>, String> {
    let one = |j: Json| match j {
        Json::String(s) => Ok(s),
        _ => Err(invalid_principal(kind, "")),
    };
    match v {
        Json::Array(items) if !items.is_empty() => items.into_iter().map(one).collect(),
        Json::Array(_) => Err(invalid_principal(kind, "")),
        other => one(other).map(|s| vec![s]),
    }
}

impl Principals {
    pub(super) fn parse(v: Json) -> Result<Self, String> {
        let members = match v {
            Json::String(s) if s == "*" => {
                return Ok(Self {
                    who: vec![Who::Anyone],
                });
            }
            Json::Object(members) if !members.is_empty() => members,
            _ => return Err(super::SYNTAX.to_owned()),
        };
        let mut who = Vec::new();
        for (kind, value) in members {
            let values = strings(value, &kind)?;
            match kind.as_str() {
                "AWS" => {
                    for v in &values {
                        who.push(aws(v)?);
                    }
                }
                "Service" | "Federated" | "CanonicalUser" => {
                    if values.iter().any(String::is_empty) {
                        return Err(invalid_principal(&kind, ""));
                    }
                    who.extend(values.iter().map(|_| Who::Elsewhere));
                }
                _ => return Err(super::SYNTAX.to_owned()),
            }
        }
        Ok(Self { who })
    }

    /// How this statement names the caller, if it does: by its own ARN first.
    fn names(&self, caller: &TrustCaller<'_>) -> Option<Trust> {
        let by_arn = |a: &str| caller.named_by_arn && a == caller.arn;
        let by_role = |a: &str| caller.named_by_arn && caller.role_arn == Some(a);
        if self
            .who
            .iter()
            .any(|w| matches!(w, Who::Arn(a) if by_arn(a)))
        {
            return Some(Trust::Direct);
        }
        self.who.iter().find_map(|w| match w {
            Who::Arn(a) if by_role(a) => Some(Trust::ViaIdentity),
            Who::Account(a) if a == caller.account => Some(Trust::ViaIdentity),
            Who::Anyone => Some(Trust::ViaIdentity),
            Who::Arn(_) | Who::Account(_) | Who::Elsewhere => None,
        })
    }
}

/// A parsed, valid trust policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustPolicy(Policy);

/// Parses a role's trust policy, with AWS's texts for what is malformed in one.
pub fn parse_trust(document: &str) -> Result<TrustPolicy, String> {
    parse_inner(document, super::Kind::Trust).map(TrustPolicy)
}

/// The caller a trust policy is asked about.
#[derive(Debug, Clone, Copy)]
pub struct TrustCaller<'a> {
    /// The user's ARN, or the assumed-role session's.
    pub arn: &'a str,
    /// For an assumed-role session, its role's ARN.
    pub role_arn: Option<&'a str>,
    pub account: &'a str,
    /// Whether the caller (its user, or its session's role) is the one its ARN named when the
    /// trust policy was set. AWS keeps the unique id of the principal a policy names, so one
    /// deleted and made again under the same ARN is not trusted: here, one made after the
    /// policy was set is not the one it named.
    pub named_by_arn: bool,
}

/// What a trust policy says of a caller. An allowing statement that names the caller's own
/// ARN trusts it outright; one that names it through its account, its role or `*` leaves the
/// decision to the caller's identity policies, which must allow `sts:AssumeRole` as well.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Trust {
    /// No statement allows the caller.
    NotTrusted,
    /// An allowing statement names the caller through its account, its role, or `*`.
    ViaIdentity,
    /// An allowing statement names the caller's own ARN.
    Direct,
    /// A statement denies the caller; its `Sid`.
    Denied(Option<String>),
}

impl TrustPolicy {
    /// The ARNs of users and roles of `account` the policy names: they must exist when the
    /// policy is set.
    pub fn principals_in(&self, account: &str) -> Vec<String> {
        let prefix = format!("arn:aws:iam::{account}:");
        self.0
            .statements
            .iter()
            .filter_map(|st| st.principals.as_ref())
            .flat_map(|p| &p.who)
            .filter_map(|w| match w {
                Who::Arn(a) if a.starts_with(&prefix) => Some(a.clone()),
                _ => None,
            })
            .collect()
    }

    /// What the policy says of `caller` performing `action` (`sts:AssumeRole`) in `ctx`.
    pub fn judge(&self, caller: &TrustCaller<'_>, action: &str, ctx: &Context) -> Trust {
        let wanted: Vec<char> = action.to_ascii_lowercase().chars().collect();
        let mut best = Trust::NotTrusted;
        for st in &self.0.statements {
            let hit = |p: &String| glob(&compile_action(p), &wanted);
            let acts = match &st.actions {
                Clause::Any(ps) => ps.iter().any(hit),
                Clause::NoneOf(ps) => !ps.iter().any(hit),
            };
            let Some(named) = st.principals.as_ref().and_then(|p| p.names(caller)) else {
                continue;
            };
            if !acts || !st.condition.holds(ctx, self.0.variables) {
                continue;
            }
            match st.effect {
                Effect::Deny => return Trust::Denied(st.sid.clone()),
                Effect::Allow => best = best.max(named),
            }
        }
        best
    }
}

#[cfg(test)]
#[path = "trust_tests.rs"]
mod tests;
