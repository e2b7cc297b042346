//! The IAM policy language keygate evaluates: parsing a document into statements (with AWS's
//! texts for each kind of malformed document) and deciding allow / deny for one action on one
//! resource in a request's context (`context`), conditions included (`condition`).

mod condition;
pub mod context;
mod evaluate;
mod trust;

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use condition::Condition;
pub use condition::network;
pub use context::Context;
pub use evaluate::{Decider, Request, Verdict, evaluate, judge};
pub use trust::{Trust, TrustCaller, TrustPolicy, invalid_principal, parse_trust};

/// A JSON value that keeps every member of an object, so repeated names can be refused.
#[derive(Debug)]
enum Json {
    Null,
    Bool(bool),
    /// A number, as JSON wrote it.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Json, E> {
                Ok(Json::Bool(b))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Json, E> {
                Ok(Json::Number(n.to_string()))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Json, E> {
                Ok(Json::Number(n.to_string()))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Json, E> {
                Ok(Json::Number(n.to_string()))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Json, E> {
                Ok(Json::String(s.to_owned()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Json, E> {
                Ok(Json::String(s))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = seq.next_element()? {
                    items.push(v);
                }
                Ok(Json::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut members = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Json>()? {
                    members.push((k, v));
                }
                Ok(Json::Object(members))
            }
        }
        d.deserialize_any(V)
    }
}

const SYNTAX: &str = "Syntax errors in policy.";
const LEGACY: &str = "The policy failed legacy parsing";
const NO_ACTIONS: &str = "Policy statement must contain actions.";
const NO_RESOURCES: &str = "Policy statement must contain resources.";
const NO_VENDOR: &str =
    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
const TWO_COLONS: &str = "Actions/Condition can contain only one colon.";
const DUP_SID: &str = "Statement IDs (SID) in a single policy must be unique.";
const PRINCIPAL: &str = "Has prohibited field Principal.";
const TRUST_RESOURCE: &str = "Has prohibited field Resource";
// AWS allows no `NotPrincipal` in a role's trust policy.
const TRUST_NOT_PRINCIPAL: &str = "Has prohibited field NotPrincipal";
// AWS's own text, its internal exception's name included.
const TRUST_PRINCIPAL: &str = "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!";
const TRUST_ACTIONS: &str = "AssumeRole policy may only specify STS AssumeRole actions.";

/// What a document is for: an identity's permissions (no `Principal`, a `Resource`), or a
/// role's trust policy (a `Principal`, no `Resource`, STS actions only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Identity,
    Trust,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Clause {
    Any(Vec<String>),
    NoneOf(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Statement {
    sid: Option<String>,
    effect: Effect,
    actions: Clause,
    resources: Clause,
    condition: Condition,
    /// Whom a trust policy's statement names (`Principal`); `None` in identity policies.
    principals: Option<trust::Principals>,
}

/// A parsed, valid policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// `Version: 2012-10-17`: only then are `${…}` variables replaced.
    variables: bool,
    statements: Vec<Statement>,
}

/// What the caller's policies say about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    ImplicitDeny,
    ExplicitDeny,
}

/// One raw statement, its members checked for names and types only.
#[derive(Default)]
struct RawStatement {
    sid: Option<String>,
    effect: Option<String>,
    action: Option<Vec<String>>,
    not_action: Option<Vec<String>>,
    resource: Option<Vec<String>>,
    not_resource: Option<Vec<String>>,
    condition: Option<Json>,
    principal: Option<Json>,
    not_principal: Option<Json>,
}

fn string_list(v: Json) -> Result<Vec<String>, &'static str> {
    match v {
        Json::String(s) => Ok(vec![s]),
        Json::Array(items) => items
            .into_iter()
            .map(|i| match i {
                Json::String(s) => Ok(s),
                _ => Err(SYNTAX),
            })
            .collect(),
        _ => Err(SYNTAX),
    }
}

fn set_once<T>(slot: &mut Option<T>, v: T) -> Result<(), &'static str> {
    if slot.is_some() {
        return Err(SYNTAX);
    }
    *slot = Some(v);
    Ok(())
}

fn raw_statement(v: Json) -> Result<RawStatement, &'static str> {
    let Json::Object(members) = v else {
        return Err(SYNTAX);
    };
    let mut st = RawStatement::default();
    let mut seen = HashSet::new();
    for (name, value) in members {
        if !seen.insert(name.clone()) {
            return Err(SYNTAX);
        }
        match name.as_str() {
            "Sid" => match value {
                Json::String(s) => st.sid = Some(s),
                _ => return Err(SYNTAX),
            },
            "Effect" => match value {
                Json::String(s) => st.effect = Some(s),
                _ => return Err(SYNTAX),
            },
            "Action" => set_once(&mut st.action, string_list(value)?)?,
            "NotAction" => set_once(&mut st.not_action, string_list(value)?)?,
            "Resource" => set_once(&mut st.resource, string_list(value)?)?,
            "NotResource" => set_once(&mut st.not_resource, string_list(value)?)?,
            "Condition" => st.condition = Some(value),
            "Principal" => set_once(&mut st.principal, value)?,
            "NotPrincipal" => set_once(&mut st.not_principal, value)?,
            _ => return Err(SYNTAX),
        }
    }
    Ok(st)
}

/// Parses a document, reporting the first failure in the order AWS's texts are listed.
pub fn parse(document: &str) -> Result<Policy, String> {
    parse_inner(document, Kind::Identity)
}

fn parse_inner(document: &str, kind: Kind) -> Result<Policy, String> {
    let json: Json = serde_json::from_str(document).map_err(|_| SYNTAX.to_owned())?;
    let Json::Object(members) = json else {
        return Err(SYNTAX.into());
    };
    let mut seen = HashSet::new();
    let mut version = None;
    let mut statements = None;
    for (name, value) in members {
        if !seen.insert(name.clone()) {
            return Err(SYNTAX.into());
        }
        match (name.as_str(), value) {
            ("Version", Json::String(v)) if v == "2012-10-17" || v == "2008-10-17" => {
                version = Some(v)
            }
            ("Id", Json::String(_)) => {}
            ("Statement", Json::Array(items)) if !items.is_empty() => statements = Some(items),
            ("Statement", obj @ Json::Object(_)) => statements = Some(vec![obj]),
            _ => return Err(SYNTAX.into()),
        }
    }
    let raws = statements
        .ok_or(SYNTAX)?
        .into_iter()
        .map(raw_statement)
        .collect::<Result<Vec<_>, _>>()?;

    // Row 1 (rest): clauses given twice, and effects that are not a known word.
    for r in &raws {
        if (r.action.is_some() && r.not_action.is_some())
            || (r.resource.is_some() && r.not_resource.is_some())
        {
            return Err(SYNTAX.into());
        }
        match r.effect.as_deref() {
            Some(e) if e.eq_ignore_ascii_case("allow") || e.eq_ignore_ascii_case("deny") => {}
            _ => return Err(SYNTAX.into()),
        }
    }
    if raws
        .iter()
        .any(|r| !matches!(r.effect.as_deref(), Some("Allow" | "Deny")))
    {
        return Err(LEGACY.into());
    }
    let actions = |r: &RawStatement| r.action.clone().or_else(|| r.not_action.clone());
    let resources = |r: &RawStatement| r.resource.clone().or_else(|| r.not_resource.clone());
    if raws.iter().any(|r| actions(r).is_none_or(|a| a.is_empty())) {
        return Err(NO_ACTIONS.into());
    }
    let has_principal = |r: &RawStatement| r.principal.is_some() || r.not_principal.is_some();
    match kind {
        Kind::Identity => {
            if raws
                .iter()
                .any(|r| resources(r).is_none_or(|a| a.is_empty()))
            {
                return Err(NO_RESOURCES.into());
            }
        }
        Kind::Trust => {
            if raws.iter().any(|r| resources(r).is_some()) {
                return Err(TRUST_RESOURCE.into());
            }
            if raws.iter().any(|r| r.not_principal.is_some()) {
                return Err(TRUST_NOT_PRINCIPAL.into());
            }
            if !raws.iter().all(has_principal) {
                return Err(TRUST_PRINCIPAL.into());
            }
        }
    }
    let all_actions: Vec<String> = raws.iter().filter_map(actions).flatten().collect();
    if all_actions.iter().any(|a| a != "*" && !a.contains(':')) {
        return Err(NO_VENDOR.into());
    }
    if all_actions.iter().any(|a| a.matches(':').count() > 1) {
        return Err(TWO_COLONS.into());
    }
    if let Some(bad) = raws
        .iter()
        .filter_map(resources)
        .flatten()
        .find(|r| r != "*" && !r.contains(':'))
    {
        return Err(format!("Resource {bad} must be in ARN format or \"*\"."));
    }
    let mut sids = HashSet::new();
    for r in &raws {
        if let Some(sid) = r.sid.as_deref().filter(|s| !s.is_empty())
            && !sids.insert(sid.to_owned())
        {
            return Err(DUP_SID.into());
        }
    }
    match kind {
        Kind::Identity if raws.iter().any(has_principal) => return Err(PRINCIPAL.into()),
        Kind::Trust
            if !all_actions
                .iter()
                .all(|a| a == "*" || a.to_ascii_lowercase().starts_with("sts:")) =>
        {
            return Err(TRUST_ACTIONS.into());
        }
        Kind::Identity | Kind::Trust => {}
    }

    let statements = raws
        .into_iter()
        .map(|mut r| {
            let condition = match r.condition.take() {
                Some(json) => Condition::parse(json)?,
                None => Condition::default(),
            };
            let principals = r
                .principal
                .take()
                .map(trust::Principals::parse)
                .transpose()?;
            Ok(Statement {
                sid: r.sid.take(),
                condition,
                principals,
                effect: if r.effect.as_deref() == Some("Deny") {
                    Effect::Deny
                } else {
                    Effect::Allow
                },
                actions: match (r.action, r.not_action) {
                    (Some(a), _) => Clause::Any(a),
                    (None, n) => Clause::NoneOf(n.unwrap_or_default()),
                },
                // A trust policy's resource is the role it is attached to.
                resources: match (r.resource, r.not_resource) {
                    (Some(a), _) => Clause::Any(a),
                    (None, Some(n)) => Clause::NoneOf(n),
                    (None, None) => Clause::Any(vec!["*".to_owned()]),
                },
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Policy {
        variables: version.as_deref() == Some("2012-10-17"),
        statements,
    })
}

/// One element of a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Star,
    One,
}

/// Compiles a pattern (a resource, or a condition value), replacing `${…}` variables with the
/// context's values when the document's version allows them: a variable's value and the
/// escapes `${*}`, `${?}`, `${$}` are literal text, never wildcards. `None`: the pattern holds a
/// variable the request has no value for, so it matches nothing.
fn compile(pattern: &str, variables: bool, ctx: &Context) -> Option<Vec<Tok>> {
    let mut toks = Vec::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if variables
            && rest.starts_with("${")
            && let Some(end) = rest.find('}')
        {
            match &rest[2..end] {
                "*" => toks.push(Tok::Lit('*')),
                "?" => toks.push(Tok::Lit('?')),
                "$" => toks.push(Tok::Lit('$')),
                // `${key, 'default'}`: the default stands in when the request has no value.
                inner => {
                    let (key, default) = match inner.split_once(',') {
                        Some((k, d)) => (k.trim(), Some(d.trim().trim_matches('\''))),
                        None => (inner.trim(), None),
                    };
                    let value = ctx.variable(key).or(default)?;
                    toks.extend(value.chars().map(Tok::Lit));
                }
            }
            rest = &rest[end + 1..];
            continue;
        }
        toks.push(match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(c),
        });
        rest = &rest[c.len_utf8()..];
    }
    Some(toks)
}

/// A resource pattern; Outscale's ORN forms name the same resources as IAM's ARNs.
fn compile_resource(pattern: &str, variables: bool, ctx: &Context) -> Option<Vec<Tok>> {
    let normalised = ["orn:ows:idauth:", "orn:ows:iam:"]
        .iter()
        .find_map(|p| pattern.strip_prefix(p))
        .map(|rest| format!("arn:aws:iam:{rest}"));
    compile(normalised.as_deref().unwrap_or(pattern), variables, ctx)
}

fn compile_action(pattern: &str) -> Vec<Tok> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            c => Tok::Lit(c.to_ascii_lowercase()),
        })
        .collect()
}

/// Glob match with `*` (any run, empty included) and `?` (one character), linear backtracking.
fn glob(pattern: &[Tok], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Tok::Star) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Tok::One) => {
                p += 1;
                t += 1;
            }
            Some(Tok::Lit(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|t| *t == Tok::Star)
}

/// Whether the inline policies `existing`, with `document` put as policy `name` (replacing
/// one of that name), stay within `limit` characters, white space not counted.
pub fn inline_policies_fit(
    existing: &[(crate::ids::PolicyName, String)],
    name: &crate::ids::PolicyName,
    document: &str,
    limit: u32,
) -> bool {
    let others: usize = existing
        .iter()
        .filter(|(n, _)| n != name)
        .map(|(_, d)| counted_chars(d))
        .sum();
    others + counted_chars(document) <= limit as usize
}

/// Characters of a document that count against the inline quota: all but white space.
pub fn counted_chars(document: &str) -> usize {
    document
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
        .count()
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
