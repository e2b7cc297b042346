//! `Service`: the only writer. It owns the store, the clock and the id source, and performs
//! what needs no principal: accounts and their bootstrap, password resets, root-key rotation,
//! the password check with its lockout, and the lookup and use-noting of signing keys. What a
//! principal does goes through [`Caller`].

use std::sync::Arc;

use crate::caller::Caller;
use crate::error::{AccessPolicyRule, CoreError, CoreResult, Quota};
use crate::ids::{AccessKeyId, AccountId, Email};
use crate::key_cache::KeyCache;
use crate::key_uses::PendingUses;
use crate::model::{
    AccessKey, Account, AccountCredentials, ApiAccessRule, AuditRecord, KeyOwner, KeyState,
    KeyView, LastUsed, NewAccessKey, Principal, Secret, Timestamp,
};
use crate::password;
use crate::rules::{Limits, MissingExpiration, Rules};
use crate::sign_in::SignInGuard;
use crate::store::{self, Clock, IdGen, ReadTx, Store, WriteTx};

use crate::validate;

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

mod authentication;

pub use authentication::{KeyLookup, UserSignIn};

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
