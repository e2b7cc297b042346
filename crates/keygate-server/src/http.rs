//! The HTTP listener: one actix-web app for every front end, with the request-id middleware,
//! a body limit, `/healthz`, and graceful shutdown on SIGTERM/SIGINT.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use actix_web::middleware::{NormalizePath, TrailingSlash, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use keygate_core::Service;
use keygate_osc::OscSettings;

use crate::keys::ServiceKeys;
use crate::settings::Settings;
use crate::telemetry;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub service: Arc<Service>,
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(r#"{"status":"ok"}"#)
}

/// Registers every route. Shared by the server and by in-process tests.
pub fn configure(
    state: AppState,
    max_body: usize,
    osc: OscSettings,
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let service = state.service.clone();
        let keys: keygate_iam::Keys = Arc::new(ServiceKeys(service.clone()));
        cfg.app_data(web::Data::new(state))
            .app_data(web::PayloadConfig::new(max_body))
            .route("/healthz", web::get().to(healthz))
            .configure(keygate_iam::configure(
                service.clone(),
                keys.clone(),
                max_body,
            ))
            .configure(keygate_osc::configure(service, keys, osc))
            .configure(keygate_console::configure);
    }
}

/// Writes noted key uses every `every` until `stop` is set.
fn spawn_use_flusher(
    service: Arc<Service>,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> std::io::Result<thread::JoinHandle<()>> {
    thread::Builder::new()
        .name("last-use-flush".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                thread::park_timeout(every);
                if let Err(e) = service.flush_key_uses() {
                    tracing::warn!(
                        error = %keygate_core::error::chain(&e),
                        "cannot record key uses yet; will retry"
                    );
                }
            }
        })
}

/// Serves until SIGTERM or SIGINT, then lets in-flight requests finish and records the last
/// key uses before returning.
pub async fn serve(service: Arc<Service>, settings: &Settings) -> anyhow::Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let flusher = spawn_use_flusher(
        service.clone(),
        Duration::from_millis(settings.storage.last_use_flush_ms),
        stop.clone(),
    )?;
    let state = AppState {
        service: service.clone(),
    };
    let max_body = settings.server.max_body_bytes;
    let osc = OscSettings {
        max_body,
        max_skew: time::Duration::seconds(
            i64::try_from(settings.osc.max_clock_skew_secs).unwrap_or(i64::MAX),
        ),
        cors_origins: settings.osc.cors_allowed_origins.clone(),
    };
    let mut server = HttpServer::new(move || {
        App::new()
            // osc-cli asks for `//api/latest/<Call>`; signatures cover the merged path anyway.
            .wrap(NormalizePath::new(TrailingSlash::MergeOnly))
            .wrap(from_fn(telemetry::request_id))
            .configure(configure(state.clone(), max_body, osc.clone()))
    })
    .shutdown_timeout(settings.server.shutdown_timeout_secs)
    .client_request_timeout(Duration::from_secs(30))
    .bind(settings.server.listen)
    .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.server.listen))?;
    if settings.server.workers > 0 {
        server = server.workers(settings.server.workers);
    }
    for addr in server.addrs() {
        tracing::info!(%addr, "keygate is listening");
    }
    let served = server.run().await;
    stop.store(true, Ordering::Relaxed);
    flusher.thread().unpark();
    let _ = flusher.join();
    service.flush_key_uses()?;
    served?;
    tracing::info!("keygate stopped");
    Ok(())
}
