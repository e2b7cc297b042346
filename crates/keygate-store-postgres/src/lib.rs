//! keygate's PostgreSQL store: the shared statements (`keygate-store-sql`) on the postgres
//! crate behind an r2d2 pool (the same pool the SQLite store uses, and a synchronous client, as
//! the core's store contract is synchronous; `pool` has why the pool's connections are ours). Write transactions are
//! SERIALIZABLE, so every check a write makes still holds when it commits on any replica; one
//! the engine refuses for a conflict with another is run again, a bounded number of times, then
//! answered as a concurrent modification. Reads are REPEATABLE READ snapshots. The schema is
//! migrated on open under an advisory lock (`migrate`). Every write notifies the other replicas
//! at its commit (`changes`). No postgres type leaves this crate.

mod changes;
mod conn;
mod migrate;
mod pool;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use keygate_core::{CoreError, CoreResult, ReadTx, Store, WriteTx};
use keygate_store_sql::sql::Conn;
use keygate_store_sql::{SqlTx, storage};
use postgres::IsolationLevel;
use postgres::error::SqlState;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::changes::{Changes, NOTIFY};
use crate::conn::{PgTx, failure, is_conflict};

pub use keygate_store_sql::{KeyError, SealKey};
pub use migrate::SCHEMA_VERSION;

/// How often a transaction the engine refused for a conflict is tried in all.
const ATTEMPTS: u32 = 8;

/// Where the database is and how to talk to it.
#[derive(Clone)]
pub struct Options {
    /// A libpq-style URL or key=value string; its `sslmode` says whether TLS is used.
    pub url: String,
    /// The CA certificates (PEM) the server's certificate must chain to, in place of the
    /// system's root certificates.
    pub ca_file: Option<PathBuf>,
    pub pool_size: u32,
    /// The longest a statement may run before the server cancels it.
    pub statement_timeout: Duration,
    pub connect_timeout: Duration,
}

/// The URL may hold a password: it is never shown.
impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("ca_file", &self.ca_file)
            .field("pool_size", &self.pool_size)
            .field("statement_timeout", &self.statement_timeout)
            .finish_non_exhaustive()
    }
}

impl Options {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ca_file: None,
            pool_size: 8,
            statement_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the PostgreSQL connection settings are not valid: {0}")]
    Config(#[source] postgres::Error),
    #[error("cannot reach the PostgreSQL database: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("cannot reach the PostgreSQL database: {0}")]
    Connect(#[source] postgres::Error),
    #[error("cannot migrate the database schema: {0}")]
    Migration(#[source] postgres::Error),
    #[error(
        "the database's schema is at version {found}, newer than this keygate knows ({known}): \
         upgrade keygate"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("cannot load the system's root certificates for TLS to PostgreSQL")]
    Roots,
    #[error("cannot read CA certificates from {}: {reason}", path.display())]
    CaFile { path: PathBuf, reason: String },
}

type Pool = r2d2::Pool<pool::Manager>;

/// TLS when the URL's `sslmode` asks for it, with the system's root certificates.
type Tls = MakeRustlsConnect;

pub struct PostgresStore {
    pool: Pool,
    /// How the store tells that a change was committed, on this replica or another.
    changes: Changes,
    seal: SealKey,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("pool", &self.pool.state())
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Read,
    Write,
    Rehearse,
}

impl PostgresStore {
    /// Connects, and migrates the schema to this keygate's version.
    pub fn open(options: &Options, seal: SealKey) -> Result<Self, OpenError> {
        let (config, tls) = connection(options)?;
        let changes = Changes::listen(config.clone(), tls.clone());
        let manager = pool::Manager { config, tls };
        // A call waits for a connection no longer than one takes to make: with the database
        // away, calls fail (and /readyz says so) rather than queue.
        let pool = r2d2::Pool::builder()
            .max_size(options.pool_size.max(1))
            .test_on_check_out(false)
            .connection_timeout(options.connect_timeout)
            .build(manager)?;
        migrate::to_latest(&mut *pool.get()?)?;
        Ok(Self {
            pool,
            changes,
            seal,
        })
    }

    /// The version of the keygate schema the database holds, if it holds one; changes nothing.
    pub fn schema_version(options: &Options) -> Result<Option<i64>, OpenError> {
        let (config, tls) = connection(options)?;
        let mut client = config.connect(tls).map_err(OpenError::Connect)?;
        migrate::version(&mut client)
    }

    fn run(&self, mode: Mode, f: &mut dyn FnMut(&SqlTx<'_>) -> CoreResult<()>) -> CoreResult<()> {
        let seal = &self.seal;
        self.run_conn(mode, &mut |conn| f(&SqlTx::new(conn, seal)))
    }

    /// Runs `f` on the tables as stored, in one write transaction, to fill an empty store with
    /// another's rows; afterwards the audit trail's numbering goes on from the last record.
    pub fn import(&self, f: &mut dyn FnMut(&dyn Conn) -> CoreResult<()>) -> CoreResult<()> {
        self.run_conn(Mode::Write, &mut |conn| {
            f(conn)?;
            conn.query(
                "SELECT setval(pg_get_serial_sequence('audit_records', 'seq'), \
                 coalesce(max(seq), 0) + 1, false) FROM audit_records",
                &[],
            )
            .map(drop)
        })
    }

    fn run_conn(
        &self,
        mode: Mode,
        f: &mut dyn FnMut(&dyn Conn) -> CoreResult<()>,
    ) -> CoreResult<()> {
        for attempt in 1..=ATTEMPTS {
            let mut client = self.pool.get().map_err(storage)?;
            let (client, statements) = client.parts();
            let begun = client
                .build_transaction()
                .isolation_level(match mode {
                    Mode::Read => IsolationLevel::RepeatableRead,
                    Mode::Write | Mode::Rehearse => IsolationLevel::Serializable,
                })
                .read_only(mode == Mode::Read)
                .start();
            // A pooled connection is not probed before use: one the server closed meanwhile
            // fails here, before anything ran, and the transaction runs on another.
            let mut tx = match begun {
                Ok(tx) => tx,
                Err(e) if is_gone(&e) && attempt < ATTEMPTS => continue,
                Err(e) => return Err(storage(e)),
            };
            let conn = PgTx::new(&mut tx, statements);
            let done = f(&conn).and_then(|()| match mode {
                Mode::Write => conn.execute(NOTIFY, &[]).map(drop),
                Mode::Read | Mode::Rehearse => Ok(()),
            });
            let conflicted = conn.conflicted();
            match done {
                Err(e) if !conflicted => return Err(e),
                Err(_) => {}
                Ok(()) if mode == Mode::Write => match tx.commit() {
                    Ok(()) => {
                        self.changes.committed();
                        return Ok(());
                    }
                    Err(e) if is_conflict(&e) => {}
                    Err(e) => return Err(failure(e, "COMMIT")),
                },
                Ok(()) => return tx.rollback().map_err(storage),
            }
            if attempt < ATTEMPTS {
                tracing::debug!(attempt, "transaction conflicted with another: run again");
                std::thread::sleep(backoff(attempt));
            }
        }
        Err(CoreError::ConcurrentModification)
    }
}

/// A connection the server has closed, or is closing (its administrator ended it, or it shut
/// down or restarted).
fn is_gone(e: &postgres::Error) -> bool {
    e.is_closed()
        || e.code().is_some_and(|c| {
            *c == SqlState::ADMIN_SHUTDOWN
                || *c == SqlState::CRASH_SHUTDOWN
                || c.code().starts_with("08")
        })
}

/// The connection settings from `options`, and TLS for when they ask for it.
fn connection(options: &Options) -> Result<(postgres::Config, Tls), OpenError> {
    let mut config: postgres::Config = options.url.parse().map_err(OpenError::Config)?;
    config.connect_timeout(options.connect_timeout);
    config.options(&format!(
        "-c statement_timeout={}",
        options.statement_timeout.as_millis()
    ));
    let tls = match &options.ca_file {
        Some(path) => MakeRustlsConnect::new(ca_config(path)?),
        None => {
            MakeRustlsConnect::with_native_certs()
                .map_err(|_| OpenError::Roots)?
                .0
        }
    };
    Ok((config, tls))
}

/// TLS that trusts only the CA certificates in `path`.
fn ca_config(path: &Path) -> Result<rustls::ClientConfig, OpenError> {
    let failed = |reason: String| OpenError::CaFile {
        path: path.to_owned(),
        reason,
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| failed(e.to_string()))? {
        roots
            .add(cert.map_err(|e| failed(e.to_string()))?)
            .map_err(|e| failed(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(failed("it holds no certificate".into()));
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(e.to_string()))
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

/// A short, growing, jittered pause before the next attempt, so that the transactions that
/// conflicted do not meet again.
fn backoff(attempt: u32) -> Duration {
    let base = 2u64.saturating_pow(attempt.min(6));
    Duration::from_millis(base + rand::random_range(0..=base))
}

impl Store for PostgresStore {
    fn generation(&self) -> Option<u64> {
        self.changes.generation()
    }

    fn read_tx(&self, f: &mut dyn FnMut(&dyn ReadTx) -> CoreResult<()>) -> CoreResult<()> {
        self.run(Mode::Read, &mut |tx| f(tx))
    }

    fn write_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        self.run(Mode::Write, &mut |tx| f(tx))
    }

    fn rehearse_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        self.run(Mode::Rehearse, &mut |tx| f(tx))
    }
}

#[cfg(test)]
mod tests;
