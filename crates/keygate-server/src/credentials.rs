//! The credentials JSON object handed to operators: printed by `admin create-account`, and kept
//! in `<data-dir>/root-credentials.json` (mode 0600) for the bootstrap account.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::Context;
use keygate_core::AccountCredentials;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CredentialsFile {
    pub account_id: String,
    pub access_key_id: String,
    pub secret_access_key: Zeroizing<String>,
    pub login: String,
    pub password: Zeroizing<String>,
}

impl std::fmt::Debug for CredentialsFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialsFile")
            .field("account_id", &self.account_id)
            .field("access_key_id", &self.access_key_id)
            .field("login", &self.login)
            .finish_non_exhaustive()
    }
}

impl From<&AccountCredentials> for CredentialsFile {
    fn from(c: &AccountCredentials) -> Self {
        Self {
            account_id: c.account.id.to_string(),
            access_key_id: c.access_key_id.to_string(),
            secret_access_key: Zeroizing::new(c.secret.expose().to_owned()),
            login: c.account.email.to_string(),
            password: Zeroizing::new(c.password.expose().to_owned()),
        }
    }
}

impl CredentialsFile {
    pub fn to_json(&self) -> anyhow::Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text =
            fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// Writes the file readable by its owner only, replacing any previous one atomically.
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let tmp = path.with_extension("json.tmp");
        let _ = fs::remove_file(&tmp);
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(self.to_json()?.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600))?;
        fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}
