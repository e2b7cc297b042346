//! A role's inline policies: PutRolePolicy, GetRolePolicy, ListRolePolicies, DeleteRolePolicy.

use keygate_core::{Caller, PageRequest, PolicyName, RoleName};

use super::roles::role_name;
use super::user_policies::PolicyNames;
use super::{Answer, Encode, Op, empty};
use crate::decode::{self, document, page};
use crate::error::IamError;
use crate::params::Params;
use crate::xml::Xml;

#[derive(Debug)]
pub struct PutRolePolicy {
    pub role_name: RoleName,
    pub policy_name: PolicyName,
    pub document: String,
}

impl Op for PutRolePolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            role_name: role_name(p)?,
            policy_name: decode::policy_name(p)?,
            document: document(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.put_role_policy(&self.role_name, &self.policy_name, &self.document)
            // IAM's size quota message names the role.
            .map_err(|e| IamError::from_core(e, Some(self.role_name.as_str())))?;
        empty()
    }
}

#[derive(Debug)]
pub struct GetRolePolicy {
    pub role_name: RoleName,
    pub policy_name: PolicyName,
}

impl Op for GetRolePolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            role_name: role_name(p)?,
            policy_name: decode::policy_name(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let document = c.get_role_policy(&self.role_name, &self.policy_name)?;
        Ok(Box::new(RolePolicy {
            role: self.role_name,
            name: self.policy_name,
            document,
        }))
    }
}

/// GetRolePolicy's answer: the document as stored, percent-encoded as IAM returns it.
#[derive(Debug)]
pub struct RolePolicy {
    pub role: RoleName,
    pub name: PolicyName,
    pub document: String,
}

impl Encode for RolePolicy {
    fn write(&self, x: &mut Xml) {
        x.text("RoleName", self.role.as_str());
        x.text("PolicyName", self.name.as_str());
        x.text("PolicyDocument", &super::rfc3986(&self.document));
    }
}

#[derive(Debug)]
pub struct ListRolePolicies {
    pub role_name: RoleName,
    pub page: PageRequest,
}

impl Op for ListRolePolicies {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            role_name: role_name(p)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let names = c.list_role_policies(&self.role_name, &self.page)?;
        Ok(Box::new(PolicyNames(names)))
    }
}

#[derive(Debug)]
pub struct DeleteRolePolicy {
    pub role_name: RoleName,
    pub policy_name: PolicyName,
}

impl Op for DeleteRolePolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            role_name: role_name(p)?,
            policy_name: decode::policy_name(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.delete_role_policy(&self.role_name, &self.policy_name)?;
        empty()
    }
}
