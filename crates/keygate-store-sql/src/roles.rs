//! Roles in SQL: the role records with their tags and inline policies, their managed policy
//! attachments, and the sessions of assumed roles. The `ReadTx` and `WriteTx` halves (`tx`,
//! `write`, `sessions`, `managed`) delegate here.

use crate::sql::{Row, params};
use keygate_core::{
    AccessKeyId, AccountId, CoreResult, PathPrefix, PolicyId, PolicyName, Role, RoleId, RoleName,
    RoleSession, RoleSessionName, Secret, Session, SessionOrigin, Tag, TagKey, Timestamp, UserPath,
};

use crate::rows::{corrupt, parse_col, tag_row};
use crate::tx::{SqlTx, described};

const ROLE_COLS: &str = "account_id, id, name, path, trust_policy, description, \
                         max_session_seconds, created_at, last_used_at, last_used_region, \
                         trust_set_at";

fn role_row(r: &Row<'_>) -> crate::sql::Result<Role> {
    let seconds: i64 = r.get(6)?;
    let last_at: Option<i64> = r.get(8)?;
    Ok(Role {
        account_id: parse_col(r, 0, "account id", AccountId::parse)?,
        id: parse_col(r, 1, "role id", RoleId::parse)?,
        name: parse_col(r, 2, "role name", RoleName::parse)?,
        path: parse_col(r, 3, "path", UserPath::parse)?,
        trust_policy: r.get(4)?,
        description: r.get(5)?,
        max_session_seconds: u32::try_from(seconds)
            .map_err(|e| corrupt("maximum session duration", e))?,
        created_at: Timestamp::from_unix_millis(r.get(7)?),
        last_used: match last_at {
            Some(at) => Some((
                Timestamp::from_unix_millis(at),
                r.get::<Option<String>>(9)?.unwrap_or_default(),
            )),
            None => None,
        },
        trust_set_at: Timestamp::from_unix_millis(r.get(10)?),
        tags: Vec::new(),
    })
}

impl SqlTx<'_> {
    fn with_role_tags(&self, mut role: Role) -> CoreResult<Role> {
        role.tags = self.many(
            "SELECT key, value FROM role_tags WHERE role_id = ?1 ORDER BY key",
            [role.id.as_str()],
            tag_row,
        )?;
        Ok(role)
    }

    pub(crate) fn read_role_by_name(
        &self,
        account: &AccountId,
        name: &RoleName,
    ) -> CoreResult<Option<Role>> {
        self.one(
            &format!("SELECT {ROLE_COLS} FROM roles WHERE account_id = ?1 AND name_folded = ?2"),
            params![account.as_str(), name.folded()],
            role_row,
        )?
        .map(|r| self.with_role_tags(r))
        .transpose()
    }

    pub(crate) fn read_role_by_id(
        &self,
        account: &AccountId,
        id: &RoleId,
    ) -> CoreResult<Option<Role>> {
        self.one(
            &format!("SELECT {ROLE_COLS} FROM roles WHERE account_id = ?1 AND id = ?2"),
            params![account.as_str(), id.as_str()],
            role_row,
        )?
        .map(|r| self.with_role_tags(r))
        .transpose()
    }

    pub(crate) fn read_roles(
        &self,
        account: &AccountId,
        prefix: Option<&PathPrefix>,
        after: Option<&str>,
        limit: usize,
    ) -> CoreResult<Vec<Role>> {
        // `substr` rather than LIKE: a prefix may hold `%` and `_`.
        self.many(
            &format!(
                "SELECT {ROLE_COLS} FROM roles WHERE account_id = ?1 \
                 AND (CAST(?2 AS TEXT) IS NULL OR substr(path, 1, length(?2)) = ?2) \
                 AND (CAST(?3 AS TEXT) IS NULL OR name_folded > ?3) ORDER BY name_folded LIMIT ?4"
            ),
            params![
                account.as_str(),
                prefix.map(PathPrefix::as_str),
                after,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            role_row,
        )?
        .into_iter()
        .map(|r| self.with_role_tags(r))
        .collect()
    }

    pub(crate) fn read_role_policies(
        &self,
        account: &AccountId,
        role: &RoleId,
    ) -> CoreResult<Vec<(PolicyName, String)>> {
        self.many(
            "SELECT p.name, p.document FROM role_policies p JOIN roles r ON r.id = p.role_id \
             WHERE r.account_id = ?1 AND p.role_id = ?2 ORDER BY p.name",
            params![account.as_str(), role.as_str()],
            |r| {
                Ok((
                    parse_col(r, 0, "policy name", PolicyName::parse)?,
                    r.get(1)?,
                ))
            },
        )
    }

    fn role_exists(&self, account: &AccountId, role: &RoleId) -> CoreResult<()> {
        self.one(
            "SELECT 1 FROM roles WHERE account_id = ?1 AND id = ?2",
            params![account.as_str(), role.as_str()],
            |_| Ok(()),
        )?
        .ok_or_else(|| described("no such role in this account".into()))
    }

    pub(crate) fn write_insert_role(&self, role: &Role) -> CoreResult<()> {
        self.exec(
            "INSERT INTO roles (id, account_id, name, name_folded, path, trust_policy, \
             description, max_session_seconds, created_at, last_used_at, last_used_region, \
             trust_set_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                role.id.as_str(),
                role.account_id.as_str(),
                role.name.as_str(),
                role.name.folded(),
                role.path.as_str(),
                role.trust_policy,
                role.description,
                i64::from(role.max_session_seconds),
                role.created_at.unix_millis(),
                role.last_used.as_ref().map(|(at, _)| at.unix_millis()),
                role.last_used.as_ref().map(|(_, region)| region.as_str()),
                role.trust_set_at.unix_millis(),
            ],
        )?;
        self.write_put_role_tags(&role.account_id, &role.id, &role.tags)
    }

    pub(crate) fn write_update_role(&self, role: &Role) -> CoreResult<()> {
        let n = self.exec(
            "UPDATE roles SET trust_policy = ?3, description = ?4, max_session_seconds = ?5, \
             last_used_at = ?6, last_used_region = ?7, trust_set_at = ?8 \
             WHERE account_id = ?1 AND id = ?2",
            params![
                role.account_id.as_str(),
                role.id.as_str(),
                role.trust_policy,
                role.description,
                i64::from(role.max_session_seconds),
                role.last_used.as_ref().map(|(at, _)| at.unix_millis()),
                role.last_used.as_ref().map(|(_, region)| region.as_str()),
                role.trust_set_at.unix_millis(),
            ],
        )?;
        match n {
            1 => Ok(()),
            _ => Err(described("no such role in this account".into())),
        }
    }

    pub(crate) fn write_delete_role(&self, account: &AccountId, id: &RoleId) -> CoreResult<()> {
        self.exec(
            "DELETE FROM roles WHERE account_id = ?1 AND id = ?2",
            params![account.as_str(), id.as_str()],
        )
        .map(drop)
    }

    pub(crate) fn write_put_role_tags(
        &self,
        account: &AccountId,
        role: &RoleId,
        tags: &[Tag],
    ) -> CoreResult<()> {
        self.role_exists(account, role)?;
        for t in tags {
            self.exec(
                "INSERT INTO role_tags (role_id, key, value) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (role_id, key) DO UPDATE SET value = excluded.value",
                params![role.as_str(), t.key.as_str(), t.value.as_str()],
            )?;
        }
        Ok(())
    }

    pub(crate) fn write_delete_role_tags(
        &self,
        account: &AccountId,
        role: &RoleId,
        keys: &[TagKey],
    ) -> CoreResult<()> {
        for k in keys {
            self.exec(
                "DELETE FROM role_tags WHERE key = ?3 AND role_id = \
                 (SELECT id FROM roles WHERE account_id = ?1 AND id = ?2)",
                params![account.as_str(), role.as_str(), k.as_str()],
            )?;
        }
        Ok(())
    }

    pub(crate) fn write_put_role_policy(
        &self,
        account: &AccountId,
        role: &RoleId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        self.role_exists(account, role)?;
        self.exec(
            "INSERT INTO role_policies (role_id, name, document) VALUES (?1, ?2, ?3) \
             ON CONFLICT (role_id, name) DO UPDATE SET document = excluded.document",
            params![role.as_str(), name.as_str(), document],
        )
        .map(drop)
    }

    pub(crate) fn write_delete_role_policy(
        &self,
        account: &AccountId,
        role: &RoleId,
        name: &PolicyName,
    ) -> CoreResult<()> {
        self.exec(
            "DELETE FROM role_policies WHERE name = ?3 AND role_id = \
             (SELECT id FROM roles WHERE account_id = ?1 AND id = ?2)",
            params![account.as_str(), role.as_str(), name.as_str()],
        )
        .map(drop)
    }

    pub(crate) fn read_role_attached_policies(
        &self,
        account: &AccountId,
        role: &RoleId,
    ) -> CoreResult<Vec<PolicyId>> {
        self.many(
            "SELECT policy_id FROM role_policy_attachments WHERE account_id = ?1 \
             AND role_id = ?2 ORDER BY policy_id",
            params![account.as_str(), role.as_str()],
            |r| parse_col(r, 0, "policy id", PolicyId::parse),
        )
    }

    pub(crate) fn read_policy_roles(
        &self,
        account: &AccountId,
        policy: &PolicyId,
    ) -> CoreResult<Vec<RoleId>> {
        self.many(
            "SELECT role_id FROM role_policy_attachments WHERE account_id = ?1 \
             AND policy_id = ?2 ORDER BY role_id",
            params![account.as_str(), policy.as_str()],
            |r| parse_col(r, 0, "role id", RoleId::parse),
        )
    }

    pub(crate) fn write_attach_role_policy(
        &self,
        account: &AccountId,
        policy: &PolicyId,
        role: &RoleId,
    ) -> CoreResult<()> {
        self.role_exists(account, role)?;
        self.exec(
            "INSERT INTO role_policy_attachments (account_id, policy_id, role_id) \
             VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![account.as_str(), policy.as_str(), role.as_str()],
        )
        .map(drop)
    }

    pub(crate) fn write_detach_role_policy(
        &self,
        account: &AccountId,
        policy: &PolicyId,
        role: &RoleId,
    ) -> CoreResult<()> {
        self.exec(
            "DELETE FROM role_policy_attachments WHERE account_id = ?1 AND policy_id = ?2 \
             AND role_id = ?3",
            params![account.as_str(), policy.as_str(), role.as_str()],
        )
        .map(drop)
    }

    pub(crate) fn read_role_session(
        &self,
        id: &AccessKeyId,
    ) -> CoreResult<Option<(Session, Secret, Vec<u8>)>> {
        let row = self.one(
            "SELECT account_id, role_id, session_name, assumed_by, source_key_id, policies, \
             secret_nonce, secret_sealed, token_digest, created_at, expires_at, mfa_at \
             FROM role_sessions WHERE id = ?1",
            [id.as_str()],
            |r| {
                let policies: String = r.get(5)?;
                let policies: Vec<String> =
                    serde_json::from_str(&policies).map_err(|e| corrupt("session policies", e))?;
                let session = Session {
                    key_id: id.clone(),
                    account_id: parse_col(r, 0, "account id", AccountId::parse)?,
                    origin: SessionOrigin::Role(RoleSession {
                        role: parse_col(r, 1, "role id", RoleId::parse)?,
                        name: parse_col(r, 2, "role session name", RoleSessionName::parse)?,
                        assumed_by: r.get(3)?,
                        source_key: parse_col(r, 4, "access key id", AccessKeyId::parse)?,
                        policies,
                    }),
                    created_at: Timestamp::from_unix_millis(r.get(9)?),
                    expires_at: Timestamp::from_unix_millis(r.get(10)?),
                    mfa_at: r.get::<Option<i64>>(11)?.map(Timestamp::from_unix_millis),
                };
                Ok((
                    session,
                    r.get::<Vec<u8>>(6)?,
                    r.get::<Vec<u8>>(7)?,
                    r.get::<Vec<u8>>(8)?,
                ))
            },
        )?;
        self.opened_session(id, row)
    }

    pub(crate) fn write_insert_role_session(
        &self,
        s: &Session,
        r: &RoleSession,
        secret: &Secret,
        token_digest: &[u8],
    ) -> CoreResult<()> {
        let (nonce, sealed) = self
            .seal
            .seal(s.key_id.as_str(), secret.expose())
            .map_err(described)?;
        let policies = serde_json::to_string(&r.policies).map_err(|e| described(e.to_string()))?;
        // The role must be in the session's account, and no key session have its id.
        let n = self.exec(
            "INSERT INTO role_sessions (id, account_id, role_id, session_name, assumed_by, \
             source_key_id, policies, secret_nonce, secret_sealed, token_digest, created_at, \
             expires_at, mfa_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13 FROM roles \
             WHERE id = ?3 AND account_id = ?2 \
             AND NOT EXISTS (SELECT 1 FROM sessions WHERE id = ?1)",
            params![
                s.key_id.as_str(),
                s.account_id.as_str(),
                r.role.as_str(),
                r.name.as_str(),
                r.assumed_by,
                r.source_key.as_str(),
                policies,
                nonce,
                sealed,
                token_digest,
                s.created_at.unix_millis(),
                s.expires_at.unix_millis(),
                s.mfa_at.map(Timestamp::unix_millis)
            ],
        )?;
        match n {
            1 => Ok(()),
            _ => Err(described(
                "no such role in this account, or id taken".into(),
            )),
        }
    }
}
