//! `keygate admin backup | restore | migrate-store`: the store as a whole. A SQLite store is
//! backed up online into one file and restored from one; PostgreSQL's are left to `pg_dump`.
//! A SQLite store moves into an empty PostgreSQL database with its secrets still sealed, so the
//! replicas on that database need the at-rest key it was sealed with.

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
