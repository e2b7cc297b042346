//! Roles: CreateRole, GetRole, ListRoles, UpdateRole, UpdateRoleDescription,
//! UpdateAssumeRolePolicy, DeleteRole and their tags (TagRole, UntagRole, ListRoleTags).

use keygate_core::{
    Caller, NewRole, Operation, Page, PageRequest, PathPrefix, Role, RoleChange, RoleName, Tag,
    TagKey, UserPath,
};

use super::users::Tags;
use super::{Answer, Encode, Op, empty, rfc3986, tag, truncation};
use crate::decode::{self, optional, page, required, tag_keys, tags};
use crate::error::IamError;
use crate::params::Params;
use crate::xml::Xml;

/// `RoleName`: 1–64 of `[\w+=,.@-]` (`roleNameType`).
pub(crate) fn role_name(p: &Params) -> Result<RoleName, IamError> {
    required(p, "RoleName", RoleName::parse)
}

/// `MaxSessionDuration`: 3,600 to 43,200 seconds (`roleMaxSessionDurationType`).
fn max_session(p: &Params) -> Result<Option<u32>, IamError> {
    let (min, max, _) = keygate_core::ROLE_SESSION_SECONDS;
    decode::integer(p, "MaxSessionDuration", min, max)
}

/// What `which` shows of a role: ListRoles leaves out its tags and last use (AWS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Whole,
    Listed,
}

fn role(x: &mut Xml, r: &Role, shown: Shown) {
    x.text("Path", r.path.as_str());
    x.text("RoleName", r.name.as_str());
    x.text("RoleId", r.id.as_str());
    x.text("Arn", &r.arn());
    x.date("CreateDate", r.created_at);
    x.text("AssumeRolePolicyDocument", &rfc3986(&r.trust_policy));
    if let Some(d) = &r.description {
        x.text("Description", d);
    }
    x.text("MaxSessionDuration", &r.max_session_seconds.to_string());
    if shown == Shown::Whole {
        if !r.tags.is_empty() {
            x.list("Tags", &r.tags, tag);
        }
        x.open("RoleLastUsed");
        if let Some((at, region)) = &r.last_used {
            x.date("LastUsedDate", *at);
            x.text("Region", region);
        }
        x.close("RoleLastUsed");
    }
}

/// `<Role>…</Role>`: CreateRole's, GetRole's and UpdateRoleDescription's answer.
#[derive(Debug)]
pub struct OneRole(pub Role);

impl Encode for OneRole {
    fn write(&self, x: &mut Xml) {
        x.open("Role");
        role(x, &self.0, Shown::Whole);
        x.close("Role");
    }
}

#[derive(Debug)]
pub struct CreateRole(pub NewRole);

impl Op for CreateRole {
    fn decode(p: &Params) -> Result<Self, IamError> {
        if p.get("PermissionsBoundary").is_some() {
            return Err(IamError::boundaries_unsupported());
        }
        Ok(Self(NewRole {
            name: role_name(p)?,
            path: optional(p, "Path", UserPath::parse)?,
            trust_policy: p
                .get("AssumeRolePolicyDocument")
                .map(str::to_owned)
                .ok_or_else(|| IamError::missing("assumeRolePolicyDocument"))?,
            description: decode::description(p)?,
            max_session_seconds: max_session(p)?,
            tags: tags(p, false)?,
        }))
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        Ok(Box::new(OneRole(c.create_role(self.0)?)))
    }
}

#[derive(Debug)]
pub struct GetRole(pub RoleName);

impl Op for GetRole {
    fn decode(p: &Params) -> Result<Self, IamError> {
        role_name(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        Ok(Box::new(OneRole(c.get_role(&self.0)?)))
    }
}

#[derive(Debug)]
pub struct ListRoles {
    pub path_prefix: Option<PathPrefix>,
    pub page: PageRequest,
}

impl Op for ListRoles {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            path_prefix: optional(p, "PathPrefix", PathPrefix::parse)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let roles = c.list_roles(self.path_prefix.as_ref(), &self.page)?;
        Ok(Box::new(Roles(roles)))
    }
}

#[derive(Debug)]
pub struct Roles(pub Page<Role>);

impl Encode for Roles {
    fn write(&self, x: &mut Xml) {
        x.list("Roles", &self.0.items, |x, r| role(x, r, Shown::Listed));
        truncation(x, &self.0);
    }
}

#[derive(Debug)]
pub struct UpdateRole {
    pub role_name: RoleName,
    pub change: RoleChange,
}

impl Op for UpdateRole {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            role_name: role_name(p)?,
            change: RoleChange {
                description: decode::description(p)?,
                max_session_seconds: max_session(p)?,
            },
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.update_role(&self.role_name, self.change, Operation::UpdateRole)?;
        empty()
    }
}

#[derive(Debug)]
pub struct UpdateRoleDescription {
    pub role_name: RoleName,
    pub description: String,
}

impl Op for UpdateRoleDescription {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            role_name: role_name(p)?,
            description: decode::description(p)?.ok_or_else(|| IamError::missing("description"))?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let change = RoleChange {
            description: Some(self.description),
            max_session_seconds: None,
        };
        let r = c.update_role(&self.role_name, change, Operation::UpdateRoleDescription)?;
        Ok(Box::new(OneRole(r)))
    }
}

#[derive(Debug)]
pub struct UpdateAssumeRolePolicy {
    pub role_name: RoleName,
    pub document: String,
}

impl Op for UpdateAssumeRolePolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            role_name: role_name(p)?,
            document: decode::document(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.update_trust_policy(&self.role_name, &self.document)?;
        empty()
    }
}

#[derive(Debug)]
pub struct DeleteRole(pub RoleName);

impl Op for DeleteRole {
    fn decode(p: &Params) -> Result<Self, IamError> {
        role_name(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.delete_role(&self.0)?;
        empty()
    }
}

#[derive(Debug)]
pub struct TagRole {
    pub role_name: RoleName,
    pub tags: Vec<Tag>,
}

impl Op for TagRole {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            role_name: role_name(p)?,
            tags: tags(p, true)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.tag_role(&self.role_name, self.tags)?;
        empty()
    }
}

#[derive(Debug)]
pub struct UntagRole {
    pub role_name: RoleName,
    pub keys: Vec<TagKey>,
}

impl Op for UntagRole {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            role_name: role_name(p)?,
            keys: tag_keys(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.untag_role(&self.role_name, &self.keys)?;
        empty()
    }
}

#[derive(Debug)]
pub struct ListRoleTags {
    pub role_name: RoleName,
    pub page: PageRequest,
}

impl Op for ListRoleTags {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            role_name: role_name(p)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let tags = c.list_role_tags(&self.role_name, &self.page)?;
        Ok(Box::new(Tags(tags)))
    }
}
