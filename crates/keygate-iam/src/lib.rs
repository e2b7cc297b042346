//! keygate's AWS IAM Query front end (the "EIM endpoint"): `POST /` with a form body or
//! `GET /?…`, keyed on `Action` and `Version`, signed with SigV4 (header or presigned query),
//! answered in IAM's XML. STS shares the endpoint, and CloudTrail's LookupEvents (JSON 1.1,
//! `cloudtrail`). Handlers decode, call the core, encode; every rule is the core's.

mod cloudtrail;
pub mod decode;
pub mod error;
pub mod ops;
pub mod params;
pub mod router;
pub mod xml;

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::http::header::ALLOW;
use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use keygate_auth::{
    Authenticated, BodyLimits, Flavour, Gate, SecretLookup, SignedHttp, TrustedProxies, receive,
};
use keygate_core::{
    AuditContext, CallLabel, CoreError, Operation, RequestId, RequestInfo, Service, Signer,
};

use crate::error::IamError;
use crate::ops::Answer;
use crate::params::Params;
use crate::router::{Api, RULES};

/// Where the gate finds keys: the server implements it over the core.
pub type Keys = Arc<dyn SecretLookup<Owner = Signer, Error = CoreError>>;

/// The front end's state: the core and the signature checker.
#[derive(Debug)]
pub struct IamApi {
    service: Arc<Service>,
    gate: Gate<Keys>,
    body: BodyLimits,
    proxies: TrustedProxies,
}

/// Serves every path no other front end claims: GET and POST route on `Action`, as AWS's
/// endpoint does; any other method is refused in IAM's envelope.
pub fn configure(
    service: Arc<Service>,
    keys: Keys,
    body: BodyLimits,
    proxies: TrustedProxies,
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(IamApi {
            service,
            gate: Gate::new(keys, Flavour::Aws4),
            body,
            proxies,
        }))
        .default_service(web::to(handle));
    }
}

/// A success: the action's wire name, its service, and its answer.
type Done = (&'static str, Api, Answer);

/// How far a request got: its action once named, whether it is being authenticated, and
/// whether its audit record is kept already.
#[derive(Debug, Default)]
struct Progress {
    action: Option<&'static str>,
    api: Option<Api>,
    authenticating: bool,
    audited: bool,
}

/// The dialect an audit record names.
fn dialect(api: Api) -> &'static str {
    match api {
        Api::Iam => "iam",
        Api::Sts => "sts",
    }
}

/// The request's parameters, from its query and, for a POST, its form body.
fn params(http: &SignedHttp) -> Result<Params, IamError> {
    let mut params = Params::parse(http.query().as_bytes())
        .map_err(IamError::from_params)?
        .without_signature();
    if http.method == Method::POST {
        params
            .merge(Params::parse(&http.body).map_err(IamError::from_params)?)
            .map_err(IamError::from_params)?;
    }
    Ok(params)
}

/// Whether the request names an action that only reads; a request that names none, or an
/// action the core does not authorise as an operation (the STS calls), is not.
fn only_reads(http: &SignedHttp) -> bool {
    params(http)
        .and_then(|p| router::action_name(&p, http.header("x-amz-target")))
        .is_ok_and(|name| name.operation().is_some_and(Operation::only_reads))
}

/// Decodes, authenticates, runs and encodes one request, inside the request's span, which it
/// tells the action and the caller: on the worker for a read of a local store, otherwise on
/// the blocking pool.
fn process(
    api: &IamApi,
    http: &SignedHttp,
    rid: &str,
    progress: &mut Progress,
) -> Result<Done, (Api, IamError)> {
    let iam = |e| (Api::Iam, e);
    let params = params(http).map_err(iam)?;
    let name = router::action_name(&params, http.header("x-amz-target")).map_err(iam)?;
    progress.action = Some(name.wire());
    progress.api = Some(name.api());
    let span = tracing::Span::current();
    span.record("action", name.wire());
    let fail = |e| (name.api(), e);
    progress.authenticating = true;
    let Authenticated {
        principal: signer,
        scope,
    } = api
        .gate
        .authenticate(http, name.api().scope_services())
        .map_err(|e| fail(IamError::from_auth_failure(e)))?;
    progress.authenticating = false;
    span.record("principal", signer.principal.arn());
    let action = name.decode(&params).map_err(fail)?;
    let caller = api
        .service
        .caller(&signer.principal, &RULES)
        .signed_with(signer.key.clone(), signer.session)
        .with_request(request_of(http, Some(scope.region)))
        .audited(AuditContext {
            request_id: rid.to_owned(),
            dialect: dialect(name.api()),
            call: name.wire(),
            access_key_id: Some(signer.key.to_string()),
        });
    let done = action
        .run(&caller)
        .map(|answer| (name.wire(), name.api(), answer))
        .map_err(fail);
    // A change left its record with it; the rest is noted as it was answered.
    if !caller.recorded()
        && let Some(ctx) = caller.audit_context()
    {
        let (status, code) = match &done {
            Ok(_) => (200, None),
            Err((_, e)) => (e.status().as_u16(), Some(e.code())),
        };
        let now = api.service.now();
        api.service
            .note_call(caller.audit_record(ctx, now, status, code));
    }
    progress.audited = true;
    done
}

/// What policy conditions and the audit trail read of the request.
fn request_of(http: &SignedHttp, region: Option<String>) -> RequestInfo {
    RequestInfo {
        source_ip: http.client,
        user_agent: http.header("user-agent").map(str::to_owned),
        region,
        secure_transport: http.secure,
        client_certificates: http.certificates.clone(),
    }
}

/// Notes the record of a request refused before it had a caller: unauthenticated.
fn note_refusal(api: &IamApi, http: &SignedHttp, rid: &str, progress: &Progress, e: &IamError) {
    let ctx = AuditContext {
        request_id: rid.to_owned(),
        dialect: dialect(progress.api.unwrap_or(Api::Iam)),
        call: progress.action.unwrap_or("unknown"),
        access_key_id: keygate_auth::claimed_key_id(http),
    };
    let request = request_of(http, None);
    api.service.note_call(ctx.record(
        &request,
        api.service.now(),
        e.status().as_u16(),
        Some(e.code()),
    ));
}

fn request_id(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

fn xml_response(
    status: actix_web::http::StatusCode,
    body: String,
    request_id: &str,
) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header((CONTENT_TYPE, "text/xml"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        res.insert_header((HeaderName::from_static("x-amzn-requestid"), v));
    }
    res.body(body)
}

fn error_response(api: Api, e: &IamError, request_id: &str) -> HttpResponse {
    let body = xml::error(
        api.namespace(),
        e.fault(),
        e.code(),
        e.message(),
        request_id,
    );
    xml_response(e.status(), body, request_id)
}

fn method_not_allowed(req: &HttpRequest, rid: &str) -> HttpResponse {
    let e = IamError::method_not_allowed(req.method().as_str());
    let mut res = error_response(Api::Iam, &e, rid);
    res.headers_mut()
        .insert(ALLOW, HeaderValue::from_static("GET, POST"));
    res
}

async fn handle(req: HttpRequest, payload: web::Payload, api: web::Data<IamApi>) -> HttpResponse {
    let rid = request_id(&req);
    if req.method() != Method::GET && req.method() != Method::POST {
        return method_not_allowed(&req, &rid);
    }
    let http = match receive(&req, payload, api.body, &api.proxies).await {
        Ok(http) => http,
        Err(e) => return error_response(Api::Iam, &IamError::from_body(e), &rid),
    };
    let api2 = api.clone();
    let span = tracing::Span::current();
    if cloudtrail::claims(&http) {
        let rid2 = rid.clone();
        let run = move || span.in_scope(|| cloudtrail::answer(&api2, &http, &rid2));
        return match web::block(run).await {
            Ok(reply) => cloudtrail::respond(reply, &rid),
            Err(e) => {
                tracing::error!(error = %e, "request worker failed");
                error_response(Api::Iam, &IamError::ServiceFailure, &rid)
            }
        };
    }
    let inline = api.service.reads_are_local() && only_reads(&http);
    let rid2 = rid.clone();
    let run = move || {
        span.in_scope(|| {
            let mut progress = Progress::default();
            let done = process(&api2, &http, &rid2, &mut progress);
            if let (Err((_, e)), false) = (&done, progress.audited) {
                note_refusal(&api2, &http, &rid2, &progress, e);
            }
            (progress, done)
        })
    };
    // A read the store answers from local memory and disk runs on this worker; everything
    // else goes to the blocking pool, where waiting on a write lock or a hash stalls no one.
    let (progress, done) = if inline {
        run()
    } else {
        match web::block(run).await {
            Ok(answered) => answered,
            Err(e) => {
                tracing::error!(error = %e, "request worker failed");
                (
                    Progress::default(),
                    Err((Api::Iam, IamError::ServiceFailure)),
                )
            }
        }
    };
    let mut label = CallLabel {
        dialect: "iam",
        action: progress.action.unwrap_or("unknown"),
        error: None,
        at_authentication: false,
    };
    let mut res = match done {
        Ok((name, kind, answer)) => {
            let write = |x: &mut xml::Xml| answer.write(x);
            let result = answer
                .has_result()
                .then_some(&write as &dyn Fn(&mut xml::Xml));
            let body = xml::response(name, kind.namespace(), &rid, result);
            xml_response(actix_web::http::StatusCode::OK, body, &rid)
        }
        Err((kind, e)) => {
            label.error = Some(e.code());
            label.at_authentication = progress.authenticating;
            error_response(kind, &e, &rid)
        }
    };
    res.extensions_mut().insert(label);
    res
}
