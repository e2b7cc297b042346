//! `Service`: the only writer. It owns the store, the clock and the id source, and performs
//! what needs no principal: accounts and their bootstrap, password resets, root-key rotation,
//! the password check with its lockout, and the lookup and use-noting of signing keys. What a
//! principal does goes through [`Caller`].

use std::net::IpAddr;
use std::sync::Arc;

use crate::caller::{AuditContext, Caller, RequestInfo};
use crate::error::{AccessPolicyRule, CoreError, CoreResult, Quota};
use crate::ids::{AccessKeyId, AccountId, Email};
use crate::key_cache::{CachedKey, KeyCache};
use crate::key_uses::PendingUses;
use crate::model::{
    AccessKey, Account, AccountCredentials, ApiAccessRule, AuditRecord, Ca, KeyOwner, KeyState,
    KeyView, LastUsed, NewAccessKey, NewSession, Principal, Secret, SessionFacts, SessionOrigin,
    SigningKey, Timestamp,
};
use crate::password;
use crate::rules::{Limits, MissingExpiration, Rules};
use crate::sign_in::{SignInGuard, Source};
use crate::store::{self, Clock, IdGen, ReadTx, Store, WriteTx};

use crate::validate;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub struct Service {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn IdGen>,
    pub(crate) limits: Limits,
    pub(crate) pending_uses: PendingUses,
    /// Audit records of calls that changed nothing (reads, refusals), until the next flush.
    pending_audit: std::sync::Mutex<Vec<AuditRecord>>,
    pub(crate) sign_in: SignInGuard,
    /// Long-term keys' authentications, while the store's generation holds.
    keys: KeyCache,
    /// Answers for API access rules that name CAs; none: no certificate counts.
    certificates: Option<Arc<dyn crate::store::CertificateCheck>>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Account ids drawn before giving up on finding a free one.
const ACCOUNT_ID_ATTEMPTS: usize = 8;

impl Service {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGen>,
        limits: Limits,
    ) -> Self {
        Self {
            store,
            clock,
            ids,
            limits,
            pending_uses: PendingUses::default(),
            pending_audit: std::sync::Mutex::new(Vec::new()),
            certificates: None,
            keys: KeyCache::default(),
            sign_in: SignInGuard::new(
                limits.password_failures_per_source_per_minute,
                usize::try_from(limits.password_checks_in_flight).unwrap_or(1),
            ),
        }
    }

    /// Lets TLS client certificates count for the API access rules that name CAs.
    pub fn with_certificate_check(
        mut self,
        check: Arc<dyn crate::store::CertificateCheck>,
    ) -> Self {
        self.certificates = Some(check);
        self
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The password checks refused since the start, by why (for the metrics).
    pub fn sign_in_counts(&self) -> crate::sign_in::SignInCounts {
        self.sign_in.counts()
    }

    /// Operations made by `principal` under a dialect's `rules`.
    pub fn caller<'a>(&'a self, principal: &'a Principal, rules: &'a Rules) -> Caller<'a> {
        Caller::new(self, principal, rules)
    }

    // ---- operator operations: no principal, for the `admin` commands and the bootstrap ----

    /// Creates an account with a random password and one root access key.
    pub fn create_account(
        &self,
        name: &str,
        email: Option<Email>,
    ) -> CoreResult<AccountCredentials> {
        validate::account_name(name)?;
        let password = self.ids.password();
        let hash = password::hash(password.expose())?;
        store::write(&*self.store, |tx| {
            self.insert_account(tx, name, email.clone(), &hash, password.clone())
        })
    }

    /// On a store without any account, creates the first one and hands its credentials to
    /// `keep` inside the same transaction: if `keep` fails (the credentials could not be saved),
    /// nothing is created. `None` when an account already exists.
    pub fn bootstrap_account(
        &self,
        name: &str,
        email: Email,
        mut keep: impl FnMut(&AccountCredentials) -> Result<(), String>,
    ) -> CoreResult<Option<AccountCredentials>> {
        if !self.accounts()?.is_empty() {
            return Ok(None);
        }
        validate::account_name(name)?;
        let password = self.ids.password();
        let hash = password::hash(password.expose())?;
        store::write(&*self.store, |tx| {
            if !tx.accounts()?.is_empty() {
                return Ok(None);
            }
            let creds =
                self.insert_account(tx, name, Some(email.clone()), &hash, password.clone())?;
            keep(&creds).map_err(CoreError::Internal)?;
            Ok(Some(creds))
        })
    }

    fn insert_account(
        &self,
        tx: &dyn WriteTx,
        name: &str,
        email: Option<Email>,
        hash: &str,
        password: Secret,
    ) -> CoreResult<AccountCredentials> {
        let now = self.clock.now();
        let id = self.fresh_account_id(tx)?;
        let email = match email {
            Some(e) => e,
            None => Email::parse(&format!("root@{id}.keygate.local"))
                .map_err(|e| validate::invalid("Email", e.0))?,
        };
        if tx.account_by_email(&email)?.is_some() {
            return Err(CoreError::AccountAlreadyExists);
        }
        if tx
            .accounts()?
            .iter()
            .any(|a| a.name.eq_ignore_ascii_case(name))
        {
            return Err(CoreError::AccountNameTaken(name.to_owned()));
        }
        let account = Account {
            id,
            name: name.to_owned(),
            email,
            created_at: now,
        };
        tx.insert_account(&account, hash)?;
        tx.insert_access_rule(&ApiAccessRule::default_for(
            &account.id,
            self.ids.access_rule_id(),
        ))?;
        let key = self.insert_key(tx, &account.id, KeyOwner::Root, None, None, now)?;
        Ok(AccountCredentials {
            account,
            access_key_id: key.view.key.id,
            secret: key.secret,
            password,
        })
    }

    fn fresh_account_id(&self, tx: &dyn WriteTx) -> CoreResult<AccountId> {
        for _ in 0..ACCOUNT_ID_ATTEMPTS {
            let id = self.ids.account_id();
            if tx.account(&id)?.is_none() {
                return Ok(id);
            }
        }
        Err(CoreError::Internal("no free account id".into()))
    }

    /// Whether the store's reads wait on nothing but local memory and disk, so that a call that
    /// only reads may be answered on the thread that received it.
    pub fn reads_are_local(&self) -> bool {
        self.store.reads_are_local()
    }

    /// Whether the store answers: one empty read transaction (a readiness probe).
    pub fn probe_store(&self) -> CoreResult<()> {
        store::read(&*self.store, |_| Ok(()))
    }

    pub fn accounts(&self) -> CoreResult<Vec<Account>> {
        store::read(&*self.store, |tx| tx.accounts())
    }

    pub fn account(&self, id: &AccountId) -> CoreResult<Account> {
        store::read(&*self.store, |tx| {
            tx.account(id)?.ok_or(CoreError::NoSuchAccount)
        })
    }

    pub fn account_by_email(&self, email: &Email) -> CoreResult<Account> {
        store::read(&*self.store, |tx| {
            tx.account_by_email(email)?.ok_or(CoreError::NoSuchAccount)
        })
    }

    /// Gives the account a new random password and returns it, after handing it to `keep`
    /// inside the same transaction: if `keep` fails, the old password stays.
    pub fn reset_password(
        &self,
        id: &AccountId,
        mut keep: impl FnMut(&Secret) -> Result<(), String>,
    ) -> CoreResult<Secret> {
        let password = self.ids.password();
        let hash = password::hash(password.expose())?;
        store::write(&*self.store, |tx| {
            tx.account(id)?.ok_or(CoreError::NoSuchAccount)?;
            tx.set_password_hash(id, &hash)?;
            keep(&password).map_err(CoreError::Internal)
        })?;
        Ok(password)
    }

    /// Replaces every root key of the account with one new key, handed to `keep` inside the
    /// same transaction: if `keep` fails, the old keys stay. Under a maximum key lifetime, the
    /// key lives for the maximum.
    pub fn rotate_root_key(
        &self,
        id: &AccountId,
        mut keep: impl FnMut(&NewAccessKey) -> Result<(), String>,
    ) -> CoreResult<NewAccessKey> {
        let now = self.clock.now();
        store::write(&*self.store, |tx| {
            tx.account(id)?.ok_or(CoreError::NoSuchAccount)?;
            for old in tx.keys(id, &KeyOwner::Root)? {
                tx.delete_key(id, &old.id)?;
            }
            let expires = key_expiration(tx, id, None, now, MissingExpiration::GiveMaximum)?;
            let key = self.insert_key(tx, id, KeyOwner::Root, expires, None, now)?;
            keep(&key).map_err(CoreError::Internal)?;
            Ok(key)
        })
    }

    // ---- authentication support ----

    /// What signs for key `id` with the session `token` beside it (if any): an active,
    /// unexpired long-term key without a token, or a live session with its own token. Any
    /// other combination is a key that does not exist, except an expired session, which is
    /// told apart as AWS tells it (`ExpiredToken`).
    pub fn signing_credentials(
        &self,
        id: &AccessKeyId,
        token: Option<&str>,
        client: Option<IpAddr>,
        certificates: &[Vec<u8>],
    ) -> CoreResult<KeyLookup> {
        let now = self.clock.now();
        if token.is_none()
            && let Some(generation) = self.store.generation()
        {
            return self.cached_long_term(id, generation, now, client, certificates);
        }
        store::read(&*self.store, |tx| {
            let Some(token) = token else {
                return Ok(match long_term(tx, id, now)? {
                    Some((secret, principal, _)) => KeyLookup::Found(Box::new(SigningKey {
                        admitted: self.admits(tx, principal.account(), client, certificates)?,
                        secret,
                        principal,
                        session: None,
                    })),
                    None => KeyLookup::Unknown,
                });
            };
            let Some((session, secret, digest)) = tx.session_for_authentication(id)? else {
                return Ok(KeyLookup::Unknown);
            };
            let offered = Sha256::digest(token.as_bytes());
            if !bool::from(offered.as_slice().ct_eq(&digest)) {
                return Ok(KeyLookup::Unknown);
            }
            // A session signs only while what it stands on does; then, until it expires.
            let (principal, policies) = match &session.origin {
                SessionOrigin::Key { parent_key, .. } => match long_term(tx, parent_key, now)? {
                    Some((_, principal, _)) => (principal, Vec::new()),
                    None => return Ok(KeyLookup::Unknown),
                },
                SessionOrigin::Role(r) => match tx.role_by_id(&session.account_id, &r.role)? {
                    Some(role) => (
                        Principal::Role {
                            account: role.account_id,
                            id: role.id,
                            name: role.name,
                            path: role.path,
                            session: r.name.clone(),
                        },
                        r.policies.clone(),
                    ),
                    None => return Ok(KeyLookup::Unknown),
                },
                SessionOrigin::SignIn { user } => {
                    let account = &session.account_id;
                    match tx.user_by_id(account, user)? {
                        Some(u) if tx.login_profile(account, user)?.is_some() => {
                            (Principal::for_user(&u), Vec::new())
                        }
                        _ => return Ok(KeyLookup::Unknown),
                    }
                }
            };
            if session.expires_at <= now {
                return Ok(KeyLookup::Expired);
            }
            Ok(KeyLookup::Found(Box::new(SigningKey {
                admitted: self.admits(tx, principal.account(), client, certificates)?,
                secret,
                principal,
                session: Some(SessionFacts {
                    kind: session.origin.kind(),
                    issued_at: session.created_at,
                    expires_at: session.expires_at,
                    mfa_at: session.mfa_at,
                    policies,
                }),
            })))
        })
    }

    /// The root principal of the account whose login and password these are, tried from
    /// `source`. Through the guards of [`crate::sign_in`]: failed attempts per source and
    /// minute are limited, four failures in a row for one login from one source lock it for a
    /// minute (each further four a minute longer, up to ten), and checks beyond the in-flight
    /// bound are refused as `Busy`.
    pub fn verify_password(
        &self,
        login: &Email,
        password: &str,
        source: Source,
        certificates: &[Vec<u8>],
    ) -> CoreResult<Principal> {
        let mut account = None;
        let stored = || {
            let found = store::read(&*self.store, |tx| match tx.account_by_email(login)? {
                Some(a) => Ok(tx.password_hash(&a.id)?.map(|h| (a.id, h))),
                None => Ok(None),
            })?;
            Ok(found.map(|(id, hash)| {
                account = Some(id);
                hash
            }))
        };
        self.sign_in.check(
            &*self.store,
            login.as_str(),
            source,
            || self.clock.now(),
            stored,
            password,
        )?;
        let account = account.ok_or(CoreError::BadCredentials)?;
        self.admitted(&account, source, certificates)?;
        Ok(Principal::Root { account })
    }

    /// Whether the account's API access rules admit a request from `client` that presented the
    /// TLS client `certificates`. A request without an address comes from within the process
    /// (an operator's command), not the network: the rules are about the network.
    /// A long-term key's authentication from the cache when the store has not changed since it
    /// was read, else from the store, then kept.
    fn cached_long_term(
        &self,
        id: &AccessKeyId,
        generation: u64,
        now: Timestamp,
        client: Option<IpAddr>,
        certificates: &[Vec<u8>],
    ) -> CoreResult<KeyLookup> {
        let entry = match self.keys.get(id, generation) {
            Some(hit) if !self.needs_cas(&hit.rules, certificates) || hit.cas.is_some() => hit,
            _ => {
                let read = store::read(&*self.store, |tx| {
                    let Some((secret, principal, expires_at)) = long_term(tx, id, now)? else {
                        return Ok(None);
                    };
                    let rules = tx.access_rules(principal.account())?;
                    let cas = self
                        .needs_cas(&rules, certificates)
                        .then(|| tx.cas(principal.account()))
                        .transpose()?;
                    Ok(Some(CachedKey {
                        secret,
                        principal,
                        expires_at,
                        rules,
                        cas,
                    }))
                })?;
                let Some(entry) = read else {
                    return Ok(KeyLookup::Unknown);
                };
                self.keys.put(id.clone(), generation, entry.clone());
                entry
            }
        };
        if entry.expires_at.is_some_and(|e| e <= now) {
            return Ok(KeyLookup::Unknown);
        }
        let admitted = client.is_none()
            || self.admits_with(
                &entry.rules,
                entry.cas.as_deref().unwrap_or_default(),
                client,
                certificates,
            );
        Ok(KeyLookup::Found(Box::new(SigningKey {
            admitted,
            secret: entry.secret,
            principal: entry.principal,
            session: None,
        })))
    }

    /// Whether admitting a request with `certificates` needs the account's CAs.
    fn needs_cas(&self, rules: &[ApiAccessRule], certificates: &[Vec<u8>]) -> bool {
        self.certificates.is_some()
            && !certificates.is_empty()
            && rules.iter().any(|r| !r.ca_ids.is_empty())
    }

    fn admits(
        &self,
        tx: &dyn ReadTx,
        account: &AccountId,
        client: Option<IpAddr>,
        certificates: &[Vec<u8>],
    ) -> CoreResult<bool> {
        if client.is_none() {
            return Ok(true);
        }
        let rules = tx.access_rules(account)?;
        let cas = if self.needs_cas(&rules, certificates) {
            tx.cas(account)?
        } else {
            Vec::new()
        };
        Ok(self.admits_with(&rules, &cas, client, certificates))
    }

    /// Whether `rules` admit a request from `client` with `certificates`, given the CAs.
    fn admits_with(
        &self,
        rules: &[ApiAccessRule],
        cas: &[Ca],
        client: Option<IpAddr>,
        certificates: &[Vec<u8>],
    ) -> bool {
        let certified = |ids: &[crate::ids::CaId], cns: &[String]| {
            self.certificates.as_ref().is_some_and(|check| {
                cas.iter()
                    .filter(|ca| ids.contains(&ca.id))
                    .any(|ca| check.issued_by(certificates, &ca.pem, cns))
            })
        };
        rules.iter().any(|r| r.admits(client, certified))
    }

    /// Refuses a request the account's API access rules do not admit from `source` with the
    /// client `certificates`.
    fn admitted(
        &self,
        account: &AccountId,
        source: Source,
        certificates: &[Vec<u8>],
    ) -> CoreResult<()> {
        if store::read(&*self.store, |tx| {
            self.admits(tx, account, source.addr(), certificates)
        })? {
            Ok(())
        } else {
            Err(CoreError::NotAdmitted)
        }
    }

    /// Signs an EIM user in with its password, as a console does: through the sign-in guards
    /// (the user's ARN is the login they lock), then, when the user must change its password,
    /// with the new one, and when it has an MFA device, with a current code. Answers a session
    /// of the user, acting with its permissions under `rules`.
    pub fn sign_in_user(
        &self,
        rules: &Rules,
        req: &UserSignIn<'_>,
        request: RequestInfo,
        audit: AuditContext,
    ) -> CoreResult<NewSession> {
        let found = store::read(&*self.store, |tx| {
            let Some(user) = tx.user_by_name(req.account, req.user)? else {
                return Ok(None);
            };
            Ok(tx.login_profile(req.account, &user.id)?.map(|p| (user, p)))
        })?;
        let login = crate::model::user_arn(req.account, &crate::ids::UserPath::root(), req.user);
        let login = found.as_ref().map_or(login, |(u, _)| u.arn());
        self.sign_in.check(
            &*self.store,
            &login,
            Source::new(request.source_ip),
            || self.clock.now(),
            || Ok(found.as_ref().map(|(_, p)| p.hash.clone())),
            req.password.expose(),
        )?;
        let Some((user, _)) = found else {
            return Err(CoreError::BadCredentials);
        };
        self.admitted(
            req.account,
            Source::new(request.source_ip),
            &request.client_certificates,
        )?;
        let principal = Principal::for_user(&user);
        self.caller(&principal, rules)
            .with_request(request)
            .audited(audit)
            .open_sign_in(req)
    }

    /// Keeps the audit record of a call that changed nothing (a read, a refusal, a dry run)
    /// until the next `flush_audit`; a change's record is written with the change.
    pub fn note_call(&self, record: AuditRecord) {
        self.pending_audit
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(record);
    }

    /// Writes every noted call's record in one transaction, in the order they were noted;
    /// returns how many were written. On failure they are kept for the next attempt.
    pub fn flush_audit(&self) -> CoreResult<usize> {
        let batch = self.take_noted_calls();
        if batch.is_empty() {
            return Ok(0);
        }
        let written = store::write(&*self.store, |tx| {
            batch.iter().try_for_each(|r| tx.insert_audit_record(r))
        });
        match written {
            Ok(()) => Ok(batch.len()),
            Err(e) => {
                self.renote_calls(batch);
                Err(e)
            }
        }
    }

    /// Every noted call's record, taken out to be written.
    pub(crate) fn take_noted_calls(&self) -> Vec<AuditRecord> {
        std::mem::take(&mut *self.pending_audit.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Puts back records taken out and not written, before those noted since.
    pub(crate) fn renote_calls(&self, records: Vec<AuditRecord>) {
        if records.is_empty() {
            return;
        }
        let mut pending = self.pending_audit.lock().unwrap_or_else(|e| e.into_inner());
        let later = std::mem::replace(&mut *pending, records);
        pending.extend(later);
    }

    /// Deletes the audit records older than `days` days.
    pub fn prune_audit(&self, days: u32) -> CoreResult<()> {
        let before = self.clock.now().plus_seconds(-i64::from(days) * 86_400);
        store::write(&*self.store, |tx| tx.delete_audit_records_before(before))
    }

    /// Every audit record, of one account or of all (`None`), oldest first, after the sequence
    /// number `after` (for operators: `keygate admin audit`).
    pub fn audit_records(
        &self,
        account: Option<&AccountId>,
        after: Option<i64>,
        limit: usize,
    ) -> CoreResult<Vec<(i64, AuditRecord)>> {
        store::read(&*self.store, |tx| tx.audit_records(account, after, limit))
    }

    /// Notes when, where and for which service a key of `account` signed a request. Kept in
    /// memory until the next `flush_key_uses`; readers of the key see it at once.
    pub fn note_key_use(&self, account: &AccountId, id: &AccessKeyId, used: LastUsed) {
        self.pending_uses.note(account, id, used);
    }

    /// Writes every noted key use in one transaction; returns how many were written. On
    /// failure the uses are kept for the next attempt.
    pub fn flush_key_uses(&self) -> CoreResult<usize> {
        let batch = self.pending_uses.snapshot();
        if batch.is_empty() {
            return Ok(0);
        }
        store::write(&*self.store, |tx| {
            for (id, account, used) in &batch {
                tx.record_last_use(account, id, used)?;
            }
            Ok(())
        })?;
        self.pending_uses.forget(&batch);
        Ok(batch.len())
    }

    /// The key with any use noted since the last flush.
    pub(crate) fn with_pending_use(&self, key: AccessKey) -> AccessKey {
        self.pending_uses.apply(key)
    }

    /// Inserts a new active key for `owner`, within the key limit.
    pub(crate) fn insert_key(
        &self,
        tx: &dyn WriteTx,
        account: &AccountId,
        owner: KeyOwner,
        expires_at: Option<Timestamp>,
        tag: Option<String>,
        now: Timestamp,
    ) -> CoreResult<NewAccessKey> {
        let limit = self.limits.access_keys_per_principal;
        if tx.keys(account, &owner)?.len() >= limit as usize {
            return Err(CoreError::LimitExceeded(Quota::AccessKeysPerPrincipal(
                limit,
            )));
        }
        let key = AccessKey {
            id: self.ids.access_key_id(),
            account_id: account.clone(),
            owner,
            state: KeyState::Active,
            created_at: now,
            modified_at: now,
            expires_at,
            last_used: None,
            tag,
        };
        let secret = self.ids.secret();
        tx.insert_key(&key, &secret)?;
        Ok(NewAccessKey {
            view: KeyView {
                key,
                user_name: None,
            },
            secret,
        })
    }
}

/// The expiration date a key of `account` gets when `asked` is asked for, under the account's
/// API access policy: within its maximum lifetime, when it sets one; a key without a date is
/// refused or given the maximum, as `missing` says.
pub(crate) fn key_expiration(
    tx: &dyn ReadTx,
    account: &AccountId,
    asked: Option<Timestamp>,
    now: Timestamp,
    missing: MissingExpiration,
) -> CoreResult<Option<Timestamp>> {
    let max = tx
        .api_access_policy(account)?
        .map_or(0, |p| p.max_key_expiration_seconds);
    if max == 0 {
        return Ok(asked);
    }
    let latest = now.plus_seconds(i64::try_from(max).unwrap_or(i64::MAX));
    match (asked, missing) {
        (Some(at), _) if at <= latest => Ok(Some(at)),
        (Some(_), _) => Err(CoreError::AccessPolicy(AccessPolicyRule::ExpirationTooFar(
            max,
        ))),
        (None, MissingExpiration::GiveMaximum) => Ok(Some(latest)),
        (None, MissingExpiration::Refuse) => Err(CoreError::AccessPolicy(
            AccessPolicyRule::ExpirationRequired(max),
        )),
    }
}

/// The secret and principal of an active, unexpired long-term key.
/// An active, unexpired long-term key's secret, principal and expiry.
fn long_term(
    tx: &dyn ReadTx,
    id: &AccessKeyId,
    now: Timestamp,
) -> CoreResult<Option<(Secret, Principal, Option<Timestamp>)>> {
    let Some(key) = tx.key_for_authentication(id)? else {
        return Ok(None);
    };
    if key.state != KeyState::Active || key.is_expired(now) {
        return Ok(None);
    }
    let principal = match &key.owner {
        KeyOwner::Root => Principal::Root {
            account: key.account_id.clone(),
        },
        KeyOwner::User(uid) => match tx.user_by_id(&key.account_id, uid)? {
            Some(user) => Principal::for_user(&user),
            None => return Ok(None),
        },
    };
    Ok(tx
        .key_secret(&key.account_id, id)?
        .map(|secret| (secret, principal, key.expires_at)))
}

/// An EIM user's sign-in: its account, name and password, the new password when it must
/// change it, and its MFA code when it has a device.
#[derive(Debug, Clone, Copy)]
pub struct UserSignIn<'a> {
    pub account: &'a AccountId,
    pub user: &'a crate::ids::UserName,
    pub password: &'a Secret,
    pub new_password: Option<&'a Secret>,
    pub mfa_code: Option<&'a Secret>,
}

/// What authentication finds for a key id and the session token beside it.
#[derive(Debug)]
pub enum KeyLookup {
    /// Boxed: it is much larger than the others.
    Found(Box<SigningKey>),
    /// No key or session signs with these: unknown, inactive, expired key, missing or wrong
    /// token alike.
    Unknown,
    /// The session exists, and has expired.
    Expired,
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
