//! `Service`: the only writer. Every operation authenticates nothing (that is the front ends'
//! job) but authorises the principal, validates, and applies every rule inside one transaction.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::{CoreError, CoreResult, Dependents, Quota};
use crate::ids::{
    AccessKeyId, AccountId, Email, PathPrefix, PolicyName, TagKey, UserName, UserPath,
};
use crate::model::{
    AccessKey, Account, AccountCredentials, KeyOwner, KeyState, KeyView, LastUsed, NewAccessKey,
    Principal, Secret, SigningKey, Tag, Timestamp, User, user_arn,
};
use crate::page::{Page, PageRequest};
use crate::password;
use crate::policy::{self, Decision};
use crate::rules::{KeyDeletion, Limits, Operation, Rules};
use crate::store::{self, Clock, IdGen, ReadTx, Store, WriteTx};

/// Who a `GetUser` without a name describes: the caller, root or user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    Root(Account),
    User(User),
}

/// Which keys a listing returns; every filter given applies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyFilter {
    pub ids: Option<Vec<AccessKeyId>>,
    pub states: Option<Vec<KeyState>>,
    pub tag: Option<String>,
}

/// A change to a key; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyChange {
    pub state: Option<KeyState>,
    /// `Some(None)` removes the expiration date.
    pub expires_at: Option<Option<Timestamp>>,
    /// `Some(None)` removes the tag.
    pub tag: Option<Option<String>>,
}

/// A change to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChange {
    pub name: Option<UserName>,
    pub path: Option<UserPath>,
    pub email: Option<Email>,
}

/// Tags one user may carry, as in AWS IAM.
pub const MAX_TAGS_PER_USER: u32 = 50;

pub struct Service {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGen>,
    limits: Limits,
    /// Key uses noted since the last flush. Authentication happens on every request, so
    /// recording each use durably would put a synchronous write on every read; instead uses are
    /// coalesced here (one entry per key, the latest wins) and written in one transaction by
    /// `flush_key_uses`, which the server calls periodically and at shutdown.
    pending_uses: Mutex<HashMap<AccessKeyId, LastUsed>>,
    /// Failed password attempts per login, for the lockout.
    logins: Mutex<HashMap<Email, Arc<Mutex<Attempts>>>>,
}

/// Failed password attempts of one login since its last success.
#[derive(Debug, Clone, Copy, Default)]
struct Attempts {
    failures: u32,
    locked_until: Option<Timestamp>,
}

/// Failures in a row that lock a login, as Outscale does: each run of four locks it one minute
/// longer than the last, up to ten minutes, so an attacker cannot keep the owner out for long.
const FAILURES_PER_LOCK: u32 = 4;
const MAX_LOCK_MINUTES: u32 = 10;
/// Logins tracked at once; beyond it, those without failures are forgotten.
const TRACKED_LOGINS: usize = 10_000;

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

fn invalid(field: &'static str, reason: impl Into<String>) -> CoreError {
    CoreError::InvalidInput {
        field,
        reason: reason.into(),
    }
}

/// A request's tags: at most 50, keys unique, none reserved by AWS.
fn validate_tags(tags: &[Tag], field: &'static str) -> CoreResult<()> {
    if tags.len() > MAX_TAGS_PER_USER as usize {
        return Err(CoreError::LimitExceeded(Quota::TagsPerUser(
            MAX_TAGS_PER_USER,
        )));
    }
    for (i, t) in tags.iter().enumerate() {
        if t.key.as_str().to_ascii_lowercase().starts_with("aws:") {
            return Err(invalid(
                field,
                "tag keys starting with 'aws:' are reserved for AWS use",
            ));
        }
        if tags[..i].iter().any(|o| o.key == t.key) {
            return Err(invalid(field, "duplicate tag keys found"));
        }
    }
    Ok(())
}

/// A key's label: up to 255 characters, no control characters.
fn validate_key_tag(tag: Option<&str>) -> CoreResult<()> {
    match tag {
        Some(t) if t.chars().count() > 255 || t.chars().any(char::is_control) => Err(invalid(
            "Tag",
            "must be at most 255 characters, without control characters",
        )),
        _ => Ok(()),
    }
}

fn validate_account_name(name: &str) -> CoreResult<()> {
    let n = name.chars().count();
    if n == 0 || n > 64 || name.chars().any(char::is_control) {
        return Err(invalid("Name", "must be 1 to 64 printable characters"));
    }
    Ok(())
}

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
            pending_uses: Mutex::new(HashMap::new()),
            logins: Mutex::new(HashMap::new()),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Operations made by `principal` under a dialect's `rules`.
    pub fn caller<'a>(&'a self, principal: &'a Principal, rules: &'a Rules) -> Caller<'a> {
        Caller {
            svc: self,
            principal,
            rules,
            dry_run: false,
        }
    }

    // ---- operator operations: no principal, for the `admin` commands and the bootstrap ----

    /// Creates an account with a random password and one root access key.
    pub fn create_account(
        &self,
        name: &str,
        email: Option<Email>,
    ) -> CoreResult<AccountCredentials> {
        validate_account_name(name)?;
        let password = self.ids.password();
        let hash = password::hash(password.expose())?;
        store::write(&*self.store, |tx| {
            self.insert_account(tx, name, email, &hash, password)
        })
    }

    /// On a store without any account, creates the first one and hands its credentials to
    /// `keep` inside the same transaction: if `keep` fails (the credentials could not be saved),
    /// nothing is created. `None` when an account already exists.
    pub fn bootstrap_account(
        &self,
        name: &str,
        email: Email,
        keep: impl FnOnce(&AccountCredentials) -> Result<(), String>,
    ) -> CoreResult<Option<AccountCredentials>> {
        if !self.accounts()?.is_empty() {
            return Ok(None);
        }
        validate_account_name(name)?;
        let password = self.ids.password();
        let hash = password::hash(password.expose())?;
        store::write(&*self.store, |tx| {
            if !tx.accounts()?.is_empty() {
                return Ok(None);
            }
            let creds = self.insert_account(tx, name, Some(email), &hash, password)?;
            keep(&creds).map_err(CoreError::Storage)?;
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
                .map_err(|e| invalid("Email", e.0))?,
        };
        if tx.account_by_email(&email)?.is_some() {
            return Err(CoreError::AccountAlreadyExists);
        }
        let account = Account {
            id,
            name: name.to_owned(),
            email,
            created_at: now,
        };
        tx.insert_account(&account, hash)?;
        let key = self.insert_key(tx, &account.id, KeyOwner::Root, None, None, now)?;
        Ok(AccountCredentials {
            account,
            access_key_id: key.view.key.id,
            secret: key.secret,
            password,
        })
    }

    fn fresh_account_id(&self, tx: &dyn WriteTx) -> CoreResult<AccountId> {
        for _ in 0..8 {
            let id = self.ids.account_id();
            if tx.account(&id)?.is_none() {
                return Ok(id);
            }
        }
        Err(CoreError::Storage("no free account id".into()))
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

    /// Gives the account a new random password and returns it.
    pub fn reset_password(&self, id: &AccountId) -> CoreResult<Secret> {
        let password = self.ids.password();
        let hash = password::hash(password.expose())?;
        store::write(&*self.store, |tx| {
            tx.account(id)?.ok_or(CoreError::NoSuchAccount)?;
            tx.set_password_hash(id, &hash)
        })?;
        Ok(password)
    }

    /// Replaces every root key of the account with one new key.
    pub fn rotate_root_key(&self, id: &AccountId) -> CoreResult<NewAccessKey> {
        let now = self.clock.now();
        store::write(&*self.store, |tx| {
            tx.account(id)?.ok_or(CoreError::NoSuchAccount)?;
            for old in tx.keys(id, &KeyOwner::Root)? {
                tx.delete_key(&old.id)?;
            }
            self.insert_key(tx, id, KeyOwner::Root, None, None, now)
        })
    }

    // ---- authentication support ----

    /// The secret and principal of an active, unexpired key; `None` for any other key.
    pub fn signing_key(&self, id: &AccessKeyId) -> CoreResult<Option<SigningKey>> {
        let now = self.clock.now();
        store::read(&*self.store, |tx| {
            let Some(key) = tx.key(id)? else {
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
                .key_secret(id)?
                .map(|secret| SigningKey { secret, principal }))
        })
    }

    /// The root principal of the account whose login and password these are. Four failures in
    /// a row lock the login for a minute, each further four a minute longer, up to ten.
    pub fn verify_password(&self, login: &Email, password: &str) -> CoreResult<Principal> {
        // Checks of one login run one at a time, so every outcome is counted before the next
        // check starts: parallel guesses cannot slip past the lock, and parallel right
        // passwords are never counted as failures.
        let entry = {
            let mut logins = self.logins.lock().unwrap_or_else(|e| e.into_inner());
            if logins.len() >= TRACKED_LOGINS {
                let now = self.clock.now();
                // Forget only logins nobody is checking that hold no failure nor lock.
                logins.retain(|_, a| {
                    Arc::strong_count(a) > 1 || {
                        let a = a.lock().unwrap_or_else(|e| e.into_inner());
                        a.failures > 0 || a.locked_until.is_some_and(|u| u > now)
                    }
                });
            }
            logins.entry(login.clone()).or_default().clone()
        };
        let mut attempts = entry.lock().unwrap_or_else(|e| e.into_inner());
        let now = self.clock.now();
        if let Some(until) = attempts.locked_until.filter(|until| *until > now) {
            let ms = until.unix_millis().saturating_sub(now.unix_millis());
            return Err(CoreError::LoginLocked {
                retry_after_secs: u64::try_from(ms).unwrap_or(0).div_ceil(1000),
            });
        }
        let outcome = self.check_password(login, password);
        match &outcome {
            Ok(_) => *attempts = Attempts::default(),
            Err(CoreError::BadCredentials) => {
                attempts.failures += 1;
                if attempts.failures.is_multiple_of(FAILURES_PER_LOCK) {
                    let minutes = (attempts.failures / FAILURES_PER_LOCK).min(MAX_LOCK_MINUTES);
                    attempts.locked_until = Some(now.plus_seconds(i64::from(minutes) * 60));
                }
            }
            Err(_) => {}
        }
        outcome
    }

    fn check_password(&self, login: &Email, password: &str) -> CoreResult<Principal> {
        let found = store::read(&*self.store, |tx| match tx.account_by_email(login)? {
            Some(a) => Ok(tx.password_hash(&a.id)?.map(|h| (a.id, h))),
            None => Ok(None),
        })?;
        match found {
            Some((account, hash)) if password::verify(&hash, password) => {
                Ok(Principal::Root { account })
            }
            Some(_) => Err(CoreError::BadCredentials),
            None => {
                password::verify_against_nothing(password);
                Err(CoreError::BadCredentials)
            }
        }
    }

    /// Notes when, where and for which service a key signed a request. Kept in memory until
    /// the next `flush_key_uses`; readers of the key see it at once.
    pub fn note_key_use(&self, id: &AccessKeyId, used: LastUsed) {
        let mut pending = self.pending_uses.lock().unwrap_or_else(|e| e.into_inner());
        match pending.get(id) {
            Some(known) if known.at > used.at => {}
            _ => {
                pending.insert(id.clone(), used);
            }
        }
    }

    /// Writes every noted key use in one transaction; returns how many were written. On
    /// failure the uses are kept for the next attempt.
    pub fn flush_key_uses(&self) -> CoreResult<usize> {
        // Readers keep seeing the pending uses until they are on disk.
        let batch: Vec<(AccessKeyId, LastUsed)> = {
            let pending = self.pending_uses.lock().unwrap_or_else(|e| e.into_inner());
            pending
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        if batch.is_empty() {
            return Ok(0);
        }
        store::write(&*self.store, |tx| {
            for (id, used) in &batch {
                tx.record_last_use(id, used)?;
            }
            Ok(())
        })?;
        let mut pending = self.pending_uses.lock().unwrap_or_else(|e| e.into_inner());
        for (id, used) in &batch {
            if pending.get(id) == Some(used) {
                pending.remove(id);
            }
        }
        Ok(batch.len())
    }

    /// The key with any use noted since the last flush.
    fn with_pending_use(&self, mut key: AccessKey) -> AccessKey {
        let pending = self.pending_uses.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(used) = pending.get(&key.id)
            && key.last_used.as_ref().is_none_or(|l| l.at <= used.at)
        {
            key.last_used = Some(used.clone());
        }
        key
    }

    fn insert_key(
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

/// The owner of the keys an access-key operation acts on, and the resource it is checked on.
struct KeyTarget {
    owner: KeyOwner,
    user: Option<User>,
    resource: String,
}

/// A principal's view of the service under one dialect's rules.
#[derive(Debug)]
pub struct Caller<'a> {
    svc: &'a Service,
    principal: &'a Principal,
    rules: &'a Rules,
    dry_run: bool,
}

impl Caller<'_> {
    /// Makes every operation a dry run: checked exactly as for real, then nothing is kept.
    pub fn dry_run(mut self, yes: bool) -> Self {
        self.dry_run = yes;
        self
    }

    fn write<T>(&self, f: impl FnOnce(&dyn WriteTx) -> CoreResult<T>) -> CoreResult<T> {
        store::write_or_rehearse(&*self.svc.store, self.dry_run, f)
    }

    fn account(&self) -> &AccountId {
        self.principal.account()
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
        let action = (self.rules.action)(op);
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

    /// Resolves whose keys are meant: the named user, or the caller itself.
    fn key_target(&self, tx: &dyn ReadTx, name: Option<&UserName>) -> CoreResult<KeyTarget> {
        match (name, self.principal) {
            (Some(name), _) => {
                let (user, resource) = self.target_user(tx, name)?;
                Ok(KeyTarget {
                    owner: user
                        .as_ref()
                        .map_or(KeyOwner::Root, |u| KeyOwner::User(u.id.clone())),
                    user,
                    resource,
                })
            }
            (None, Principal::Root { account }) => Ok(KeyTarget {
                owner: KeyOwner::Root,
                user: None,
                resource: crate::model::root_arn(account),
            }),
            (None, Principal::User { account, id, .. }) => {
                let user = tx.user_by_id(account, id)?;
                Ok(KeyTarget {
                    owner: KeyOwner::User(id.clone()),
                    resource: user
                        .as_ref()
                        .map_or_else(|| self.principal.arn(), User::arn),
                    user,
                })
            }
        }
    }

    /// Authorises `op` on the target and fails when a named or calling user does not exist.
    fn authorized_key_target(
        &self,
        tx: &dyn ReadTx,
        op: Operation,
        name: Option<&UserName>,
    ) -> CoreResult<KeyTarget> {
        let target = self.key_target(tx, name)?;
        self.authorize(tx, op, &[&target.resource])?;
        if let (Some(name), None) = (name, &target.user) {
            return Err(CoreError::NoSuchUser(name.clone()));
        }
        if let (None, Principal::User { name, .. }, None) = (name, self.principal, &target.user) {
            return Err(CoreError::NoSuchUser(name.clone()));
        }
        Ok(target)
    }

    fn owned_key(
        &self,
        tx: &dyn ReadTx,
        target: &KeyTarget,
        id: &AccessKeyId,
    ) -> CoreResult<AccessKey> {
        tx.key(id)?
            .filter(|k| &k.account_id == self.account() && k.owner == target.owner)
            .ok_or_else(|| CoreError::NoSuchAccessKey(id.clone()))
    }

    fn view(target: &KeyTarget, key: AccessKey) -> KeyView {
        KeyView {
            key,
            user_name: target.user.as_ref().map(|u| u.name.clone()),
        }
    }

    fn existing_user(&self, tx: &dyn ReadTx, op: Operation, name: &UserName) -> CoreResult<User> {
        let (user, arn) = self.target_user(tx, name)?;
        self.authorize(tx, op, &[&arn])?;
        user.ok_or_else(|| CoreError::NoSuchUser(name.clone()))
    }

    // ---- identity ----

    /// Who the caller is; never evaluated against policies (STS GetCallerIdentity).
    pub fn principal(&self) -> &Principal {
        self.principal
    }

    /// The caller's own account (OSC ReadAccounts).
    pub fn read_account(&self) -> CoreResult<Account> {
        store::read(&*self.svc.store, |tx| {
            self.authorize(tx, Operation::ReadAccount, &["*"])?;
            tx.account(self.account())?.ok_or(CoreError::NoSuchAccount)
        })
    }

    /// Whether `login` and `password` are those of the caller's own account.
    pub fn check_credentials(&self, login: &Email, password: &str) -> CoreResult<()> {
        store::read(&*self.svc.store, |tx| {
            self.authorize(tx, Operation::CheckAuthentication, &["*"])
        })?;
        let owner = self.svc.verify_password(login, password)?;
        if owner.account() == self.account() {
            Ok(())
        } else {
            Err(CoreError::BadCredentials)
        }
    }

    // ---- users ----

    pub fn create_user(
        &self,
        name: UserName,
        path: Option<UserPath>,
        email: Option<Email>,
        mut tags: Vec<Tag>,
    ) -> CoreResult<User> {
        if !name.is_creatable() {
            return Err(invalid("UserName", "must be at most 64 characters"));
        }
        let now = self.svc.clock.now();
        let path = path.unwrap_or_else(UserPath::root);
        validate_tags(&tags, "Tags")?;
        tags.sort_by(|a, b| a.key.cmp(&b.key));
        self.write(|tx| {
            let arn = user_arn(self.account(), &path, &name);
            self.authorize(tx, Operation::CreateUser, &[&arn])?;
            if tx.user_by_name(self.account(), &name)?.is_some() {
                return Err(CoreError::UserAlreadyExists(name));
            }
            let user = User {
                account_id: self.account().clone(),
                id: self.svc.ids.user_id(),
                name,
                path,
                email,
                created_at: now,
                modified_at: now,
                tags,
            };
            tx.insert_user(&user)?;
            Ok(user)
        })
    }

    /// The named user, or the caller itself when no name is given.
    pub fn get_user(&self, name: Option<&UserName>) -> CoreResult<Identity> {
        store::read(&*self.svc.store, |tx| match (name, self.principal) {
            (Some(name), _) => Ok(Identity::User(self.existing_user(
                tx,
                Operation::GetUser,
                name,
            )?)),
            (None, Principal::Root { account }) => tx
                .account(account)?
                .map(Identity::Root)
                .ok_or(CoreError::NoSuchAccount),
            (
                None,
                Principal::User {
                    account, id, name, ..
                },
            ) => {
                let me = tx.user_by_id(account, id)?;
                let arn = me.as_ref().map_or_else(|| self.principal.arn(), User::arn);
                self.authorize(tx, Operation::GetUser, &[&arn])?;
                me.map(Identity::User)
                    .ok_or_else(|| CoreError::NoSuchUser(name.clone()))
            }
        })
    }

    pub fn list_users(
        &self,
        prefix: Option<&PathPrefix>,
        page: &PageRequest,
    ) -> CoreResult<Page<User>> {
        let limit = page.limit()?;
        let after = page.position()?;
        store::read(&*self.svc.store, |tx| {
            self.authorize(tx, Operation::ListUsers, &["*"])?;
            let users = tx.users(self.account(), prefix, after.as_deref(), limit + 1)?;
            Ok(PageRequest::cut(users, limit, |u| u.name.folded()))
        })
    }

    /// Users sorted by creation date then id, from the 0-based `first` for `count` items, and
    /// whether more follow (the OSC dialect's `FirstItem` / `ResultsPerPage`).
    pub fn read_users(
        &self,
        ids: Option<&[crate::ids::UserId]>,
        first: usize,
        count: usize,
    ) -> CoreResult<(Vec<User>, bool)> {
        store::read(&*self.svc.store, |tx| {
            self.authorize(tx, Operation::ListUsers, &["*"])?;
            let mut users: Vec<User> = tx
                .users(self.account(), None, None, usize::MAX)?
                .into_iter()
                .filter(|u| ids.is_none_or(|ids| ids.contains(&u.id)))
                .collect();
            users.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
            let more = users.len() > first.saturating_add(count);
            Ok((users.into_iter().skip(first).take(count).collect(), more))
        })
    }

    /// Renames, moves or re-addresses a user. A new name or path is authorised on both ARNs.
    pub fn update_user(&self, name: &UserName, change: UserChange) -> CoreResult<User> {
        if change.name.as_ref().is_some_and(|n| !n.is_creatable()) {
            return Err(invalid("NewUserName", "must be at most 64 characters"));
        }
        let now = self.svc.clock.now();
        self.write(|tx| {
            let (user, old_arn) = self.target_user(tx, name)?;
            let new_path = change
                .path
                .clone()
                .or_else(|| user.as_ref().map(|u| u.path.clone()))
                .unwrap_or_else(UserPath::root);
            let new_name = change.name.clone().unwrap_or_else(|| name.clone());
            let new_arn = user_arn(self.account(), &new_path, &new_name);
            if new_arn == old_arn {
                self.authorize(tx, Operation::UpdateUser, &[&old_arn])?;
            } else {
                self.authorize(tx, Operation::UpdateUser, &[&old_arn, &new_arn])?;
            }
            let mut user = user.ok_or_else(|| CoreError::NoSuchUser(name.clone()))?;
            if let Some(other) = tx.user_by_name(self.account(), &new_name)?
                && other.id != user.id
            {
                return Err(CoreError::UserAlreadyExists(new_name));
            }
            user.name = new_name;
            user.path = new_path;
            if let Some(email) = change.email {
                user.email = Some(email);
            }
            user.modified_at = now;
            tx.update_user(&user)?;
            Ok(user)
        })
    }

    /// Deletes a user that owns no access key and no inline policy.
    pub fn delete_user(&self, name: &UserName) -> CoreResult<()> {
        self.write(|tx| {
            let user = self.existing_user(tx, Operation::DeleteUser, name)?;
            if !tx
                .keys(self.account(), &KeyOwner::User(user.id.clone()))?
                .is_empty()
            {
                return Err(CoreError::DeleteConflict(Dependents::AccessKeys));
            }
            if !tx.policies(self.account(), &user.id)?.is_empty() {
                return Err(CoreError::DeleteConflict(Dependents::Policies));
            }
            tx.delete_user(self.account(), &user.id)
        })
    }

    /// Adds or overwrites tags of a user; the user may carry 50 at most.
    pub fn tag_user(&self, name: &UserName, tags: Vec<Tag>) -> CoreResult<()> {
        validate_tags(&tags, "Tags")?;
        self.write(|tx| {
            let user = self.existing_user(tx, Operation::TagUser, name)?;
            let added = tags
                .iter()
                .filter(|t| !user.tags.iter().any(|o| o.key == t.key))
                .count();
            if user.tags.len() + added > MAX_TAGS_PER_USER as usize {
                return Err(CoreError::LimitExceeded(Quota::TagsPerUser(
                    MAX_TAGS_PER_USER,
                )));
            }
            tx.put_tags(self.account(), &user.id, &tags)
        })
    }

    /// Removes tags of a user by key; keys it does not carry are ignored.
    pub fn untag_user(&self, name: &UserName, keys: &[TagKey]) -> CoreResult<()> {
        if keys.len() > MAX_TAGS_PER_USER as usize {
            return Err(invalid("TagKeys", "at most 50 keys"));
        }
        self.write(|tx| {
            let user = self.existing_user(tx, Operation::UntagUser, name)?;
            tx.delete_tags(self.account(), &user.id, keys)
        })
    }

    /// A user's tags, sorted by key.
    pub fn list_user_tags(&self, name: &UserName, page: &PageRequest) -> CoreResult<Page<Tag>> {
        store::read(&*self.svc.store, |tx| {
            let user = self.existing_user(tx, Operation::ListUserTags, name)?;
            page.apply(user.tags, |t| t.key.as_str().to_owned())
        })
    }

    // ---- access keys ----

    /// Creates an active key for the named user, or for the caller when no name is given.
    pub fn create_access_key(
        &self,
        user: Option<&UserName>,
        expires_at: Option<Timestamp>,
        tag: Option<String>,
    ) -> CoreResult<NewAccessKey> {
        validate_key_tag(tag.as_deref())?;
        let now = self.svc.clock.now();
        self.write(|tx| {
            let target = self.authorized_key_target(tx, Operation::CreateAccessKey, user)?;
            let created = self.svc.insert_key(
                tx,
                self.account(),
                target.owner.clone(),
                expires_at,
                tag,
                now,
            )?;
            Ok(NewAccessKey {
                view: Self::view(&target, created.view.key),
                secret: created.secret,
            })
        })
    }

    pub fn list_access_keys(
        &self,
        user: Option<&UserName>,
        filter: &KeyFilter,
        page: &PageRequest,
    ) -> CoreResult<Page<KeyView>> {
        store::read(&*self.svc.store, |tx| {
            let target = self.authorized_key_target(tx, Operation::ListAccessKeys, user)?;
            let keys: Vec<KeyView> = tx
                .keys(self.account(), &target.owner)?
                .into_iter()
                .filter(|k| filter.ids.as_ref().is_none_or(|ids| ids.contains(&k.id)))
                .filter(|k| filter.states.as_ref().is_none_or(|s| s.contains(&k.state)))
                .filter(|k| filter.tag.is_none() || k.tag == filter.tag)
                .map(|k| Self::view(&target, self.svc.with_pending_use(k)))
                .collect();
            page.apply(keys, |v| {
                format!("{:020}:{}", v.key.created_at.unix_millis(), v.key.id)
            })
        })
    }

    /// Changes a key's state and/or expiration date.
    pub fn update_access_key(
        &self,
        user: Option<&UserName>,
        id: &AccessKeyId,
        change: KeyChange,
    ) -> CoreResult<KeyView> {
        validate_key_tag(change.tag.as_ref().and_then(Option::as_deref))?;
        let now = self.svc.clock.now();
        self.write(|tx| {
            let target = self.authorized_key_target(tx, Operation::UpdateAccessKey, user)?;
            let mut key = self.owned_key(tx, &target, id)?;
            if let Some(state) = change.state {
                key.state = state;
            }
            if let Some(expires_at) = change.expires_at {
                key.expires_at = expires_at;
            }
            if let Some(tag) = change.tag {
                key.tag = tag;
            }
            key.modified_at = now;
            tx.update_key(&key)?;
            Ok(Self::view(&target, key))
        })
    }

    /// Deletes a key; under `RequireInactive` a user's key must be inactive first.
    pub fn delete_access_key(&self, user: Option<&UserName>, id: &AccessKeyId) -> CoreResult<()> {
        self.write(|tx| {
            let target = self.authorized_key_target(tx, Operation::DeleteAccessKey, user)?;
            let key = self.owned_key(tx, &target, id)?;
            let must_be_inactive = self.rules.user_key_deletion == KeyDeletion::RequireInactive
                && matches!(key.owner, KeyOwner::User(_));
            if must_be_inactive && key.state == KeyState::Active {
                return Err(CoreError::KeyNotInactive(key.id));
            }
            tx.delete_key(&key.id)
        })
    }

    /// A key of the caller's account with its owner's name and its last use. Authorised on the
    /// key's owner.
    pub fn access_key_last_used(&self, id: &AccessKeyId) -> CoreResult<KeyView> {
        store::read(&*self.svc.store, |tx| {
            let key = tx.key(id)?.filter(|k| &k.account_id == self.account());
            let (resource, user) = match key.as_ref().map(|k| &k.owner) {
                Some(KeyOwner::User(uid)) => {
                    let user = tx.user_by_id(self.account(), uid)?;
                    (user.as_ref().map(User::arn), user)
                }
                Some(KeyOwner::Root) => (Some(crate::model::root_arn(self.account())), None),
                None => (None, None),
            };
            // A key outside the caller's account is refused like a key it may not read, so its
            // existence is not revealed (the IAM model lists no not-found error here).
            let Some(resource) = resource else {
                return Err(CoreError::AccessDenied {
                    principal: self.principal.arn(),
                    action: (self.rules.action)(Operation::GetAccessKeyLastUsed).to_owned(),
                    resource: format!("arn:aws:iam::{}:access-key/{id}", self.account()),
                });
            };
            self.authorize(tx, Operation::GetAccessKeyLastUsed, &[&resource])?;
            let key = key.ok_or_else(|| CoreError::NoSuchAccessKey(id.clone()))?;
            Ok(KeyView {
                key: self.svc.with_pending_use(key),
                user_name: user.map(|u| u.name),
            })
        })
    }

    // ---- inline policies ----

    /// Creates or replaces an inline policy of a user.
    pub fn put_user_policy(
        &self,
        user: &UserName,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()> {
        let n = document.chars().count();
        if n == 0 || n > 131_072 {
            return Err(invalid("PolicyDocument", "must be 1 to 131072 characters"));
        }
        if document
            .chars()
            .any(|c| !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'))
        {
            return Err(invalid(
                "PolicyDocument",
                r"must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+",
            ));
        }
        self.write(|tx| {
            let target = self.existing_user(tx, Operation::PutUserPolicy, user)?;
            policy::parse(document).map_err(CoreError::MalformedPolicy)?;
            let limit = self.svc.limits.inline_policy_chars;
            let others: usize = tx
                .policies(self.account(), &target.id)?
                .iter()
                .filter(|(n, _)| n != name)
                .map(|(_, d)| policy::counted_chars(d))
                .sum();
            if others + policy::counted_chars(document) > limit as usize {
                return Err(CoreError::LimitExceeded(Quota::InlinePolicySize(limit)));
            }
            tx.put_policy(self.account(), &target.id, name, document)
        })
    }

    /// The document of a user's inline policy, exactly as it was stored.
    pub fn get_user_policy(&self, user: &UserName, name: &PolicyName) -> CoreResult<String> {
        store::read(&*self.svc.store, |tx| {
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
        store::read(&*self.svc.store, |tx| {
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
#[path = "service_tests.rs"]
mod tests;
