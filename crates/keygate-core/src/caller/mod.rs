//! `Caller`: a principal's view of the service under one dialect's rules. Every operation
//! authorises the principal, validates, and applies its rules inside one transaction; the
//! operations live one module per resource beside this one.

mod access_keys;
mod account;
mod user_policies;
mod users;

pub use access_keys::{KeyChange, KeyFilter};
pub use users::{Identity, UserChange};

use crate::error::{CoreError, CoreResult};
use crate::ids::{AccountId, UserName, UserPath};
use crate::model::{Principal, User, user_arn};
use crate::policy::{self, Decision};
use crate::rules::{Operation, Rules};
use crate::service::Service;
use crate::sign_in::Source;
use crate::store::{self, ReadTx, WriteTx};

#[derive(Debug)]
pub struct Caller<'a> {
    svc: &'a Service,
    principal: &'a Principal,
    rules: &'a Rules,
    dry_run: bool,
    source: Source,
}

impl<'a> Caller<'a> {
    pub(crate) fn new(svc: &'a Service, principal: &'a Principal, rules: &'a Rules) -> Self {
        Self {
            svc,
            principal,
            rules,
            dry_run: false,
            source: Source::unknown(),
        }
    }

    /// Where the request comes from: sign-ins it makes are throttled per source.
    pub fn from_source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }

    /// Makes every operation a dry run: checked exactly as for real, then nothing is kept.
    pub fn dry_run(mut self, yes: bool) -> Self {
        self.dry_run = yes;
        self
    }

    /// Who the caller is; never evaluated against policies (STS GetCallerIdentity).
    pub fn principal(&self) -> &Principal {
        self.principal
    }

    fn read<T>(&self, f: impl FnOnce(&dyn ReadTx) -> CoreResult<T>) -> CoreResult<T> {
        store::read(&*self.svc.store, f)
    }

    fn write<T>(&self, f: impl FnOnce(&dyn WriteTx) -> CoreResult<T>) -> CoreResult<T> {
        store::write_or_rehearse(&*self.svc.store, self.dry_run, f)
    }

    fn account(&self) -> &AccountId {
        self.principal.account()
    }

    /// The policy action `op` is checked against in the caller's dialect.
    fn action(&self, op: Operation) -> &'static str {
        (self.rules.action)(op)
    }

    /// Allows the root; evaluates a user's inline policies for `op` on every resource.
    fn authorize(&self, tx: &dyn ReadTx, op: Operation, resources: &[&str]) -> CoreResult<()> {
        let Principal::User { account, id, .. } = self.principal else {
            return Ok(());
        };
        // The name and path as they are now, not as they were when the request was signed.
        let caller = tx.user_by_id(account, id)?;
        let denied = |action: &str, resource: &str| CoreError::AccessDenied {
            principal: caller
                .as_ref()
                .map_or_else(|| self.principal.arn(), User::arn),
            action: action.to_owned(),
            resource: resource.to_owned(),
        };
        let action = self.action(op);
        let Some(me) = &caller else {
            return Err(denied(action, resources.first().copied().unwrap_or("*")));
        };
        let docs = tx.policies(account, id)?;
        // Stored documents were validated on the way in; one that no longer parses grants nothing.
        let parsed: Vec<_> = docs
            .iter()
            .filter_map(|(_, d)| policy::parse(d).ok())
            .collect();
        for resource in resources {
            let req = policy::Request {
                action,
                resource,
                username: Some(me.name.as_str()),
            };
            if policy::evaluate(&parsed, &req) != Decision::Allow {
                return Err(denied(action, resource));
            }
        }
        Ok(())
    }

    /// The named user, or for an absent name a user that does not exist: the ARN it is
    /// evaluated on then uses path `/`.
    fn target_user(&self, tx: &dyn ReadTx, name: &UserName) -> CoreResult<(Option<User>, String)> {
        let user = tx.user_by_name(self.account(), name)?;
        let arn = match &user {
            Some(u) => u.arn(),
            None => user_arn(self.account(), &UserPath::root(), name),
        };
        Ok((user, arn))
    }

    /// The named user once `op` is authorised on it; authorised before the user is known to
    /// exist, so that a denied caller cannot learn who exists.
    fn existing_user(&self, tx: &dyn ReadTx, op: Operation, name: &UserName) -> CoreResult<User> {
        let (user, arn) = self.target_user(tx, name)?;
        self.authorize(tx, op, &[&arn])?;
        user.ok_or_else(|| CoreError::NoSuchUser(name.clone()))
    }
}

#[cfg(test)]
mod tests;
