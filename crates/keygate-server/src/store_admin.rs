//! `keygate admin backup | restore | migrate-store | seed`: the store as a whole. A SQLite store is
//! backed up online into one file and restored from one; PostgreSQL's are left to `pg_dump`.
//! A SQLite store moves into an empty PostgreSQL database with its secrets still sealed, so the
//! replicas on that database need the at-rest key it was sealed with. `seed` fills an account
//! with generated users and keys, so that load can be measured against a large store.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, bail};
use serde_json::json;

use crate::runtime;
use crate::settings::{Backend, Settings};

fn sqlite_only(settings: &Settings, what: &str) -> anyhow::Result<()> {
    match settings.storage.backend {
        Backend::Sqlite => Ok(()),
        Backend::Postgres => bail!(
            "{what} works on a SQLite store; a PostgreSQL database is backed up and restored \
             with pg_dump and pg_restore (see the README)"
        ),
    }
}

/// Writes a backup of the running or stopped store to `file`, which must not exist.
pub fn backup(settings: &Settings, file: &Path) -> anyhow::Result<String> {
    sqlite_only(settings, "backup")?;
    let store = runtime::open_sqlite(settings)?;
    store
        .backup_to(file)
        .with_context(|| format!("backing up into {}", file.display()))?;
    let bytes = std::fs::metadata(file)?.len();
    Ok(serde_json::to_string_pretty(&json!({
        "backup": file.display().to_string(),
        "bytes": bytes,
    }))?)
}

/// Replaces the data directory's store with the backup in `file`.
pub fn restore(settings: &Settings, file: &Path) -> anyhow::Result<String> {
    sqlite_only(settings, "restore")?;
    if !file.is_file() {
        bail!("no backup file at {}", file.display());
    }
    // A key made now could not open the backup's secrets.
    if !runtime::has_key(settings)? {
        bail!(
            "restore needs the at-rest key the backup was sealed with: put its key file at {} \
             or set storage.at_rest_key (KEYGATE__STORAGE__AT_REST_KEY)",
            settings.key_file_path().display()
        );
    }
    runtime::ensure_data_dir(settings)?;
    let store = runtime::open_sqlite(settings)?;
    store
        .restore_from(file)
        .with_context(|| format!("restoring from {}", file.display()))?;
    Ok(serde_json::to_string_pretty(&json!({
        "restored": file.display().to_string(),
        "database": settings.database_path().display().to_string(),
    }))?)
}

/// Copies the data directory's SQLite store into the empty PostgreSQL database `to` names
/// (default: `storage.postgres_url`), in one transaction: all of it or nothing.
pub fn migrate_store(settings: &Settings, to: Option<&str>) -> anyhow::Result<String> {
    if settings.storage.backend != Backend::Sqlite {
        bail!(
            "migrate-store copies a SQLite store: give the settings of the SQLite data directory"
        );
    }
    let mut options = settings.postgres_options_for(to)?;
    options.pool_size = 1;
    let source = runtime::open_sqlite(settings)?;
    let destination = runtime::open_postgres(settings, &options)?;
    let mut copied = Vec::new();
    source
        .export(&mut |from| {
            destination.import(&mut |into| {
                copied = keygate_store_sql::copy::copy_tables(from, into)?;
                Ok(())
            })
        })
        .context("copying the store into PostgreSQL")?;
    let rows: BTreeMap<&str, u64> = copied.into_iter().collect();
    Ok(serde_json::to_string_pretty(&json!({
        "copied_rows": rows,
        "at_rest_key": format!(
            "secrets stay sealed with the at-rest key of {}: give every replica that key \
             (storage.at_rest_key, KEYGATE__STORAGE__AT_REST_KEY, e.g. from a Kubernetes Secret)",
            settings.key_file_path().display()
        ),
    }))?)
}

/// Users and keys written per transaction while seeding.
const SEED_USERS_PER_TRANSACTION: u32 = 1_000;

/// Adds `users` generated users to `account`, each with `keys_per_user` active keys, straight
/// into the store (the per-user key limit is not checked: a store this size is for measuring).
/// Names are `seed-<n>`; their secrets are random, sealed as any, and never shown.
pub fn seed(
    settings: &Settings,
    account: &keygate_core::AccountId,
    users: u32,
    keys_per_user: u32,
) -> anyhow::Result<String> {
    use keygate_core::{
        AccessKey, Clock, IdGen, KeyOwner, KeyState, RandomIds, SystemClock, User, UserName,
        UserPath, store,
    };
    let store = runtime::open_store(settings)?;
    let ids = RandomIds;
    let now = SystemClock.now();
    let held = store::read(&*store, |tx| tx.account(account))?;
    if held.is_none() {
        bail!("no account {}", account.as_str());
    }
    let started = std::time::Instant::now();
    let mut made = 0u32;
    while made < users {
        let batch = SEED_USERS_PER_TRANSACTION.min(users - made);
        let first = made;
        store::write(&*store, |tx| {
            for n in first..first + batch {
                let name = UserName::parse(&format!("seed-{n}"))
                    .map_err(|e| keygate_core::CoreError::Internal(e.to_string()))?;
                let user = User {
                    account_id: account.clone(),
                    id: ids.user_id(),
                    name,
                    path: UserPath::root(),
                    email: None,
                    created_at: now,
                    modified_at: now,
                    tags: Vec::new(),
                };
                tx.insert_user(&user)?;
                for _ in 0..keys_per_user {
                    let key = AccessKey {
                        id: ids.access_key_id(),
                        account_id: account.clone(),
                        owner: KeyOwner::User(user.id.clone()),
                        state: KeyState::Active,
                        created_at: now,
                        modified_at: now,
                        expires_at: None,
                        last_used: None,
                        tag: None,
                    };
                    tx.insert_key(&key, &ids.secret())?;
                }
            }
            Ok(())
        })
        .with_context(|| format!("seeding users {first} to {}", first + batch - 1))?;
        made += batch;
    }
    Ok(serde_json::to_string_pretty(&json!({
        "account_id": account.as_str(),
        "users": users,
        "keys": u64::from(users) * u64::from(keys_per_user),
        "seconds": started.elapsed().as_secs_f64(),
    }))?)
}
