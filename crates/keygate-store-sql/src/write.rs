//! The write half of a SQL transaction: the core's `WriteTx` as SQL, every statement scoped
//! to the account it names.

use crate::sql::params;
use keygate_core::{
    AccessKey, AccessKeyId, Account, AccountId, ApiAccessPolicy, ApiAccessRule, ApiAccessRuleId,
    Attachee, AuditRecord, Ca, CaId, CoreResult, Group, GroupId, LastUsed, LoginFailures,
    LoginProfile, ManagedPolicy, MfaDevice, PasswordPolicy, PolicyId, PolicyName, PolicyVersion,
    Role, RoleId, Secret, Session, Tag, TagKey, Timestamp, User, UserId, VersionId, WriteTx,
};

use crate::rows::{owner_param, state_text};
use crate::tx::{SqlTx, described};

impl WriteTx for SqlTx<'_> {
    fn insert_account(&self, a: &Account, password_hash: &str) -> CoreResult<()> {
        self.exec(
            "INSERT INTO accounts (id, name, email, password_hash, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                a.id.as_str(),
                a.name,
                a.email.as_str(),
                password_hash,
                a.created_at.unix_millis()
            ],
        )
        .map(drop)
    }

    fn set_password_hash(&self, id: &AccountId, hash: &str) -> CoreResult<()> {
        self.exec(
            "UPDATE accounts SET password_hash = ?2 WHERE id = ?1",
            params![id.as_str(), hash],
        )
        .map(drop)
    }

    fn insert_user(&self, u: &User) -> CoreResult<()> {
        self.exec(
            "INSERT INTO users (id, account_id, name, name_folded, path, email, created_at, \
             modified_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                u.id.as_str(),
                u.account_id.as_str(),
                u.name.as_str(),
                u.name.folded(),
                u.path.as_str(),
                u.email.as_ref().map(|e| e.as_str()),
                u.created_at.unix_millis(),
                u.modified_at.unix_millis()
            ],
        )?;
        self.put_tags(&u.account_id, &u.id, &u.tags)
    }

    fn update_user(&self, u: &User) -> CoreResult<()> {
        self.exec(
            "UPDATE users SET name = ?3, name_folded = ?4, path = ?5, email = ?6, \
             modified_at = ?7 WHERE account_id = ?1 AND id = ?2",
            params![
                u.account_id.as_str(),
                u.id.as_str(),
                u.name.as_str(),
                u.name.folded(),
                u.path.as_str(),
                u.email.as_ref().map(|e| e.as_str()),
                u.modified_at.unix_millis()
            ],
        )
        .map(drop)
    }

    fn delete_user(&self, account: &AccountId, id: &UserId) -> CoreResult<()> {
        self.exec(
            "DELETE FROM users WHERE account_id = ?1 AND id = ?2",
            params![account.as_str(), id.as_str()],
        )
        .map(drop)
    }

    fn put_tags(&self, account: &AccountId, user: &UserId, tags: &[Tag]) -> CoreResult<()> {
        self.user_exists(account, user)?;
        for t in tags {
            self.exec(
                "INSERT INTO user_tags (user_id, key, value) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value",
                params![user.as_str(), t.key.as_str(), t.value.as_str()],
            )?;
        }
        Ok(())
    }

    fn delete_tags(&self, account: &AccountId, user: &UserId, keys: &[TagKey]) -> CoreResult<()> {
        for k in keys {
            self.exec(
                "DELETE FROM user_tags WHERE user_id = ?2 AND key = ?3 \
                 AND user_id IN (SELECT id FROM users WHERE account_id = ?1)",
                params![account.as_str(), user.as_str(), k.as_str()],
            )?;
        }
        Ok(())
    }

    fn insert_key(&self, k: &AccessKey, secret: &Secret) -> CoreResult<()> {
        let (nonce, sealed) = self
            .seal
            .seal(k.id.as_str(), secret.expose())
            .map_err(described)?;
        self.exec(
            "INSERT INTO access_keys (id, account_id, user_id, state, secret_nonce, \
             secret_sealed, created_at, modified_at, expires_at, tag) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                k.id.as_str(),
                k.account_id.as_str(),
                owner_param(&k.owner),
                state_text(k.state),
                nonce,
                sealed,
                k.created_at.unix_millis(),
                k.modified_at.unix_millis(),
                k.expires_at.map(Timestamp::unix_millis),
                k.tag
            ],
        )
        .map(drop)
    }

    fn update_key(&self, k: &AccessKey) -> CoreResult<()> {
        self.exec(
            "UPDATE access_keys SET state = ?2, modified_at = ?3, expires_at = ?4, tag = ?5 \
             WHERE id = ?1 AND account_id = ?6",
            params![
                k.id.as_str(),
                state_text(k.state),
                k.modified_at.unix_millis(),
                k.expires_at.map(Timestamp::unix_millis),
                k.tag,
                k.account_id.as_str()
            ],
        )
        .map(drop)
    }

    fn record_last_use(
        &self,
        account: &AccountId,
        id: &AccessKeyId,
        used: &LastUsed,
    ) -> CoreResult<()> {
        self.exec(
            // Replicas flush their uses independently: the latest use wins.
            "UPDATE access_keys SET last_used_at = ?3, last_used_service = ?4, \
             last_used_region = ?5 WHERE account_id = ?1 AND id = ?2 \
             AND (last_used_at IS NULL OR last_used_at < ?3)",
            params![
                account.as_str(),
                id.as_str(),
                used.at.unix_millis(),
                used.service,
                used.region
            ],
        )
        .map(drop)
    }

    fn delete_key(&self, account: &AccountId, id: &AccessKeyId) -> CoreResult<()> {
        self.exec(
            "DELETE FROM access_keys WHERE account_id = ?1 AND id = ?2",
            params![account.as_str(), id.as_str()],
        )
        .map(drop)
    }

    fn insert_session(
        &self,
        session: &Session,
        secret: &Secret,
        token_digest: &[u8],
    ) -> CoreResult<()> {
        self.write_insert_session(session, secret, token_digest)
    }

    fn put_login_profile(&self, profile: &LoginProfile) -> CoreResult<()> {
        self.write_put_login_profile(profile)
    }

    fn delete_login_profile(&self, account: &AccountId, user: &UserId) -> CoreResult<()> {
        self.write_delete_login_profile(account, user)
    }

    fn put_password_policy(&self, account: &AccountId, policy: &PasswordPolicy) -> CoreResult<()> {
        self.write_put_password_policy(account, policy)
    }

    fn delete_password_policy(&self, account: &AccountId) -> CoreResult<()> {
        self.write_delete_password_policy(account)
    }

    fn insert_mfa_device(&self, device: &MfaDevice) -> CoreResult<()> {
        self.write_insert_mfa_device(device)
    }

    fn update_mfa_device(&self, device: &MfaDevice) -> CoreResult<()> {
        self.write_update_mfa_device(device)
    }

    fn delete_mfa_device(&self, account: &AccountId, serial: &str) -> CoreResult<()> {
        self.write_delete_mfa_device(account, serial)
    }

    fn delete_expired_sessions(&self, now: Timestamp) -> CoreResult<()> {
        self.write_delete_expired_sessions(now)
    }

    fn put_policy(
        &self,
        account: &AccountId,
        user: &UserId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        self.user_exists(account, user)?;
        self.exec(
            "INSERT INTO user_policies (user_id, name, document) VALUES (?1, ?2, ?3) \
             ON CONFLICT (user_id, name) DO UPDATE SET document = excluded.document",
            params![user.as_str(), name.as_str(), document],
        )
        .map(drop)
    }

    fn delete_policy(
        &self,
        account: &AccountId,
        user: &UserId,
        name: &PolicyName,
    ) -> CoreResult<()> {
        self.exec(
            "DELETE FROM user_policies WHERE user_id = ?2 AND name = ?3 \
             AND user_id IN (SELECT id FROM users WHERE account_id = ?1)",
            params![account.as_str(), user.as_str(), name.as_str()],
        )
        .map(drop)
    }

    fn insert_group(&self, g: &Group) -> CoreResult<()> {
        self.write_insert_group(g)
    }

    fn update_group(&self, g: &Group) -> CoreResult<()> {
        self.write_update_group(g)
    }

    fn delete_group(&self, account: &AccountId, id: &GroupId) -> CoreResult<()> {
        self.write_delete_group(account, id)
    }

    fn add_member(&self, account: &AccountId, group: &GroupId, user: &UserId) -> CoreResult<()> {
        self.write_add_member(account, group, user)
    }

    fn remove_member(&self, account: &AccountId, group: &GroupId, user: &UserId) -> CoreResult<()> {
        self.write_remove_member(account, group, user)
    }

    fn put_group_policy(
        &self,
        account: &AccountId,
        group: &GroupId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        self.write_put_group_policy(account, group, name, document)
    }

    fn delete_group_policy(
        &self,
        account: &AccountId,
        group: &GroupId,
        name: &PolicyName,
    ) -> CoreResult<()> {
        self.write_delete_group_policy(account, group, name)
    }

    fn insert_audit_record(&self, record: &AuditRecord) -> CoreResult<()> {
        self.write_insert_audit_record(record)
    }

    fn delete_audit_records_before(&self, before: Timestamp) -> CoreResult<()> {
        self.write_delete_audit_records_before(before)
    }

    fn put_login_failures(
        &self,
        login: &str,
        source: &str,
        failures: &LoginFailures,
    ) -> CoreResult<()> {
        self.write_put_login_failures(login, source, failures)
    }

    fn delete_login_failures(&self, login: &str, source: &str) -> CoreResult<()> {
        self.write_delete_login_failures(login, source)
    }

    fn insert_source_failure(&self, source: &str, at: Timestamp) -> CoreResult<()> {
        self.write_insert_source_failure(source, at)
    }

    fn delete_sign_in_failures_before(
        &self,
        logins_before: Timestamp,
        sources_before: Timestamp,
    ) -> CoreResult<()> {
        self.write_delete_sign_in_failures_before(logins_before, sources_before)
    }

    fn put_api_access_policy(
        &self,
        account: &AccountId,
        policy: &ApiAccessPolicy,
    ) -> CoreResult<()> {
        self.write_put_api_access_policy(account, policy)
    }

    fn insert_ca(&self, ca: &Ca) -> CoreResult<()> {
        self.write_insert_ca(ca)
    }

    fn update_ca(&self, ca: &Ca) -> CoreResult<()> {
        self.write_update_ca(ca)
    }

    fn delete_ca(&self, account: &AccountId, id: &CaId) -> CoreResult<()> {
        self.write_delete_ca(account, id)
    }

    fn insert_access_rule(&self, rule: &ApiAccessRule) -> CoreResult<()> {
        self.write_insert_access_rule(rule)
    }

    fn update_access_rule(&self, rule: &ApiAccessRule) -> CoreResult<()> {
        self.write_update_access_rule(rule)
    }

    fn delete_access_rule(&self, account: &AccountId, id: &ApiAccessRuleId) -> CoreResult<()> {
        self.write_delete_access_rule(account, id)
    }

    fn insert_role(&self, role: &Role) -> CoreResult<()> {
        self.write_insert_role(role)
    }

    fn update_role(&self, role: &Role) -> CoreResult<()> {
        self.write_update_role(role)
    }

    fn delete_role(&self, account: &AccountId, id: &RoleId) -> CoreResult<()> {
        self.write_delete_role(account, id)
    }

    fn put_role_tags(&self, account: &AccountId, role: &RoleId, tags: &[Tag]) -> CoreResult<()> {
        self.write_put_role_tags(account, role, tags)
    }

    fn delete_role_tags(
        &self,
        account: &AccountId,
        role: &RoleId,
        keys: &[TagKey],
    ) -> CoreResult<()> {
        self.write_delete_role_tags(account, role, keys)
    }

    fn put_role_policy(
        &self,
        account: &AccountId,
        role: &RoleId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        self.write_put_role_policy(account, role, name, document)
    }

    fn delete_role_policy(
        &self,
        account: &AccountId,
        role: &RoleId,
        name: &PolicyName,
    ) -> CoreResult<()> {
        self.write_delete_role_policy(account, role, name)
    }

    fn insert_managed_policy(
        &self,
        policy: &ManagedPolicy,
        first: &PolicyVersion,
    ) -> CoreResult<()> {
        self.write_insert_managed_policy(policy, first)
    }

    fn update_managed_policy(&self, policy: &ManagedPolicy) -> CoreResult<()> {
        self.write_update_managed_policy(policy)
    }

    fn delete_managed_policy(&self, account: &AccountId, id: &PolicyId) -> CoreResult<()> {
        self.write_delete_managed_policy(account, id)
    }

    fn insert_policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        version: &PolicyVersion,
    ) -> CoreResult<()> {
        self.write_insert_policy_version(account, id, version)
    }

    fn delete_policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        version: VersionId,
    ) -> CoreResult<()> {
        self.write_delete_policy_version(account, id, version)
    }

    fn attach_policy(
        &self,
        account: &AccountId,
        policy: &PolicyId,
        to: &Attachee,
    ) -> CoreResult<()> {
        match to {
            Attachee::Role(r) => {
                self.known_policy(account, policy)?;
                self.write_attach_role_policy(account, policy, r)
            }
            Attachee::User(_) | Attachee::Group(_) => self.write_attach_policy(account, policy, to),
        }
    }

    fn detach_policy(
        &self,
        account: &AccountId,
        policy: &PolicyId,
        to: &Attachee,
    ) -> CoreResult<()> {
        match to {
            Attachee::Role(r) => self.write_detach_role_policy(account, policy, r),
            Attachee::User(_) | Attachee::Group(_) => self.write_detach_policy(account, policy, to),
        }
    }
}
