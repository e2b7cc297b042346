//! `keygate admin …`: operator commands on the data directory, safe beside a running server
//! (SQLite serialises the writers). Each prints one JSON document on standard output.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use keygate_core::{AccountCredentials, AccountId, Email, Service};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use crate::credentials::CredentialsFile;
use crate::runtime::{self, CredentialsKeeper};
use crate::settings::{Backend, Settings};

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account; prints its root credentials.
    CreateAccount {
        /// A label for the account.
        #[arg(long)]
        name: String,
        /// The account's login (an e-mail address). Default: root@<account-id>.keygate.local.
        #[arg(long)]
        email: Option<String>,
    },
    /// List every account (id, name, login, creation date).
    ListAccounts,
    /// Give an account a new random password; prints it.
    ResetPassword {
        #[arg(long)]
        account: String,
    },
    /// Replace every root access key of an account with one new key; prints it.
    RotateRootKey {
        #[arg(long)]
        account: String,
    },
    /// Print the audit trail as JSON lines: of one account or all, from a date, and with
    /// --follow each new record as it is written.
    Audit {
        #[arg(long)]
        account: Option<String>,
        /// An RFC 3339 date-time, e.g. 2026-12-01T00:00:00Z.
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        follow: bool,
    },
    /// Write a consistent copy of the SQLite store to FILE, safe while the server runs.
    Backup {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Replace the SQLite store with the backup in FILE, made beside the same at-rest key.
    Restore {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Fill an account with generated users (`seed-<n>`) and active keys, for load tests.
    Seed {
        #[arg(long)]
        account: String,
        #[arg(long)]
        users: u32,
        #[arg(long, default_value_t = 10)]
        keys_per_user: u32,
    },
    /// Copy the SQLite store into an empty PostgreSQL database, secrets still sealed.
    MigrateStore {
        /// The database's URL; default: storage.postgres_url (KEYGATE__STORAGE__POSTGRES_URL),
        /// which keeps its password off the command line.
        #[arg(long, value_name = "URL")]
        to: Option<String>,
    },
}

fn account_id(s: &str) -> anyhow::Result<AccountId> {
    AccountId::parse(s).map_err(|e| anyhow::anyhow!("--account {s}: {e}"))
}

/// Runs `cmd` on the data directory of `settings`, which must hold a database unless `create`.
pub fn run(cmd: AdminCommand, settings: &Settings, create: bool) -> anyhow::Result<String> {
    // A restore fills a data directory that may hold nothing yet.
    if !matches!(cmd, AdminCommand::Restore { .. }) {
        check_store(settings, create)?;
    }
    let service = || runtime::open_service(settings);
    match cmd {
        AdminCommand::CreateAccount { name, email } => {
            let email = email
                .map(|e| Email::parse(&e).map_err(|err| anyhow::anyhow!("--email {e}: {err}")))
                .transpose()?;
            let creds: AccountCredentials = service()?
                .create_account(&name, email)
                .context("cannot create the account")?;
            CredentialsFile::from(&creds).to_json()
        }
        AdminCommand::ListAccounts => list_accounts(&service()?),
        AdminCommand::Backup { file } => crate::store_admin::backup(settings, &file),
        AdminCommand::Restore { file } => crate::store_admin::restore(settings, &file),
        AdminCommand::MigrateStore { to } => {
            crate::store_admin::migrate_store(settings, to.as_deref())
        }
        AdminCommand::Seed {
            account,
            users,
            keys_per_user,
        } => crate::store_admin::seed(settings, &account_id(&account)?, users, keys_per_user),
        AdminCommand::Audit {
            account,
            since,
            follow,
        } => {
            let account = account.as_deref().map(account_id).transpose()?;
            let since = since
                .map(|s| {
                    time::OffsetDateTime::parse(&s, &Rfc3339)
                        .map(keygate_core::Timestamp::from_datetime)
                        .map_err(|e| anyhow::anyhow!("--since {s}: {e}"))
                })
                .transpose()?;
            let mut out = std::io::stdout().lock();
            crate::audit_log::print(&service()?, account.as_ref(), since, follow, &mut out)?;
            Ok(String::new())
        }
        AdminCommand::ResetPassword { account } => {
            let id = account_id(&account)?;
            let service = service()?;
            let file = CredentialsKeeper::new(settings, &id)?;
            let password = service
                .reset_password(&id, |p| {
                    file.keep(|f| f.password = Zeroizing::new(p.expose().to_owned()))
                })
                .inspect_err(|_| file.restore())?;
            let login = service.account(&id)?.email.to_string();
            Ok(serde_json::to_string_pretty(&json!({
                "account_id": id.as_str(),
                "login": login,
                "password": password.expose(),
            }))?)
        }
        AdminCommand::RotateRootKey { account } => {
            let id = account_id(&account)?;
            let file = CredentialsKeeper::new(settings, &id)?;
            let key = service()?
                .rotate_root_key(&id, |k| {
                    file.keep(|f| {
                        f.access_key_id = k.view.key.id.to_string();
                        f.secret_access_key = Zeroizing::new(k.secret.expose().to_owned());
                    })
                })
                .inspect_err(|_| file.restore())?;
            Ok(serde_json::to_string_pretty(&json!({
                "account_id": id.as_str(),
                "access_key_id": key.view.key.id.as_str(),
                "secret_access_key": key.secret.expose(),
            }))?)
        }
    }
}

/// Refuses settings that name no store, unless `create`: a mistyped --data-dir or URL must
/// not silently start an empty one.
fn check_store(settings: &Settings, create: bool) -> anyhow::Result<()> {
    match settings.storage.backend {
        Backend::Sqlite => {
            let db = settings.database_path();
            if !create && !db.exists() {
                anyhow::bail!(
                    "no keygate database at {}: give the --data-dir that `keygate serve` uses, or add --create to start a new one",
                    db.display()
                );
            }
        }
        Backend::Postgres => {
            let options = settings.postgres_options()?;
            let held = keygate_store_postgres::PostgresStore::schema_version(&options)
                .context("reading the PostgreSQL database's schema")?;
            if !create && held.is_none() {
                anyhow::bail!(
                    "the PostgreSQL database storage.postgres_url names holds no keygate schema: \
                     give the settings `keygate serve` uses, or add --create to start a new one"
                );
            }
        }
    }
    Ok(())
}

fn list_accounts(service: &Service) -> anyhow::Result<String> {
    let accounts = service
        .accounts()?
        .into_iter()
        .map(|a| {
            Ok(json!({
                "account_id": a.id.as_str(),
                "name": a.name,
                "login": a.email.as_str(),
                "created_at": a.created_at.to_datetime().format(&Rfc3339)?,
            }))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(serde_json::to_string_pretty(&accounts)?)
}
