//! A user's inline policies: PutUserPolicy, GetUserPolicy, ListUserPolicies, DeleteUserPolicy.

use keygate_core::{Caller, Page, PageRequest, PolicyName, UserName};

use super::{Answer, Encode, Op, empty, truncation};
use crate::decode::{self, document, page};
use crate::error::IamError;
use crate::params::Params;
use crate::xml::Xml;

#[derive(Debug)]
pub struct PutUserPolicy {
    pub user_name: UserName,
    pub policy_name: PolicyName,
    pub document: String,
}

impl Op for PutUserPolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user(p)?,
            policy_name: decode::policy_name(p)?,
            document: document(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.put_user_policy(&self.user_name, &self.policy_name, &self.document)
            // IAM's size quota message names the user.
            .map_err(|e| IamError::from_core(e, Some(self.user_name.as_str())))?;
        empty()
    }
}

#[derive(Debug)]
pub struct GetUserPolicy {
    pub user_name: UserName,
    pub policy_name: PolicyName,
}

impl Op for GetUserPolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user(p)?,
            policy_name: decode::policy_name(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let document = c.get_user_policy(&self.user_name, &self.policy_name)?;
        Ok(Box::new(Policy {
            user: self.user_name,
            name: self.policy_name,
            document,
        }))
    }
}

/// GetUserPolicy's answer: the document as stored, percent-encoded as IAM returns it.
#[derive(Debug)]
pub struct Policy {
    pub user: UserName,
    pub name: PolicyName,
    pub document: String,
}

impl Encode for Policy {
    fn write(&self, x: &mut Xml) {
        x.text("UserName", self.user.as_str());
        x.text("PolicyName", self.name.as_str());
        x.text("PolicyDocument", &super::rfc3986(&self.document));
    }
}

#[derive(Debug)]
pub struct ListUserPolicies {
    pub user_name: UserName,
    pub page: PageRequest,
}

impl Op for ListUserPolicies {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user(p)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let names = c.list_user_policies(&self.user_name, &self.page)?;
        Ok(Box::new(PolicyNames(names)))
    }
}

#[derive(Debug)]
pub struct PolicyNames(pub Page<PolicyName>);

impl Encode for PolicyNames {
    fn write(&self, x: &mut Xml) {
        x.list("PolicyNames", &self.0.items, |x, n| {
            x.text_inline(n.as_str())
        });
        truncation(x, &self.0);
    }
}

#[derive(Debug)]
pub struct DeleteUserPolicy {
    pub user_name: UserName,
    pub policy_name: PolicyName,
}

impl Op for DeleteUserPolicy {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user(p)?,
            policy_name: decode::policy_name(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.delete_user_policy(&self.user_name, &self.policy_name)?;
        empty()
    }
}
