//! Groups: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup, AddUserToGroup,
//! RemoveUserFromGroup, ListGroupsForUser, and a group's inline policies (PutGroupPolicy,
//! GetGroupPolicy, ListGroupPolicies, DeleteGroupPolicy).

use keygate_core::{
    Caller, Group, GroupChange, GroupName, GroupRef, Page, PageRequest, PathPrefix, PolicyName,
    User, UserPath,
};

use super::{Answer, Encode, Op, empty, truncation, user};
use crate::decode::{self, document, optional, page, required};
use crate::error::IamError;
use crate::params::Params;
use crate::xml::Xml;

pub(crate) fn group_name(p: &Params) -> Result<GroupName, IamError> {
    required(p, "GroupName", GroupName::parse)
}

fn group(x: &mut Xml, g: &Group) {
    x.text("Path", g.path.as_str());
    x.text("GroupName", g.name.as_str());
    x.text("GroupId", g.id.as_str());
    x.text("Arn", &g.arn());
    x.date("CreateDate", g.created_at);
}

#[derive(Debug)]
pub struct CreateGroup {
    pub group_name: GroupName,
    pub path: Option<UserPath>,
}

impl Op for CreateGroup {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            group_name: group_name(p)?,
            path: optional(p, "Path", UserPath::parse)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        Ok(Box::new(OneGroup(
            c.create_group(self.group_name, self.path)?,
        )))
    }
}

/// The `<Group>` of CreateGroup.
#[derive(Debug)]
pub struct OneGroup(pub Group);

impl Encode for OneGroup {
    fn write(&self, x: &mut Xml) {
        x.open("Group");
        group(x, &self.0);
        x.close("Group");
    }
}

#[derive(Debug)]
pub struct GetGroup {
    pub group_name: GroupName,
    pub page: PageRequest,
}

impl Op for GetGroup {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            group_name: group_name(p)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let (g, users) = c.get_group(&GroupRef::named(self.group_name), &self.page)?;
        Ok(Box::new(GroupWithUsers(g, users)))
    }
}

/// GetGroup's answer: the group and a page of its members.
#[derive(Debug)]
pub struct GroupWithUsers(pub Group, pub Page<User>);

impl Encode for GroupWithUsers {
    fn write(&self, x: &mut Xml) {
        x.open("Group");
        group(x, &self.0);
        x.close("Group");
        x.list("Users", &self.1.items, |x, u| user(x, u, false));
        truncation(x, &self.1);
    }
}

#[derive(Debug)]
pub struct ListGroups {
    pub path_prefix: Option<PathPrefix>,
    pub page: PageRequest,
}

impl Op for ListGroups {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            path_prefix: optional(p, "PathPrefix", PathPrefix::parse)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let groups = c.list_groups(self.path_prefix.as_ref(), &self.page)?;
        Ok(Box::new(Groups(groups)))
    }
}

/// ListGroups' and ListGroupsForUser's answer.
#[derive(Debug)]
pub struct Groups(pub Page<Group>);

impl Encode for Groups {
    fn write(&self, x: &mut Xml) {
        x.list("Groups", &self.0.items, group);
        truncation(x, &self.0);
    }
}

#[derive(Debug)]
pub struct UpdateGroup {
    pub group_name: GroupName,
    pub change: GroupChange,
}

impl Op for UpdateGroup {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            group_name: group_name(p)?,
            change: GroupChange {
                name: optional(p, "NewGroupName", GroupName::parse)?,
                path: optional(p, "NewPath", UserPath::parse)?,
            },
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.update_group(&GroupRef::named(self.group_name), self.change)?;
        empty()
    }
}

#[derive(Debug)]
pub struct DeleteGroup {
    pub group_name: GroupName,
}

impl Op for DeleteGroup {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            group_name: group_name(p)?,
        })
    }

    /// IAM has no forced deletion: members and policies go first.
    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.delete_group(&GroupRef::named(self.group_name), false)?;
        empty()
    }
}

/// AddUserToGroup's and RemoveUserFromGroup's input.
#[derive(Debug)]
pub struct Membership {
    pub group_name: GroupName,
    pub user_name: keygate_core::UserName,
}

impl Membership {
    fn read(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            group_name: group_name(p)?,
            user_name: decode::user(p)?,
        })
    }
}

#[derive(Debug)]
pub struct AddUserToGroup(pub Membership);

impl Op for AddUserToGroup {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Membership::read(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.add_user_to_group(&GroupRef::named(self.0.group_name), &self.0.user_name, None)?;
        empty()
    }
}

#[derive(Debug)]
pub struct RemoveUserFromGroup(pub Membership);

impl Op for RemoveUserFromGroup {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Membership::read(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.remove_user_from_group(&GroupRef::named(self.0.group_name), &self.0.user_name, None)?;
        empty()
    }
}

#[derive(Debug)]
pub struct ListGroupsForUser {
    pub user_name: keygate_core::UserName,
    pub page: PageRequest,
}

impl Op for ListGroupsForUser {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user(p)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let groups = c.list_groups_for_user(&self.user_name, None, &self.page)?;
        Ok(Box::new(Groups(groups)))
    }
}

#[derive(Debug)]
pub struct PutGroupPolicy {
    pub group_name: GroupName,
    pub policy_name: PolicyName,
    pub document: String,
}

impl Op for PutGroupPolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            group_name: group_name(p)?,
            policy_name: decode::policy_name(p)?,
            document: document(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.put_group_policy(
            &GroupRef::named(self.group_name.clone()),
            &self.policy_name,
            &self.document,
        )
        // IAM's size quota message names the group.
        .map_err(|e| IamError::from_core(e, Some(self.group_name.as_str())))?;
        empty()
    }
}

/// GetGroupPolicy's, ListGroupPolicies' and DeleteGroupPolicy's input.
#[derive(Debug)]
pub struct NamedGroupPolicy {
    pub group_name: GroupName,
    pub policy_name: PolicyName,
}

impl NamedGroupPolicy {
    fn read(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            group_name: group_name(p)?,
            policy_name: decode::policy_name(p)?,
        })
    }
}

#[derive(Debug)]
pub struct GetGroupPolicy(pub NamedGroupPolicy);

impl Op for GetGroupPolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        NamedGroupPolicy::read(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let document = c.get_group_policy(
            &GroupRef::named(self.0.group_name.clone()),
            &self.0.policy_name,
        )?;
        Ok(Box::new(GroupPolicy {
            group: self.0.group_name,
            name: self.0.policy_name,
            document,
        }))
    }
}

/// GetGroupPolicy's answer: the document as stored, percent-encoded as IAM returns it.
#[derive(Debug)]
pub struct GroupPolicy {
    pub group: GroupName,
    pub name: PolicyName,
    pub document: String,
}

impl Encode for GroupPolicy {
    fn write(&self, x: &mut Xml) {
        x.text("GroupName", self.group.as_str());
        x.text("PolicyName", self.name.as_str());
        x.text("PolicyDocument", &super::rfc3986(&self.document));
    }
}

#[derive(Debug)]
pub struct ListGroupPolicies {
    pub group_name: GroupName,
    pub page: PageRequest,
}

impl Op for ListGroupPolicies {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            group_name: group_name(p)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let policies = c.list_group_policies(&GroupRef::named(self.group_name), &self.page)?;
        let names = Page {
            items: policies.items.into_iter().map(|(n, _)| n).collect(),
            next_marker: policies.next_marker,
        };
        Ok(Box::new(super::user_policies::PolicyNames(names)))
    }
}

#[derive(Debug)]
pub struct DeleteGroupPolicy(pub NamedGroupPolicy);

impl Op for DeleteGroupPolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        NamedGroupPolicy::read(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.delete_group_policy(&GroupRef::named(self.0.group_name), &self.0.policy_name)?;
        empty()
    }
}
