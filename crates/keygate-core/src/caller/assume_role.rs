//! STS AssumeRole: a role's temporary credentials for a principal its trust policy names.
//!
//! The rule keygate applies, AWS's for a role of the caller's own account:
//! - an explicit deny, in the trust policy or in the caller's identity policies, refuses;
//! - a trust statement that names the caller's own ARN (its user, or its assumed-role
//!   session) allows on its own;
//! - one that names the caller through its account (`<id>`, `arn:aws:iam::<id>:root`), its
//!   role's ARN, or `*` allows only if the caller's identity policies allow `sts:AssumeRole`
//!   on the role as well;
//! - no trust statement naming the caller refuses.
//!
//! Roles of other accounts are never assumed: keygate's accounts are tenants, not partners.

use crate::catalog;
use crate::error::{CoreError, CoreResult, Denial, SessionRule};
use crate::ids::{AccountId, RoleName, RoleSessionName, UserPath};
use crate::model::{
    NewSession, PolicyRef, Principal, RoleSession, SessionOrigin, Timestamp, role_arn,
};
use crate::policy::{self, Context, Trust, TrustCaller};
use crate::rules::Operation;
use crate::store::{ReadTx, WriteTx};
use crate::validate;

use super::Caller;

/// AssumeRole's bounds on `DurationSeconds` (AWS: 15 minutes to the role's maximum, at most 12
/// hours), and its default.
pub const ASSUME_SECONDS: (u32, u32, u32) = (900, 43_200, 3600);
/// The longest session of a role assumed with a role's session (role chaining, AWS).
pub const CHAINED_SECONDS: u32 = 3600;
/// Managed session policies one AssumeRole may name (AWS).
pub const MAX_SESSION_POLICY_ARNS: usize = 10;
/// What the session policies may pack to: `Policy`'s characters and `PolicyArns`' ARNs (AWS's
/// plaintext limit).
pub const PACKED_POLICY_CHARS: usize = 2048;

/// What an AssumeRole request asks for.
#[derive(Debug, Clone, Default)]
pub struct AssumeRequest<'a> {
    pub role_arn: &'a str,
    pub session_name: Option<RoleSessionName>,
    pub duration: Option<u32>,
    /// An inline session policy.
    pub policy: Option<&'a str>,
    /// Managed session policies.
    pub policy_arns: &'a [PolicyRef],
    pub external_id: Option<&'a str>,
    /// An MFA device's serial number and its current code.
    pub mfa: Option<(&'a str, &'a str)>,
}

/// An assumed role's new session.
#[derive(Debug, Clone)]
pub struct AssumedRole {
    pub credentials: NewSession,
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
    pub arn: String,
    /// `<role id>:<session>`.
    pub assumed_role_id: String,
    /// How much of the allowed size the session policies take, in percent, when there are any.
    pub packed_policy_size: Option<u32>,
}

/// The parts of a role's ARN in the caller's account: `arn:aws:iam::<account>:role<path><name>`.
fn parse_role_arn(arn: &str) -> CoreResult<(AccountId, UserPath, RoleName)> {
    let bad = || validate::invalid("RoleArn", format!("{arn} is not a role's ARN"));
    let rest = arn.strip_prefix("arn:aws:iam::").ok_or_else(bad)?;
    let (account, resource) = rest.split_once(":role/").ok_or_else(bad)?;
    let account = AccountId::parse(account).map_err(|_| bad())?;
    let (path, name) = crate::model::path_and_name(resource);
    let path = UserPath::parse(&path).map_err(|_| bad())?;
    let name = RoleName::parse(name).map_err(|_| bad())?;
    Ok((account, path, name))
}

impl Caller<'_> {
    pub fn assume_role(&self, req: &AssumeRequest<'_>) -> CoreResult<AssumedRole> {
        let (min, max, default) = ASSUME_SECONDS;
        let seconds = req.duration.unwrap_or(default);
        if !(min..=max).contains(&seconds) {
            return Err(validate::invalid(
                "DurationSeconds",
                format!("must be between {min} and {max}"),
            ));
        }
        let session_name = req
            .session_name
            .clone()
            .ok_or_else(|| validate::invalid("RoleSessionName", "is required"))?;
        if let Some(p) = req.policy {
            validate::document("Policy", p)?;
            policy::parse(p).map_err(CoreError::MalformedPolicy)?;
        }
        if req.policy_arns.len() > MAX_SESSION_POLICY_ARNS {
            return Err(validate::invalid(
                "PolicyArns",
                format!("at most {MAX_SESSION_POLICY_ARNS} managed session policies"),
            ));
        }
        if let Some(id) = req.external_id {
            validate::external_id(id)?;
        }
        if let Principal::Root { .. } = self.principal {
            return Err(CoreError::SessionRefused(SessionRule::RootMayNotAssume));
        }
        let Some(source_key) = self.signed_by.clone() else {
            return Err(CoreError::SessionRefused(SessionRule::SignedOnly));
        };
        let (account, path, name) = parse_role_arn(req.role_arn)?;
        let now = self.svc.clock.now();
        // GetSessionToken's credentials may call AssumeRole, with or without MFA (AWS).
        self.write_as_any_session(|tx: &dyn WriteTx| {
            let role = tx
                .role_by_name(self.account(), &name)?
                .filter(|r| account == *self.account() && r.path == path);
            let mfa_at = match req.mfa {
                Some((serial, code)) => match self.prove_mfa(tx, serial, code, now)? {
                    Some(at) => Some(at),
                    // The failure is counted and kept: the transaction commits, the call fails.
                    None => return Ok(Err(CoreError::SessionRefused(SessionRule::MfaWrongCode))),
                },
                None => self.session.as_ref().and_then(|s| s.mfa_at),
            };
            let arn = role_arn(&account, &path, &name);
            let keys = self.assume_keys(&session_name, req, mfa_at, now);
            // The caller's own explicit deny answers first, whether the role exists or not.
            let identity = match self.authorize_with(tx, Operation::AssumeRole, &[&arn], &keys) {
                Err(e) if is_explicit_deny(&e) || !matches!(e, CoreError::AccessDenied { .. }) => {
                    return Err(e);
                }
                other => other,
            };
            let Some(mut role) = role else {
                return Err(self.not_trusted(tx, &arn)?);
            };
            self.trusted(tx, &role, &keys, identity)?;
            let chained = matches!(self.principal, Principal::Role { .. });
            if chained && seconds > CHAINED_SECONDS {
                return Err(CoreError::SessionRefused(SessionRule::ChainedOverAnHour));
            }
            if seconds > role.max_session_seconds {
                return Err(CoreError::SessionRefused(SessionRule::OverRoleMaximum));
            }
            let (policies, packed_policy_size) = self.session_policies(tx, req)?;
            let origin = SessionOrigin::Role(RoleSession {
                role: role.id.clone(),
                name: session_name.clone(),
                assumed_by: self.principal.arn(),
                source_key: source_key.clone(),
                policies,
            });
            let credentials = self.insert_session(tx, origin, now, seconds, mfa_at)?;
            role.last_used = Some((now, self.request.region.clone().unwrap_or_default()));
            tx.update_role(&role)?;
            Ok(Ok(AssumedRole {
                credentials,
                arn: crate::model::assumed_role_arn(&account, &role.name, &session_name),
                assumed_role_id: format!("{}:{session_name}", role.id),
                packed_policy_size,
            }))
        })
    }

    /// The refusal of a caller the role does not trust, or of a role that does not exist: the
    /// same, so that a caller cannot learn which roles exist.
    fn not_trusted(&self, tx: &dyn ReadTx, arn: &str) -> CoreResult<CoreError> {
        let caller = match self.identity_documents(tx)? {
            Some((Some(me), _)) => me.arn(self.principal),
            _ => self.principal.arn(),
        };
        Ok(CoreError::AccessDenied {
            principal: caller,
            action: self.action(Operation::AssumeRole).to_owned(),
            resource: arn.to_owned(),
            why: Box::new(Denial::NotTrusted),
        })
    }

    /// The condition keys AssumeRole adds: `sts:RoleSessionName`, `sts:ExternalId`, and the MFA
    /// keys when MFA was proven in the request or by the caller's session.
    fn assume_keys(
        &self,
        session_name: &RoleSessionName,
        req: &AssumeRequest<'_>,
        mfa_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Context {
        let mut keys = Context::new();
        keys.set("sts:RoleSessionName", session_name.as_str());
        if let Some(id) = req.external_id {
            keys.set("sts:ExternalId", id);
        }
        if let Some(at) = mfa_at {
            let age = (now.unix_millis() - at.unix_millis()) / 1000;
            keys.set("aws:MultiFactorAuthPresent", "true")
                .set("aws:MultiFactorAuthAge", age.max(0).to_string());
        }
        keys
    }

    /// Whether the role's trust policy, with the caller's identity policies (`identity`, their
    /// answer for `sts:AssumeRole` on the role, never an explicit deny) where it defers to
    /// them, lets the caller assume the role (the rule in this module's header).
    fn trusted(
        &self,
        tx: &dyn ReadTx,
        role: &crate::model::Role,
        keys: &Context,
        identity: CoreResult<()>,
    ) -> CoreResult<()> {
        let arn = role.arn();
        let Some((Some(me), _)) = self.identity_documents(tx)? else {
            return Err(self.not_trusted(tx, &arn)?);
        };
        let mut context = self.context(me.whose());
        context.extend(keys);
        let caller_arn = me.arn(self.principal);
        let (own_role, created_at) = match &me {
            super::Me::Role(r) => (Some(r.arn()), r.created_at),
            super::Me::User(u) => (None, u.created_at),
        };
        let caller = TrustCaller {
            arn: &caller_arn,
            role_arn: own_role.as_deref(),
            account: self.account().as_str(),
            named_by_arn: created_at <= role.trust_set_at,
        };
        let trust = policy::parse_trust(&role.trust_policy)
            .map(|t| t.judge(&caller, self.action(Operation::AssumeRole), &context))
            .unwrap_or(Trust::NotTrusted);
        match (trust, identity) {
            (Trust::Denied(_) | Trust::NotTrusted, _) => Err(self.not_trusted(tx, &arn)?),
            (Trust::Direct, _) => Ok(()),
            (Trust::ViaIdentity, r) => r,
        }
    }

    /// The session policies' documents (`Policy`, then each of `PolicyArns`' default version)
    /// and the share of the allowed size they take, in percent, when there are any.
    fn session_policies(
        &self,
        tx: &dyn ReadTx,
        req: &AssumeRequest<'_>,
    ) -> CoreResult<(Vec<String>, Option<u32>)> {
        let mut docs: Vec<String> = req.policy.map(str::to_owned).into_iter().collect();
        let mut packed = req.policy.map_or(0, policy::counted_chars);
        for r in req.policy_arns {
            let p = self
                .find_policy(tx, r)?
                .ok_or_else(|| CoreError::NoSuchManagedPolicy(r.clone()))?;
            let doc = match catalog::document(&p.id) {
                Some(d) => d.to_owned(),
                None => tx
                    .policy_version(self.account(), &p.id, p.default_version)?
                    .map(|v| v.document)
                    .ok_or_else(|| CoreError::NoSuchManagedPolicy(r.clone()))?,
            };
            packed += p.arn().len();
            docs.push(doc);
        }
        let percent =
            u32::try_from((packed * 100).div_ceil(PACKED_POLICY_CHARS)).unwrap_or(u32::MAX);
        if packed > PACKED_POLICY_CHARS {
            return Err(CoreError::SessionRefused(
                SessionRule::PackedPolicyTooLarge(percent),
            ));
        }
        let size = (!docs.is_empty()).then_some(percent);
        Ok((docs, size))
    }
}

fn is_explicit_deny(e: &CoreError) -> bool {
    matches!(e, CoreError::AccessDenied { why, .. } if matches!(**why, Denial::ExplicitDeny { .. }))
}

#[cfg(test)]
#[path = "assume_role_tests.rs"]
mod tests;
