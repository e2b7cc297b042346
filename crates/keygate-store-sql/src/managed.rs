//! Managed policies in SQL: the policies, their versions and tags, and their attachments to
//! users and groups, every statement scoped to the account it names. The `ReadTx` and
//! `WriteTx` halves (`tx`, `write`) delegate here.

use crate::sql::{Row, params};
use keygate_core::{
    AccountId, Attachee, CoreResult, GroupId, ManagedPolicy, PolicyId, PolicyName, PolicyOwner,
    PolicyVersion, Timestamp, UserId, UserPath, VersionId,
};

use crate::rows::{corrupt, parse_col, tag_row};
use crate::tx::{SqlTx, described};

const POLICY_COLS: &str = "account_id, id, name, path, description, default_version, \
                           latest_version, created_at, modified_at";

fn version_col(r: &Row<'_>, idx: usize) -> crate::sql::Result<VersionId> {
    let n: i64 = r.get(idx)?;
    VersionId::parse(&format!("v{n}")).map_err(|e| corrupt("policy version", e))
}

fn policy_row(r: &Row<'_>) -> crate::sql::Result<ManagedPolicy> {
    Ok(ManagedPolicy {
        owner: PolicyOwner::Account(parse_col(r, 0, "account id", AccountId::parse)?),
        id: parse_col(r, 1, "policy id", PolicyId::parse)?,
        name: parse_col(r, 2, "policy name", PolicyName::parse)?,
        path: parse_col(r, 3, "path", UserPath::parse)?,
        description: r.get(4)?,
        default_version: version_col(r, 5)?,
        latest_version: version_col(r, 6)?,
        created_at: Timestamp::from_unix_millis(r.get(7)?),
        modified_at: Timestamp::from_unix_millis(r.get(8)?),
        tags: Vec::new(),
    })
}

fn version_row(r: &Row<'_>) -> crate::sql::Result<PolicyVersion> {
    Ok(PolicyVersion {
        id: version_col(r, 0)?,
        document: r.get(1)?,
        created_at: Timestamp::from_unix_millis(r.get(2)?),
    })
}

fn attachee_row(r: &Row<'_>) -> crate::sql::Result<Attachee> {
    let user: Option<String> = r.get(0)?;
    let group: Option<String> = r.get(1)?;
    match (user, group) {
        (Some(u), None) => Ok(Attachee::User(
            UserId::parse(&u).map_err(|e| corrupt("user id", e))?,
        )),
        (None, Some(g)) => Ok(Attachee::Group(
            GroupId::parse(&g).map_err(|e| corrupt("group id", e))?,
        )),
        _ => Err(corrupt(
            "attachment",
            "names neither one user nor one group",
        )),
    }
}

/// The user and group columns of an attachment.
fn attachee_params(to: &Attachee) -> (Option<&str>, Option<&str>) {
    match to {
        Attachee::User(u) => (Some(u.as_str()), None),
        Attachee::Group(g) => (None, Some(g.as_str())),
        // Kept in `role_policy_attachments`: no row of this table names one.
        Attachee::Role(_) => (None, None),
    }
}

/// The account a policy record is stored under; the provider's are never stored.
fn account_of(p: &ManagedPolicy) -> CoreResult<&AccountId> {
    match &p.owner {
        PolicyOwner::Account(a) => Ok(a),
        PolicyOwner::Provider => Err(described("the provider's policies are not stored".into())),
    }
}

fn version_param(v: VersionId) -> i64 {
    i64::from(v.number())
}

impl SqlTx<'_> {
    fn with_policy_tags(&self, mut p: ManagedPolicy) -> CoreResult<ManagedPolicy> {
        p.tags = self.many(
            "SELECT t.key, t.value FROM policy_tags t JOIN managed_policies p ON p.id = t.policy_id \
             WHERE p.account_id = ?1 AND t.policy_id = ?2 ORDER BY t.key",
            params![account_of(&p)?.as_str(), p.id.as_str()],
            tag_row,
        )?;
        Ok(p)
    }

    pub(crate) fn read_managed_policies(
        &self,
        account: &AccountId,
    ) -> CoreResult<Vec<ManagedPolicy>> {
        self.many(
            &format!(
                "SELECT {POLICY_COLS} FROM managed_policies WHERE account_id = ?1 \
                 ORDER BY name_folded"
            ),
            [account.as_str()],
            policy_row,
        )?
        .into_iter()
        .map(|p| self.with_policy_tags(p))
        .collect()
    }

    pub(crate) fn read_managed_policy(
        &self,
        account: &AccountId,
        id: &PolicyId,
    ) -> CoreResult<Option<ManagedPolicy>> {
        self.one(
            &format!(
                "SELECT {POLICY_COLS} FROM managed_policies WHERE account_id = ?1 AND id = ?2"
            ),
            params![account.as_str(), id.as_str()],
            policy_row,
        )?
        .map(|p| self.with_policy_tags(p))
        .transpose()
    }

    pub(crate) fn read_policy_versions(
        &self,
        account: &AccountId,
        id: &PolicyId,
    ) -> CoreResult<Vec<PolicyVersion>> {
        self.many(
            "SELECT v.version, v.document, v.created_at FROM policy_versions v \
             JOIN managed_policies p ON p.id = v.policy_id \
             WHERE p.account_id = ?1 AND v.policy_id = ?2 ORDER BY v.version",
            params![account.as_str(), id.as_str()],
            version_row,
        )
    }

    pub(crate) fn read_policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        version: VersionId,
    ) -> CoreResult<Option<PolicyVersion>> {
        self.one(
            "SELECT v.version, v.document, v.created_at FROM policy_versions v \
             JOIN managed_policies p ON p.id = v.policy_id \
             WHERE p.account_id = ?1 AND v.policy_id = ?2 AND v.version = ?3",
            params![account.as_str(), id.as_str(), version_param(version)],
            version_row,
        )
    }

    pub(crate) fn read_attached_policies(
        &self,
        account: &AccountId,
        to: &Attachee,
    ) -> CoreResult<Vec<PolicyId>> {
        let (user, group) = attachee_params(to);
        self.many(
            "SELECT policy_id FROM policy_attachments WHERE account_id = ?1 \
             AND user_id IS NOT DISTINCT FROM ?2 AND group_id IS NOT DISTINCT FROM ?3 ORDER BY policy_id",
            params![account.as_str(), user, group],
            |r| parse_col(r, 0, "policy id", PolicyId::parse),
        )
    }

    pub(crate) fn read_policy_attachees(
        &self,
        account: &AccountId,
        policy: &PolicyId,
    ) -> CoreResult<Vec<Attachee>> {
        self.many(
            "SELECT user_id, group_id FROM policy_attachments \
             WHERE account_id = ?1 AND policy_id = ?2",
            params![account.as_str(), policy.as_str()],
            attachee_row,
        )
    }

    fn write_policy_tags(&self, p: &ManagedPolicy) -> CoreResult<()> {
        let account = account_of(p)?.as_str();
        self.exec(
            "DELETE FROM policy_tags WHERE policy_id = ?2 \
             AND policy_id IN (SELECT id FROM managed_policies WHERE account_id = ?1)",
            params![account, p.id.as_str()],
        )?;
        for t in &p.tags {
            self.exec(
                "INSERT INTO policy_tags (policy_id, key, value) \
                 SELECT id, ?3, ?4 FROM managed_policies WHERE account_id = ?1 AND id = ?2",
                params![account, p.id.as_str(), t.key.as_str(), t.value.as_str()],
            )?;
        }
        Ok(())
    }

    pub(crate) fn write_insert_managed_policy(
        &self,
        p: &ManagedPolicy,
        first: &PolicyVersion,
    ) -> CoreResult<()> {
        let account = account_of(p)?;
        self.exec(
            "INSERT INTO managed_policies (id, account_id, name, name_folded, path, description, \
             default_version, latest_version, created_at, modified_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                p.id.as_str(),
                account.as_str(),
                p.name.as_str(),
                p.name.folded(),
                p.path.as_str(),
                p.description,
                version_param(p.default_version),
                version_param(p.latest_version),
                p.created_at.unix_millis(),
                p.modified_at.unix_millis()
            ],
        )?;
        self.write_insert_policy_version(account, &p.id, first)?;
        self.write_policy_tags(p)
    }

    pub(crate) fn write_update_managed_policy(&self, p: &ManagedPolicy) -> CoreResult<()> {
        let account = account_of(p)?;
        if self
            .read_policy_version(account, &p.id, p.default_version)?
            .is_none()
        {
            return Err(described("the default version does not exist".into()));
        }
        let changed = self.exec(
            "UPDATE managed_policies SET default_version = ?3, latest_version = ?4, \
             modified_at = ?5 WHERE account_id = ?1 AND id = ?2",
            params![
                account.as_str(),
                p.id.as_str(),
                version_param(p.default_version),
                version_param(p.latest_version),
                p.modified_at.unix_millis()
            ],
        )?;
        if changed == 0 {
            return Err(described("no such policy in this account".into()));
        }
        self.write_policy_tags(p)
    }

    pub(crate) fn write_delete_managed_policy(
        &self,
        account: &AccountId,
        id: &PolicyId,
    ) -> CoreResult<()> {
        if !self.read_policy_attachees(account, id)?.is_empty() {
            return Err(described("the policy is still attached".into()));
        }
        self.exec(
            "DELETE FROM managed_policies WHERE account_id = ?1 AND id = ?2",
            params![account.as_str(), id.as_str()],
        )
        .map(drop)
    }

    pub(crate) fn write_insert_policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        v: &PolicyVersion,
    ) -> CoreResult<()> {
        self.exec(
            "INSERT INTO policy_versions (policy_id, version, document, created_at) \
             SELECT id, ?3, ?4, ?5 FROM managed_policies WHERE account_id = ?1 AND id = ?2",
            params![
                account.as_str(),
                id.as_str(),
                version_param(v.id),
                v.document,
                v.created_at.unix_millis()
            ],
        )
        .and_then(|n| match n {
            1 => Ok(()),
            _ => Err(described("no such policy in this account".into())),
        })
    }

    pub(crate) fn write_delete_policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        version: VersionId,
    ) -> CoreResult<()> {
        if self
            .read_managed_policy(account, id)?
            .is_some_and(|p| p.default_version == version)
        {
            return Err(described("the default version stays".into()));
        }
        self.exec(
            "DELETE FROM policy_versions WHERE policy_id = ?2 AND version = ?3 \
             AND policy_id IN (SELECT id FROM managed_policies WHERE account_id = ?1)",
            params![account.as_str(), id.as_str(), version_param(version)],
        )
        .map(drop)
    }

    /// A policy of the account's or of the provider's catalog: what an attachment may name.
    pub(crate) fn known_policy(&self, account: &AccountId, policy: &PolicyId) -> CoreResult<()> {
        if keygate_core::catalog::by_id(policy).is_none()
            && self.read_managed_policy(account, policy)?.is_none()
        {
            return Err(described("no such policy in this account".into()));
        }
        Ok(())
    }

    pub(crate) fn write_attach_policy(
        &self,
        account: &AccountId,
        policy: &PolicyId,
        to: &Attachee,
    ) -> CoreResult<()> {
        self.known_policy(account, policy)?;
        match to {
            Attachee::User(u) => self.user_exists(account, u)?,
            Attachee::Group(g) => self.group_exists(account, g)?,
            Attachee::Role(_) => {
                return Err(described("roles' attachments have their own table".into()));
            }
        }
        let (user, group) = attachee_params(to);
        self.exec(
            "INSERT INTO policy_attachments (account_id, policy_id, user_id, group_id) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![account.as_str(), policy.as_str(), user, group],
        )
        .map(drop)
    }

    pub(crate) fn write_detach_policy(
        &self,
        account: &AccountId,
        policy: &PolicyId,
        to: &Attachee,
    ) -> CoreResult<()> {
        let (user, group) = attachee_params(to);
        self.exec(
            "DELETE FROM policy_attachments WHERE account_id = ?1 AND policy_id = ?2 \
             AND user_id IS NOT DISTINCT FROM ?3 AND group_id IS NOT DISTINCT FROM ?4",
            params![account.as_str(), policy.as_str(), user, group],
        )
        .map(drop)
    }
}
