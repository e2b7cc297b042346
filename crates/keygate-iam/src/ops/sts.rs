//! STS `GetCallerIdentity`: who signed the request. Never evaluated against policies.

use keygate_core::{Caller, Principal};

use super::{Answer, Encode, Op};
use crate::error::IamError;
use crate::params::Params;
use crate::xml::Xml;

#[derive(Debug)]
pub struct GetCallerIdentity;

impl Op for GetCallerIdentity {
    fn decode(_: &Params) -> Result<Self, IamError> {
        Ok(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        Ok(Box::new(CallerIdentity(c.principal().clone())))
    }
}

#[derive(Debug)]
pub struct CallerIdentity(pub Principal);

impl Encode for CallerIdentity {
    fn write(&self, x: &mut Xml) {
        x.text("Arn", &self.0.arn());
        x.text("UserId", self.0.unique_id());
        x.text("Account", self.0.account().as_str());
    }
}
