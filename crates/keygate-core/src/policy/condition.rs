//! The `Condition` element: its operators as AWS documents them, read from a document at
//! put time and evaluated against a request's [`Context`].
//!
//! Within a block, every operator must hold, and within an operator every key (AND); a key's
//! several policy values are alternatives (OR), and for a negated operator none may match (NOR).
//! An absent key fails every operator but the negated ones (which hold), `…IfExists` (which
//! holds), `Null` (which tests absence) and `ForAllValues:` (which holds over no value).

use std::net::IpAddr;

use base64::Engine;
use ipnet::IpNet;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

use super::context::Context;
use super::{Json, Tok, compile, glob};

/// What an operator compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String { ignore_case: bool, like: bool },
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Cmp::Eq => o == Equal,
            Cmp::Lt => o == Less,
            Cmp::Le => o != Greater,
            Cmp::Gt => o == Greater,
            Cmp::Ge => o != Less,
        }
    }
}

/// How a multivalued request key is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Set {
    /// No set operator: the key is read as single-valued.
    Single,
    /// `ForAnyValue:`: some request value satisfies the operator.
    AnyValue,
    /// `ForAllValues:`: every request value does (and no value at all does).
    AllValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Operator {
    kind: Kind,
    negated: bool,
    if_exists: bool,
    set: Set,
}

/// The operators by name, before the `IfExists` suffix and set prefixes.
const OPERATORS: &[(&str, Kind, bool)] = &[
    (
        "StringEquals",
        Kind::String {
            ignore_case: false,
            like: false,
        },
        false,
    ),
    (
        "StringNotEquals",
        Kind::String {
            ignore_case: false,
            like: false,
        },
        true,
    ),
    (
        "StringEqualsIgnoreCase",
        Kind::String {
            ignore_case: true,
            like: false,
        },
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        Kind::String {
            ignore_case: true,
            like: false,
        },
        true,
    ),
    (
        "StringLike",
        Kind::String {
            ignore_case: false,
            like: true,
        },
        false,
    ),
    (
        "StringNotLike",
        Kind::String {
            ignore_case: false,
            like: true,
        },
        true,
    ),
    ("NumericEquals", Kind::Numeric(Cmp::Eq), false),
    ("NumericNotEquals", Kind::Numeric(Cmp::Eq), true),
    ("NumericLessThan", Kind::Numeric(Cmp::Lt), false),
    ("NumericLessThanEquals", Kind::Numeric(Cmp::Le), false),
    ("NumericGreaterThan", Kind::Numeric(Cmp::Gt), false),
    ("NumericGreaterThanEquals", Kind::Numeric(Cmp::Ge), false),
    ("DateEquals", Kind::Date(Cmp::Eq), false),
    ("DateNotEquals", Kind::Date(Cmp::Eq), true),
    ("DateLessThan", Kind::Date(Cmp::Lt), false),
    ("DateLessThanEquals", Kind::Date(Cmp::Le), false),
    ("DateGreaterThan", Kind::Date(Cmp::Gt), false),
    ("DateGreaterThanEquals", Kind::Date(Cmp::Ge), false),
    ("Bool", Kind::Bool, false),
    ("BinaryEquals", Kind::Binary, false),
    ("IpAddress", Kind::Ip, false),
    ("NotIpAddress", Kind::Ip, true),
    ("ArnEquals", Kind::Arn, false),
    ("ArnLike", Kind::Arn, false),
    ("ArnNotEquals", Kind::Arn, true),
    ("ArnNotLike", Kind::Arn, true),
    ("Null", Kind::Null, false),
];

impl Operator {
    fn parse(name: &str) -> Option<Self> {
        let (set, rest) = if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Set::AnyValue, r)
        } else if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Set::AllValues, r)
        } else {
            (Set::Single, name)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(b) => (b, true),
            None => (rest, false),
        };
        let &(_, kind, negated) = OPERATORS.iter().find(|(n, _, _)| *n == base)?;
        Some(Self {
            kind,
            negated,
            if_exists,
            set,
        })
    }
}

/// One operator on one key, with the policy's values for it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Test {
    op: Operator,
    key: String,
    values: Vec<String>,
}

/// A statement's `Condition` block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Condition {
    tests: Vec<Test>,
}

const SYNTAX: &str = super::SYNTAX;

impl Condition {
    /// Reads a `Condition` member: an object of operators, each an object of keys, each a
    /// value or a list of values (strings, numbers or booleans). What AWS refuses at put time
    /// is refused with its text: a malformed structure or an unknown operator that tests a key
    /// is a syntax error, an unreadable date fails legacy parsing. Key names and the values of
    /// the other operators are not checked there, as AWS does not: a key keygate does not know
    /// is absent, and a value that does not parse never matches.
    pub(super) fn parse(v: Json) -> Result<Self, String> {
        let Json::Object(operators) = v else {
            return Err(SYNTAX.into());
        };
        let mut tests = Vec::new();
        for (name, keys) in operators {
            let Json::Object(keys) = keys else {
                return Err(SYNTAX.into());
            };
            if keys.is_empty() {
                // AWS accepts an operator, known or not, that tests no key; it tests nothing.
                continue;
            }
            let op = Operator::parse(&name).ok_or(SYNTAX)?;
            for (key, values) in keys {
                let values: Vec<String> = match values {
                    Json::Array(items) => {
                        items.into_iter().map(scalar).collect::<Result<_, _>>()?
                    }
                    one => vec![scalar(one)?],
                };
                if matches!(op.kind, Kind::Date(_)) && values.iter().any(|v| date(v).is_none()) {
                    return Err(super::LEGACY.into());
                }
                tests.push(Test {
                    op,
                    key: key.to_ascii_lowercase(),
                    values,
                });
            }
        }
        Ok(Self { tests })
    }

    /// Whether every test holds for the request. `variables`: the document's version lets
    /// `${…}` stand for context values.
    pub(super) fn holds(&self, ctx: &Context, variables: bool) -> bool {
        self.tests.iter().all(|t| t.holds(ctx, variables))
    }
}

fn scalar(v: Json) -> Result<String, String> {
    match v {
        Json::String(s) | Json::Number(s) => Ok(s),
        Json::Bool(b) => Ok(b.to_string()),
        Json::Null | Json::Array(_) | Json::Object(_) => Err(SYNTAX.into()),
    }
}

impl Test {
    fn holds(&self, ctx: &Context, variables: bool) -> bool {
        let present = ctx.get(&self.key).filter(|v| !v.is_empty());
        if self.op.kind == Kind::Null {
            // `"Null": {"k": "true"}`: the key is absent; `"false"`: it is present. With a set
            // operator it is constant, as AWS warns: ForAllValues true, ForAnyValue false.
            return match self.op.set {
                Set::AllValues => true,
                Set::AnyValue => false,
                Set::Single => self
                    .values
                    .iter()
                    .any(|v| v.eq_ignore_ascii_case("true") == present.is_none()),
            };
        }
        let Some(request) = present else {
            return self.op.if_exists
                || match self.op.set {
                    Set::AllValues => true,
                    Set::AnyValue => false,
                    Set::Single => self.op.negated,
                };
        };
        // Variables stand for values only with the String and ARN operators. A value whose
        // variable has no value in this request matches nothing.
        let variables = variables && matches!(self.op.kind, Kind::String { .. } | Kind::Arn);
        let wanted: Vec<Vec<Tok>> = self
            .values
            .iter()
            .filter_map(|v| compile(v, variables, ctx))
            .collect();
        let satisfied = |r: &String| {
            let any = wanted.iter().any(|w| matches(self.op.kind, w, r));
            any != self.op.negated
        };
        match (self.op.set, self.op.negated) {
            (Set::AllValues, _) | (Set::Single, true) => request.iter().all(satisfied),
            (Set::AnyValue, _) | (Set::Single, false) => request.iter().any(satisfied),
        }
    }
}

/// The policy value as text: what the operators other than the `Like` ones compare.
fn text(w: &[Tok]) -> String {
    w.iter()
        .map(|t| match t {
            Tok::Lit(c) => *c,
            Tok::Star => '*',
            Tok::One => '?',
        })
        .collect()
}

/// Whether the request's value `r` matches the policy's value `w` under `kind`.
fn matches(kind: Kind, w: &[Tok], r: &str) -> bool {
    match kind {
        Kind::String {
            ignore_case: false,
            like: false,
        } => text(w) == r,
        Kind::String {
            ignore_case: true, ..
        } => text(w).to_lowercase() == r.to_lowercase(),
        Kind::String { like: true, .. } => glob(w, &r.chars().collect::<Vec<_>>()),
        Kind::Numeric(cmp) => match (text(w).trim().parse::<f64>(), r.trim().parse::<f64>()) {
            (Ok(w), Ok(r)) => r.partial_cmp(&w).is_some_and(|o| cmp.holds(o)),
            _ => false,
        },
        Kind::Date(cmp) => match (date(&text(w)), date(r)) {
            (Some(w), Some(r)) => cmp.holds(r.cmp(&w)),
            _ => false,
        },
        Kind::Bool => text(w).eq_ignore_ascii_case(r),
        Kind::Binary => {
            let decode = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).ok();
            matches!((decode(&text(w)), decode(r)), (Some(w), Some(r)) if w == r)
        }
        Kind::Ip => match (network(&text(w)), r.parse::<IpAddr>()) {
            (Some(net), Ok(ip)) => net.contains(&ip),
            _ => false,
        },
        Kind::Arn => {
            let w = arn_segments(w);
            let r: Vec<Vec<char>> = r.splitn(6, ':').map(|p| p.chars().collect()).collect();
            w.len() == 6 && r.len() == 6 && w.iter().zip(&r).all(|(w, r)| glob(w, r))
        }
        Kind::Null => false,
    }
}

/// An ARN pattern's six colon-separated parts, each matched on its own.
fn arn_segments(w: &[Tok]) -> Vec<Vec<Tok>> {
    let mut parts = vec![Vec::new()];
    for t in w {
        match (t, parts.len()) {
            (Tok::Lit(':'), n) if n < 6 => parts.push(Vec::new()),
            (t, _) => parts.last_mut().map_or((), |p| p.push(*t)),
        }
    }
    parts
}

/// A date as conditions write it: ISO 8601 (a date-time with offset, or a day) or epoch
/// seconds.
fn date(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<i64>() {
        return OffsetDateTime::from_unix_timestamp(secs).ok();
    }
    OffsetDateTime::parse(s, &Rfc3339).ok().or_else(|| {
        Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
            .ok()
            .map(|d| d.midnight().assume_offset(UtcOffset::UTC))
    })
}

/// A network as `IpAddress` writes it: CIDR, or a single address (a network of one).
pub fn network(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

#[cfg(test)]
#[path = "condition_tests.rs"]
mod tests;
