//! The AWS dialect's view of the audit trail: CloudTrail's LookupEvents over the JSON 1.1
//! protocol (`X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>`,
//! SigV4 service `cloudtrail`), answering CloudTrail-shaped events for the account's records,
//! newest first, as `aws cloudtrail lookup-events` reads them.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use keygate_auth::{Authenticated, SignedHttp};
use keygate_core::{AuditContext, AuditFilter, AuditRecord, CallLabel, RequestInfo, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::IamError;
use crate::router::RULES;

/// The target prefix of CloudTrail's operations.
pub const TARGET: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";

/// Whether the request is CloudTrail's.
pub fn claims(http: &SignedHttp) -> bool {
    http.header("x-amz-target")
        .is_some_and(|t| t.starts_with(TARGET))
}

/// A CloudTrail error: its `__type`, status and message.
#[derive(Debug)]
struct TrailError {
    kind: &'static str,
    status: StatusCode,
    message: String,
}

impl TrailError {
    fn invalid(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// An error of the core or of authentication, under the JSON protocols' names for them.
    fn from_iam(e: &IamError) -> Self {
        let kind = match e.code() {
            "InvalidClientTokenId" => "UnrecognizedClientException",
            "SignatureDoesNotMatch" => "InvalidSignatureException",
            "MissingAuthenticationToken" => "MissingAuthenticationTokenException",
            "IncompleteSignature" => "IncompleteSignatureException",
            "ExpiredToken" => "ExpiredTokenException",
            "AccessDenied" => "AccessDeniedException",
            other => other,
        };
        Self {
            kind,
            status: e.status(),
            message: e.message().to_owned(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct Attribute {
    attribute_key: String,
    attribute_value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct LookupEventsInput {
    lookup_attributes: Option<Vec<Attribute>>,
    start_time: Option<f64>,
    end_time: Option<f64>,
    event_category: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// What an `EventSource` is, for each dialect.
const SOURCES: &[(&str, &str)] = &[
    ("iam", "iam.amazonaws.com"),
    ("sts", "sts.amazonaws.com"),
    ("osc", "api.outscale.com"),
    ("cloudtrail", "cloudtrail.amazonaws.com"),
];

fn event_source(dialect: &str) -> &str {
    SOURCES
        .iter()
        .find(|(d, _)| *d == dialect)
        .map_or(dialect, |(_, s)| s)
}

fn time(seconds: f64, field: &str) -> Result<Timestamp, TrailError> {
    let ms = seconds * 1000.0;
    if !ms.is_finite() || ms.abs() > 1e15 {
        return Err(TrailError::invalid(
            "InvalidTimeRangeException",
            format!("{field} is not a time."),
        ));
    }
    // Within ±1e15 ms: the conversion is exact enough and cannot overflow.
    #[allow(clippy::cast_possible_truncation)]
    Ok(Timestamp::from_unix_millis(ms as i64))
}

/// The filter, page position and size a LookupEvents request asks for.
fn decode(body: &[u8]) -> Result<(AuditFilter, Option<i64>, usize), TrailError> {
    let raw: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let input: LookupEventsInput = serde_json::from_slice(raw)
        .map_err(|e| TrailError::invalid("SerializationException", e.to_string()))?;
    let mut f = AuditFilter::default();
    let attributes = input.lookup_attributes.unwrap_or_default();
    if attributes.len() > 1 {
        return Err(TrailError::invalid(
            "InvalidLookupAttributesException",
            "You cannot specify more than one lookup attribute.",
        ));
    }
    for a in attributes {
        let v = Some(vec![a.attribute_value.clone()]);
        match a.attribute_key.as_str() {
            "EventId" => f.request_ids = v,
            "EventName" => f.calls = v,
            "Username" => f.usernames = v,
            "AccessKeyId" => f.access_keys = v,
            "ResourceName" => f.resources = v,
            "EventSource" => {
                let dialect = SOURCES
                    .iter()
                    .find(|(_, s)| *s == a.attribute_value)
                    .map_or(a.attribute_value.clone(), |(d, _)| (*d).to_owned());
                f.dialects = Some(vec![dialect]);
            }
            "ReadOnly" | "ResourceType" => {
                return Err(TrailError::invalid(
                    "InvalidLookupAttributesException",
                    format!(
                        "keygate's records do not say {}: look events up by EventId, \
                         EventName, Username, AccessKeyId, ResourceName or EventSource.",
                        a.attribute_key
                    ),
                ));
            }
            other => {
                return Err(TrailError::invalid(
                    "InvalidLookupAttributesException",
                    format!("{other} is not a lookup attribute."),
                ));
            }
        }
    }
    f.after = input.start_time.map(|t| time(t, "StartTime")).transpose()?;
    f.before = input.end_time.map(|t| time(t, "EndTime")).transpose()?;
    if let (Some(a), Some(b)) = (f.after, f.before)
        && a > b
    {
        return Err(TrailError::invalid(
            "InvalidTimeRangeException",
            "Start time must be earlier than end time.",
        ));
    }
    match input.event_category.as_deref() {
        None => {}
        // keygate records no Insights events: the lookup finds none.
        Some("insight") => f.calls = Some(Vec::new()),
        Some(other) => {
            return Err(TrailError::invalid(
                "InvalidEventCategoryException",
                format!("{other} is not an event category."),
            ));
        }
    }
    let limit = match input.max_results {
        None => 50,
        Some(n @ 1..=50) => usize::try_from(n).unwrap_or(50),
        Some(_) => {
            return Err(TrailError::invalid(
                "InvalidMaxResultsException",
                "MaxResults must be between 1 and 50.",
            ));
        }
    };
    let before = input
        .next_token
        .map(|t| {
            t.parse::<i64>().map_err(|_| {
                TrailError::invalid("InvalidNextTokenException", "The token is not valid.")
            })
        })
        .transpose()?;
    Ok((f, before, limit))
}

/// The resource type CloudTrail gives an IAM ARN.
fn resource_type(arn: &str) -> Option<&'static str> {
    [
        (":user/", "AWS::IAM::User"),
        (":group/", "AWS::IAM::Group"),
        (":role/", "AWS::IAM::Role"),
        (":policy/", "AWS::IAM::Policy"),
        (":mfa/", "AWS::IAM::MFADevice"),
    ]
    .iter()
    .find(|(part, _)| arn.contains(part))
    .map(|(_, t)| *t)
}

fn event(r: &AuditRecord) -> Value {
    let iso = crate::xml::iso8601(r.at);
    let identity_type = match r.principal_kind.as_str() {
        "root" => "Root",
        "user" | "session" => "IAMUser",
        "assumed-role" => "AssumedRole",
        _ => "Unknown",
    };
    let trail = json!({
        "eventVersion": "1.08",
        "userIdentity": {
            "type": identity_type,
            "arn": r.principal,
            "accountId": r.account_id.as_ref().map(|a| a.as_str()),
            "accessKeyId": r.access_key_id,
            "userName": r.username(),
        },
        "eventTime": iso,
        "eventSource": event_source(&r.dialect),
        "eventName": r.call,
        "sourceIPAddress": r.source_ip.map(|i| i.to_string()),
        "userAgent": r.user_agent,
        "errorCode": r.error_code,
        "requestID": r.request_id,
        "eventID": r.request_id,
        "eventType": "AwsApiCall",
        "recipientAccountId": r.account_id.as_ref().map(|a| a.as_str()),
    });
    let resources: Vec<Value> = r
        .resource
        .iter()
        .map(|arn| json!({"ResourceType": resource_type(arn), "ResourceName": r.resource_name()}))
        .collect();
    let seconds = r.at.unix_millis() / 1000;
    json!({
        "EventId": r.request_id,
        "EventName": r.call,
        "AccessKeyId": r.access_key_id,
        "EventTime": seconds,
        "EventSource": event_source(&r.dialect),
        "Username": r.username(),
        "Resources": resources,
        "CloudTrailEvent": trail.to_string(),
    })
}

/// A CloudTrail answer, before it becomes a response on the worker thread.
#[derive(Debug)]
pub(crate) struct Reply {
    status: StatusCode,
    body: Value,
    action: &'static str,
    /// The error's kind, and whether authentication refused the request (for the metrics).
    error: Option<&'static str>,
    at_authentication: bool,
}

/// Answers one CloudTrail request: authenticated, run and recorded.
pub(crate) fn answer(api: &super::IamApi, http: &SignedHttp, rid: &str) -> Reply {
    let op = http
        .header("x-amz-target")
        .and_then(|t| t.strip_prefix(TARGET))
        .unwrap_or_default()
        .to_owned();
    let call: &'static str = if op == "LookupEvents" {
        "LookupEvents"
    } else {
        "unknown"
    };
    let mut at_authentication = true;
    match run(api, http, rid, &op, &mut at_authentication) {
        Ok(body) => Reply {
            status: StatusCode::OK,
            body,
            action: call,
            error: None,
            at_authentication: false,
        },
        Err(e) => {
            if at_authentication {
                let ctx = AuditContext {
                    request_id: rid.to_owned(),
                    dialect: "cloudtrail",
                    call,
                    access_key_id: keygate_auth::claimed_key_id(http),
                };
                let request = super::request_of(http, None);
                let record =
                    ctx.record(&request, api.service.now(), e.status.as_u16(), Some(e.kind));
                api.service.note_call(record);
            }
            Reply {
                status: e.status,
                body: json!({"__type": e.kind, "message": e.message}),
                action: call,
                error: Some(e.kind),
                at_authentication,
            }
        }
    }
}

fn run(
    api: &super::IamApi,
    http: &SignedHttp,
    rid: &str,
    op: &str,
    at_authentication: &mut bool,
) -> Result<Value, TrailError> {
    let Authenticated {
        principal: signer,
        scope,
    } = api
        .gate
        .authenticate(http, &["cloudtrail"])
        .map_err(|e| TrailError::from_iam(&IamError::from_auth_failure(e)))?;
    *at_authentication = false;
    let caller = api
        .service
        .caller(&signer.principal, &RULES)
        .signed_with(signer.key.clone(), signer.session)
        .with_request(RequestInfo {
            region: Some(scope.region),
            ..super::request_of(http, None)
        })
        .audited(AuditContext {
            request_id: rid.to_owned(),
            dialect: "cloudtrail",
            call: "LookupEvents",
            access_key_id: Some(signer.key.to_string()),
        });
    let done = if op == "LookupEvents" {
        decode(&http.body).and_then(|(filter, before, limit)| {
            caller
                .lookup_events(&filter, before, limit)
                .map_err(|e| TrailError::from_iam(&IamError::from_core(e, None)))
                .map(|(records, next)| {
                    let events: Vec<Value> = records.iter().map(|(_, r)| event(r)).collect();
                    let mut out = json!({"Events": events});
                    if let Some(n) = next {
                        out["NextToken"] = Value::String(n.to_string());
                    }
                    out
                })
        })
    } else {
        Err(TrailError::invalid(
            "UnknownOperationException",
            format!("keygate serves CloudTrail's LookupEvents only, not {op}."),
        ))
    };
    let (status, code) = match &done {
        Ok(_) => (200, None),
        Err(e) => (e.status.as_u16(), Some(e.kind)),
    };
    if let Some(ctx) = caller.audit_context() {
        let record = caller.audit_record(ctx, api.service.now(), status, code);
        api.service.note_call(record);
    }
    done
}

/// The response of a reply, with its label for the metrics.
pub(crate) fn respond(reply: Reply, rid: &str) -> HttpResponse {
    let mut res = HttpResponse::build(reply.status);
    res.insert_header((CONTENT_TYPE, "application/x-amz-json-1.1"));
    if let Ok(v) = HeaderValue::from_str(rid) {
        res.insert_header((HeaderName::from_static("x-amzn-requestid"), v));
    }
    let mut res = res.body(reply.body.to_string());
    res.extensions_mut().insert(CallLabel {
        dialect: "cloudtrail",
        action: reply.action,
        error: reply.error,
        at_authentication: reply.at_authentication,
    });
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_read_as_cloudtrail_reads_them() {
        let (f, before, limit) = decode(
            br#"{"LookupAttributes":[{"AttributeKey":"Username","AttributeValue":"ann"}],"MaxResults":5,"NextToken":"42"}"#,
        )
        .unwrap();
        assert_eq!(f.usernames, Some(vec!["ann".to_owned()]));
        assert_eq!((before, limit), (Some(42), 5));
        let two = br#"{"LookupAttributes":[{"AttributeKey":"Username","AttributeValue":"a"},{"AttributeKey":"EventName","AttributeValue":"b"}]}"#;
        assert_eq!(
            decode(two).unwrap_err().kind,
            "InvalidLookupAttributesException"
        );
        assert_eq!(
            decode(br#"{"MaxResults":51}"#).unwrap_err().kind,
            "InvalidMaxResultsException"
        );
        assert_eq!(
            decode(br#"{"StartTime":10,"EndTime":5}"#).unwrap_err().kind,
            "InvalidTimeRangeException"
        );
        let by_source = decode(
            br#"{"LookupAttributes":[{"AttributeKey":"EventSource","AttributeValue":"api.outscale.com"}]}"#,
        )
        .unwrap()
        .0;
        assert_eq!(by_source.dialects, Some(vec!["osc".to_owned()]));
    }
}
