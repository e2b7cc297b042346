//! The `keygate` binary's pieces: settings, logging, storage wiring, the HTTP listener and the
//! operator commands. `main.rs` only parses the command line and dispatches here.

pub mod admin;
pub mod audit_log;
pub mod credentials;
pub mod healthcheck;
pub mod http;
pub mod keys;
pub mod metrics;
pub mod runtime;
pub mod settings;
pub mod store_admin;
pub mod telemetry;
pub mod tls;
