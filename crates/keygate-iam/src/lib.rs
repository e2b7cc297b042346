//! keygate's AWS IAM Query front end (the "EIM endpoint"): `POST /` with a form body or
//! `GET /?…`, keyed on `Action` and `Version`, signed with SigV4 (header or presigned query),
//! answered in IAM's XML. STS `GetCallerIdentity` shares the endpoint. Handlers decode, call the
//! core, encode; every rule is the core's.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod action;
pub mod error;
pub mod params;
pub mod reply;
pub mod xml;

use std::sync::Arc;

use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use keygate_auth::{Authenticated, Flavour, Gate, SignedHttp};
use keygate_core::{RequestId, Rules, Service};

use crate::action::{Action, Api};
use crate::error::IamError;
use crate::params::{ParamError, Params};
use crate::reply::Reply;

/// How AWS IAM behaves where the dialects differ: keys are deleted in either state, and
/// policies name `iam:` actions.
pub const RULES: Rules = Rules::AWS_IAM;

/// The front end's state: the core and the signature checker.
#[derive(Debug)]
pub struct IamApi {
    gate: Gate,
    max_body: usize,
}

/// Registers `POST /` and `GET /`.
pub fn configure(service: Arc<Service>, max_body: usize) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(IamApi {
            gate: Gate::new(service, Flavour::Aws4),
            max_body,
        }))
        .route("/", web::post().to(handle))
        .route("/", web::get().to(handle));
    }
}

fn param_error(e: ParamError) -> IamError {
    match e {
        ParamError::Malformed(m) => IamError::new(404, "MalformedQueryString", m),
        ParamError::Duplicate(name) => IamError::new(
            400,
            "ValidationError",
            format!("Parameter {name} is given more than once"),
        ),
    }
}

/// Decodes, authenticates, runs and encodes one request. Runs on the blocking pool.
fn process(api: &IamApi, http: &SignedHttp) -> Result<(&'static str, Api, Reply), (Api, IamError)> {
    let iam = |e| (Api::Iam, e);
    let mut params = Params::parse(http.query.as_bytes())
        .map_err(|e| iam(param_error(e)))?
        .without_signature();
    if http.method == "POST" {
        params
            .merge(Params::parse(&http.body).map_err(|e| iam(param_error(e)))?)
            .map_err(|e| iam(param_error(e)))?;
    }
    let (name, api_kind) = action::action_name(&params).map_err(iam)?;
    let fail = |e| (api_kind, e);
    let Authenticated { principal, .. } = api
        .gate
        .authenticate(http, api_kind.scope_services())
        .map_err(|e| fail(IamError::from_auth_failure(e)))?;
    let act: Action = action::parse(name, &params).map_err(fail)?;
    let user = act.user().map(str::to_owned);
    let caller = api.gate.service().caller(&principal, &RULES);
    reply::execute(&caller, act)
        .map(|r| (name, api_kind, r))
        .map_err(|e| fail(IamError::from_core(e, user.as_deref())))
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
    let body = xml::error(api.namespace(), e.fault(), e.code, &e.message, request_id);
    xml_response(e.status, body, request_id)
}

async fn handle(req: HttpRequest, payload: web::Payload, api: web::Data<IamApi>) -> HttpResponse {
    let rid = request_id(&req);
    let body = match payload.to_bytes_limited(api.max_body).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => {
            let e = IamError::new(
                404,
                "MalformedQueryString",
                format!("cannot read the body: {e}"),
            );
            return error_response(Api::Iam, &e, &rid);
        }
        Err(_) => {
            let e = IamError::new(
                413,
                "RequestEntityTooLarge",
                format!("Request body must be at most {} bytes", api.max_body),
            );
            return error_response(Api::Iam, &e, &rid);
        }
    };
    let http = SignedHttp::from_actix(&req, body);
    let api2 = api.clone();
    match web::block(move || process(&api2, &http)).await {
        Ok(Ok((name, kind, reply))) => {
            let write = |x: &mut xml::Xml| reply.write(x);
            let result = reply
                .has_result()
                .then_some(&write as &dyn Fn(&mut xml::Xml));
            let body = xml::response(name, kind.namespace(), &rid, result);
            xml_response(actix_web::http::StatusCode::OK, body, &rid)
        }
        Ok(Err((kind, e))) => error_response(kind, &e, &rid),
        Err(e) => {
            tracing::error!(error = %e, "request worker failed");
            error_response(Api::Iam, &IamError::internal(), &rid)
        }
    }
}
