//! What a principal may do with roles: create, read, list, update and delete them, set their
//! trust policy, tag them, and put, read, list and delete their inline policies.

use crate::error::{CoreError, CoreResult, Dependents, Quota};
use crate::ids::{PathPrefix, PolicyName, RoleName, TagKey, UserName, UserPath};
use crate::model::{Attachee, Role, Tag, role_arn};
use crate::page::{Page, PageRequest};
use crate::policy::{self, Context};
use crate::rules::Operation;
use crate::store::ReadTx;
use crate::validate;

use super::{Caller, request_tags, resource_tags, tag_keys};

/// `MaxSessionDuration`'s bounds and default, in seconds (AWS: one to twelve hours, one hour).
pub const ROLE_SESSION_SECONDS: (u32, u32, u32) = (3600, 43_200, 3600);
/// A trust policy's characters, white space not counted (AWS's default quota).
pub const TRUST_POLICY_CHARS: u32 = 2048;
/// The sum of a role's inline policy documents, white space not counted (AWS).
pub const ROLE_INLINE_POLICY_CHARS: u32 = 10_240;

/// A role to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRole {
    pub name: RoleName,
    pub path: Option<UserPath>,
    pub trust_policy: String,
    pub description: Option<String>,
    pub max_session_seconds: Option<u32>,
    pub tags: Vec<Tag>,
}

/// What UpdateRole changes; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleChange {
    /// `Some("")` clears the description.
    pub description: Option<String>,
    pub max_session_seconds: Option<u32>,
}

fn max_session(seconds: u32) -> CoreResult<()> {
    let (min, max, _) = ROLE_SESSION_SECONDS;
    if (min..=max).contains(&seconds) {
        Ok(())
    } else {
        Err(validate::invalid(
            "MaxSessionDuration",
            format!("must be between {min} and {max} seconds"),
        ))
    }
}

impl Caller<'_> {
    /// The named role and its ARN, or the ARN it would have at path `/`.
    pub(super) fn target_role(
        &self,
        tx: &dyn ReadTx,
        name: &RoleName,
    ) -> CoreResult<(Option<Role>, String)> {
        let role = tx.role_by_name(self.account(), name)?;
        let arn = match &role {
            Some(r) => r.arn(),
            None => role_arn(self.account(), &UserPath::root(), name),
        };
        Ok((role, arn))
    }

    /// The named role once `op` is authorised on it (with its tags as resource tags);
    /// authorised before the role is known to exist, so that a denied caller cannot learn
    /// which roles exist.
    pub(super) fn existing_role(
        &self,
        tx: &dyn ReadTx,
        op: Operation,
        name: &RoleName,
    ) -> CoreResult<Role> {
        self.existing_role_with(tx, op, name, Context::new())
    }

    fn existing_role_with(
        &self,
        tx: &dyn ReadTx,
        op: Operation,
        name: &RoleName,
        mut keys: Context,
    ) -> CoreResult<Role> {
        let (role, arn) = self.target_role(tx, name)?;
        if let Some(r) = &role {
            keys.extend(&resource_tags(&r.tags));
        }
        self.authorize_with(tx, op, &[&arn], &keys)?;
        role.ok_or_else(|| CoreError::NoSuchRole(name.clone()))
    }

    /// A trust policy that parses, fits, and names only users and roles of the account that
    /// exist (AWS refuses the others as invalid principals).
    fn check_trust_policy(&self, tx: &dyn ReadTx, document: &str) -> CoreResult<()> {
        let trust = policy::parse_trust(document).map_err(CoreError::MalformedPolicy)?;
        if policy::counted_chars(document) > TRUST_POLICY_CHARS as usize {
            return Err(CoreError::LimitExceeded(Quota::TrustPolicySize(
                TRUST_POLICY_CHARS,
            )));
        }
        let prefix = format!("arn:aws:iam::{}:", self.account());
        for arn in trust.principals_in(self.account().as_str()) {
            let resource = arn.strip_prefix(&prefix).unwrap_or_default();
            let (kind, rest) = resource.split_once('/').unwrap_or_default();
            let (path, name) = crate::model::path_and_name(rest);
            let exists = match kind {
                "user" => match UserName::parse_lookup(name) {
                    Ok(n) => tx
                        .user_by_name(self.account(), &n)?
                        .is_some_and(|u| u.path.as_str() == path),
                    Err(_) => false,
                },
                "role" => match RoleName::parse(name) {
                    Ok(n) => tx
                        .role_by_name(self.account(), &n)?
                        .is_some_and(|r| r.path.as_str() == path),
                    Err(_) => false,
                },
                _ => false,
            };
            if !exists {
                return Err(CoreError::MalformedPolicy(policy::invalid_principal(
                    "AWS", &arn,
                )));
            }
        }
        Ok(())
    }

    pub fn create_role(&self, new: NewRole) -> CoreResult<Role> {
        validate::document("AssumeRolePolicyDocument", &new.trust_policy)?;
        validate::description(new.description.as_deref())?;
        validate::tags(&new.tags, "Tags")?;
        let seconds = new.max_session_seconds.unwrap_or(ROLE_SESSION_SECONDS.2);
        max_session(seconds)?;
        let now = self.svc.clock.now();
        let path = new.path.unwrap_or_else(UserPath::root);
        self.write(|tx| {
            let arn = role_arn(self.account(), &path, &new.name);
            self.authorize_with(tx, Operation::CreateRole, &[&arn], &request_tags(&new.tags))?;
            self.check_trust_policy(tx, &new.trust_policy)?;
            if tx.role_by_name(self.account(), &new.name)?.is_some() {
                return Err(CoreError::RoleAlreadyExists(new.name.clone()));
            }
            let mut tags = new.tags.clone();
            tags.sort_by(|a, b| a.key.cmp(&b.key));
            let role = Role {
                account_id: self.account().clone(),
                id: self.svc.ids.role_id(),
                name: new.name.clone(),
                path: path.clone(),
                trust_policy: new.trust_policy.clone(),
                trust_set_at: now,
                description: new.description.clone().filter(|d| !d.is_empty()),
                max_session_seconds: seconds,
                created_at: now,
                last_used: None,
                tags,
            };
            tx.insert_role(&role)?;
            Ok(role)
        })
    }

    pub fn get_role(&self, name: &RoleName) -> CoreResult<Role> {
        self.read(|tx| self.existing_role(tx, Operation::GetRole, name))
    }

    pub fn list_roles(
        &self,
        prefix: Option<&PathPrefix>,
        page: &PageRequest,
    ) -> CoreResult<Page<Role>> {
        let limit = page.limit()?;
        let after = page.position()?;
        self.read(|tx| {
            self.authorize(tx, Operation::ListRoles, &["*"])?;
            let roles = tx.roles(self.account(), prefix, after.as_deref(), limit + 1)?;
            Ok(PageRequest::cut(roles, limit, |r| r.name.folded()))
        })
    }

    /// Changes a role's description and longest session; answers the role as it now is.
    /// `op` is UpdateRole, or UpdateRoleDescription, which AWS authorises as its own action.
    pub fn update_role(
        &self,
        name: &RoleName,
        change: RoleChange,
        op: Operation,
    ) -> CoreResult<Role> {
        validate::description(change.description.as_deref())?;
        if let Some(s) = change.max_session_seconds {
            max_session(s)?;
        }
        self.write(|tx| {
            let mut role = self.existing_role(tx, op, name)?;
            if let Some(d) = &change.description {
                role.description = Some(d.clone()).filter(|d| !d.is_empty());
            }
            if let Some(s) = change.max_session_seconds {
                role.max_session_seconds = s;
            }
            tx.update_role(&role)?;
            Ok(role)
        })
    }

    /// Replaces a role's trust policy; sessions already made stay until they expire (AWS).
    pub fn update_trust_policy(&self, name: &RoleName, document: &str) -> CoreResult<()> {
        validate::document("PolicyDocument", document)?;
        let now = self.svc.clock.now();
        self.write(|tx| {
            let mut role = self.existing_role(tx, Operation::UpdateAssumeRolePolicy, name)?;
            self.check_trust_policy(tx, document)?;
            role.trust_policy = document.to_owned();
            role.trust_set_at = now;
            tx.update_role(&role)
        })
    }

    /// Deletes a role that has no inline and no attached policy left; its sessions end with it.
    pub fn delete_role(&self, name: &RoleName) -> CoreResult<()> {
        self.write(|tx| {
            let role = self.existing_role(tx, Operation::DeleteRole, name)?;
            if !tx
                .attached_policies(self.account(), &Attachee::Role(role.id.clone()))?
                .is_empty()
            {
                return Err(CoreError::DeleteConflict(Dependents::AttachedPolicies));
            }
            if !tx.role_policies(self.account(), &role.id)?.is_empty() {
                return Err(CoreError::DeleteConflict(Dependents::Policies));
            }
            tx.delete_role(self.account(), &role.id)
        })
    }

    pub fn tag_role(&self, name: &RoleName, tags: Vec<Tag>) -> CoreResult<()> {
        validate::tags(&tags, "Tags")?;
        self.write(|tx| {
            let role =
                self.existing_role_with(tx, Operation::TagRole, name, request_tags(&tags))?;
            validate::tags_fit(&role.tags, &tags)?;
            tx.put_role_tags(self.account(), &role.id, &tags)
        })
    }

    pub fn untag_role(&self, name: &RoleName, keys: &[TagKey]) -> CoreResult<()> {
        validate::tag_keys_count(keys.len(), "TagKeys")?;
        self.write(|tx| {
            let role =
                self.existing_role_with(tx, Operation::UntagRole, name, tag_keys(keys.iter()))?;
            tx.delete_role_tags(self.account(), &role.id, keys)
        })
    }

    /// A role's tags, sorted by key.
    pub fn list_role_tags(&self, name: &RoleName, page: &PageRequest) -> CoreResult<Page<Tag>> {
        self.read(|tx| {
            let role = self.existing_role(tx, Operation::ListRoleTags, name)?;
            page.apply(role.tags, |t| t.key.as_str().to_owned())
        })
    }

    /// Creates or replaces an inline policy of a role.
    pub fn put_role_policy(
        &self,
        role: &RoleName,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        validate::policy_document(document)?;
        self.write(|tx| {
            let target = self.existing_role(tx, Operation::PutRolePolicy, role)?;
            policy::parse(document).map_err(CoreError::MalformedPolicy)?;
            let existing = tx.role_policies(self.account(), &target.id)?;
            if !policy::inline_policies_fit(&existing, name, document, ROLE_INLINE_POLICY_CHARS) {
                return Err(CoreError::LimitExceeded(Quota::RoleInlinePolicySize(
                    ROLE_INLINE_POLICY_CHARS,
                )));
            }
            tx.put_role_policy(self.account(), &target.id, name, document)
        })
    }

    /// The document of a role's inline policy, exactly as it was stored.
    pub fn get_role_policy(&self, role: &RoleName, name: &PolicyName) -> CoreResult<String> {
        self.read(|tx| {
            let target = self.existing_role(tx, Operation::GetRolePolicy, role)?;
            tx.role_policies(self.account(), &target.id)?
                .into_iter()
                .find(|(n, _)| n == name)
                .map(|(_, d)| d)
                .ok_or_else(|| CoreError::NoSuchRolePolicy(name.clone()))
        })
    }

    pub fn list_role_policies(
        &self,
        role: &RoleName,
        page: &PageRequest,
    ) -> CoreResult<Page<PolicyName>> {
        self.read(|tx| {
            let target = self.existing_role(tx, Operation::ListRolePolicies, role)?;
            let names = tx
                .role_policies(self.account(), &target.id)?
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            page.apply(names, |n| n.as_str().to_owned())
        })
    }

    pub fn delete_role_policy(&self, role: &RoleName, name: &PolicyName) -> CoreResult<()> {
        self.write(|tx| {
            let target = self.existing_role(tx, Operation::DeleteRolePolicy, role)?;
            if !tx
                .role_policies(self.account(), &target.id)?
                .iter()
                .any(|(n, _)| n == name)
            {
                return Err(CoreError::NoSuchRolePolicy(name.clone()));
            }
            tx.delete_role_policy(self.account(), &target.id, name)
        })
    }
}

#[cfg(test)]
#[path = "roles_tests.rs"]
pub(super) mod tests;
