//! keygate's SQLite store: the shared statements (`keygate-store-sql`) on rusqlite behind an
//! r2d2 pool, with SQLite's schema and migrations. WAL, foreign keys, a busy timeout,
//! `BEGIN IMMEDIATE` write transactions committed in groups (`group`), and durable commits. No
//! rusqlite type leaves this crate.

mod conn;
mod group;

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use keygate_core::{CoreResult, ReadTx, Store, WriteTx};
use keygate_store_sql::sql::Conn;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::backup;
use rusqlite_migration::{M, Migrations};

use keygate_store_sql::{SqlTx, storage};

use crate::conn::SqliteTx;
use crate::group::{Finish, Writers};

pub use keygate_store_sql::{KeyError, SealKey};

/// The schema's steps, in order; a database's `user_version` counts those it has taken.
const MIGRATION_SQL: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_user_tags.sql"),
    include_str!("migrations/003_key_tag.sql"),
    include_str!("migrations/004_groups.sql"),
    include_str!("migrations/005_managed_policies.sql"),
    include_str!("migrations/006_sessions.sql"),
    include_str!("migrations/007_mfa_devices.sql"),
    include_str!("migrations/008_login_profiles.sql"),
    include_str!("migrations/009_roles.sql"),
    include_str!("migrations/010_sign_in_sessions.sql"),
    include_str!("migrations/011_api_access.sql"),
    include_str!("migrations/012_audit.sql"),
    include_str!("migrations/013_cas.sql"),
    include_str!("migrations/014_sign_in_failures.sql"),
];

static MIGRATIONS: LazyLock<Migrations<'static>> =
    LazyLock::new(|| Migrations::new(MIGRATION_SQL.iter().map(|sql| M::up(sql)).collect()));

/// Statements each connection keeps prepared.
const STATEMENTS_CACHED: usize = 256;

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

/// What tells a change was committed: on a file, SQLite's `data_version` as one connection of
/// its own sees it (it moves with every commit by any other connection, in this process or
/// another, such as `keygate admin`); in memory, where no other connection can write, a count
/// of this store's commits.
enum Changes {
    File(std::sync::Mutex<rusqlite::Connection>),
    Memory(std::sync::atomic::AtomicU64),
}

pub struct SqliteStore {
    /// The connection write transactions run on, one batch at a time, and a restore's.
    pool: r2d2::Pool<SqliteConnectionManager>,
    /// The batch of write transactions open on `pool`.
    writers: Writers,
    /// The connections read transactions run on, apart from the writers': a read never waits
    /// for a connection that a writer holds while it waits for the write lock.
    reads: r2d2::Pool<SqliteConnectionManager>,
    /// How the store tells that a change was committed.
    changes: Changes,
    seal: SealKey,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("pool", &self.pool.state())
            .field("reads", &self.reads.state())
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
        // A connection to a local file does not go stale: none is probed before each use.
        let (manager, builder) = match &options.location {
            Location::File(path) => (
                SqliteConnectionManager::file(path),
                r2d2::Pool::builder()
                    .max_size(options.pool_size.max(1))
                    .test_on_check_out(false),
            ),
            // One connection: each in-memory connection would otherwise be its own database.
            Location::Memory => (
                SqliteConnectionManager::memory(),
                r2d2::Pool::builder()
                    .max_size(1)
                    .test_on_check_out(false)
                    .min_idle(Some(1))
                    .idle_timeout(None)
                    .max_lifetime(None),
            ),
        };
        let init = move |c: &mut rusqlite::Connection| {
            // Every shared statement stays prepared: rusqlite's default keeps 16, fewer than a
            // signed request runs, and one evicted is parsed again.
            c.set_prepared_statement_cache_capacity(STATEMENTS_CACHED);
            c.execute_batch(&init)
        };
        let init = std::sync::Arc::new(init);
        let init2 = init.clone();
        let manager = manager.with_init(move |c| init(c));
        let pool = builder.build(manager)?;
        {
            let mut conn = pool.get()?;
            if matches!(options.location, Location::File(_)) {
                conn.pragma_update(None, "journal_mode", "WAL")?;
            }
            MIGRATIONS.to_latest(&mut conn)?;
        }
        let reads = match &options.location {
            Location::File(path) => r2d2::Pool::builder()
                .max_size(options.pool_size.max(1))
                .test_on_check_out(false)
                .build(SqliteConnectionManager::file(path).with_init(move |c| init2(c)))?,
            Location::Memory => pool.clone(),
        };
        let changes = match &options.location {
            Location::File(path) => Changes::File(std::sync::Mutex::new(
                rusqlite::Connection::open_with_flags(
                    path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?,
            )),
            Location::Memory => Changes::Memory(std::sync::atomic::AtomicU64::new(0)),
        };
        Ok(Self {
            pool,
            writers: Writers::default(),
            reads,
            changes,
            seal,
        })
    }

    /// Opens the database file at `path` with default options.
    pub fn open_file(path: &Path, seal: SealKey) -> Result<Self, OpenError> {
        Self::open(&Options::new(Location::File(path.to_owned())), seal)
    }

    pub fn open_memory(seal: SealKey) -> Result<Self, OpenError> {
        Self::open(&Options::new(Location::Memory), seal)
    }

    fn read(&self, f: &mut dyn FnMut(&dyn Conn) -> CoreResult<()>) -> CoreResult<()> {
        let conn = self.reads.get().map_err(storage)?;
        let tx = ReadTransaction::begin(&conn)?;
        f(&SqliteTx(tx.0))
    }

    fn write(
        &self,
        finish: Finish,
        f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>,
    ) -> CoreResult<()> {
        let committed = || {
            if let Changes::Memory(count) = &self.changes {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        };
        self.writers
            .run(&self.pool, finish, &committed, &mut |conn| {
                f(&SqlTx::new(&SqliteTx(conn), &self.seal))
            })
    }

    /// Runs `f` on the database's tables as stored, in one read transaction: one consistent
    /// snapshot while writers go on (WAL), for copying the whole store elsewhere.
    pub fn export(&self, f: &mut dyn FnMut(&dyn Conn) -> CoreResult<()>) -> CoreResult<()> {
        self.read(f)
    }

    /// Writes a copy of the database to a new file at `path` with SQLite's online backup API,
    /// in one step: one consistent snapshot, taken while writers go on (WAL readers block no
    /// one). The copy is a single self-contained file (rollback journal), its owner's only.
    pub fn backup_to(&self, path: &Path) -> Result<(), BackupError> {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|source| BackupError::Create {
                path: path.to_owned(),
                source,
            })?;
        let done = (|| {
            let source = self.reads.get()?;
            let mut copy = rusqlite::Connection::open(path)?;
            backup::Backup::new(&source, &mut copy)?.step(-1)?;
            copy.pragma_update(None, "journal_mode", "DELETE")?;
            Ok::<_, BackupError>(())
        })();
        if done.is_err() {
            let _ = std::fs::remove_file(path);
        }
        done
    }

    /// Replaces the whole database with the backup at `path`, then migrates it to this
    /// keygate's schema. The backup is checked first: a keygate database at a schema this
    /// keygate knows, whose secrets this store's at-rest key opens. The replacement is one
    /// write: other connections see the store before or after it, never between.
    pub fn restore_from(&self, path: &Path) -> Result<(), BackupError> {
        let backup = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        check_backup(&backup, &self.seal)?;
        let mut live = self.pool.get()?;
        let restore = backup::Backup::new(&backup, &mut live)?;
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            match restore.step(-1)? {
                backup::StepResult::Done => break,
                _ if std::time::Instant::now() >= deadline => return Err(BackupError::Busy),
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        drop(restore);
        live.pragma_update(None, "journal_mode", "WAL")?;
        MIGRATIONS.to_latest(&mut live)?;
        Ok(())
    }
}

/// A read transaction, ended when dropped (a read has nothing to commit). Its statements stay
/// prepared, as every other statement does: a read is too short to parse them again.
struct ReadTransaction<'c>(&'c rusqlite::Connection);

impl<'c> ReadTransaction<'c> {
    fn begin(conn: &'c rusqlite::Connection) -> CoreResult<Self> {
        if !conn.is_autocommit() {
            end(conn).map_err(storage)?;
        }
        conn.prepare_cached("BEGIN DEFERRED")
            .and_then(|mut st| st.execute([]))
            .map_err(storage)?;
        Ok(Self(conn))
    }
}

impl Drop for ReadTransaction<'_> {
    fn drop(&mut self) {
        // One that fails to end is ended by the connection's next `begin`, before it reads.
        let _ = end(self.0);
    }
}

fn end(conn: &rusqlite::Connection) -> rusqlite::Result<usize> {
    conn.prepare_cached("ROLLBACK")?.execute([])
}

/// Refuses a file that is not a keygate backup this store can use.
fn check_backup(backup: &rusqlite::Connection, seal: &SealKey) -> Result<(), BackupError> {
    let version: i64 = backup
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|_| BackupError::NotKeygate)?;
    let version = usize::try_from(version).map_err(|_| BackupError::NotKeygate)?;
    let accounts: bool = backup
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'accounts'",
            [],
            |r| r.get(0),
        )
        .map_err(|_| BackupError::NotKeygate)?;
    if version == 0 || !accounts {
        return Err(BackupError::NotKeygate);
    }
    let known = MIGRATION_SQL.len();
    if version > known {
        return Err(BackupError::TooNew { version, known });
    }
    let sealed = backup.query_row(
        "SELECT id, secret_nonce, secret_sealed FROM access_keys LIMIT 1",
        [],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        },
    );
    match sealed {
        Ok((id, nonce, sealed)) => seal
            .open(&id, &nonce, &sealed)
            .map(drop)
            .map_err(|_| BackupError::OtherKey),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("cannot create {}: {source}", path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the backup failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the backup failed: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("cannot migrate the restored database: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("the file is not a keygate database")]
    NotKeygate,
    #[error(
        "the backup's schema is at version {version}, newer than this keygate knows ({known}): \
         upgrade keygate"
    )]
    TooNew { version: usize, known: usize },
    #[error(
        "the backup's secrets were sealed with another at-rest key: restore it beside the key \
         file it was made with"
    )]
    OtherKey,
    #[error("the database stayed busy: try again when fewer writers run")]
    Busy,
}

impl Store for SqliteStore {
    /// A local file: reads wait on the disk, and in WAL mode never on a writer.
    fn reads_are_local(&self) -> bool {
        true
    }

    fn generation(&self) -> Option<u64> {
        match &self.changes {
            Changes::File(conn) => {
                let conn = conn.lock().unwrap_or_else(|e| e.into_inner());
                // Unreadable: nothing is cached rather than something stale.
                conn.prepare_cached("PRAGMA data_version")
                    .and_then(|mut st| st.query_row([], |r| r.get::<_, i64>(0)))
                    .ok()
                    .map(|v| u64::from_ne_bytes(v.to_ne_bytes()))
            }
            Changes::Memory(count) => Some(count.load(std::sync::atomic::Ordering::SeqCst)),
        }
    }

    fn read_tx(&self, f: &mut dyn FnMut(&dyn ReadTx) -> CoreResult<()>) -> CoreResult<()> {
        let seal = &self.seal;
        self.read(&mut |conn| f(&SqlTx::new(conn, seal)))
    }

    fn write_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        self.write(Finish::Keep, f)
    }

    fn rehearse_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        self.write(Finish::Undo, f)
    }
}

#[cfg(test)]
mod tests;
