//! ReadApiLogs: the account's audit trail, with the spec's filters, `With` and pages. Each
//! record names its API as Outscale names them: `oapi` for the OSC API, `eim` for the IAM
//! Query API (Outscale's EIM endpoint speaks it), `sts` for STS. Headers and payloads are never
//! recorded (they carry credentials), so `QueryHeaderRaw` and `QueryPayloadRaw` are never given.

use keygate_core::{AuditFilter, AuditRecord, Caller};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Op, date};
use crate::body::{body, date as opt_date, dry};
use crate::error::OscError;

/// The API name a log gives a dialect, and back.
const API_NAMES: &[(&str, &str)] = &[("osc", "oapi"), ("iam", "eim"), ("sts", "sts")];

fn api_name(dialect: &str) -> &str {
    API_NAMES
        .iter()
        .find(|(d, _)| *d == dialect)
        .map_or(dialect, |(_, n)| n)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct Filters {
    query_access_keys: Option<Vec<String>>,
    query_api_names: Option<Vec<String>>,
    query_call_names: Option<Vec<String>>,
    query_date_after: Option<String>,
    query_date_before: Option<String>,
    query_ip_addresses: Option<Vec<String>>,
    query_user_agents: Option<Vec<String>>,
    request_ids: Option<Vec<String>>,
    response_status_codes: Option<Vec<u16>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadApiLogsBody {
    filters: Option<Filters>,
    next_page_token: Option<String>,
    results_per_page: Option<i64>,
    with: Option<Map<String, Value>>,
    dry_run: Option<bool>,
}

/// The `Log` fields the spec's `With` names; each is shown unless `With` sets it `false`.
const FIELDS: &[&str] = &[
    "AccountId",
    "CallDuration",
    "QueryAccessKey",
    "QueryApiName",
    "QueryApiVersion",
    "QueryCallName",
    "QueryDate",
    "QueryHeaderRaw",
    "QueryHeaderSize",
    "QueryIpAddress",
    "QueryPayloadRaw",
    "QueryPayloadSize",
    "QueryUserAgent",
    "RequestId",
    "ResponseSize",
    "ResponseStatusCode",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadApiLogs {
    pub filter: AuditFilter,
    pub position: Option<i64>,
    pub per_page: usize,
    /// The `Log` fields not to show.
    pub hidden: Vec<&'static str>,
}

impl Op for ReadApiLogs {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadApiLogsBody = body(raw)?;
        let f = b.filters.unwrap_or_default();
        let dialects = f.query_api_names.map(|names| {
            names
                .iter()
                .map(|n| {
                    API_NAMES
                        .iter()
                        .find(|(_, a)| a == n)
                        .map_or_else(|| n.clone(), |(d, _)| (*d).to_owned())
                })
                .collect()
        });
        let filter = AuditFilter {
            access_keys: f.query_access_keys,
            dialects,
            calls: f.query_call_names,
            ip_addresses: f.query_ip_addresses,
            user_agents: f.query_user_agents,
            request_ids: f.request_ids,
            statuses: f.response_status_codes,
            usernames: None,
            resources: None,
            after: opt_date("Filters.QueryDateAfter", f.query_date_after)?,
            before: opt_date("Filters.QueryDateBefore", f.query_date_before)?,
        };
        let per_page = match b.results_per_page {
            None => 100,
            Some(n @ 1..=1000) => usize::try_from(n).unwrap_or(100),
            Some(_) => {
                return Err(OscError::invalid_value(
                    "ResultsPerPage",
                    "must be between 1 and 1000",
                ));
            }
        };
        let position = b
            .next_page_token
            .map(|t| {
                t.parse::<i64>()
                    .map_err(|_| OscError::invalid_value("NextPageToken", "is not a page token"))
            })
            .transpose()?;
        let mut hidden = Vec::new();
        for (k, v) in b.with.unwrap_or_default() {
            let Some(field) = FIELDS.iter().find(|f| **f == k) else {
                return Err(OscError::InvalidParameter(format!(
                    "The parameter With.{k} is not valid for this call."
                )));
            };
            match v {
                Value::Bool(true) => {}
                Value::Bool(false) => hidden.push(*field),
                _ => {
                    return Err(OscError::InvalidType(format!(
                        "The parameter type of With.{k} is not valid: a boolean is expected"
                    )));
                }
            }
        }
        let call = Self {
            filter,
            position,
            per_page,
            hidden,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let (records, next) = c.read_api_logs(&self.filter, self.position, self.per_page)?;
        let logs: Vec<Value> = records.iter().map(|r| self.log(r)).collect();
        let mut out = json!({"Logs": logs});
        if let Some(n) = next {
            out["NextPageToken"] = Value::String(n.to_string());
        }
        Ok(out)
    }
}

impl ReadApiLogs {
    fn log(&self, r: &AuditRecord) -> Value {
        let mut log = Map::new();
        let mut put = |k: &'static str, v: Option<Value>| {
            if let Some(v) = v
                && !self.hidden.contains(&k)
            {
                log.insert(k.to_owned(), v);
            }
        };
        put(
            "AccountId",
            r.account_id.as_ref().map(|a| Value::from(a.as_str())),
        );
        put("QueryAccessKey", r.access_key_id.clone().map(Value::from));
        put("QueryApiName", Some(Value::from(api_name(&r.dialect))));
        put("QueryCallName", Some(Value::from(r.call.as_str())));
        put("QueryDate", Some(Value::from(date(r.at))));
        put(
            "QueryIpAddress",
            r.source_ip.map(|i| Value::from(i.to_string())),
        );
        put("QueryUserAgent", r.user_agent.clone().map(Value::from));
        put("RequestId", Some(Value::from(r.request_id.as_str())));
        put("ResponseStatusCode", Some(Value::from(r.status)));
        Value::Object(log)
    }
}
