//! keygate's SQLite store: the core's `Store` contract on rusqlite behind an r2d2 pool.
//! WAL, foreign keys, a busy timeout, `BEGIN IMMEDIATE` write transactions and durable commits;
//! access key secrets sealed with an AEAD. No rusqlite type leaves this crate.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod seal;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use keygate_core::{
    AccessKey, AccessKeyId, Account, AccountId, CoreError, CoreResult, Email, KeyOwner, KeyState,
    LastUsed, PathPrefix, PolicyName, ReadTx, Secret, Store, Tag, TagKey, TagValue, Timestamp,
    User, UserId, UserName, UserPath, WriteTx,
};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};
use rusqlite_migration::{M, Migrations};

pub use seal::{KeyError, SealKey};

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("migrations/001_initial.sql")),
        M::up(include_str!("migrations/002_user_tags.sql")),
        M::up(include_str!("migrations/003_key_tag.sql")),
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
        let sql = SqlTx {
            tx: &tx,
            seal: &self.seal,
        };
        f(&sql)?;
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

fn storage(e: impl std::fmt::Display) -> CoreError {
    tracing::error!(error = %e, "storage failure");
    CoreError::Storage(e.to_string())
}

/// A stored text that no longer satisfies its type's rule: the database was edited by hand.
fn corrupt(what: &str, e: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("stored {what} is invalid: {e}").into(),
    )
}

fn parse_col<T, E: std::fmt::Display>(
    row: &Row<'_>,
    idx: usize,
    what: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> rusqlite::Result<T> {
    let s: String = row.get(idx)?;
    parse(&s).map_err(|e| corrupt(what, e))
}

struct SqlTx<'a> {
    tx: &'a Transaction<'a>,
    seal: &'a SealKey,
}

const ACCOUNT_COLS: &str = "id, name, email, created_at";
const USER_COLS: &str = "account_id, id, name, path, email, created_at, modified_at";
const KEY_COLS: &str = "id, account_id, user_id, state, created_at, modified_at, expires_at, \
                        last_used_at, last_used_service, last_used_region, tag";

fn account_row(r: &Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        id: parse_col(r, 0, "account id", AccountId::parse)?,
        name: r.get(1)?,
        email: parse_col(r, 2, "e-mail", Email::parse)?,
        created_at: Timestamp::from_unix_millis(r.get(3)?),
    })
}

fn user_row(r: &Row<'_>) -> rusqlite::Result<User> {
    let email: Option<String> = r.get(4)?;
    Ok(User {
        account_id: parse_col(r, 0, "account id", AccountId::parse)?,
        id: parse_col(r, 1, "user id", UserId::parse)?,
        name: parse_col(r, 2, "user name", UserName::parse)?,
        path: parse_col(r, 3, "path", UserPath::parse)?,
        email: email
            .map(|e| Email::parse(&e).map_err(|err| corrupt("e-mail", err)))
            .transpose()?,
        created_at: Timestamp::from_unix_millis(r.get(5)?),
        modified_at: Timestamp::from_unix_millis(r.get(6)?),
        tags: Vec::new(),
    })
}

fn key_row(r: &Row<'_>) -> rusqlite::Result<AccessKey> {
    let user: Option<String> = r.get(2)?;
    let state: String = r.get(3)?;
    let last_at: Option<i64> = r.get(7)?;
    Ok(AccessKey {
        id: parse_col(r, 0, "access key id", AccessKeyId::parse)?,
        account_id: parse_col(r, 1, "account id", AccountId::parse)?,
        owner: match user {
            None => KeyOwner::Root,
            Some(u) => KeyOwner::User(UserId::parse(&u).map_err(|e| corrupt("user id", e))?),
        },
        state: match state.as_str() {
            "active" => KeyState::Active,
            "inactive" => KeyState::Inactive,
            other => return Err(corrupt("key state", other)),
        },
        created_at: Timestamp::from_unix_millis(r.get(4)?),
        modified_at: Timestamp::from_unix_millis(r.get(5)?),
        expires_at: r.get::<_, Option<i64>>(6)?.map(Timestamp::from_unix_millis),
        last_used: match last_at {
            Some(at) => Some(LastUsed {
                at: Timestamp::from_unix_millis(at),
                service: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                region: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
            }),
            None => None,
        },
        tag: r.get(10)?,
    })
}

fn state_text(s: KeyState) -> &'static str {
    match s {
        KeyState::Active => "active",
        KeyState::Inactive => "inactive",
    }
}

fn owner_param(o: &KeyOwner) -> Option<&str> {
    match o {
        KeyOwner::Root => None,
        KeyOwner::User(u) => Some(u.as_str()),
    }
}

impl SqlTx<'_> {
    fn one<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> CoreResult<Option<T>> {
        self.tx
            .prepare_cached(sql)
            .and_then(|mut st| st.query_row(params, f).optional())
            .map_err(storage)
    }

    fn many<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> CoreResult<Vec<T>> {
        self.tx
            .prepare_cached(sql)
            .and_then(|mut st| st.query_map(params, f)?.collect())
            .map_err(storage)
    }

    /// Fills in a user's tags, sorted by key.
    fn with_tags(&self, mut user: User) -> CoreResult<User> {
        user.tags = self.many(
            "SELECT key, value FROM user_tags WHERE user_id = ?1 ORDER BY key",
            [user.id.as_str()],
            |r| {
                Ok(Tag {
                    key: parse_col(r, 0, "tag key", TagKey::parse)?,
                    value: parse_col(r, 1, "tag value", TagValue::parse)?,
                })
            },
        )?;
        Ok(user)
    }

    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> CoreResult<usize> {
        self.tx
            .prepare_cached(sql)
            .and_then(|mut st| st.execute(params))
            .map_err(storage)
    }
}

impl ReadTx for SqlTx<'_> {
    fn account(&self, id: &AccountId) -> CoreResult<Option<Account>> {
        self.one(
            &format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE id = ?1"),
            [id.as_str()],
            account_row,
        )
    }

    fn account_by_email(&self, email: &Email) -> CoreResult<Option<Account>> {
        self.one(
            &format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE email = ?1"),
            [email.as_str()],
            account_row,
        )
    }

    fn accounts(&self) -> CoreResult<Vec<Account>> {
        self.many(
            &format!("SELECT {ACCOUNT_COLS} FROM accounts ORDER BY id"),
            [],
            account_row,
        )
    }

    fn password_hash(&self, id: &AccountId) -> CoreResult<Option<String>> {
        self.one(
            "SELECT password_hash FROM accounts WHERE id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )
    }

    fn user_by_name(&self, account: &AccountId, name: &UserName) -> CoreResult<Option<User>> {
        self.one(
            &format!("SELECT {USER_COLS} FROM users WHERE account_id = ?1 AND name_folded = ?2"),
            params![account.as_str(), name.folded()],
            user_row,
        )?
        .map(|u| self.with_tags(u))
        .transpose()
    }

    fn user_by_id(&self, account: &AccountId, id: &UserId) -> CoreResult<Option<User>> {
        self.one(
            &format!("SELECT {USER_COLS} FROM users WHERE account_id = ?1 AND id = ?2"),
            params![account.as_str(), id.as_str()],
            user_row,
        )?
        .map(|u| self.with_tags(u))
        .transpose()
    }

    fn users(
        &self,
        account: &AccountId,
        prefix: Option<&PathPrefix>,
        after: Option<&str>,
        limit: usize,
    ) -> CoreResult<Vec<User>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.many(
            &format!(
                "SELECT {USER_COLS} FROM users WHERE account_id = ?1 \
                 AND (?2 IS NULL OR substr(path, 1, length(?2)) = ?2) \
                 AND (?3 IS NULL OR name_folded > ?3) \
                 ORDER BY name_folded LIMIT ?4"
            ),
            params![account.as_str(), prefix.map(|p| p.as_str()), after, limit],
            user_row,
        )?
        .into_iter()
        .map(|u| self.with_tags(u))
        .collect()
    }

    fn key(&self, id: &AccessKeyId) -> CoreResult<Option<AccessKey>> {
        self.one(
            &format!("SELECT {KEY_COLS} FROM access_keys WHERE id = ?1"),
            [id.as_str()],
            key_row,
        )
    }

    fn key_secret(&self, id: &AccessKeyId) -> CoreResult<Option<Secret>> {
        let sealed = self.one(
            "SELECT secret_nonce, secret_sealed FROM access_keys WHERE id = ?1",
            [id.as_str()],
            |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?)),
        )?;
        sealed
            .map(|(nonce, c)| {
                self.seal
                    .open(id.as_str(), &nonce, &c)
                    .map(Secret::new)
                    .map_err(storage)
            })
            .transpose()
    }

    fn keys(&self, account: &AccountId, owner: &KeyOwner) -> CoreResult<Vec<AccessKey>> {
        self.many(
            &format!(
                "SELECT {KEY_COLS} FROM access_keys WHERE account_id = ?1 AND user_id IS ?2 \
                 ORDER BY created_at, id"
            ),
            params![account.as_str(), owner_param(owner)],
            key_row,
        )
    }

    fn policies(
        &self,
        account: &AccountId,
        user: &UserId,
    ) -> CoreResult<Vec<(PolicyName, String)>> {
        self.many(
            "SELECT p.name, p.document FROM user_policies p JOIN users u ON u.id = p.user_id \
             WHERE u.account_id = ?1 AND p.user_id = ?2 ORDER BY p.name",
            params![account.as_str(), user.as_str()],
            |r| {
                Ok((
                    parse_col(r, 0, "policy name", PolicyName::parse)?,
                    r.get(1)?,
                ))
            },
        )
    }
}

impl WriteTx for SqlTx<'_> {
    fn insert_account(&self, a: &Account, password_hash: &str) -> CoreResult<()> {
        self.exec(
            "INSERT INTO accounts (id, name, email, password_hash, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                a.id.as_str(),
                a.name,
                a.email.as_str(),
                password_hash,
                a.created_at.unix_millis()
            ],
        )
        .map(drop)
    }

    fn set_password_hash(&self, id: &AccountId, hash: &str) -> CoreResult<()> {
        self.exec(
            "UPDATE accounts SET password_hash = ?2 WHERE id = ?1",
            params![id.as_str(), hash],
        )
        .map(drop)
    }

    fn insert_user(&self, u: &User) -> CoreResult<()> {
        self.exec(
            "INSERT INTO users (id, account_id, name, name_folded, path, email, created_at, \
             modified_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                u.id.as_str(),
                u.account_id.as_str(),
                u.name.as_str(),
                u.name.folded(),
                u.path.as_str(),
                u.email.as_ref().map(|e| e.as_str()),
                u.created_at.unix_millis(),
                u.modified_at.unix_millis()
            ],
        )?;
        self.put_tags(&u.account_id, &u.id, &u.tags)
    }

    fn update_user(&self, u: &User) -> CoreResult<()> {
        self.exec(
            "UPDATE users SET name = ?3, name_folded = ?4, path = ?5, email = ?6, \
             modified_at = ?7 WHERE account_id = ?1 AND id = ?2",
            params![
                u.account_id.as_str(),
                u.id.as_str(),
                u.name.as_str(),
                u.name.folded(),
                u.path.as_str(),
                u.email.as_ref().map(|e| e.as_str()),
                u.modified_at.unix_millis()
            ],
        )
        .map(drop)
    }

    fn delete_user(&self, account: &AccountId, id: &UserId) -> CoreResult<()> {
        self.exec(
            "DELETE FROM users WHERE account_id = ?1 AND id = ?2",
            params![account.as_str(), id.as_str()],
        )
        .map(drop)
    }

    fn put_tags(&self, _account: &AccountId, user: &UserId, tags: &[Tag]) -> CoreResult<()> {
        for t in tags {
            self.exec(
                "INSERT INTO user_tags (user_id, key, value) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value",
                params![user.as_str(), t.key.as_str(), t.value.as_str()],
            )?;
        }
        Ok(())
    }

    fn delete_tags(&self, _account: &AccountId, user: &UserId, keys: &[TagKey]) -> CoreResult<()> {
        for k in keys {
            self.exec(
                "DELETE FROM user_tags WHERE user_id = ?1 AND key = ?2",
                params![user.as_str(), k.as_str()],
            )?;
        }
        Ok(())
    }

    fn insert_key(&self, k: &AccessKey, secret: &Secret) -> CoreResult<()> {
        let (nonce, sealed) = self
            .seal
            .seal(k.id.as_str(), secret.expose())
            .map_err(storage)?;
        self.exec(
            "INSERT INTO access_keys (id, account_id, user_id, state, secret_nonce, \
             secret_sealed, created_at, modified_at, expires_at, tag) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                k.id.as_str(),
                k.account_id.as_str(),
                owner_param(&k.owner),
                state_text(k.state),
                nonce,
                sealed,
                k.created_at.unix_millis(),
                k.modified_at.unix_millis(),
                k.expires_at.map(Timestamp::unix_millis),
                k.tag
            ],
        )
        .map(drop)
    }

    fn update_key(&self, k: &AccessKey) -> CoreResult<()> {
        self.exec(
            "UPDATE access_keys SET state = ?2, modified_at = ?3, expires_at = ?4, tag = ?5 \
             WHERE id = ?1",
            params![
                k.id.as_str(),
                state_text(k.state),
                k.modified_at.unix_millis(),
                k.expires_at.map(Timestamp::unix_millis),
                k.tag
            ],
        )
        .map(drop)
    }

    fn record_last_use(&self, id: &AccessKeyId, used: &LastUsed) -> CoreResult<()> {
        self.exec(
            "UPDATE access_keys SET last_used_at = ?2, last_used_service = ?3, \
             last_used_region = ?4 WHERE id = ?1",
            params![
                id.as_str(),
                used.at.unix_millis(),
                used.service,
                used.region
            ],
        )
        .map(drop)
    }

    fn delete_key(&self, id: &AccessKeyId) -> CoreResult<()> {
        self.exec("DELETE FROM access_keys WHERE id = ?1", [id.as_str()])
            .map(drop)
    }

    fn put_policy(
        &self,
        _account: &AccountId,
        user: &UserId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        self.exec(
            "INSERT INTO user_policies (user_id, name, document) VALUES (?1, ?2, ?3) \
             ON CONFLICT (user_id, name) DO UPDATE SET document = excluded.document",
            params![user.as_str(), name.as_str(), document],
        )
        .map(drop)
    }

    fn delete_policy(
        &self,
        _account: &AccountId,
        user: &UserId,
        name: &PolicyName,
    ) -> CoreResult<()> {
        self.exec(
            "DELETE FROM user_policies WHERE user_id = ?1 AND name = ?2",
            params![user.as_str(), name.as_str()],
        )
        .map(drop)
    }
}

#[cfg(test)]
mod tests;
