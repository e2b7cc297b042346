//! keygate's cross-crate tests, one binary: the real server process end to end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod audit;
mod behaviour;
mod console;
mod deploy;
mod hardening;
mod iam;
mod iam_wire;
mod login_profiles;
mod metrics;
mod mfa;
mod osc;
mod policies;
mod properties;
mod replicas;
mod roles;
mod sdks;
mod server;
mod sessions;
mod stores;
mod tls;
