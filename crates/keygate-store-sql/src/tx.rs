//! One transaction of a SQL store: its statements, and the core's `ReadTx` as SQL, every
//! statement scoped to the account it names (`write` has the `WriteTx` half).

use keygate_core::{
    AccessKey, AccessKeyId, Account, AccountId, ApiAccessPolicy, ApiAccessRule, Attachee,
    AuditRecord, Ca, CoreError, CoreResult, Email, Group, GroupId, GroupName, KeyOwner,
    LoginFailures, LoginProfile, ManagedPolicy, MfaDevice, PasswordPolicy, PathPrefix, PolicyId,
    PolicyName, PolicyVersion, ReadTx, Role, RoleId, RoleName, Secret, Session, StoreFailure,
    Timestamp, User, UserId, UserName, VersionId,
};

use crate::SealKey;
use crate::rows::{
    ACCOUNT_COLS, GROUP_COLS, KEY_COLS, USER_COLS, account_row, group_row, key_row, owner_param,
    parse_col, tag_row, user_row,
};
use crate::sql::{Conn, IntoParams, Row, params};

/// The store's failure, logged here once with its cause: the line carries the request's span.
pub fn storage(e: impl std::error::Error + Send + Sync + 'static) -> CoreError {
    let e = CoreError::storage(e);
    tracing::error!(error = %keygate_core::error::chain(&e), "storage failure");
    e
}

/// A failure the store describes in words (sealing, a row that is not there), logged once.
pub fn described(text: String) -> CoreError {
    let e = CoreError::Storage(StoreFailure::message(text));
    tracing::error!(error = %keygate_core::error::chain(&e), "storage failure");
    e
}

/// One transaction: the engine's connection inside it, and the key that seals secrets.
pub struct SqlTx<'a> {
    pub(crate) conn: &'a dyn Conn,
    pub(crate) seal: &'a SealKey,
}

impl std::fmt::Debug for SqlTx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlTx").finish_non_exhaustive()
    }
}

impl<'a> SqlTx<'a> {
    pub fn new(conn: &'a dyn Conn, seal: &'a SealKey) -> Self {
        Self { conn, seal }
    }
}

impl SqlTx<'_> {
    pub(crate) fn one<'p, T>(
        &self,
        sql: &str,
        params: impl IntoParams<'p>,
        f: impl FnOnce(&Row<'_>) -> crate::sql::Result<T>,
    ) -> CoreResult<Option<T>> {
        let rows = self.conn.query(sql, &params.into_params())?;
        rows.into_iter()
            .next()
            .map(|cells| f(&Row::new(cells)))
            .transpose()
            .map_err(|e| described(e.0))
    }

    pub(crate) fn many<'p, T>(
        &self,
        sql: &str,
        params: impl IntoParams<'p>,
        mut f: impl FnMut(&Row<'_>) -> crate::sql::Result<T>,
    ) -> CoreResult<Vec<T>> {
        let rows = self.conn.query(sql, &params.into_params())?;
        rows.into_iter()
            .map(|cells| f(&Row::new(cells)))
            .collect::<crate::sql::Result<_>>()
            .map_err(|e| described(e.0))
    }

    /// Fills in a user's tags, sorted by key.
    pub(crate) fn with_tags(&self, mut user: User) -> CoreResult<User> {
        user.tags = self.many(
            "SELECT key, value FROM user_tags WHERE user_id = ?1 ORDER BY key",
            [user.id.as_str()],
            tag_row,
        )?;
        Ok(user)
    }

    pub(crate) fn unseal(
        &self,
        id: &AccessKeyId,
        nonce: &[u8],
        sealed: &[u8],
    ) -> CoreResult<Secret> {
        self.seal
            .open(id.as_str(), nonce, sealed)
            .map(Secret::new)
            .map_err(described)
    }

    /// Writes under a user check first that the user is in the account.
    pub(crate) fn group_exists(&self, account: &AccountId, group: &GroupId) -> CoreResult<()> {
        self.one(
            "SELECT 1 FROM groups WHERE account_id = ?1 AND id = ?2",
            params![account.as_str(), group.as_str()],
            |_| Ok(()),
        )?
        .ok_or_else(|| described("no such group in this account".into()))
    }

    pub(crate) fn user_exists(&self, account: &AccountId, user: &UserId) -> CoreResult<()> {
        self.one(
            "SELECT 1 FROM users WHERE account_id = ?1 AND id = ?2",
            params![account.as_str(), user.as_str()],
            |_| Ok(()),
        )?
        .ok_or_else(|| described("no such user in this account".into()))
    }

    pub(crate) fn exec<'p>(&self, sql: &str, params: impl IntoParams<'p>) -> CoreResult<usize> {
        let n = self.conn.execute(sql, &params.into_params())?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }
}

impl ReadTx for SqlTx<'_> {
    fn account(&self, id: &AccountId) -> CoreResult<Option<Account>> {
        self.one(
            &format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE id = ?1"),
            [id.as_str()],
            account_row,
        )
    }

    fn account_by_email(&self, email: &Email) -> CoreResult<Option<Account>> {
        self.one(
            &format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE email = ?1"),
            [email.as_str()],
            account_row,
        )
    }

    fn accounts(&self) -> CoreResult<Vec<Account>> {
        self.many(
            &format!("SELECT {ACCOUNT_COLS} FROM accounts ORDER BY id"),
            params![],
            account_row,
        )
    }

    fn password_hash(&self, id: &AccountId) -> CoreResult<Option<String>> {
        self.one(
            "SELECT password_hash FROM accounts WHERE id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )
    }

    fn user_by_name(&self, account: &AccountId, name: &UserName) -> CoreResult<Option<User>> {
        self.one(
            &format!("SELECT {USER_COLS} FROM users WHERE account_id = ?1 AND name_folded = ?2"),
            params![account.as_str(), name.folded()],
            user_row,
        )?
        .map(|u| self.with_tags(u))
        .transpose()
    }

    fn user_by_id(&self, account: &AccountId, id: &UserId) -> CoreResult<Option<User>> {
        self.one(
            &format!("SELECT {USER_COLS} FROM users WHERE account_id = ?1 AND id = ?2"),
            params![account.as_str(), id.as_str()],
            user_row,
        )?
        .map(|u| self.with_tags(u))
        .transpose()
    }

    fn users(
        &self,
        account: &AccountId,
        prefix: Option<&PathPrefix>,
        after: Option<&str>,
        limit: usize,
    ) -> CoreResult<Vec<User>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.many(
            &format!(
                "SELECT {USER_COLS} FROM users WHERE account_id = ?1 \
                 AND (CAST(?2 AS TEXT) IS NULL OR substr(path, 1, length(?2)) = ?2) \
                 AND (CAST(?3 AS TEXT) IS NULL OR name_folded > ?3) \
                 ORDER BY name_folded LIMIT ?4"
            ),
            params![account.as_str(), prefix.map(|p| p.as_str()), after, limit],
            user_row,
        )?
        .into_iter()
        .map(|u| self.with_tags(u))
        .collect()
    }

    fn key(&self, account: &AccountId, id: &AccessKeyId) -> CoreResult<Option<AccessKey>> {
        self.one(
            &format!("SELECT {KEY_COLS} FROM access_keys WHERE account_id = ?1 AND id = ?2"),
            params![account.as_str(), id.as_str()],
            key_row,
        )
    }

    fn key_secret(&self, account: &AccountId, id: &AccessKeyId) -> CoreResult<Option<Secret>> {
        let sealed = self.one(
            "SELECT secret_nonce, secret_sealed FROM access_keys \
             WHERE account_id = ?1 AND id = ?2",
            params![account.as_str(), id.as_str()],
            |r| Ok((r.get::<Vec<u8>>(0)?, r.get::<Vec<u8>>(1)?)),
        )?;
        sealed
            .map(|(nonce, c)| self.unseal(id, &nonce, &c))
            .transpose()
    }

    fn key_for_authentication(&self, id: &AccessKeyId) -> CoreResult<Option<AccessKey>> {
        self.one(
            &format!("SELECT {KEY_COLS} FROM access_keys WHERE id = ?1"),
            [id.as_str()],
            key_row,
        )
    }

    fn session_for_authentication(
        &self,
        id: &AccessKeyId,
    ) -> CoreResult<Option<(Session, Secret, Vec<u8>)>> {
        if let Some(found) = self.read_session_for_authentication(id)? {
            return Ok(Some(found));
        }
        match self.read_role_session(id)? {
            Some(found) => Ok(Some(found)),
            None => self.read_sign_in_session(id),
        }
    }

    fn login_profile(
        &self,
        account: &AccountId,
        user: &UserId,
    ) -> CoreResult<Option<LoginProfile>> {
        self.read_login_profile(account, user)
    }

    fn password_policy(&self, account: &AccountId) -> CoreResult<Option<PasswordPolicy>> {
        self.read_password_policy(account)
    }

    fn mfa_devices(&self, account: &AccountId) -> CoreResult<Vec<MfaDevice>> {
        self.read_mfa_devices(account)
    }

    fn mfa_device(&self, account: &AccountId, serial: &str) -> CoreResult<Option<MfaDevice>> {
        self.read_mfa_device(account, serial)
    }

    fn keys(&self, account: &AccountId, owner: &KeyOwner) -> CoreResult<Vec<AccessKey>> {
        self.many(
            &format!(
                "SELECT {KEY_COLS} FROM access_keys WHERE account_id = ?1 AND user_id IS NOT DISTINCT FROM ?2 \
                 ORDER BY created_at, id"
            ),
            params![account.as_str(), owner_param(owner)],
            key_row,
        )
    }

    fn policies(
        &self,
        account: &AccountId,
        user: &UserId,
    ) -> CoreResult<Vec<(PolicyName, String)>> {
        self.many(
            "SELECT p.name, p.document FROM user_policies p JOIN users u ON u.id = p.user_id \
             WHERE u.account_id = ?1 AND p.user_id = ?2 ORDER BY p.name",
            params![account.as_str(), user.as_str()],
            |r| {
                Ok((
                    parse_col(r, 0, "policy name", PolicyName::parse)?,
                    r.get(1)?,
                ))
            },
        )
    }

    fn group_by_name(&self, account: &AccountId, name: &GroupName) -> CoreResult<Option<Group>> {
        self.one(
            &format!(
                "SELECT {GROUP_COLS} FROM groups g WHERE g.account_id = ?1 AND g.name_folded = ?2"
            ),
            params![account.as_str(), name.folded()],
            group_row,
        )
    }

    fn groups(
        &self,
        account: &AccountId,
        prefix: Option<&PathPrefix>,
        after: Option<&str>,
        limit: usize,
    ) -> CoreResult<Vec<Group>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.many(
            &format!(
                "SELECT {GROUP_COLS} FROM groups g WHERE g.account_id = ?1 \
                 AND (CAST(?2 AS TEXT) IS NULL OR substr(g.path, 1, length(?2)) = ?2) \
                 AND (CAST(?3 AS TEXT) IS NULL OR g.name_folded > ?3) \
                 ORDER BY g.name_folded LIMIT ?4"
            ),
            params![account.as_str(), prefix.map(|p| p.as_str()), after, limit],
            group_row,
        )
    }

    fn group_members(&self, account: &AccountId, group: &GroupId) -> CoreResult<Vec<User>> {
        let cols: String = USER_COLS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.many(
            &format!(
                "SELECT {cols} FROM group_members m JOIN users u ON u.id = m.user_id \
                 JOIN groups g ON g.id = m.group_id \
                 WHERE g.account_id = ?1 AND u.account_id = ?1 AND m.group_id = ?2 \
                 ORDER BY u.name_folded"
            ),
            params![account.as_str(), group.as_str()],
            user_row,
        )?
        .into_iter()
        .map(|u| self.with_tags(u))
        .collect()
    }

    fn groups_of_user(&self, account: &AccountId, user: &UserId) -> CoreResult<Vec<Group>> {
        self.many(
            &format!(
                "SELECT {GROUP_COLS} FROM group_members m JOIN groups g ON g.id = m.group_id \
                 WHERE g.account_id = ?1 AND m.user_id = ?2 ORDER BY g.name_folded"
            ),
            params![account.as_str(), user.as_str()],
            group_row,
        )
    }

    fn group_policies(
        &self,
        account: &AccountId,
        group: &GroupId,
    ) -> CoreResult<Vec<(PolicyName, String)>> {
        self.many(
            "SELECT p.name, p.document FROM group_policies p JOIN groups g ON g.id = p.group_id \
             WHERE g.account_id = ?1 AND p.group_id = ?2 ORDER BY p.name",
            params![account.as_str(), group.as_str()],
            |r| {
                Ok((
                    parse_col(r, 0, "policy name", PolicyName::parse)?,
                    r.get(1)?,
                ))
            },
        )
    }

    fn managed_policies(&self, account: &AccountId) -> CoreResult<Vec<ManagedPolicy>> {
        self.read_managed_policies(account)
    }

    fn managed_policy(
        &self,
        account: &AccountId,
        id: &PolicyId,
    ) -> CoreResult<Option<ManagedPolicy>> {
        self.read_managed_policy(account, id)
    }

    fn policy_versions(
        &self,
        account: &AccountId,
        id: &PolicyId,
    ) -> CoreResult<Vec<PolicyVersion>> {
        self.read_policy_versions(account, id)
    }

    fn policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        version: VersionId,
    ) -> CoreResult<Option<PolicyVersion>> {
        self.read_policy_version(account, id, version)
    }

    fn audit_records(
        &self,
        account: Option<&AccountId>,
        after: Option<i64>,
        limit: usize,
    ) -> CoreResult<Vec<(i64, AuditRecord)>> {
        self.read_audit_records(account, after, limit)
    }

    fn audit_records_newest(
        &self,
        account: &AccountId,
        before: Option<i64>,
        limit: usize,
    ) -> CoreResult<Vec<(i64, AuditRecord)>> {
        self.read_audit_records_newest(account, before, limit)
    }

    fn api_access_policy(&self, account: &AccountId) -> CoreResult<Option<ApiAccessPolicy>> {
        self.read_api_access_policy(account)
    }

    fn login_failures(&self, login: &str, source: &str) -> CoreResult<Option<LoginFailures>> {
        self.read_login_failures(login, source)
    }

    fn source_failures(
        &self,
        source: &str,
        since: Timestamp,
    ) -> CoreResult<(u32, Option<Timestamp>)> {
        self.read_source_failures(source, since)
    }

    fn cas(&self, account: &AccountId) -> CoreResult<Vec<Ca>> {
        self.read_cas(account)
    }

    fn access_rules(&self, account: &AccountId) -> CoreResult<Vec<ApiAccessRule>> {
        self.read_access_rules(account)
    }

    fn role_by_name(&self, account: &AccountId, name: &RoleName) -> CoreResult<Option<Role>> {
        self.read_role_by_name(account, name)
    }

    fn role_by_id(&self, account: &AccountId, id: &RoleId) -> CoreResult<Option<Role>> {
        self.read_role_by_id(account, id)
    }

    fn roles(
        &self,
        account: &AccountId,
        prefix: Option<&PathPrefix>,
        after: Option<&str>,
        limit: usize,
    ) -> CoreResult<Vec<Role>> {
        self.read_roles(account, prefix, after, limit)
    }

    fn role_policies(
        &self,
        account: &AccountId,
        role: &RoleId,
    ) -> CoreResult<Vec<(PolicyName, String)>> {
        self.read_role_policies(account, role)
    }

    fn attached_policies(&self, account: &AccountId, to: &Attachee) -> CoreResult<Vec<PolicyId>> {
        match to {
            Attachee::Role(r) => self.read_role_attached_policies(account, r),
            Attachee::User(_) | Attachee::Group(_) => self.read_attached_policies(account, to),
        }
    }

    fn policy_attachees(
        &self,
        account: &AccountId,
        policy: &PolicyId,
    ) -> CoreResult<Vec<Attachee>> {
        let mut all = self.read_policy_attachees(account, policy)?;
        all.extend(
            self.read_policy_roles(account, policy)?
                .into_iter()
                .map(Attachee::Role),
        );
        Ok(all)
    }
}
