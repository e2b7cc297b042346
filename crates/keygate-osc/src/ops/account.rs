//! The caller's own account: ReadAccounts and CheckAuthentication.

use keygate_auth::Password;
use keygate_core::{Account, Caller, Email};
use serde::Deserialize;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::Op;
use crate::body::{body, dry};
use crate::error::OscError;

fn account(a: &Account) -> Value {
    json!({"AccountId": a.id.as_str(), "Email": a.email.as_str()})
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DryRunBody {
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadAccounts;

impl Op for ReadAccounts {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: DryRunBody = body(raw)?;
        Ok((Self, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        Ok(json!({"Accounts": [account(&c.read_account()?)]}))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CheckAuthenticationBody {
    login: String,
    password: Zeroizing<String>,
    dry_run: Option<bool>,
}

#[derive(Debug)]
pub struct CheckAuthentication {
    pub login: Email,
    pub password: Password,
}

impl Op for CheckAuthentication {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: CheckAuthenticationBody = body(raw)?;
        let login = Email::parse(&b.login).map_err(|_| OscError::bad_login())?;
        let call = Self {
            login,
            password: Password::from(b.password),
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        c.check_credentials(&self.login, self.password.expose())?;
        Ok(json!({}))
    }
}
