//! The HTTP listener: one actix-web app for every front end, with the request-id middleware,
//! body limits, `/healthz`, the console redirect for browsers, and graceful shutdown on SIGTERM
//! or SIGINT.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use actix_web::guard::{self, GuardContext};
use actix_web::http::header::{ACCEPT, ALLOW, LOCATION};
use actix_web::middleware::{NormalizePath, TrailingSlash, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use keygate_auth::BodyLimits;
use keygate_core::Service;
use keygate_osc::OscSettings;

use crate::keys::ServiceKeys;
use crate::metrics::Metrics;
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

/// Ready when the store answers: a replica whose database is away is taken out of rotation,
/// while `/healthz` keeps saying the process lives.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let service = state.service.clone();
    match web::block(move || service.probe_store()).await {
        Ok(Ok(())) => HttpResponse::Ok()
            .content_type("application/json")
            .body(r#"{"status":"ready"}"#),
        _ => HttpResponse::ServiceUnavailable()
            .content_type("application/json")
            .body(r#"{"status":"the store does not answer"}"#),
    }
}

async fn healthz_method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((ALLOW, "GET, HEAD"))
        .content_type("application/json")
        .body(r#"{"error":"method not allowed: use GET or HEAD"}"#)
}

/// A browser opening the root (no query, HTML wanted) means the console.
fn browser_at_root(ctx: &GuardContext<'_>) -> bool {
    let head = ctx.head();
    head.uri.query().is_none()
        && head
            .headers
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
}

async fn to_console() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((LOCATION, "/console/"))
        .finish()
}

/// `GET` or `HEAD`: HEAD answers as GET does, without the body.
fn get_or_head() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// Registers every route. Shared by the server and by in-process tests.
pub fn configure(
    state: AppState,
    body: BodyLimits,
    osc: OscSettings,
) -> impl FnOnce(&mut web::ServiceConfig) {
    let proxies = osc.proxies.clone();
    move |cfg: &mut web::ServiceConfig| {
        let service = state.service.clone();
        let keys: keygate_iam::Keys = Arc::new(ServiceKeys(service.clone()));
        cfg.app_data(web::Data::new(state))
            .route("/healthz", get_or_head().to(healthz))
            .route("/healthz", web::route().to(healthz_method_not_allowed))
            .route("/readyz", get_or_head().to(readyz))
            .route("/readyz", web::route().to(healthz_method_not_allowed))
            .route(
                "/",
                web::get()
                    .guard(guard::fn_guard(browser_at_root))
                    .to(to_console),
            )
            .configure(keygate_osc::configure(service.clone(), keys.clone(), osc))
            .configure(keygate_console::configure)
            // Last: every other path is the IAM endpoint's, which routes on `Action`.
            .configure(keygate_iam::configure(service, keys, body, proxies));
    }
}

/// Takes the listening socket before anything else, so that a busy port fails the start
/// before the store is opened or an account bootstrapped.
pub fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let listen = || -> std::io::Result<TcpListener> {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
        socket.set_reuse_address(true)?;
        socket.bind(&addr.into())?;
        socket.listen(1024)?;
        Ok(socket.into())
    };
    listen().map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))
}

/// Writes noted key uses and audit records every `every` until `stop` is set, and prunes audit
/// records older than `retention_days` every hour.
fn spawn_use_flusher(
    service: Arc<Service>,
    every: Duration,
    retention_days: u32,
    stop: Arc<AtomicBool>,
) -> std::io::Result<thread::JoinHandle<()>> {
    thread::Builder::new()
        .name("last-use-flush".into())
        .spawn(move || {
            let mut pruned: Option<std::time::Instant> = None;
            while !stop.load(Ordering::Relaxed) {
                thread::park_timeout(every);
                if let Err(e) = service.flush_key_uses() {
                    tracing::warn!(
                        error = %keygate_core::error::chain(&e),
                        "cannot record key uses yet; will retry"
                    );
                }
                if let Err(e) = service.flush_audit() {
                    tracing::warn!(
                        error = %keygate_core::error::chain(&e),
                        "cannot write audit records yet; will retry"
                    );
                }
                if pruned.is_none_or(|p| p.elapsed() >= Duration::from_secs(3600)) {
                    pruned = Some(std::time::Instant::now());
                    if let Err(e) = service.prune_audit(retention_days) {
                        tracing::warn!(
                            error = %keygate_core::error::chain(&e),
                            "cannot prune the audit trail; will retry"
                        );
                    }
                }
            }
        })
}

/// Resolves at the first SIGTERM or SIGINT (Ctrl-C); both mean a graceful stop. Each SIGHUP
/// before reads the TLS certificate again, when there is one.
async fn stop_signal(
    certs: Option<Arc<crate::tls::Certificates>>,
) -> std::io::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    loop {
        tokio::select! {
            _ = term.recv() => return Ok("SIGTERM"),
            _ = int.recv() => return Ok("SIGINT"),
            _ = hup.recv() => match &certs {
                Some(c) => c.reload(),
                None => tracing::info!("SIGHUP: no TLS certificate to read again"),
            },
        }
    }
}

/// The listener's certificates, when TLS is set: both files or neither.
fn tls_certificates(settings: &Settings) -> anyhow::Result<Option<Arc<crate::tls::Certificates>>> {
    let (cert, key) = (
        &settings.server.tls_cert_file,
        &settings.server.tls_key_file,
    );
    match (cert.as_os_str().is_empty(), key.as_os_str().is_empty()) {
        (true, true) => Ok(None),
        (false, false) => {
            let dir = &settings.storage.data_dir;
            Ok(Some(crate::tls::Certificates::open(
                &dir.join(cert),
                &dir.join(key),
            )?))
        }
        _ => anyhow::bail!(
            "server.tls_cert_file and server.tls_key_file go together: set both or neither"
        ),
    }
}

/// Serves on `listener` until SIGTERM or SIGINT, then lets in-flight requests finish and
/// records the last key uses before returning.
pub async fn serve(
    service: Arc<Service>,
    settings: &Settings,
    listener: TcpListener,
    metrics: Arc<Metrics>,
    metrics_listener: Option<TcpListener>,
) -> anyhow::Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    // Its own stop: its last pass comes after the last records are written.
    let log_stop = Arc::new(AtomicBool::new(false));
    let log_file = if settings.audit.log_file.as_os_str().is_empty() {
        None
    } else {
        Some(crate::audit_log::spawn_log_file(
            service.clone(),
            settings.storage.data_dir.join(&settings.audit.log_file),
            Duration::from_millis(settings.storage.last_use_flush_ms),
            log_stop.clone(),
        )?)
    };
    let flusher = spawn_use_flusher(
        service.clone(),
        Duration::from_millis(settings.storage.last_use_flush_ms),
        settings.audit.retention_days,
        stop.clone(),
    )?;
    let state = AppState {
        service: service.clone(),
    };
    let body = settings.body_limits();
    let osc = OscSettings {
        body,
        proxies: settings.trusted_proxies(),
        max_skew: time::Duration::seconds(
            i64::try_from(settings.osc.max_clock_skew_secs).unwrap_or(i64::MAX),
        ),
        cors_origins: settings.osc.cors_allowed_origins.clone(),
    };
    let certs = tls_certificates(settings)?;
    let scrape_state = state.clone();
    let scraped = metrics.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(metrics.clone()))
            // osc-cli asks for `//api/latest/<Call>`; signatures cover the merged path anyway.
            .wrap(NormalizePath::new(TrailingSlash::MergeOnly))
            .wrap(from_fn(crate::metrics::record))
            .wrap(from_fn(telemetry::request_id))
            .configure(configure(state.clone(), body, osc.clone()))
    })
    .on_connect(crate::tls::keep_client_certificates)
    .shutdown_timeout(settings.server.shutdown_timeout_secs)
    .client_request_timeout(body.timeout)
    // actix would force the stop on SIGINT; `stop_signal` makes both signals graceful.
    .disable_signals();
    let mut server = match &certs {
        Some(c) => server.listen_rustls_0_23(listener, crate::tls::server_config(c.clone())?)?,
        None => server.listen(listener)?,
    };
    if settings.server.workers > 0 {
        server = server.workers(settings.server.workers);
    }
    for addr in server.addrs() {
        tracing::info!(%addr, "keygate is listening");
    }
    let running = server.run();
    let handle = running.handle();
    let scraping = match metrics_listener {
        Some(l) => {
            let s = HttpServer::new(move || {
                App::new()
                    .app_data(web::Data::new(scraped.clone()))
                    .app_data(web::Data::new(scrape_state.clone()))
                    .route("/metrics", get_or_head().to(crate::metrics::scrape))
            })
            .workers(1)
            .disable_signals()
            .listen(l)?;
            for addr in s.addrs() {
                tracing::info!(%addr, "metrics are served at /metrics");
            }
            Some(s.run())
        }
        None => None,
    };
    let scrape_handle = scraping.as_ref().map(actix_web::dev::Server::handle);
    actix_web::rt::spawn(async move {
        match stop_signal(certs).await {
            Ok(name) => tracing::info!(signal = name, "stopping: finishing requests in flight"),
            Err(e) => tracing::error!(error = %e, "cannot watch for stop signals; stopping"),
        }
        if let Some(h) = scrape_handle {
            h.stop(true).await;
        }
        handle.stop(true).await;
    });
    if let Some(s) = scraping {
        actix_web::rt::spawn(s);
    }
    let served = running.await;
    stop.store(true, Ordering::Relaxed);
    flusher.thread().unpark();
    let _ = flusher.join();
    // The store blocks: its last writes go on the blocking pool, as requests' do.
    let last = service.clone();
    actix_web::web::block(move || -> keygate_core::CoreResult<()> {
        last.flush_key_uses()?;
        last.flush_audit().map(drop)
    })
    .await??;
    // The log file's last pass runs once every record is written.
    log_stop.store(true, Ordering::Relaxed);
    if let Some(writer) = log_file {
        writer.thread().unpark();
        let _ = writer.join();
    }
    served?;
    tracing::info!("keygate stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_is_refused_with_its_address() {
        let first = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = first.local_addr().unwrap();
        let e = bind(addr).unwrap_err().to_string();
        assert!(e.contains(&addr.to_string()), "{e}");
    }
}
