//! What a principal may do to a user's inline policies: put, read, list and delete them.

use crate::error::{CoreError, CoreResult, Quota};
use crate::ids::{PolicyName, UserName};
use crate::page::{Page, PageRequest};
use crate::policy;
use crate::rules::Operation;
use crate::validate;

use super::Caller;

impl Caller<'_> {
    /// Creates or replaces an inline policy of a user.
    pub fn put_user_policy(
        &self,
        user: &UserName,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        validate::policy_document(document)?;
        self.write(|tx| {
            let target = self.existing_user(tx, Operation::PutUserPolicy, user)?;
            policy::parse(document).map_err(CoreError::MalformedPolicy)?;
            let limit = self.svc.limits.inline_policy_chars;
            let existing = tx.policies(self.account(), &target.id)?;
            if !policy::inline_policies_fit(&existing, name, document, limit) {
                return Err(CoreError::LimitExceeded(Quota::InlinePolicySize(limit)));
            }
            tx.put_policy(self.account(), &target.id, name, document)
        })
    }

    /// The document of a user's inline policy, exactly as it was stored.
    pub fn get_user_policy(&self, user: &UserName, name: &PolicyName) -> CoreResult<String> {
        self.read(|tx| {
            let target = self.existing_user(tx, Operation::GetUserPolicy, user)?;
            tx.policies(self.account(), &target.id)?
                .into_iter()
                .find(|(n, _)| n == name)
                .map(|(_, d)| d)
                .ok_or_else(|| CoreError::NoSuchPolicy(name.clone()))
        })
    }

    pub fn list_user_policies(
        &self,
        user: &UserName,
        page: &PageRequest,
    ) -> CoreResult<Page<PolicyName>> {
        self.read(|tx| {
            let target = self.existing_user(tx, Operation::ListUserPolicies, user)?;
            let names = tx
                .policies(self.account(), &target.id)?
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            page.apply(names, |n| n.as_str().to_owned())
        })
    }

    pub fn delete_user_policy(&self, user: &UserName, name: &PolicyName) -> CoreResult<()> {
        self.write(|tx| {
            let target = self.existing_user(tx, Operation::DeleteUserPolicy, user)?;
            if !tx
                .policies(self.account(), &target.id)?
                .iter()
                .any(|(n, _)| n == name)
            {
                return Err(CoreError::NoSuchPolicy(name.clone()));
            }
            tx.delete_policy(self.account(), &target.id, name)
        })
    }
}

#[cfg(test)]
#[path = "user_policies_tests.rs"]
mod tests;
