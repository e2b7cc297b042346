//! `MemoryStore`: a `Store` held in process memory, for tests and as the reference the
//! conformance suite is checked against. A write transaction works on a copy and swaps it in
//! on commit, so a failed operation leaves nothing behind.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::error::{CoreError, CoreResult, StoreFailure};
use crate::ids::{
    AccessKeyId, AccountId, ApiAccessRuleId, CaId, GroupId, PolicyId, PolicyName, RoleId, UserId,
    VersionId,
};
use crate::model::{
    AccessKey, Account, ApiAccessPolicy, ApiAccessRule, Attachee, AuditRecord, Ca, Group,
    LoginFailures, LoginProfile, ManagedPolicy, MfaDevice, PasswordPolicy, PolicyOwner,
    PolicyVersion, Role, Secret, Session, Timestamp, User,
};
use crate::store::{ReadTx, Store, WriteTx};

mod access;
mod groups;
mod managed;
mod read;
mod roles;
mod sessions;
mod write;

#[derive(Debug, Clone, Default)]
struct State {
    accounts: BTreeMap<AccountId, (Account, String)>,
    users: BTreeMap<UserId, User>,
    keys: BTreeMap<AccessKeyId, (AccessKey, Secret)>,
    policies: BTreeMap<(UserId, PolicyName), String>,
    groups: BTreeMap<GroupId, Group>,
    /// Memberships `(group, user)`.
    members: std::collections::BTreeSet<(GroupId, UserId)>,
    group_policies: BTreeMap<(GroupId, PolicyName), String>,
    /// Customer managed policies, each with its account.
    managed: BTreeMap<PolicyId, (AccountId, ManagedPolicy)>,
    versions: BTreeMap<(PolicyId, VersionId), PolicyVersion>,
    /// Attachments `(account, policy, attachee)`: provider policies have no row in `managed`.
    attachments: std::collections::BTreeSet<(AccountId, PolicyId, Attachee)>,
    /// Sessions by key id, with their secret and token digest.
    sessions: BTreeMap<AccessKeyId, (Session, Secret, Vec<u8>)>,
    /// Virtual MFA devices by serial number.
    mfa: BTreeMap<String, MfaDevice>,
    logins: BTreeMap<UserId, LoginProfile>,
    password_policies: BTreeMap<AccountId, PasswordPolicy>,
    roles: BTreeMap<RoleId, Role>,
    access_policies: BTreeMap<AccountId, ApiAccessPolicy>,
    access_rules: BTreeMap<ApiAccessRuleId, ApiAccessRule>,
    cas: BTreeMap<CaId, Ca>,
    /// The audit trail by sequence number, and the next number (pruning leaves gaps).
    audit: BTreeMap<i64, AuditRecord>,
    audit_next: i64,
    role_policies: BTreeMap<(RoleId, PolicyName), String>,
    /// Failed password attempts by `(login, source)`, and each source's failures' times.
    login_failures: BTreeMap<(String, String), LoginFailures>,
    source_failures: Vec<(String, Timestamp)>,
}

impl State {
    fn group_in(&self, account: &AccountId, id: &GroupId) -> Option<&Group> {
        self.groups.get(id).filter(|g| &g.account_id == account)
    }

    fn user_in(&self, account: &AccountId, id: &UserId) -> Option<&User> {
        self.users.get(id).filter(|u| &u.account_id == account)
    }

    fn role_in(&self, account: &AccountId, id: &RoleId) -> Option<&Role> {
        self.roles.get(id).filter(|r| &r.account_id == account)
    }

    fn managed_in(&self, account: &AccountId, id: &PolicyId) -> Option<&ManagedPolicy> {
        self.managed
            .get(id)
            .filter(|(a, _)| a == account)
            .map(|(_, p)| p)
    }

    fn attachee_in(&self, account: &AccountId, to: &Attachee) -> bool {
        match to {
            Attachee::User(u) => self.user_in(account, u).is_some(),
            Attachee::Group(g) => self.group_in(account, g).is_some(),
            Attachee::Role(r) => self.role_in(account, r).is_some(),
        }
    }
}

/// The account a managed policy record names as its owner; the provider's are never stored.
fn owning_account(p: &ManagedPolicy) -> Option<&AccountId> {
    match &p.owner {
        PolicyOwner::Account(a) => Some(a),
        PolicyOwner::Provider => None,
    }
}

fn by_folded_name(groups: &mut [Group]) {
    groups.sort_by_key(|g| g.name.folded());
}

#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
    /// Counts the committed write transactions.
    generation: std::sync::atomic::AtomicU64,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

struct Tx(RefCell<State>);

fn conflict(what: &str) -> CoreError {
    CoreError::Storage(StoreFailure::message(format!(
        "constraint violated: {what}"
    )))
}

impl Store for MemoryStore {
    fn reads_are_local(&self) -> bool {
        true
    }

    fn generation(&self) -> Option<u64> {
        Some(self.generation.load(std::sync::atomic::Ordering::SeqCst))
    }

    fn read_tx(&self, f: &mut dyn FnMut(&dyn ReadTx) -> CoreResult<()>) -> CoreResult<()> {
        let snapshot = self.state.lock().unwrap_or_else(|e| e.into_inner()).clone();
        f(&Tx(RefCell::new(snapshot)))
    }

    fn write_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let tx = Tx(RefCell::new(state.clone()));
        f(&tx)?;
        *state = tx.0.into_inner();
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    fn rehearse_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&Tx(RefCell::new(state.clone())))
    }
}
