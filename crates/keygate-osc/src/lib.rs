//! keygate's Outscale OSC API front end: `POST /api/v1/<Call>` (and `/api/latest/<Call>`, as
//! osc-cli sends it) with a JSON body, authenticated by an OSC4 or AWS4 signature or, on the
//! calls the spec allows, by login/password; `DryRun` checks everything and changes nothing.
//! CORS for browser consoles when origins are configured. Handlers decode, call the core,
//! encode; every rule is the core's.

pub mod body;
pub mod error;
pub mod ops;
pub mod orn;
pub mod router;

use std::sync::Arc;

use actix_cors::Cors;
use actix_web::http::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use actix_web::middleware::Condition;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use keygate_auth::{
    BodyLimits, Flavour, Gate, SecretLookup, SignedHttp, TrustedProxies, check_date_header,
    parse_basic, receive,
};
use keygate_core::{
    AuditContext, CallLabel, CoreError, Email, Principal, RequestId, RequestInfo, Service,
    SessionKind, Signer, Source,
};
use serde_json::{Value, json};
use time::Duration;

use crate::error::OscError;
use crate::router::{RULES, Security};

/// Where the gates find keys: the server implements it over the core.
pub type Keys = Arc<dyn SecretLookup<Owner = Signer, Error = CoreError>>;

/// The front end's settings.
#[derive(Debug, Clone)]
pub struct OscSettings {
    pub body: BodyLimits,
    /// Who may name the client in `X-Forwarded-For`.
    pub proxies: TrustedProxies,
    /// Allowed distance between a request's date and the server's clock.
    pub max_skew: Duration,
    /// Origins a browser console may call from; empty: no CORS answers at all.
    pub cors_origins: Vec<String>,
}

#[derive(Debug)]
struct OscApi {
    service: Arc<Service>,
    osc4: Gate<Keys>,
    aws4: Gate<Keys>,
    settings: OscSettings,
}

/// Registers `/api/v1/{call}` and `/api/latest/{call}`.
pub fn configure(
    service: Arc<Service>,
    keys: Keys,
    settings: OscSettings,
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let cors = cors(&settings.cors_origins);
        let enabled = !settings.cors_origins.is_empty();
        let api = web::Data::new(OscApi {
            service,
            osc4: Gate::new(keys.clone(), Flavour::Osc4)
                .with_host_without_port()
                .with_max_skew(settings.max_skew),
            aws4: Gate::new(keys, Flavour::Aws4).with_max_skew(settings.max_skew),
            settings,
        });
        cfg.service(
            web::scope("/api")
                .app_data(api)
                .wrap(Condition::new(enabled, cors))
                .route("/v1/{call}", web::post().to(handle))
                .route("/latest/{call}", web::post().to(handle))
                .route("/v1/{call}", web::route().to(method_not_allowed))
                .route("/latest/{call}", web::route().to(method_not_allowed))
                .default_service(web::to(unknown_path)),
        );
    }
}

fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |c, o| c.allowed_origin(o))
        .allowed_methods(["POST"])
        .allowed_headers([
            "authorization",
            "content-type",
            "x-osc-date",
            "x-osc-target",
            "x-osc-security-token",
            "x-amz-date",
        ])
        .expose_headers(["x-request-id"])
        .max_age(3600)
}

fn request_id(req: &HttpRequest) -> String {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

fn answer(status: actix_web::http::StatusCode, mut body: Value, rid: &str) -> HttpResponse {
    if let Value::Object(map) = &mut body {
        map.insert("ResponseContext".into(), json!({"RequestId": rid}));
    }
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(body.to_string())
}

fn error_response(e: &OscError, rid: &str) -> HttpResponse {
    let body = json!({"Errors": [{"Type": e.kind(), "Code": e.code(), "Details": e.details()}]});
    answer(e.status(), body, rid)
}

async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let e = OscError::method_not_allowed(req.method().as_str());
    let mut res = error_response(&e, &request_id(&req));
    res.headers_mut()
        .insert(ALLOW, HeaderValue::from_static("POST"));
    res
}

/// A path under `/api` that names no call: `/api/v1/`, another version, extra segments.
async fn unknown_path(req: HttpRequest) -> HttpResponse {
    error_response(&OscError::unknown_path(req.path()), &request_id(&req))
}

/// Who is calling: a signature (OSC4, or AWS4 as the Go SDK sends) or, where the call takes
/// it, a login and password; and the region a signature is scoped to.
fn authenticate(
    api: &OscApi,
    http: &SignedHttp,
    security: Security,
) -> Result<(Who, Option<String>), OscError> {
    let authorization = http.header("authorization").unwrap_or_default();
    let scheme = authorization.split_whitespace().next().unwrap_or_default();
    let (gate, flavour) = match scheme {
        "" => return Err(OscError::auth("The request carries no credentials.")),
        "OSC4-HMAC-SHA256" => (&api.osc4, Flavour::Osc4),
        "AWS4-HMAC-SHA256" => (&api.aws4, Flavour::Aws4),
        "Basic" => {
            return password(api, http, security, authorization).map(|p| (Who::Password(p), None));
        }
        _ => return Err(OscError::UnknownAuthType),
    };
    // The OSC API documents no session token, so its clients sign with long-term keys only;
    // keygate's own sign-in sessions (CreateUserSession's) carry theirs in
    // `X-Osc-Security-Token`. Other temporary credentials are the IAM and STS endpoints'.
    let temporary = authorization
        .split("Credential=")
        .nth(1)
        .is_some_and(|c| c.starts_with("ASIA"));
    if temporary && keygate_auth::session_token(http, flavour).is_none() {
        return Err(OscError::auth(
            "The OSC API takes long-term access keys only: temporary credentials (ASIA…) \
             are accepted only from keygate's sign-in (CreateUserSession), with their session \
             token in X-Osc-Security-Token.",
        ));
    }
    let done = gate
        .authenticate(http, &["api", "oapi"])
        .map_err(OscError::from_auth_failure)?;
    if done
        .principal
        .session
        .as_ref()
        .is_some_and(|s| s.kind != SessionKind::SignIn)
    {
        return Err(OscError::auth(
            "The OSC API takes long-term access keys only: GetSessionToken's and AssumeRole's \
             temporary credentials sign IAM and STS requests; only keygate's sign-in sessions \
             (CreateUserSession) sign OSC calls.",
        ));
    }
    Ok((Who::Signer(done.principal), Some(done.scope.region)))
}

/// Who a call authenticated as: a signer (with the key it signed with, and its session's facts
/// when it is a session's), or a login and password's account.
enum Who {
    Signer(Signer),
    Password(Principal),
}

impl Who {
    fn principal(&self) -> &Principal {
        match self {
            Who::Signer(s) => &s.principal,
            Who::Password(p) => p,
        }
    }
}

/// What policy conditions may read of the request.
fn request_info(http: &SignedHttp, region: Option<String>) -> RequestInfo {
    RequestInfo {
        source_ip: http.client,
        user_agent: http.header("user-agent").map(str::to_owned),
        region,
        secure_transport: http.secure,
        client_certificates: http.certificates.clone(),
    }
}

fn password(
    api: &OscApi,
    http: &SignedHttp,
    security: Security,
    authorization: &str,
) -> Result<Principal, OscError> {
    if security != Security::AccessKeyOrPassword {
        return Err(OscError::PasswordNotAccepted);
    }
    // The spec asks for X-Osc-Date with Basic; the Go SDK omits it, so only a present one is checked.
    if let Some(date) = http.header("x-osc-date") {
        let now = api.service.now().to_datetime();
        check_date_header("X-Osc-Date", date, now, api.settings.max_skew)
            .map_err(OscError::from_date_header)?;
    }
    let (login, password) =
        parse_basic(authorization).map_err(|e| OscError::auth(e.to_string()))?;
    let login = Email::parse(&login).map_err(|_| OscError::bad_login())?;
    api.service
        .verify_password(
            &login,
            password.expose(),
            Source::new(http.client),
            &http.certificates,
        )
        .map_err(OscError::from_core)
}

/// How far a call got: its name once known, whether it is being authenticated, and whether
/// its audit record is kept already.
#[derive(Debug, Default)]
struct Progress {
    call: Option<&'static str>,
    authenticating: bool,
    audited: bool,
}

fn audit_context(rid: &str, call: &'static str, http: &SignedHttp) -> AuditContext {
    AuditContext {
        request_id: rid.to_owned(),
        dialect: "osc",
        call,
        access_key_id: keygate_auth::claimed_key_id(http),
    }
}

/// Decodes, authenticates, runs and encodes one call, inside the request's span, which it
/// tells the call and the caller: on the worker for a signed read of a local store, otherwise
/// on the blocking pool.
fn process(
    api: &OscApi,
    name: &str,
    http: &SignedHttp,
    rid: &str,
    progress: &mut Progress,
) -> Result<Value, OscError> {
    let span = tracing::Span::current();
    if name == ops::user_sessions::CALL {
        span.record("action", name);
        progress.call = Some(ops::user_sessions::CALL);
        progress.authenticating = true;
        let made = ops::user_sessions::create(
            &api.service,
            &http.body,
            request_info(http, None),
            audit_context(rid, ops::user_sessions::CALL, http),
        );
        // A sign-in's session is kept with its record; a refused one is noted below.
        progress.audited = made.is_ok();
        return made;
    }
    let name = router::call_name(name)?;
    progress.call = Some(name.wire());
    span.record("action", name.wire());
    progress.authenticating = true;
    let (who, region) = authenticate(api, http, name.security())?;
    progress.authenticating = false;
    span.record("principal", who.principal().arn());
    let request = name.decode(&http.body)?;
    let caller = api
        .service
        .caller(who.principal(), &RULES)
        .dry_run(request.dry_run)
        .with_request(request_info(http, region));
    let caller = match &who {
        Who::Signer(s) => caller.signed_with(s.key.clone(), s.session.clone()),
        Who::Password(_) => caller,
    }
    .audited(audit_context(rid, name.wire(), http));
    let done = request
        .call
        .run(&caller)
        .map(|value| if request.dry_run { json!({}) } else { value });
    // A change left its record with it; the rest is noted as it was answered.
    if !caller.recorded()
        && let Some(ctx) = caller.audit_context()
    {
        let (status, code) = match &done {
            Ok(_) => (200, None),
            Err(e) => (e.status().as_u16(), Some(e.code())),
        };
        let now = api.service.now();
        api.service
            .note_call(caller.audit_record(ctx, now, status, code));
    }
    progress.audited = true;
    done
}

/// Whether the call only reads and is signed (a login and password are checked with a slow
/// hash, on the blocking pool).
fn only_reads(name: &str, http: &SignedHttp) -> bool {
    let signed = http
        .header("authorization")
        .and_then(|a| a.split_whitespace().next())
        .is_some_and(|scheme| matches!(scheme, "OSC4-HMAC-SHA256" | "AWS4-HMAC-SHA256"));
    signed && router::call_name(name).is_ok_and(|call| call.operation().only_reads())
}

async fn handle(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    api: web::Data<OscApi>,
) -> HttpResponse {
    let rid = request_id(&req);
    let http = match receive(&req, payload, api.settings.body, &api.settings.proxies).await {
        Ok(http) => http,
        Err(e) => return error_response(&OscError::from_body(e), &rid),
    };
    let name = path.into_inner();
    let inline = api.service.reads_are_local() && only_reads(&name, &http);
    let api2 = api.clone();
    let span = tracing::Span::current();
    let rid2 = rid.clone();
    let run = move || {
        span.in_scope(|| {
            let mut progress = Progress::default();
            let done = process(&api2, &name, &http, &rid2, &mut progress);
            if let (Err(e), false) = (&done, progress.audited) {
                let ctx = audit_context(&rid2, progress.call.unwrap_or("unknown"), &http);
                let record = ctx.record(
                    &request_info(&http, None),
                    api2.service.now(),
                    e.status().as_u16(),
                    Some(e.code()),
                );
                api2.service.note_call(record);
            }
            (progress, done)
        })
    };
    // A read the store answers from local memory and disk runs on this worker; everything
    // else (a change, a password's deliberately slow hash) goes to the blocking pool.
    let (progress, done) = if inline {
        run()
    } else {
        match web::block(run).await {
            Ok(answered) => answered,
            Err(e) => {
                tracing::error!(error = %e, "request worker failed");
                (Progress::default(), Err(OscError::Internal))
            }
        }
    };
    let mut label = CallLabel {
        dialect: "osc",
        action: progress.call.unwrap_or("unknown"),
        error: None,
        at_authentication: false,
    };
    let mut res = match done {
        Ok(value) => answer(actix_web::http::StatusCode::OK, value, &rid),
        Err(e) => {
            label.error = Some(e.code());
            label.at_authentication = progress.authenticating;
            error_response(&e, &rid)
        }
    };
    res.extensions_mut().insert(label);
    res
}
