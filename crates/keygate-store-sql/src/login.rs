//! Login profiles and password policies in SQL. The `ReadTx` and `WriteTx` halves (`tx`,
//! `write`) delegate here.

use crate::sql::params;
use keygate_core::{AccountId, CoreResult, LoginProfile, PasswordPolicy, Timestamp, UserId};

use crate::rows::parse_col;
use crate::tx::SqlTx;

impl SqlTx<'_> {
    pub(crate) fn read_login_profile(
        &self,
        account: &AccountId,
        user: &UserId,
    ) -> CoreResult<Option<LoginProfile>> {
        self.one(
            "SELECT account_id, user_id, password_hash, reset_required, created_at \
             FROM login_profiles WHERE account_id = ?1 AND user_id = ?2",
            params![account.as_str(), user.as_str()],
            |r| {
                Ok(LoginProfile {
                    account_id: parse_col(r, 0, "account id", AccountId::parse)?,
                    user: parse_col(r, 1, "user id", UserId::parse)?,
                    hash: r.get(2)?,
                    reset_required: r.get(3)?,
                    created_at: Timestamp::from_unix_millis(r.get(4)?),
                })
            },
        )
    }

    pub(crate) fn read_password_policy(
        &self,
        account: &AccountId,
    ) -> CoreResult<Option<PasswordPolicy>> {
        self.one(
            "SELECT minimum_length, require_symbols, require_numbers, require_uppercase, \
             require_lowercase, allow_users_to_change FROM password_policies \
             WHERE account_id = ?1",
            [account.as_str()],
            |r| {
                Ok(PasswordPolicy {
                    minimum_length: r.get(0)?,
                    require_symbols: r.get(1)?,
                    require_numbers: r.get(2)?,
                    require_uppercase: r.get(3)?,
                    require_lowercase: r.get(4)?,
                    allow_users_to_change: r.get(5)?,
                })
            },
        )
    }

    pub(crate) fn write_put_login_profile(&self, l: &LoginProfile) -> CoreResult<()> {
        self.user_exists(&l.account_id, &l.user)?;
        self.exec(
            "INSERT INTO login_profiles (user_id, account_id, password_hash, reset_required, \
             created_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id) DO UPDATE SET \
             password_hash = excluded.password_hash, reset_required = excluded.reset_required",
            params![
                l.user.as_str(),
                l.account_id.as_str(),
                l.hash,
                l.reset_required,
                l.created_at.unix_millis()
            ],
        )
        .map(drop)
    }

    pub(crate) fn write_delete_login_profile(
        &self,
        account: &AccountId,
        user: &UserId,
    ) -> CoreResult<()> {
        self.exec(
            "DELETE FROM login_profiles WHERE account_id = ?1 AND user_id = ?2",
            params![account.as_str(), user.as_str()],
        )
        .map(drop)
    }

    pub(crate) fn write_put_password_policy(
        &self,
        account: &AccountId,
        p: &PasswordPolicy,
    ) -> CoreResult<()> {
        self.exec(
            "INSERT INTO password_policies (account_id, minimum_length, require_symbols, \
             require_numbers, require_uppercase, require_lowercase, allow_users_to_change) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (account_id) DO UPDATE SET \
             minimum_length = excluded.minimum_length, require_symbols = excluded.require_symbols, \
             require_numbers = excluded.require_numbers, \
             require_uppercase = excluded.require_uppercase, \
             require_lowercase = excluded.require_lowercase, \
             allow_users_to_change = excluded.allow_users_to_change",
            params![
                account.as_str(),
                p.minimum_length,
                p.require_symbols,
                p.require_numbers,
                p.require_uppercase,
                p.require_lowercase,
                p.allow_users_to_change
            ],
        )
        .map(drop)
    }

    pub(crate) fn write_delete_password_policy(&self, account: &AccountId) -> CoreResult<()> {
        self.exec(
            "DELETE FROM password_policies WHERE account_id = ?1",
            [account.as_str()],
        )
        .map(drop)
    }
}
