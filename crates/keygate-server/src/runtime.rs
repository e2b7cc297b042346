//! Opening what a process needs from the settings: the data directory, the at-rest key, the
//! store and the `Service`; and the first-start bootstrap of the default account.

use std::cell::Cell;
use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use keygate_core::{AccountId, Email, RandomIds, Service, SystemClock};
use keygate_store_postgres::PostgresStore;
use keygate_store_sqlite::{SealKey, SqliteStore};

use crate::credentials::CredentialsFile;
use crate::settings::{Backend, Settings};

/// The at-rest key the settings give: `storage.at_rest_key`, else an existing key file.
fn configured_key(settings: &Settings) -> anyhow::Result<Option<SealKey>> {
    if !settings.storage.at_rest_key.is_empty() {
        return SealKey::from_base64(&settings.storage.at_rest_key)
            .map(Some)
            .context("storage.at_rest_key is not valid");
    }
    let path = settings.key_file_path();
    match fs::read_to_string(&path) {
        Ok(text) => SealKey::from_base64(&text)
            .map(Some)
            .with_context(|| format!("{} holds no valid at-rest key", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// Opens (creating on first use) the data directory, key and database.
pub fn open_service(settings: &Settings) -> anyhow::Result<Service> {
    open_measured_service(settings, None)
}

/// As `open_service`, its store's transactions timed into `metrics` when given.
pub fn open_measured_service(
    settings: &Settings,
    metrics: Option<Arc<crate::metrics::Metrics>>,
) -> anyhow::Result<Service> {
    let store = open_store(settings)?;
    let store = match metrics {
        Some(metrics) => Arc::new(crate::metrics::TimedStore {
            inner: store,
            metrics,
        }),
        None => store,
    };
    Ok(Service::new(
        store,
        Arc::new(SystemClock),
        Arc::new(RandomIds),
        settings.limits(),
    )
    .with_certificate_check(Arc::new(crate::tls::ClientCertificateCheck)))
}

/// The store the settings name, its data directory made on first use.
pub fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn keygate_core::Store>> {
    ensure_data_dir(settings)?;
    Ok(match settings.storage.backend {
        Backend::Sqlite => Arc::new(open_sqlite(settings)?),
        Backend::Postgres => Arc::new(open_postgres(settings, &settings.postgres_options()?)?),
    })
}

/// Creates the data directory, its owner's only, when it does not exist.
pub fn ensure_data_dir(settings: &Settings) -> anyhow::Result<()> {
    let dir = &settings.storage.data_dir;
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("creating data directory {}", dir.display()))?;
    }
    Ok(())
}

/// The data directory's SQLite database (created on first use), with its at-rest key (made on
/// first use unless the settings give one).
pub fn open_sqlite(settings: &Settings) -> anyhow::Result<SqliteStore> {
    // The database holds sealed secrets and password hashes: its owner's only.
    let db = settings.database_path();
    if !db.exists() {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&db)
            .with_context(|| format!("creating {}", db.display()))?;
    }
    let seal = match configured_key(settings)? {
        Some(key) => key,
        None => SealKey::load_or_create(&settings.key_file_path())?,
    };
    SqliteStore::open(&settings.store_options(), seal)
        .with_context(|| format!("opening {}", db.display()))
}

/// The PostgreSQL store `options` names, migrated, with the at-rest key the settings give.
pub fn open_postgres(
    settings: &Settings,
    options: &keygate_store_postgres::Options,
) -> anyhow::Result<PostgresStore> {
    // Every replica must seal and open secrets with one key: it is given, never made here, or
    // each replica would make its own.
    let seal = configured_key(settings)?.with_context(|| {
        format!(
            "the postgres backend needs the at-rest key every replica shares: set \
             storage.at_rest_key (KEYGATE__STORAGE__AT_REST_KEY) or put it in {}",
            settings.key_file_path().display()
        )
    })?;
    PostgresStore::open(options, seal).context("opening the PostgreSQL store")
}

/// Whether the settings give an at-rest key, without making one.
pub fn has_key(settings: &Settings) -> anyhow::Result<bool> {
    configured_key(settings).map(|k| k.is_some())
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

/// The default account's credentials file, kept true by an operator change made inside the
/// change's transaction: [`Self::keep`] rewrites it when it describes the account changed, and
/// [`Self::restore`] puts it back if the transaction then fails.
pub struct CredentialsKeeper {
    path: PathBuf,
    /// The file as it was, when it describes the account changed.
    original: Option<CredentialsFile>,
    written: Cell<bool>,
}

/// The path only: the file holds the account's secrets.
impl std::fmt::Debug for CredentialsKeeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialsKeeper")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl CredentialsKeeper {
    pub fn new(settings: &Settings, account: &AccountId) -> anyhow::Result<Self> {
        let path = settings.credentials_path();
        let original = if path.exists() {
            Some(CredentialsFile::read(&path)?).filter(|f| f.account_id == account.as_str())
        } else {
            None
        };
        Ok(Self {
            path,
            original,
            written: Cell::new(false),
        })
    }

    /// Rewrites the file with `update` applied, when it describes the account.
    pub fn keep(&self, update: impl FnOnce(&mut CredentialsFile)) -> Result<(), String> {
        let Some(original) = &self.original else {
            return Ok(());
        };
        let mut file = original.clone();
        update(&mut file);
        self.written.set(true);
        file.write(&self.path).map_err(|e| {
            format!(
                "cannot keep {} up to date, nothing changed: {e:#}",
                self.path.display()
            )
        })
    }

    /// Puts the original file back after a failed change.
    pub fn restore(&self) {
        if self.written.get()
            && let Some(file) = &self.original
            && let Err(e) = file.write(&self.path)
        {
            tracing::error!(path = %self.path.display(), error = %e, "cannot restore the credentials file");
        }
    }
}
