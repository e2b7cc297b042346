//! Configuration: compiled-in defaults → `--config` file → `KEYGATE__SECTION__KEY` environment →
//! command-line flags, deserialised strictly so that an unknown key is an error naming it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use std::collections::BTreeSet;

use config::{Config, Environment, File, FileFormat, Map, Source, Value};
use ipnet::IpNet;
use keygate_auth::{BodyLimits, TrustedProxies};
use keygate_core::{Email, Limits};
use keygate_store_sqlite::{Durability, Location, Options};
use serde::Deserialize;
use zeroize::Zeroizing;

const DEFAULTS: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: Server,
    pub storage: Storage,
    pub osc: Osc,
    pub limits: LimitSettings,
    pub audit: AuditSettings,
    pub bootstrap: Bootstrap,
    pub log: Log,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    #[serde(deserialize_with = "address")]
    pub listen: SocketAddr,
    pub max_body_bytes: usize,
    pub read_timeout_secs: u64,
    #[serde(deserialize_with = "networks")]
    pub trusted_proxies: Vec<IpNet>,
    pub shutdown_timeout_secs: u64,
    pub workers: usize,
    /// The listener's TLS certificate chain and key (PEM); empty: plain HTTP.
    pub tls_cert_file: PathBuf,
    pub tls_key_file: PathBuf,
    /// Where `GET /metrics` answers; `None` (an empty text): nowhere.
    #[serde(deserialize_with = "optional_address")]
    pub metrics_listen: Option<SocketAddr>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(try_from = "String")]
pub enum DurabilitySetting {
    Full,
    Normal,
}

impl TryFrom<String> for DurabilitySetting {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "full" => Ok(Self::Full),
            "normal" => Ok(Self::Normal),
            _ => Err(one_of(&s, &["full", "normal"])),
        }
    }
}

fn one_of(got: &str, valid: &[&str]) -> String {
    format!("'{got}' is not one of: {}", valid.join(", "))
}

/// Networks (CIDR, or single addresses), each named when it is none.
fn networks<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<IpNet>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|text| {
            keygate_core::policy::network(text).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "'{text}' is not an address or network such as 10.0.0.1 or 10.0.0.0/8"
                ))
            })
        })
        .collect()
}

/// An address to listen on, or none for an empty text.
fn optional_address<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<SocketAddr>, D::Error> {
    let text = String::deserialize(d)?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.trim().parse().map(Some).map_err(|_| {
        serde::de::Error::custom(format!(
            "'{text}' is not an address and port such as 127.0.0.1:9470, nor empty"
        ))
    })
}

/// An address to listen on, its text named when it is none.
fn address<'de, D: serde::Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    let text = String::deserialize(d)?;
    text.trim().parse().map_err(|_| {
        serde::de::Error::custom(format!(
            "'{text}' is not an address and port such as 127.0.0.1:8470 or [::1]:8470"
        ))
    })
}

/// Which engine keeps the state.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(try_from = "String")]
pub enum Backend {
    /// One SQLite file in the data directory: the embedded default.
    Sqlite,
    /// A PostgreSQL database `storage.postgres_url` names, which several replicas may share.
    Postgres,
}

impl TryFrom<String> for Backend {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" => Ok(Self::Postgres),
            _ => Err(one_of(&s, &["sqlite", "postgres"])),
        }
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub backend: Backend,
    /// libpq connection settings, as a URL or key=value pairs; may hold a password.
    pub postgres_url: Zeroizing<String>,
    /// CA certificates (PEM) the database server's certificate must chain to; empty: the
    /// system's roots.
    pub postgres_ca_file: PathBuf,
    pub statement_timeout_ms: u64,
    pub data_dir: PathBuf,
    pub database: PathBuf,
    pub durability: DurabilitySetting,
    pub busy_timeout_ms: u64,
    pub pool_size: u32,
    pub at_rest_key: Zeroizing<String>,
    pub at_rest_key_file: PathBuf,
    pub last_use_flush_ms: u64,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("backend", &self.backend)
            .field(
                "postgres_url",
                &if self.postgres_url.is_empty() {
                    ""
                } else {
                    "(set)"
                },
            )
            .field("data_dir", &self.data_dir)
            .field("database", &self.database)
            .field("durability", &self.durability)
            .field(
                "at_rest_key",
                &if self.at_rest_key.is_empty() {
                    ""
                } else {
                    "(set)"
                },
            )
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Osc {
    pub cors_allowed_origins: Vec<String>,
    pub max_clock_skew_secs: u64,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    pub access_keys_per_principal: u32,
    pub inline_policy_chars: u32,
    pub password_failures_per_source_per_minute: u32,
    pub password_checks_in_flight: u32,
    pub groups_per_user: u32,
    pub group_inline_policy_chars: u32,
    pub managed_policy_chars: u32,
    pub versions_per_policy: u32,
    pub policies_per_user: u32,
    pub policies_per_group: u32,
    pub policies_per_role: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// Audit records older than this many days are deleted.
    pub retention_days: u32,
    /// A file each record is appended to as a JSON line; empty: none.
    pub log_file: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bootstrap {
    pub account_name: String,
    pub login: String,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(try_from = "String")]
pub enum LogFormat {
    Text,
    Json,
}

impl TryFrom<String> for LogFormat {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            _ => Err(one_of(&s, &["text", "json"])),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    pub format: LogFormat,
    pub level: String,
}

/// Values given on the command line, the last word over every other source.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
}

impl Settings {
    pub fn load(o: &Overrides) -> anyhow::Result<Self> {
        Self::load_from(o, Environment::with_prefix("KEYGATE"))
    }

    fn load_from(o: &Overrides, env: Environment) -> anyhow::Result<Self> {
        let known = keys_of(&File::from_str(DEFAULTS, FileFormat::Toml))?;
        let mut b = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
        if let Some(path) = &o.config_file {
            if !path.is_file() {
                bail!("configuration file {} does not exist", path.display());
            }
            let file = File::from(path.as_path()).format(FileFormat::Toml);
            if let Some(key) = unknown(&known, &file)? {
                bail!("{}: {}", path.display(), unknown_key(&known, &key));
            }
            b = b.add_source(file);
        }
        let env = env
            .prefix_separator("__")
            .separator("__")
            .try_parsing(true)
            .list_separator(",")
            .with_list_parse_key("osc.cors_allowed_origins")
            .with_list_parse_key("server.trusted_proxies");
        if let Some(key) = unknown(&known, &env)? {
            bail!(
                "environment variable KEYGATE__{}: {}",
                key.replace('.', "__").to_uppercase(),
                unknown_key(&known, &key)
            );
        }
        b = b.add_source(env);
        if let Some(d) = &o.data_dir {
            b = b.set_override("storage.data_dir", d.display().to_string())?;
        }
        if let Some(l) = &o.listen {
            b = b.set_override("server.listen", l.as_str())?;
        }
        let settings: Settings = b
            .build()
            .context("cannot read the configuration")?
            .try_deserialize()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.limits.access_keys_per_principal == 0 {
            bail!("invalid configuration: limits.access_keys_per_principal must be at least 1");
        }
        if self.storage.last_use_flush_ms == 0 {
            bail!("invalid configuration: storage.last_use_flush_ms must be at least 1");
        }
        for origin in &self.osc.cors_allowed_origins {
            // A browser's Origin header is scheme://host[:port], nothing after it.
            let host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            let ok = host.is_some_and(|h| {
                !h.is_empty()
                    && h.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')
                    })
            });
            if !ok {
                bail!(
                    "invalid configuration: osc.cors_allowed_origins: '{origin}' is not an origin such as https://console.example.com (no wildcard, no path)"
                );
            }
        }
        if self.server.read_timeout_secs == 0 {
            bail!("invalid configuration: server.read_timeout_secs must be at least 1");
        }
        if self.limits.password_checks_in_flight == 0 {
            bail!("invalid configuration: limits.password_checks_in_flight must be at least 1");
        }
        if self.server.max_body_bytes < 1024 {
            bail!("invalid configuration: server.max_body_bytes must be at least 1024");
        }
        Email::parse(&self.bootstrap.login).map_err(|e| {
            anyhow::anyhow!("invalid configuration: bootstrap.login is not an e-mail address: {e}")
        })?;
        Ok(())
    }

    fn in_data_dir(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_owned()
        } else {
            self.storage.data_dir.join(p)
        }
    }

    pub fn database_path(&self) -> PathBuf {
        self.in_data_dir(&self.storage.database)
    }

    pub fn key_file_path(&self) -> PathBuf {
        self.in_data_dir(&self.storage.at_rest_key_file)
    }

    pub fn credentials_path(&self) -> PathBuf {
        self.storage.data_dir.join("root-credentials.json")
    }

    /// The PostgreSQL store's options, when that is the backend.
    pub fn postgres_options(&self) -> anyhow::Result<keygate_store_postgres::Options> {
        if self.storage.postgres_url.trim().is_empty() {
            bail!(
                "storage.backend is \"postgres\" but storage.postgres_url is empty \
                 (KEYGATE__STORAGE__POSTGRES_URL)"
            );
        }
        self.postgres_options_for(None)
    }

    /// The options of the PostgreSQL database `url` names, else `storage.postgres_url`.
    pub fn postgres_options_for(
        &self,
        url: Option<&str>,
    ) -> anyhow::Result<keygate_store_postgres::Options> {
        let url = url.unwrap_or(self.storage.postgres_url.as_str()).trim();
        if url.is_empty() {
            bail!(
                "no PostgreSQL database named: give --to or storage.postgres_url (KEYGATE__STORAGE__POSTGRES_URL)"
            );
        }
        let mut options = keygate_store_postgres::Options::new(url);
        options.pool_size = self.storage.pool_size;
        options.statement_timeout = Duration::from_millis(self.storage.statement_timeout_ms);
        options.ca_file =
            Some(self.storage.postgres_ca_file.clone()).filter(|p| !p.as_os_str().is_empty());
        Ok(options)
    }

    pub fn store_options(&self) -> Options {
        Options {
            location: Location::File(self.database_path()),
            durability: match self.storage.durability {
                DurabilitySetting::Full => Durability::Full,
                DurabilitySetting::Normal => Durability::Normal,
            },
            busy_timeout: Duration::from_millis(self.storage.busy_timeout_ms),
            pool_size: self.storage.pool_size,
        }
    }

    pub fn limits(&self) -> Limits {
        Limits {
            access_keys_per_principal: self.limits.access_keys_per_principal,
            inline_policy_chars: self.limits.inline_policy_chars,
            password_failures_per_source_per_minute: self
                .limits
                .password_failures_per_source_per_minute,
            password_checks_in_flight: self.limits.password_checks_in_flight,
            groups_per_user: self.limits.groups_per_user,
            group_inline_policy_chars: self.limits.group_inline_policy_chars,
            managed_policy_chars: self.limits.managed_policy_chars,
            versions_per_policy: self.limits.versions_per_policy,
            policies_per_user: self.limits.policies_per_user,
            policies_per_group: self.limits.policies_per_group,
            policies_per_role: self.limits.policies_per_role,
        }
    }

    pub fn trusted_proxies(&self) -> TrustedProxies {
        TrustedProxies::new(self.server.trusted_proxies.clone())
    }

    pub fn body_limits(&self) -> BodyLimits {
        BodyLimits {
            max_bytes: self.server.max_body_bytes,
            timeout: Duration::from_secs(self.server.read_timeout_secs),
        }
    }
}

/// Every key a source sets, dotted (`server.listen`).
fn keys_of(source: &dyn Source) -> anyhow::Result<BTreeSet<String>> {
    fn walk(map: Map<String, Value>, prefix: &str, out: &mut BTreeSet<String>) {
        for (k, v) in map {
            let key = if prefix.is_empty() {
                k
            } else {
                format!("{prefix}.{k}")
            };
            match v.clone().into_table() {
                Ok(table) => walk(table, &key, out),
                Err(_) => {
                    out.insert(key);
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(
        source.collect().context("cannot read the configuration")?,
        "",
        &mut out,
    );
    Ok(out)
}

/// The first key `source` sets that the defaults do not know.
fn unknown(known: &BTreeSet<String>, source: &dyn Source) -> anyhow::Result<Option<String>> {
    Ok(keys_of(source)?.into_iter().find(|k| !known.contains(k)))
}

/// Names an unknown key and the keys its section does have.
fn unknown_key(known: &BTreeSet<String>, key: &str) -> String {
    let section = key.split('.').next().unwrap_or_default();
    let siblings: Vec<&str> = known
        .iter()
        .filter_map(|k| k.strip_prefix(section)?.strip_prefix('.'))
        .collect();
    if siblings.is_empty() {
        let sections: BTreeSet<&str> = known.iter().filter_map(|k| k.split('.').next()).collect();
        format!(
            "unknown key `{key}`: the sections are {}",
            sections.into_iter().collect::<Vec<_>>().join(", ")
        )
    } else {
        format!(
            "unknown key `{key}`: [{section}] has {}",
            siblings.join(", ")
        )
    }
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
