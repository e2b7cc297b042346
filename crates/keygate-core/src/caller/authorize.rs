//! Whether a caller may perform an operation: its identity policies (inline, attached, its
//! groups', an assumed role's with its session policies) decided with the request's condition
//! keys, the caller as it is stored now.

use crate::error::{CoreError, CoreResult, Denial, PolicySource};
use crate::ids::PolicyName;
use crate::model::{Attachee, Principal, Role, User};
use crate::policy::{self, Context, Decision};
use crate::rules::Operation;
use crate::store::ReadTx;

use super::Caller;

/// Policy documents, each with where it comes from.
type Documents = Vec<(PolicySource, String)>;

/// Whose condition keys a request has: a user's, or an assumed role's.
#[derive(Debug, Clone, Copy)]
pub(super) enum Whose<'a> {
    User(&'a User),
    Role(&'a Role),
}

/// The caller as stored now.
#[derive(Debug)]
pub(super) enum Me {
    User(User),
    Role(Role),
}

impl Me {
    pub(super) fn whose(&self) -> Whose<'_> {
        match self {
            Me::User(u) => Whose::User(u),
            Me::Role(r) => Whose::Role(r),
        }
    }

    /// The ARN a denial names: the user's as it is now, or the assumed role's session.
    pub(super) fn arn(&self, principal: &Principal) -> String {
        match self {
            Me::User(u) => u.arn(),
            Me::Role(_) => principal.arn(),
        }
    }
}

impl Caller<'_> {
    /// As `authorize`, with the operation's own condition keys (`iam:PolicyARN`, the tags of
    /// the resource or of the request…) in the context.
    pub(super) fn authorize_with(
        &self,
        tx: &dyn ReadTx,
        op: Operation,
        resources: &[&str],
        keys: &Context,
    ) -> CoreResult<()> {
        if let Some(r) = resources.iter().find(|r| **r != "*") {
            *self.resource.borrow_mut() = Some((*r).to_owned());
        }
        let Some((me, docs)) = self.identity_documents(tx)? else {
            return Ok(());
        };
        let action = self.action(op);
        let denied = |resource: &str, why: Denial| CoreError::AccessDenied {
            principal: me
                .as_ref()
                .map_or_else(|| self.principal.arn(), |me| me.arn(self.principal)),
            action: action.to_owned(),
            resource: resource.to_owned(),
            why: Box::new(why),
        };
        let Some(me) = &me else {
            let first = resources.first().copied().unwrap_or("*");
            return Err(denied(first, Denial::NoAllow));
        };
        // Stored documents were validated on the way in; one that no longer parses grants nothing.
        let (sources, parsed): (Vec<_>, Vec<_>) = docs
            .into_iter()
            .filter_map(|(source, d)| policy::parse(&d).ok().map(|p| (source, p)))
            .unzip();
        let session_policies: Vec<policy::Policy> = self
            .session
            .iter()
            .flat_map(|s| &s.policies)
            .filter_map(|d| policy::parse(d).ok())
            .collect();
        let mut context = self.context(me.whose());
        context.extend(keys);
        for resource in resources {
            let req = policy::Request {
                action,
                resource,
                context: &context,
            };
            let verdict = policy::judge(&parsed, &req);
            match (verdict.decision, verdict.decided_by) {
                (Decision::Allow, _) => {}
                (Decision::ExplicitDeny, Some(by)) => {
                    let why = Denial::ExplicitDeny {
                        policy: sources[by.policy].clone(),
                        sid: by.sid,
                    };
                    return Err(denied(resource, why));
                }
                (Decision::ExplicitDeny | Decision::ImplicitDeny, _) => {
                    return Err(denied(resource, Denial::NoAllow));
                }
            }
            // A role session with session policies may do only what they allow as well.
            if self
                .session
                .as_ref()
                .is_some_and(|s| !s.policies.is_empty())
            {
                let verdict = policy::judge(&session_policies, &req);
                match (verdict.decision, verdict.decided_by) {
                    (Decision::Allow, _) => {}
                    (Decision::ExplicitDeny, Some(by)) => {
                        let why = Denial::ExplicitDeny {
                            policy: PolicySource::Session,
                            sid: by.sid,
                        };
                        return Err(denied(resource, why));
                    }
                    (Decision::ExplicitDeny | Decision::ImplicitDeny, _) => {
                        return Err(denied(resource, Denial::NoSessionAllow));
                    }
                }
            }
        }
        Ok(())
    }

    /// The caller as it is now (`None` inside when it is gone), with its identity policies: a
    /// user's inline and attached policies and those of every group it belongs to; a role's
    /// inline and attached policies. `None` for the root, which policies do not bind.
    pub(super) fn identity_documents(
        &self,
        tx: &dyn ReadTx,
    ) -> CoreResult<Option<(Option<Me>, Documents)>> {
        let inline = |of: String, docs: Vec<(PolicyName, String)>| {
            docs.into_iter().map(move |(name, d)| {
                (
                    PolicySource::Inline {
                        name,
                        of: of.clone(),
                    },
                    d,
                )
            })
        };
        match self.principal {
            Principal::Root { .. } => Ok(None),
            Principal::User { account, id, .. } => {
                let Some(user) = tx.user_by_id(account, id)? else {
                    return Ok(Some((None, Vec::new())));
                };
                let mut docs: Vec<(PolicySource, String)> =
                    inline(user.arn(), tx.policies(account, id)?).collect();
                docs.extend(self.attached_documents(tx, &Attachee::User(id.clone()))?);
                for group in tx.groups_of_user(account, id)? {
                    docs.extend(inline(group.arn(), tx.group_policies(account, &group.id)?));
                    docs.extend(self.attached_documents(tx, &Attachee::Group(group.id))?);
                }
                Ok(Some((Some(Me::User(user)), docs)))
            }
            Principal::Role { account, id, .. } => {
                let Some(role) = tx.role_by_id(account, id)? else {
                    return Ok(Some((None, Vec::new())));
                };
                let mut docs: Vec<(PolicySource, String)> =
                    inline(role.arn(), tx.role_policies(account, id)?).collect();
                docs.extend(self.attached_documents(tx, &Attachee::Role(id.clone()))?);
                Ok(Some((Some(Me::Role(role)), docs)))
            }
        }
    }
}
