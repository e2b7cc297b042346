//! keygate's web console, served at `/console/`: a single page that is a pure client of the
//! public OSC API (TypeScript under `web/`, built by `build.rs` and embedded here). It holds
//! secrets in memory only; the Content-Security-Policy allows nothing but this origin.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, guard, web};

const INDEX: &str = include_str!(concat!(env!("OUT_DIR"), "/index.html"));
const APP_JS: &str = include_str!(concat!(env!("OUT_DIR"), "/app.js"));
const APP_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/app.css"));
const FAVICON: &str = include_str!(concat!(env!("OUT_DIR"), "/favicon.svg"));

/// Only this origin's own script, style and API; no inline code, no frames, no forms posting
/// anywhere.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                       img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .body(body)
}

async fn index() -> HttpResponse {
    asset("text/html; charset=utf-8", INDEX)
}

async fn script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", APP_JS)
}

async fn style() -> HttpResponse {
    asset("text/css; charset=utf-8", APP_CSS)
}

async fn icon() -> HttpResponse {
    asset("image/svg+xml", FAVICON)
}

async fn to_slash() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/console/"))
        .finish()
}

/// HEAD answers as GET does, without the body (actix leaves the body out).
fn get_or_head() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// Registers `/console/` and its assets.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/console", get_or_head().to(to_slash)).service(
        web::scope("/console")
            .route("/", get_or_head().to(index))
            .route("/index.html", get_or_head().to(index))
            .route("/app.js", get_or_head().to(script))
            .route("/app.css", get_or_head().to(style))
            .route("/favicon.svg", get_or_head().to(icon)),
    );
}
