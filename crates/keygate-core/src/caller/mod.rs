//! `Caller`: a principal's view of the service under one dialect's rules. Every operation
//! authorises the principal, validates, and applies its rules inside one transaction; the
//! operations live one module per resource beside this one.

mod access_keys;
mod account;
mod api_access;
mod assume_role;
mod audit;
mod authorize;
mod groups;
mod login_profiles;
mod managed_policies;
mod mfa;
mod policy_attachments;
mod roles;
mod sessions;
mod user_policies;
mod users;

pub use access_keys::{KeyChange, KeyFilter};
// `AuditContext` is defined below, beside `Caller`, which keeps it.
pub use api_access::{CaFilter, MAX_KEY_LIFETIME_SECONDS, RuleFilter, RuleSpec};
pub use assume_role::{ASSUME_SECONDS, AssumeRequest, AssumedRole, MAX_SESSION_POLICY_ARNS};
pub use audit::AuditFilter;
pub use groups::{GroupChange, GroupRef};
pub use managed_policies::{NewPolicy, PolicyFilter, PolicyScope, PolicyView};
pub use mfa::{Assignment, NewMfaDevice};
pub use policy_attachments::{AttachTarget, PolicyEntities};
pub use roles::{NewRole, ROLE_SESSION_SECONDS, RoleChange};
pub use sessions::SESSION_SECONDS;
pub use users::{Identity, UserChange};

use std::cell::{Cell, RefCell};
use std::net::IpAddr;

use time::macros::format_description;

use crate::error::{CoreError, CoreResult, SessionRule};
use crate::ids::TagKey;
use crate::ids::{AccessKeyId, AccountId, UserName, UserPath};
use crate::model::{AuditRecord, Principal, SessionFacts, SessionKind, Tag, User, user_arn};
use crate::policy::Context;
use crate::rules::{Operation, Rules};
use crate::service::Service;
use crate::sign_in::Source;
use crate::store::{self, ReadTx, WriteTx};

use authorize::{Me, Whose};

/// What the front end knows of a request besides who makes it: the condition keys of the
/// policy language read it, and sign-ins are throttled by its source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestInfo {
    /// The client's address (`aws:SourceIp`).
    pub source_ip: Option<IpAddr>,
    /// The `User-Agent` header (`aws:UserAgent`).
    pub user_agent: Option<String>,
    /// The region the signature is scoped to (`aws:RequestedRegion`).
    pub region: Option<String>,
    /// Whether the request came over TLS (`aws:SecureTransport`).
    pub secure_transport: bool,
    /// The TLS client certificate chain it presented, leaf first (API access rules with CAs).
    pub client_certificates: Vec<Vec<u8>>,
}

#[derive(Debug)]
pub struct Caller<'a> {
    svc: &'a Service,
    principal: &'a Principal,
    rules: &'a Rules,
    dry_run: bool,
    request: RequestInfo,
    /// The key the request was signed with, if it was signed.
    signed_by: Option<AccessKeyId>,
    /// The session's facts when that key is a session's.
    session: Option<SessionFacts>,
    /// Where the call's audit record comes from, when it is kept.
    audit: Option<AuditContext>,
    /// Whether the record was written with the call's change.
    recorded: Cell<bool>,
    /// The resource the call was last authorised on (a change's target).
    resource: RefCell<Option<String>>,
}

/// What the front end knows of a call for its audit record, besides the request's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    pub request_id: String,
    pub dialect: &'static str,
    pub call: &'static str,
    /// The access key id the request was signed with, as sent.
    pub access_key_id: Option<String>,
}

impl AuditContext {
    /// A record of the call from `request`, answered with `status` and `error`, made by no
    /// principal (yet): the caller fills in who.
    pub fn record(
        &self,
        request: &RequestInfo,
        at: crate::model::Timestamp,
        status: u16,
        error: Option<&str>,
    ) -> AuditRecord {
        AuditRecord {
            at,
            request_id: self.request_id.clone(),
            account_id: None,
            principal: None,
            principal_kind: "anonymous".into(),
            access_key_id: self.access_key_id.clone(),
            source_ip: request.source_ip,
            user_agent: request.user_agent.clone(),
            dialect: self.dialect.to_owned(),
            call: self.call.to_owned(),
            status,
            error_code: error.map(str::to_owned),
            resource: None,
        }
    }
}

impl<'a> Caller<'a> {
    pub(crate) fn new(svc: &'a Service, principal: &'a Principal, rules: &'a Rules) -> Self {
        Self {
            svc,
            principal,
            rules,
            dry_run: false,
            request: RequestInfo::default(),
            signed_by: None,
            session: None,
            audit: None,
            recorded: Cell::new(false),
            resource: RefCell::new(None),
        }
    }

    /// The key the request was signed with, and its session's facts when it is a session's.
    pub fn signed_with(mut self, key: AccessKeyId, session: Option<SessionFacts>) -> Self {
        self.signed_by = Some(key);
        self.session = session;
        self
    }

    /// GetSessionToken's credentials call no IAM (or OSC) operation without MFA (AWS): refused
    /// before anything else is looked at, as AWS refuses them at authentication. A role's
    /// session calls with the role's permissions, a sign-in's with its user's.
    fn session_may_call(&self) -> CoreResult<()> {
        if self
            .session
            .as_ref()
            .is_some_and(|s| s.kind == SessionKind::Token && s.mfa_at.is_none())
        {
            return Err(CoreError::SessionRefused(SessionRule::MfaRequired));
        }
        Ok(())
    }

    /// What is known of the request: its source, client, region and transport.
    pub fn with_request(mut self, request: RequestInfo) -> Self {
        self.request = request;
        self
    }

    /// Where the request comes from, for sign-in throttling.
    fn source(&self) -> Source {
        Source::new(self.request.source_ip)
    }

    /// The condition keys of a request by `who`, now.
    fn context(&self, who: Whose<'_>) -> Context {
        let now = self.svc.clock.now().to_datetime();
        let mut c = Context::new();
        let tags = match who {
            Whose::User(user) => {
                c.set("aws:username", user.name.as_str())
                    .set("aws:userid", user.id.as_str())
                    .set("aws:PrincipalArn", user.arn())
                    .set("aws:PrincipalType", "User");
                &user.tags
            }
            // AWS: a role's session is known by its role's ARN, and has no user name.
            Whose::Role(role) => {
                c.set("aws:userid", self.principal.unique_id())
                    .set("aws:PrincipalArn", role.arn())
                    .set("aws:PrincipalType", "AssumedRole");
                &role.tags
            }
        };
        c.set("aws:PrincipalAccount", self.account().as_str())
            // No request reaches keygate through another AWS service on the caller's behalf.
            .set("aws:ViaAWSService", "false")
            .set("aws:CurrentTime", iso_seconds(self.svc.clock.now()))
            .set("aws:EpochTime", now.unix_timestamp().to_string())
            .set(
                "aws:SecureTransport",
                self.request.secure_transport.to_string(),
            );
        for tag in tags {
            c.set(
                &format!("aws:PrincipalTag/{}", tag.key.as_str()),
                tag.value.as_str(),
            );
        }
        // AWS sets the MFA keys and the issue time for temporary credentials only.
        if let Some(s) = &self.session {
            c.set("aws:MultiFactorAuthPresent", s.mfa_at.is_some().to_string());
            if let Some(at) = s.mfa_at {
                let age = (self.svc.clock.now().unix_millis() - at.unix_millis()) / 1000;
                c.set("aws:MultiFactorAuthAge", age.max(0).to_string());
            }
            c.set("aws:TokenIssueTime", iso_seconds(s.issued_at));
        }
        if let Some(ip) = self.request.source_ip {
            c.set("aws:SourceIp", ip.to_string());
        }
        if let Some(region) = &self.request.region {
            c.set("aws:RequestedRegion", region.as_str());
        }
        if let Some(agent) = &self.request.user_agent {
            c.set("aws:UserAgent", agent.as_str());
        }
        c
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

    /// Every operation reads or writes through here, so the session rule holds for all.
    fn read<T>(&self, f: impl FnMut(&dyn ReadTx) -> CoreResult<T>) -> CoreResult<T> {
        self.session_may_call()?;
        store::read(&*self.svc.store, f)
    }

    fn write<T>(&self, mut f: impl FnMut(&dyn WriteTx) -> CoreResult<T>) -> CoreResult<T> {
        self.session_may_call()?;
        self.write_recorded(|tx| f(tx).map(Ok))
    }

    /// A write whose transaction may commit a refusal's trace (a wrong MFA code counted) and
    /// still refuse: the inner result is the call's.
    fn write_settled<T>(
        &self,
        f: impl FnMut(&dyn WriteTx) -> CoreResult<CoreResult<T>>,
    ) -> CoreResult<T> {
        self.session_may_call()?;
        self.write_recorded(f)
    }

    /// As `write_settled`, for a write any session may make, MFA or not (STS AssumeRole, a
    /// sign-in).
    fn write_as_any_session<T>(
        &self,
        f: impl FnMut(&dyn WriteTx) -> CoreResult<CoreResult<T>>,
    ) -> CoreResult<T> {
        self.write_recorded(f)
    }

    /// Runs a write; a call that succeeds leaves its audit record in the same transaction, so
    /// that no change is acknowledged without its record. A dry run leaves none.
    fn write_recorded<T>(
        &self,
        mut f: impl FnMut(&dyn WriteTx) -> CoreResult<CoreResult<T>>,
    ) -> CoreResult<T> {
        let now = self.svc.clock.now();
        let keep = !self.dry_run && self.audit.is_some();
        // The calls noted before this one go first, so that the trail keeps the calls' order.
        let earlier = if keep {
            self.svc.take_noted_calls()
        } else {
            Vec::new()
        };
        let written = store::write_or_rehearse(&*self.svc.store, self.dry_run, |tx| {
            let out = f(tx)?;
            if let (true, Ok(_), Some(ctx)) = (keep, &out, &self.audit) {
                for r in &earlier {
                    tx.insert_audit_record(r)?;
                }
                tx.insert_audit_record(&self.audit_record(ctx, now, 200, None))?;
            }
            Ok(out)
        });
        let kept = matches!(written, Ok(Ok(_)));
        if kept && keep {
            self.recorded.set(true);
        } else {
            self.svc.renote_calls(earlier);
        }
        written?
    }

    /// Tells where the call's audit record goes: with the change, when there is one.
    pub fn audited(mut self, ctx: AuditContext) -> Self {
        self.audit = Some(ctx);
        self
    }

    /// The audit context the caller was made with, if any.
    pub fn audit_context(&self) -> Option<&AuditContext> {
        self.audit.as_ref()
    }

    /// Whether the call's record was written with its change; otherwise the front end notes
    /// it, answered as it was (`Service::note_call`).
    pub fn recorded(&self) -> bool {
        self.recorded.get()
    }

    /// The record of this call, answered with `status` and `error`.
    pub fn audit_record(
        &self,
        ctx: &AuditContext,
        at: crate::model::Timestamp,
        status: u16,
        error: Option<&str>,
    ) -> AuditRecord {
        let kind = match (self.principal, &self.session) {
            (Principal::Role { .. }, _) => "assumed-role",
            (_, Some(_)) => "session",
            (Principal::Root { .. }, None) => "root",
            (Principal::User { .. }, None) => "user",
        };
        let mut r = ctx.record(&self.request, at, status, error);
        r.account_id = Some(self.account().clone());
        r.principal = Some(self.principal.arn());
        kind.clone_into(&mut r.principal_kind);
        r.resource = self.resource.borrow().clone();
        r
    }

    fn account(&self) -> &AccountId {
        self.principal.account()
    }

    /// The policy action `op` is checked against in the caller's dialect.
    fn action(&self, op: Operation) -> &'static str {
        (self.rules.action)(op)
    }

    /// Allows the root; evaluates a user's identity policies for `op` on every resource.
    fn authorize(&self, tx: &dyn ReadTx, op: Operation, resources: &[&str]) -> CoreResult<()> {
        self.authorize_with(tx, op, resources, &Context::new())
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
        self.existing_user_with(tx, op, name, Context::new())
    }

    /// As `existing_user`, with the request's own condition keys; the user's tags are its
    /// `aws:ResourceTag/…` and `iam:ResourceTag/…`.
    fn existing_user_with(
        &self,
        tx: &dyn ReadTx,
        op: Operation,
        name: &UserName,
        mut keys: Context,
    ) -> CoreResult<User> {
        let (user, arn) = self.target_user(tx, name)?;
        if let Some(u) = &user {
            keys.extend(&resource_tags(&u.tags));
        }
        self.authorize_with(tx, op, &[&arn], &keys)?;
        user.ok_or_else(|| CoreError::NoSuchUser(name.clone()))
    }
}

/// A time as the policy language's dates are written, to the second.
fn iso_seconds(t: crate::model::Timestamp) -> String {
    t.to_datetime()
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .unwrap_or_default()
}

/// `aws:ResourceTag/<key>` and `iam:ResourceTag/<key>`: the tags of the resource acted on.
fn resource_tags(tags: &[Tag]) -> Context {
    let mut c = Context::new();
    for t in tags {
        c.set(&format!("aws:ResourceTag/{}", t.key), t.value.as_str())
            .set(&format!("iam:ResourceTag/{}", t.key), t.value.as_str());
    }
    c
}

/// `aws:RequestTag/<key>` and `aws:TagKeys`: the tags a request sets.
fn request_tags(tags: &[Tag]) -> Context {
    let mut c = tag_keys(tags.iter().map(|t| &t.key));
    for t in tags {
        c.set(&format!("aws:RequestTag/{}", t.key), t.value.as_str());
    }
    c
}

/// `aws:TagKeys`: the tag keys a request names.
fn tag_keys<'k>(keys: impl Iterator<Item = &'k TagKey>) -> Context {
    let mut c = Context::new();
    c.set_all("aws:TagKeys", keys.map(|k| k.to_string()).collect());
    c
}

#[cfg(test)]
mod tests;
