//! Groups in SQL, the write half: the group records, their memberships and inline policies,
//! every statement scoped to the account it names. `write` delegates here.

use crate::sql::params;
use keygate_core::{AccountId, CoreResult, Group, GroupId, PolicyName, UserId};

use crate::tx::SqlTx;

impl SqlTx<'_> {
    pub(crate) fn write_insert_group(&self, g: &Group) -> CoreResult<()> {
        self.exec(
            "INSERT INTO groups (id, account_id, name, name_folded, path, created_at, modified_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                g.id.as_str(),
                g.account_id.as_str(),
                g.name.as_str(),
                g.name.folded(),
                g.path.as_str(),
                g.created_at.unix_millis(),
                g.modified_at.unix_millis()
            ],
        )
        .map(drop)
    }

    pub(crate) fn write_update_group(&self, g: &Group) -> CoreResult<()> {
        self.exec(
            "UPDATE groups SET name = ?3, name_folded = ?4, path = ?5, modified_at = ?6 \
             WHERE account_id = ?1 AND id = ?2",
            params![
                g.account_id.as_str(),
                g.id.as_str(),
                g.name.as_str(),
                g.name.folded(),
                g.path.as_str(),
                g.modified_at.unix_millis()
            ],
        )
        .map(drop)
    }

    pub(crate) fn write_delete_group(&self, account: &AccountId, id: &GroupId) -> CoreResult<()> {
        self.exec(
            "DELETE FROM groups WHERE account_id = ?1 AND id = ?2",
            params![account.as_str(), id.as_str()],
        )
        .map(drop)
    }

    pub(crate) fn write_add_member(
        &self,
        account: &AccountId,
        group: &GroupId,
        user: &UserId,
    ) -> CoreResult<()> {
        self.group_exists(account, group)?;
        self.user_exists(account, user)?;
        self.exec(
            "INSERT INTO group_members (group_id, user_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![group.as_str(), user.as_str()],
        )
        .map(drop)
    }

    pub(crate) fn write_remove_member(
        &self,
        account: &AccountId,
        group: &GroupId,
        user: &UserId,
    ) -> CoreResult<()> {
        self.exec(
            "DELETE FROM group_members WHERE group_id = ?2 AND user_id = ?3 \
             AND group_id IN (SELECT id FROM groups WHERE account_id = ?1)",
            params![account.as_str(), group.as_str(), user.as_str()],
        )
        .map(drop)
    }

    pub(crate) fn write_put_group_policy(
        &self,
        account: &AccountId,
        group: &GroupId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        self.group_exists(account, group)?;
        self.exec(
            "INSERT INTO group_policies (group_id, name, document) VALUES (?1, ?2, ?3) \
             ON CONFLICT (group_id, name) DO UPDATE SET document = excluded.document",
            params![group.as_str(), name.as_str(), document],
        )
        .map(drop)
    }

    pub(crate) fn write_delete_group_policy(
        &self,
        account: &AccountId,
        group: &GroupId,
        name: &PolicyName,
    ) -> CoreResult<()> {
        self.exec(
            "DELETE FROM group_policies WHERE group_id = ?2 AND name = ?3 \
             AND group_id IN (SELECT id FROM groups WHERE account_id = ?1)",
            params![account.as_str(), group.as_str(), name.as_str()],
        )
        .map(drop)
    }
}
