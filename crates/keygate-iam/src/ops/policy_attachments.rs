//! Attachments of managed policies: AttachUserPolicy, DetachUserPolicy,
//! ListAttachedUserPolicies, AttachGroupPolicy, DetachGroupPolicy, ListAttachedGroupPolicies,
//! AttachRolePolicy, DetachRolePolicy, ListAttachedRolePolicies and ListEntitiesForPolicy.

use keygate_core::{
    AttachTarget, Caller, GroupName, GroupRef, ManagedPolicy, Page, PageRequest, PathPrefix,
    PolicyEntities, PolicyRef, RoleName, UserName,
};

use super::groups::group_name;
use super::managed_policies::policy_arn;
use super::roles::role_name;
use super::{Answer, Encode, Op, empty, truncation};
use crate::decode::{self, optional, page};
use crate::error::IamError;
use crate::params::Params;
use crate::xml::Xml;

/// Attach/Detach User/Group Policy's input: the policy and whom it is attached to.
#[derive(Debug)]
pub struct Attachment {
    pub policy: PolicyRef,
    pub to: AttachTarget,
}

impl Attachment {
    fn to_user(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            to: AttachTarget::User(decode::user(p)?),
            policy: policy_arn(p)?,
        })
    }

    fn to_group(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            to: AttachTarget::Group(GroupRef::named(group_name(p)?)),
            policy: policy_arn(p)?,
        })
    }

    fn to_role(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            to: AttachTarget::Role(role_name(p)?),
            policy: policy_arn(p)?,
        })
    }
}

macro_rules! attachment_ops {
    ($( $name:ident: $read:ident, $call:ident; )*) => {
        $(
            #[derive(Debug)]
            pub struct $name(pub Attachment);

            impl Op for $name {
                fn decode(p: &Params) -> Result<Self, IamError> {
                    Attachment::$read(p).map(Self)
                }

                fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
                    c.$call(&self.0.policy, &self.0.to)?;
                    empty()
                }
            }
        )*
    };
}

attachment_ops! {
    AttachUserPolicy: to_user, attach_policy;
    DetachUserPolicy: to_user, detach_policy;
    AttachGroupPolicy: to_group, attach_policy;
    DetachGroupPolicy: to_group, detach_policy;
    AttachRolePolicy: to_role, attach_policy;
    DetachRolePolicy: to_role, detach_policy;
}

/// ListAttachedUserPolicies', ListAttachedGroupPolicies' and ListAttachedRolePolicies' input.
#[derive(Debug)]
pub struct AttachedTo {
    pub to: AttachTarget,
    pub path_prefix: Option<PathPrefix>,
    pub page: PageRequest,
}

impl AttachedTo {
    fn read(p: &Params, to: AttachTarget) -> Result<Self, IamError> {
        Ok(Self {
            to,
            path_prefix: optional(p, "PathPrefix", PathPrefix::parse)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let (_, attached) = c.attached_policies(&self.to, self.path_prefix.as_ref())?;
        let page = self.page.apply(attached, ManagedPolicy::sort_key)?;
        Ok(Box::new(Attached(page)))
    }
}

#[derive(Debug)]
pub struct ListAttachedUserPolicies(pub AttachedTo);

impl Op for ListAttachedUserPolicies {
    fn decode(p: &Params) -> Result<Self, IamError> {
        AttachedTo::read(p, AttachTarget::User(decode::user(p)?)).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        self.0.run(c)
    }
}

#[derive(Debug)]
pub struct ListAttachedGroupPolicies(pub AttachedTo);

impl Op for ListAttachedGroupPolicies {
    fn decode(p: &Params) -> Result<Self, IamError> {
        AttachedTo::read(p, AttachTarget::Group(GroupRef::named(group_name(p)?))).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        self.0.run(c)
    }
}

#[derive(Debug)]
pub struct ListAttachedRolePolicies(pub AttachedTo);

impl Op for ListAttachedRolePolicies {
    fn decode(p: &Params) -> Result<Self, IamError> {
        AttachedTo::read(p, AttachTarget::Role(role_name(p)?)).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        self.0.run(c)
    }
}

#[derive(Debug)]
pub struct Attached(pub Page<ManagedPolicy>);

impl Encode for Attached {
    fn write(&self, x: &mut Xml) {
        x.list("AttachedPolicies", &self.0.items, |x, p| {
            x.text("PolicyName", p.name.as_str());
            x.text("PolicyArn", &p.arn());
        });
        truncation(x, &self.0);
    }
}

/// Which entities ListEntitiesForPolicy shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityFilter {
    All,
    Users,
    Groups,
    Roles,
    /// What uses the policy as a permissions boundary: nothing does, keygate sets none.
    Nothing,
}

#[derive(Debug)]
pub struct ListEntitiesForPolicy {
    pub policy: PolicyRef,
    pub filter: EntityFilter,
    pub path_prefix: Option<PathPrefix>,
    pub page: PageRequest,
}

impl Op for ListEntitiesForPolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        let filter = match p.get("EntityFilter") {
            None | Some("LocalManagedPolicy" | "AWSManagedPolicy") => EntityFilter::All,
            Some("User") => EntityFilter::Users,
            Some("Group") => EntityFilter::Groups,
            Some("Role") => EntityFilter::Roles,
            Some(other) => {
                return Err(IamError::validation(
                    "entityFilter",
                    Some(other),
                    "Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]",
                ));
            }
        };
        if let Some(other) = p
            .get("PolicyUsageFilter")
            .filter(|f| !matches!(*f, "PermissionsPolicy" | "PermissionsBoundary"))
        {
            return Err(IamError::validation(
                "policyUsageFilter",
                Some(other),
                "Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]",
            ));
        }
        let boundaries = p.get("PolicyUsageFilter") == Some("PermissionsBoundary");
        Ok(Self {
            policy: policy_arn(p)?,
            filter: if boundaries {
                EntityFilter::Nothing
            } else {
                filter
            },
            path_prefix: optional(p, "PathPrefix", PathPrefix::parse)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let PolicyEntities {
            users,
            groups,
            roles,
        } = c.entities_for_policy(&self.policy, self.path_prefix.as_ref())?;
        let mut all: Vec<Entity> = Vec::new();
        if matches!(self.filter, EntityFilter::All | EntityFilter::Groups) {
            all.extend(
                groups
                    .into_iter()
                    .map(|g| Entity::Group(g.name, g.id.to_string())),
            );
        }
        if matches!(self.filter, EntityFilter::All | EntityFilter::Users) {
            all.extend(
                users
                    .into_iter()
                    .map(|u| Entity::User(u.name, u.id.to_string())),
            );
        }
        if matches!(self.filter, EntityFilter::All | EntityFilter::Roles) {
            all.extend(
                roles
                    .into_iter()
                    .map(|r| Entity::Role(r.name, r.id.to_string())),
            );
        }
        let page = self.page.apply(all, Entity::key)?;
        Ok(Box::new(Entities(page)))
    }
}

/// One entity a policy is attached to: its name and id.
#[derive(Debug)]
pub enum Entity {
    Group(GroupName, String),
    User(UserName, String),
    Role(RoleName, String),
}

impl Entity {
    /// Groups first, then users, then roles, each by name.
    fn key(&self) -> String {
        match self {
            Entity::Group(n, _) => format!("g{}", n.folded()),
            Entity::User(n, _) => format!("u{}", n.folded()),
            Entity::Role(n, _) => format!("v{}", n.folded()),
        }
    }
}

#[derive(Debug)]
pub struct Entities(pub Page<Entity>);

impl Encode for Entities {
    fn write(&self, x: &mut Xml) {
        let (mut groups, mut users, mut roles) = (Vec::new(), Vec::new(), Vec::new());
        for e in &self.0.items {
            match e {
                Entity::Group(n, id) => groups.push((n.as_str(), id)),
                Entity::User(n, id) => users.push((n.as_str(), id)),
                Entity::Role(n, id) => roles.push((n.as_str(), id)),
            }
        }
        x.list("PolicyGroups", &groups, |x, (n, id)| {
            x.text("GroupName", n);
            x.text("GroupId", id);
        });
        x.list("PolicyUsers", &users, |x, (n, id)| {
            x.text("UserName", n);
            x.text("UserId", id);
        });
        x.list("PolicyRoles", &roles, |x, (n, id)| {
            x.text("RoleName", n);
            x.text("RoleId", id);
        });
        truncation(x, &self.0);
    }
}
