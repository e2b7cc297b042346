//! Prometheus metrics, served in the text format at `GET /metrics` on `server.metrics_listen`
//! (off unless set): requests by dialect, action and status, their latency, authentication
//! failures by the code answered, password checks refused (wrong, locked, throttled, busy), and
//! how long store transactions take.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use keygate_core::{CallLabel, CoreResult, ReadTx, Service, SignInCounts, Store, WriteTx};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// Every metric keygate exports, in its own registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    auth_failures: IntCounterVec,
    sign_in_refusals: IntCounterVec,
    /// The refusals already added to `sign_in_refusals`: the core counts, this exports.
    sign_in_seen: Mutex<SignInCounts>,
    store: HistogramVec,
}

impl Metrics {
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("keygate_requests_total", "Requests answered."),
            &["dialect", "action", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "keygate_request_duration_seconds",
                "Time from a request's arrival to its answer.",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["dialect", "action"],
        )?;
        let auth_failures = IntCounterVec::new(
            Opts::new(
                "keygate_authentication_failures_total",
                "Requests refused at authentication, by the error code answered.",
            ),
            &["dialect", "reason"],
        )?;
        let sign_in_refusals = IntCounterVec::new(
            Opts::new(
                "keygate_password_refusals_total",
                "Password checks refused: wrong, locked (lockout), throttled, busy.",
            ),
            &["reason"],
        )?;
        let store = HistogramVec::new(
            HistogramOpts::new(
                "keygate_store_transaction_seconds",
                "Time a store transaction takes, from its start to its commit or rollback.",
            )
            .buckets(vec![
                0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5,
            ]),
            &["kind"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(auth_failures.clone()))?;
        registry.register(Box::new(sign_in_refusals.clone()))?;
        registry.register(Box::new(store.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            auth_failures,
            sign_in_refusals,
            sign_in_seen: Mutex::new(SignInCounts::default()),
            store,
        })
    }

    /// Counts one answered request; `label` is what its front end said of it (none for the
    /// server's own paths).
    fn observe(&self, label: Option<CallLabel>, status: u16, took: Duration) {
        let (dialect, action) = label.map_or(("server", "none"), |l| (l.dialect, l.action));
        self.requests
            .with_label_values(&[dialect, action, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[dialect, action])
            .observe(took.as_secs_f64());
        if let Some(l) = label.filter(|l| l.at_authentication)
            && let Some(code) = l.error
        {
            self.auth_failures
                .with_label_values(&[l.dialect, code])
                .inc();
        }
    }

    /// The text format of every metric, the core's password counts brought up to date first.
    pub fn render(&self, service: &Service) -> String {
        let now = service.sign_in_counts();
        {
            let mut seen = self.sign_in_seen.lock().unwrap_or_else(|e| e.into_inner());
            for (reason, n, before) in [
                ("wrong", now.wrong, seen.wrong),
                ("locked", now.locked, seen.locked),
                ("throttled", now.throttled, seen.throttled),
                ("busy", now.busy, seen.busy),
            ] {
                self.sign_in_refusals
                    .with_label_values(&[reason])
                    .inc_by(n.saturating_sub(before));
            }
            *seen = now;
        }
        let mut out = Vec::new();
        // Encoding into memory fails only for metric families the registry cannot hold.
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "cannot encode the metrics");
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// Counts every request the main listener answers, by its front end's label.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let metrics = req.app_data::<web::Data<Arc<Metrics>>>().cloned();
    let started = Instant::now();
    let res = next.call(req).await?;
    if let Some(m) = metrics {
        let label = res.response().extensions().get::<CallLabel>().copied();
        m.observe(label, res.status().as_u16(), started.elapsed());
    }
    Ok(res)
}

/// `GET /metrics` on the metrics listener.
pub async fn scrape(
    metrics: web::Data<Arc<Metrics>>,
    state: web::Data<crate::http::AppState>,
) -> HttpResponse {
    let body = metrics.render(&state.service);
    HttpResponse::Ok()
        .content_type(prometheus::TEXT_FORMAT)
        .body(body)
}

/// A store whose transactions are timed into the metrics.
pub struct TimedStore {
    pub inner: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
}

impl std::fmt::Debug for TimedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimedStore").finish_non_exhaustive()
    }
}

impl TimedStore {
    fn timed<T>(&self, kind: &str, f: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let out = f();
        self.metrics
            .store
            .with_label_values(&[kind])
            .observe(started.elapsed().as_secs_f64());
        out
    }
}

impl Store for TimedStore {
    fn read_tx(&self, f: &mut dyn FnMut(&dyn ReadTx) -> CoreResult<()>) -> CoreResult<()> {
        self.timed("read", || self.inner.read_tx(f))
    }

    fn write_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        self.timed("write", || self.inner.write_tx(f))
    }

    fn rehearse_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        self.timed("rehearse", || self.inner.rehearse_tx(f))
    }

    fn reads_are_local(&self) -> bool {
        self.inner.reads_are_local()
    }

    fn generation(&self) -> Option<u64> {
        self.inner.generation()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_failures_are_counted_by_their_labels() {
        let m = Metrics::new().unwrap();
        let ok = CallLabel {
            dialect: "iam",
            action: "ListUsers",
            error: None,
            at_authentication: false,
        };
        m.observe(Some(ok), 200, Duration::from_millis(3));
        let refused = CallLabel {
            error: Some("SignatureDoesNotMatch"),
            at_authentication: true,
            ..ok
        };
        m.observe(Some(refused), 403, Duration::from_millis(1));
        m.observe(None, 200, Duration::from_millis(1));
        assert_eq!(
            m.requests
                .with_label_values(&["iam", "ListUsers", "200"])
                .get(),
            1
        );
        assert_eq!(
            m.auth_failures
                .with_label_values(&["iam", "SignatureDoesNotMatch"])
                .get(),
            1
        );
        assert_eq!(
            m.requests
                .with_label_values(&["server", "none", "200"])
                .get(),
            1
        );
    }
}
