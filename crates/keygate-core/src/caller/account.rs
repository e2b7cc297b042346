//! What a principal may do with its own account: read it (OSC ReadAccounts) and check a login
//! and password against it (OSC CheckAuthentication).

use crate::error::{CoreError, CoreResult};
use crate::ids::Email;
use crate::model::Account;
use crate::rules::Operation;

use super::Caller;

impl Caller<'_> {
    /// The caller's own account.
    pub fn read_account(&self) -> CoreResult<Account> {
        self.read(|tx| {
            self.authorize(tx, Operation::ReadAccount, &["*"])?;
            tx.account(self.account())?.ok_or(CoreError::NoSuchAccount)
        })
    }

    /// Whether `login` and `password` are those of the caller's own account.
    pub fn check_credentials(&self, login: &Email, password: &str) -> CoreResult<()> {
        self.read(|tx| self.authorize(tx, Operation::CheckAuthentication, &["*"]))?;
        let owner = self.svc.verify_password(
            login,
            password,
            self.source(),
            &self.request.client_certificates,
        )?;
        if owner.account() == self.account() {
            Ok(())
        } else {
            Err(CoreError::BadCredentials)
        }
    }
}
