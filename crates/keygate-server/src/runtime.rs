//! Opening what a process needs from the settings: the data directory, the at-rest key, the
//! store and the `Service`; and the first-start bootstrap of the default account.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::sync::Arc;

use anyhow::Context;
use keygate_core::{Email, RandomIds, Service, SystemClock};
use keygate_store_sqlite::{SealKey, SqliteStore};

use crate::credentials::CredentialsFile;
use crate::settings::Settings;

/// Opens (creating on first use) the data directory, key and database.
pub fn open_service(settings: &Settings) -> anyhow::Result<Service> {
    let dir = &settings.storage.data_dir;
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("creating data directory {}", dir.display()))?;
    }
    // The database holds sealed secrets and password hashes: readable by its owner only.
    let db = settings.database_path();
    if !db.exists() {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&db)
            .with_context(|| format!("creating {}", db.display()))?;
    }
    let seal = if settings.storage.at_rest_key.is_empty() {
        SealKey::load_or_create(&settings.key_file_path())?
    } else {
        SealKey::from_base64(&settings.storage.at_rest_key)
            .context("storage.at_rest_key is not valid")?
    };
    let store = SqliteStore::open(&settings.store_options(), seal)
        .with_context(|| format!("opening {}", settings.database_path().display()))?;
    Ok(Service::new(
        Arc::new(store),
        Arc::new(SystemClock),
        Arc::new(RandomIds),
        settings.limits(),
    ))
}

/// On an empty database, creates the default account and writes its root credentials file,
/// both or neither.
pub fn bootstrap(service: &Service, settings: &Settings) -> anyhow::Result<()> {
    let path = settings.credentials_path();
    let email = Email::parse(&settings.bootstrap.login)
        .map_err(|e| anyhow::anyhow!("bootstrap.login: {e}"))?;
    let created = service.bootstrap_account(&settings.bootstrap.account_name, email, |creds| {
        CredentialsFile::from(creds)
            .write(&path)
            .map_err(|e| format!("{e:#}"))
    })?;
    match created {
        Some(creds) => tracing::info!(
            account_id = %creds.account.id,
            path = %path.display(),
            "created the default account; its root credentials are in this file"
        ),
        None if path.exists() => tracing::info!(
            path = %path.display(),
            "root credentials of the default account are in this file"
        ),
        None => {}
    }
    Ok(())
}

/// Rewrites the credentials file when it describes `account`, after an operator change.
pub fn refresh_credentials_file(
    settings: &Settings,
    account: &str,
    update: impl FnOnce(&mut CredentialsFile),
) -> anyhow::Result<()> {
    let path = settings.credentials_path();
    if !path.exists() {
        return Ok(());
    }
    let mut file = CredentialsFile::read(&path)?;
    if file.account_id == account {
        update(&mut file);
        file.write(&path)?;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
