//! keygate on PostgreSQL for the load: a fresh database on the cluster given for each set-up,
//! and the environment that puts every replica on it with one at-rest key, as a deployment
//! gives them one.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use base64::Engine;

#[derive(Debug)]
pub struct Cluster {
    /// Connection settings without a database name.
    settings: String,
    ca: Option<PathBuf>,
}

impl Cluster {
    pub fn new(settings: String, ca: Option<PathBuf>) -> Self {
        Self { settings, ca }
    }

    /// Makes a new database, and answers the environment of a keygate replica on it.
    pub fn database_env(&self) -> anyhow::Result<Vec<(&'static str, String)>> {
        static MADE: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "keygate_bench_{}_{}",
            std::process::id(),
            MADE.fetch_add(1, Ordering::SeqCst)
        );
        let admin = format!("{} dbname=postgres", self.settings);
        postgres::Client::connect(&admin, postgres::NoTls)
            .and_then(|mut c| c.batch_execute(&format!("CREATE DATABASE {name}")))
            .with_context(|| format!("making the database {name}"))?;
        let key: [u8; 32] = rand::random();
        let mut env = vec![
            ("KEYGATE__STORAGE__BACKEND", "postgres".to_owned()),
            (
                "KEYGATE__STORAGE__POSTGRES_URL",
                format!("{} dbname={name}", self.settings),
            ),
            (
                "KEYGATE__STORAGE__AT_REST_KEY",
                base64::engine::general_purpose::STANDARD.encode(key),
            ),
        ];
        if let Some(ca) = &self.ca {
            env.push((
                "KEYGATE__STORAGE__POSTGRES_CA_FILE",
                ca.display().to_string(),
            ));
        }
        Ok(env)
    }
}
