//! keygate's SQLite store: the shared statements (`keygate-store-sql`) on rusqlite behind an
//! r2d2 pool, with SQLite's schema and migrations. WAL, foreign keys, a busy timeout,
//! `BEGIN IMMEDIATE` write transactions and durable commits. No rusqlite type leaves this crate.

mod conn;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use keygate_core::{CoreResult, ReadTx, Store, WriteTx};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::TransactionBehavior;
use rusqlite_migration::{M, Migrations};

use keygate_store_sql::{SqlTx, storage};

use crate::conn::SqliteTx;

pub use keygate_store_sql::{KeyError, SealKey};

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("migrations/001_initial.sql")),
        M::up(include_str!("migrations/002_user_tags.sql")),
        M::up(include_str!("migrations/003_key_tag.sql")),
        M::up(include_str!("migrations/004_groups.sql")),
        M::up(include_str!("migrations/005_managed_policies.sql")),
        M::up(include_str!("migrations/006_sessions.sql")),
        M::up(include_str!("migrations/007_mfa_devices.sql")),
        M::up(include_str!("migrations/008_login_profiles.sql")),
        M::up(include_str!("migrations/009_roles.sql")),
        M::up(include_str!("migrations/010_sign_in_sessions.sql")),
        M::up(include_str!("migrations/011_api_access.sql")),
        M::up(include_str!("migrations/012_audit.sql")),
        M::up(include_str!("migrations/013_cas.sql")),
        M::up(include_str!("migrations/014_sign_in_failures.sql")),
    ])
});

/// Where the database lives.
#[derive(Debug, Clone)]
pub enum Location {
    File(PathBuf),
    /// A private in-memory database, gone when the store is dropped.
    Memory,
}

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: a commit survives power loss.
    Full,
    /// `synchronous=NORMAL`: in WAL mode, a commit may be lost on power loss, never corrupted.
    Normal,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub location: Location,
    pub durability: Durability,
    pub busy_timeout: Duration,
    pub pool_size: u32,
}

impl Options {
    pub fn new(location: Location) -> Self {
        Self {
            location,
            durability: Durability::Full,
            busy_timeout: Duration::from_secs(5),
            pool_size: 8,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open the database: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("cannot open the database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot migrate the database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
}

pub struct SqliteStore {
    pool: r2d2::Pool<SqliteConnectionManager>,
    seal: SealKey,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("pool", &self.pool.state())
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if need be) and migrates the database.
    pub fn open(options: &Options, seal: SealKey) -> Result<Self, OpenError> {
        let busy_ms = options.busy_timeout.as_millis();
        let sync = match options.durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        let init = format!(
            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {busy_ms}; PRAGMA synchronous = {sync};"
        );
        let (manager, builder) = match &options.location {
            Location::File(path) => (
                SqliteConnectionManager::file(path),
                r2d2::Pool::builder().max_size(options.pool_size.max(1)),
            ),
            // One connection: each in-memory connection would otherwise be its own database.
            Location::Memory => (
                SqliteConnectionManager::memory(),
                r2d2::Pool::builder()
                    .max_size(1)
                    .min_idle(Some(1))
                    .idle_timeout(None)
                    .max_lifetime(None),
            ),
        };
        let manager = manager.with_init(move |c| c.execute_batch(&init));
        let pool = builder.build(manager)?;
        {
            let mut conn = pool.get()?;
            if matches!(options.location, Location::File(_)) {
                conn.pragma_update(None, "journal_mode", "WAL")?;
            }
            MIGRATIONS.to_latest(&mut conn)?;
        }
        Ok(Self { pool, seal })
    }

    /// Opens the database file at `path` with default options.
    pub fn open_file(path: &Path, seal: SealKey) -> Result<Self, OpenError> {
        Self::open(&Options::new(Location::File(path.to_owned())), seal)
    }

    pub fn open_memory(seal: SealKey) -> Result<Self, OpenError> {
        Self::open(&Options::new(Location::Memory), seal)
    }

    fn run(
        &self,
        behavior: TransactionBehavior,
        commit: bool,
        f: &mut dyn FnMut(&SqlTx<'_>) -> CoreResult<()>,
    ) -> CoreResult<()> {
        let mut conn = self.pool.get().map_err(storage)?;
        let tx = conn.transaction_with_behavior(behavior).map_err(storage)?;
        f(&SqlTx::new(&SqliteTx(&tx), &self.seal))?;
        if commit {
            tx.commit().map_err(storage)?;
        }
        Ok(())
    }
}

impl Store for SqliteStore {
    fn read_tx(&self, f: &mut dyn FnMut(&dyn ReadTx) -> CoreResult<()>) -> CoreResult<()> {
        self.run(TransactionBehavior::Deferred, false, &mut |tx| f(tx))
    }

    fn write_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        self.run(TransactionBehavior::Immediate, true, &mut |tx| f(tx))
    }

    fn rehearse_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        self.run(TransactionBehavior::Immediate, false, &mut |tx| f(tx))
    }
}

#[cfg(test)]
mod tests;
