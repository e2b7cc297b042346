//! The storage contract (`Store` with read and write transactions) and the injected sources of
//! time and randomness (`Clock`, `IdGen`). No storage type crosses this boundary.

use crate::error::CoreResult;
use crate::ids::{
    AccessKeyId, AccountId, ApiAccessRuleId, CaId, Email, GroupId, GroupName, PathPrefix, PolicyId,
    PolicyName, RoleId, RoleName, TagKey, UserId, UserName, VersionId,
};
use crate::model::{
    AccessKey, Account, ApiAccessPolicy, ApiAccessRule, Attachee, AuditRecord, Ca, Group, KeyOwner,
    LastUsed, LoginFailures, LoginProfile, ManagedPolicy, MfaDevice, PasswordPolicy, PolicyVersion,
    Role, Secret, Session, Tag, Timestamp, User,
};

/// Reads inside one consistent snapshot. Users and roles always come with their tags, sorted
/// by key.
pub trait ReadTx {
    fn account(&self, id: &AccountId) -> CoreResult<Option<Account>>;
    fn account_by_email(&self, email: &Email) -> CoreResult<Option<Account>>;
    /// Every account, by id.
    fn accounts(&self) -> CoreResult<Vec<Account>>;
    /// The account's argon2id password hash (PHC string).
    fn password_hash(&self, id: &AccountId) -> CoreResult<Option<String>>;
    /// The user of that name, compared without regard to case.
    fn user_by_name(&self, account: &AccountId, name: &UserName) -> CoreResult<Option<User>>;
    fn user_by_id(&self, account: &AccountId, id: &UserId) -> CoreResult<Option<User>>;
    /// Up to `limit` users whose path starts with `prefix`, ordered by lower-cased name, after
    /// the lower-cased name `after`.
    fn users(
        &self,
        account: &AccountId,
        prefix: Option<&PathPrefix>,
        after: Option<&str>,
        limit: usize,
    ) -> CoreResult<Vec<User>>;
    /// The key of this account with this id.
    fn key(&self, account: &AccountId, id: &AccessKeyId) -> CoreResult<Option<AccessKey>>;
    /// The secret of the key of this account with this id.
    fn key_secret(&self, account: &AccountId, id: &AccessKeyId) -> CoreResult<Option<Secret>>;
    /// The key with this id in whichever account holds it: the one lookup that crosses
    /// accounts, because a signature names a key before anyone knows its account. Only
    /// authentication uses it; the secret is then read in the key's own account.
    fn key_for_authentication(&self, id: &AccessKeyId) -> CoreResult<Option<AccessKey>>;
    /// The session with this key id in whichever account holds it, with its secret and the
    /// SHA-256 digest of its token: authentication's lookup, as `key_for_authentication`.
    fn session_for_authentication(
        &self,
        id: &AccessKeyId,
    ) -> CoreResult<Option<(Session, Secret, Vec<u8>)>>;
    fn login_profile(&self, account: &AccountId, user: &UserId)
    -> CoreResult<Option<LoginProfile>>;
    fn password_policy(&self, account: &AccountId) -> CoreResult<Option<PasswordPolicy>>;
    /// Every virtual MFA device of the account, ordered by serial number.
    fn mfa_devices(&self, account: &AccountId) -> CoreResult<Vec<MfaDevice>>;
    /// The device with this serial number in the account.
    fn mfa_device(&self, account: &AccountId, serial: &str) -> CoreResult<Option<MfaDevice>>;
    /// The keys of one owner, ordered by creation time then id.
    fn keys(&self, account: &AccountId, owner: &KeyOwner) -> CoreResult<Vec<AccessKey>>;
    /// A user's inline policies `(name, document)`, ordered by name.
    fn policies(&self, account: &AccountId, user: &UserId)
    -> CoreResult<Vec<(PolicyName, String)>>;
    /// The group of that name, compared without regard to case.
    fn group_by_name(&self, account: &AccountId, name: &GroupName) -> CoreResult<Option<Group>>;
    /// Up to `limit` groups whose path starts with `prefix`, ordered by lower-cased name, after
    /// the lower-cased name `after`.
    fn groups(
        &self,
        account: &AccountId,
        prefix: Option<&PathPrefix>,
        after: Option<&str>,
        limit: usize,
    ) -> CoreResult<Vec<Group>>;
    /// A group's members, ordered by lower-cased name, with their tags.
    fn group_members(&self, account: &AccountId, group: &GroupId) -> CoreResult<Vec<User>>;
    /// The groups a user belongs to, ordered by lower-cased name.
    fn groups_of_user(&self, account: &AccountId, user: &UserId) -> CoreResult<Vec<Group>>;
    /// A group's inline policies `(name, document)`, ordered by name.
    fn group_policies(
        &self,
        account: &AccountId,
        group: &GroupId,
    ) -> CoreResult<Vec<(PolicyName, String)>>;
    /// Every managed policy of the account, ordered by lower-cased name, with its tags.
    fn managed_policies(&self, account: &AccountId) -> CoreResult<Vec<ManagedPolicy>>;
    fn managed_policy(
        &self,
        account: &AccountId,
        id: &PolicyId,
    ) -> CoreResult<Option<ManagedPolicy>>;
    /// A managed policy's versions, oldest first.
    fn policy_versions(&self, account: &AccountId, id: &PolicyId)
    -> CoreResult<Vec<PolicyVersion>>;
    fn policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        version: VersionId,
    ) -> CoreResult<Option<PolicyVersion>>;
    /// The role of that name, compared without regard to case.
    fn role_by_name(&self, account: &AccountId, name: &RoleName) -> CoreResult<Option<Role>>;
    fn role_by_id(&self, account: &AccountId, id: &RoleId) -> CoreResult<Option<Role>>;
    /// Up to `limit` roles whose path starts with `prefix`, ordered by lower-cased name, after
    /// the lower-cased name `after`.
    fn roles(
        &self,
        account: &AccountId,
        prefix: Option<&PathPrefix>,
        after: Option<&str>,
        limit: usize,
    ) -> CoreResult<Vec<Role>>;
    /// A role's inline policies `(name, document)`, ordered by name.
    fn role_policies(
        &self,
        account: &AccountId,
        role: &RoleId,
    ) -> CoreResult<Vec<(PolicyName, String)>>;
    /// Up to `limit` audit records of the account (`None`: of every account and of none),
    /// oldest first, each with its sequence number, after the sequence number `after`.
    fn audit_records(
        &self,
        account: Option<&AccountId>,
        after: Option<i64>,
        limit: usize,
    ) -> CoreResult<Vec<(i64, AuditRecord)>>;
    /// As `audit_records`, newest first, before the sequence number `before`.
    fn audit_records_newest(
        &self,
        account: &AccountId,
        before: Option<i64>,
        limit: usize,
    ) -> CoreResult<Vec<(i64, AuditRecord)>>;
    /// The account's API access policy; `None` for one never set (the default).
    fn api_access_policy(&self, account: &AccountId) -> CoreResult<Option<ApiAccessPolicy>>;
    /// The failed password attempts of `login` from `source` since its last success.
    fn login_failures(&self, login: &str, source: &str) -> CoreResult<Option<LoginFailures>>;
    /// The failed password attempts from `source` after `since`: how many, and the earliest.
    fn source_failures(
        &self,
        source: &str,
        since: Timestamp,
    ) -> CoreResult<(u32, Option<Timestamp>)>;
    /// The account's client CAs, ordered by id.
    fn cas(&self, account: &AccountId) -> CoreResult<Vec<Ca>>;
    /// The account's API access rules, ordered by id.
    fn access_rules(&self, account: &AccountId) -> CoreResult<Vec<ApiAccessRule>>;
    /// The ids of the managed policies (the account's or the provider's) attached to a user,
    /// group or role, in no particular order.
    fn attached_policies(&self, account: &AccountId, to: &Attachee) -> CoreResult<Vec<PolicyId>>;
    /// What a managed policy (the account's or the provider's) is attached to in the account.
    fn policy_attachees(&self, account: &AccountId, policy: &PolicyId)
    -> CoreResult<Vec<Attachee>>;
}

/// Writes, inside one transaction that commits only if the closure returns `Ok`.
pub trait WriteTx: ReadTx {
    fn insert_account(&self, account: &Account, password_hash: &str) -> CoreResult<()>;
    fn set_password_hash(&self, id: &AccountId, hash: &str) -> CoreResult<()>;
    /// Inserts the user with its tags.
    fn insert_user(&self, user: &User) -> CoreResult<()>;
    /// Replaces name, path, e-mail and modification date of the user with `user.id`; tags are
    /// changed only through `put_tags` and `delete_tags`.
    fn update_user(&self, user: &User) -> CoreResult<()>;
    /// Deletes the user and its tags.
    fn delete_user(&self, account: &AccountId, id: &UserId) -> CoreResult<()>;
    /// Adds tags to a user, replacing the value of a key it already has.
    fn put_tags(&self, account: &AccountId, user: &UserId, tags: &[Tag]) -> CoreResult<()>;
    /// Removes the tags with these keys; keys the user does not have are ignored.
    fn delete_tags(&self, account: &AccountId, user: &UserId, keys: &[TagKey]) -> CoreResult<()>;
    fn insert_key(&self, key: &AccessKey, secret: &Secret) -> CoreResult<()>;
    /// Replaces state, modification and expiration dates and tag of the key with `key.id` in
    /// `key.account_id`.
    fn update_key(&self, key: &AccessKey) -> CoreResult<()>;
    /// Records a key's latest use; a key no longer there is skipped.
    fn record_last_use(
        &self,
        account: &AccountId,
        id: &AccessKeyId,
        used: &LastUsed,
    ) -> CoreResult<()>;
    /// Deletes the key and every session it made.
    fn delete_key(&self, account: &AccountId, id: &AccessKeyId) -> CoreResult<()>;
    /// Inserts a session; what it stands on (its parent key, its role, or its user's login
    /// profile) must be in its account.
    fn insert_session(
        &self,
        session: &Session,
        secret: &Secret,
        token_digest: &[u8],
    ) -> CoreResult<()>;
    /// Creates or replaces the user's login profile.
    fn put_login_profile(&self, profile: &LoginProfile) -> CoreResult<()>;
    /// Deletes the user's login profile and the sign-in sessions it stands on.
    fn delete_login_profile(&self, account: &AccountId, user: &UserId) -> CoreResult<()>;
    fn put_password_policy(&self, account: &AccountId, policy: &PasswordPolicy) -> CoreResult<()>;
    fn delete_password_policy(&self, account: &AccountId) -> CoreResult<()>;
    /// Inserts a virtual MFA device; its serial number is unique.
    fn insert_mfa_device(&self, device: &MfaDevice) -> CoreResult<()>;
    /// Replaces the user, last step and tags of the device with `device.serial`.
    fn update_mfa_device(&self, device: &MfaDevice) -> CoreResult<()>;
    fn delete_mfa_device(&self, account: &AccountId, serial: &str) -> CoreResult<()>;
    /// Deletes every session that expired at or before `now`, in every account.
    fn delete_expired_sessions(&self, now: Timestamp) -> CoreResult<()>;
    /// Creates the policy or replaces its document.
    fn put_policy(
        &self,
        account: &AccountId,
        user: &UserId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()>;
    fn delete_policy(
        &self,
        account: &AccountId,
        user: &UserId,
        name: &PolicyName,
    ) -> CoreResult<()>;
    fn insert_group(&self, group: &Group) -> CoreResult<()>;
    /// Replaces name, path and modification date of the group with `group.id`.
    fn update_group(&self, group: &Group) -> CoreResult<()>;
    /// Deletes the group, its memberships and its policies.
    fn delete_group(&self, account: &AccountId, id: &GroupId) -> CoreResult<()>;
    /// Makes the user a member; a member already is one.
    fn add_member(&self, account: &AccountId, group: &GroupId, user: &UserId) -> CoreResult<()>;
    /// Ends a membership; a user that is no member is ignored.
    fn remove_member(&self, account: &AccountId, group: &GroupId, user: &UserId) -> CoreResult<()>;
    /// Creates the group's policy or replaces its document.
    fn put_group_policy(
        &self,
        account: &AccountId,
        group: &GroupId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()>;
    fn delete_group_policy(
        &self,
        account: &AccountId,
        group: &GroupId,
        name: &PolicyName,
    ) -> CoreResult<()>;
    /// Inserts the role with its tags.
    fn insert_role(&self, role: &Role) -> CoreResult<()>;
    /// Replaces trust policy (with when it was set), description, maximum session duration and
    /// last use of the role
    /// with `role.id`; tags are changed only through `put_role_tags` and `delete_role_tags`.
    fn update_role(&self, role: &Role) -> CoreResult<()>;
    /// Deletes the role, its tags and its sessions; it must have no policies left.
    fn delete_role(&self, account: &AccountId, id: &RoleId) -> CoreResult<()>;
    /// Adds tags to a role, replacing the value of a key it already has.
    fn put_role_tags(&self, account: &AccountId, role: &RoleId, tags: &[Tag]) -> CoreResult<()>;
    /// Removes the tags with these keys; keys the role does not have are ignored.
    fn delete_role_tags(
        &self,
        account: &AccountId,
        role: &RoleId,
        keys: &[TagKey],
    ) -> CoreResult<()>;
    /// Creates the role's policy or replaces its document.
    fn put_role_policy(
        &self,
        account: &AccountId,
        role: &RoleId,
        name: &PolicyName,
        document: &str,
    ) -> CoreResult<()>;
    fn delete_role_policy(
        &self,
        account: &AccountId,
        role: &RoleId,
        name: &PolicyName,
    ) -> CoreResult<()>;
    /// Appends an audit record; its sequence number is the next one.
    fn insert_audit_record(&self, record: &AuditRecord) -> CoreResult<()>;
    fn put_login_failures(
        &self,
        login: &str,
        source: &str,
        failures: &LoginFailures,
    ) -> CoreResult<()>;
    fn delete_login_failures(&self, login: &str, source: &str) -> CoreResult<()>;
    /// Counts one failed password attempt from `source`.
    fn insert_source_failure(&self, source: &str, at: Timestamp) -> CoreResult<()>;
    /// Forgets the login failures last made before `logins_before`, and the sources' failures
    /// made before `sources_before`.
    fn delete_sign_in_failures_before(
        &self,
        logins_before: Timestamp,
        sources_before: Timestamp,
    ) -> CoreResult<()>;
    /// Deletes the audit records made before `before`.
    fn delete_audit_records_before(&self, before: Timestamp) -> CoreResult<()>;
    fn put_api_access_policy(
        &self,
        account: &AccountId,
        policy: &ApiAccessPolicy,
    ) -> CoreResult<()>;
    fn insert_access_rule(&self, rule: &ApiAccessRule) -> CoreResult<()>;
    fn insert_ca(&self, ca: &Ca) -> CoreResult<()>;
    /// Replaces the description of the CA with `ca.id`.
    fn update_ca(&self, ca: &Ca) -> CoreResult<()>;
    fn delete_ca(&self, account: &AccountId, id: &CaId) -> CoreResult<()>;
    /// Replaces ranges, CAs, CNs and description of the rule with `rule.id`.
    fn update_access_rule(&self, rule: &ApiAccessRule) -> CoreResult<()>;
    fn delete_access_rule(&self, account: &AccountId, id: &ApiAccessRuleId) -> CoreResult<()>;
    /// Inserts an account's managed policy (`owner` is its account) with its first version.
    fn insert_managed_policy(
        &self,
        policy: &ManagedPolicy,
        first: &PolicyVersion,
    ) -> CoreResult<()>;
    /// Replaces default and latest version, modification date and tags of the policy.
    fn update_managed_policy(&self, policy: &ManagedPolicy) -> CoreResult<()>;
    /// Deletes the policy with its versions; it must be attached to nothing.
    fn delete_managed_policy(&self, account: &AccountId, id: &PolicyId) -> CoreResult<()>;
    fn insert_policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        version: &PolicyVersion,
    ) -> CoreResult<()>;
    fn delete_policy_version(
        &self,
        account: &AccountId,
        id: &PolicyId,
        version: VersionId,
    ) -> CoreResult<()>;
    /// Attaches a managed policy (the account's or the provider's); an attached one stays so.
    fn attach_policy(
        &self,
        account: &AccountId,
        policy: &PolicyId,
        to: &Attachee,
    ) -> CoreResult<()>;
    /// Detaches a managed policy; one that is not attached is ignored.
    fn detach_policy(
        &self,
        account: &AccountId,
        policy: &PolicyId,
        to: &Attachee,
    ) -> CoreResult<()>;
}

/// A transactional store. Object-safe; use [`read`] and [`write`] for typed results.
pub trait Store: Send + Sync {
    fn read_tx(&self, f: &mut dyn FnMut(&dyn ReadTx) -> CoreResult<()>) -> CoreResult<()>;
    /// Runs `f` in a write transaction that holds the write lock from its start, so that every
    /// check `f` makes still holds when it commits.
    fn write_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()>;
    /// Runs `f` exactly as `write_tx` does, then rolls everything back: a dry run sees every
    /// check a real write would meet, and changes nothing.
    fn rehearse_tx(&self, f: &mut dyn FnMut(&dyn WriteTx) -> CoreResult<()>) -> CoreResult<()>;
    /// Whether a read waits on nothing but this machine's memory and disk (an embedded engine),
    /// never on another writer or a network: such reads may run on a thread that serves other
    /// requests meanwhile. A store across a network keeps the default.
    fn reads_are_local(&self) -> bool {
        false
    }
    /// A number that changes whenever a change is committed to the store, by this process at
    /// once, by any other as soon as the store hears of it; read before reading what may be
    /// cached: the credential cache keeps an entry only while it stays the same. `None`: the
    /// store cannot tell, and nothing is cached.
    fn generation(&self) -> Option<u64> {
        None
    }
}

/// Runs `f` in a read transaction and returns its value. A store may run `f` again when its
/// engine asks for the transaction to be retried.
pub fn read<T>(
    store: &dyn Store,
    mut f: impl FnMut(&dyn ReadTx) -> CoreResult<T>,
) -> CoreResult<T> {
    let mut out = None;
    store.read_tx(&mut |tx| {
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| crate::CoreError::Internal("the read transaction ran no closure".into()))
}

/// Runs `f` in a write transaction and returns its value; as [`read`], `f` may run again.
pub fn write<T>(store: &dyn Store, f: impl FnMut(&dyn WriteTx) -> CoreResult<T>) -> CoreResult<T> {
    write_or_rehearse(store, false, f)
}

/// Runs `f` in a write transaction, rolled back when `rehearse` is set, and returns its value.
pub fn write_or_rehearse<T>(
    store: &dyn Store,
    rehearse: bool,
    mut f: impl FnMut(&dyn WriteTx) -> CoreResult<T>,
) -> CoreResult<T> {
    let mut out = None;
    let mut run = |tx: &dyn WriteTx| {
        out = Some(f(tx)?);
        Ok(())
    };
    if rehearse {
        store.rehearse_tx(&mut run)?;
    } else {
        store.write_tx(&mut run)?;
    }
    out.ok_or_else(|| crate::CoreError::Internal("the write transaction ran no closure".into()))
}

/// Whether a TLS client's certificate chain (DER, its own first) was issued by the CA in
/// `ca_pem` for client authentication, to one of `cns` when it names some: the TLS layer
/// answers it for the API access rules that name CAs.
pub trait CertificateCheck: Send + Sync {
    fn issued_by(&self, chain: &[Vec<u8>], ca_pem: &str, cns: &[String]) -> bool;
}

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// New identifiers and secrets. The production implementation draws from a CSPRNG.
pub trait IdGen: Send + Sync {
    fn account_id(&self) -> AccountId;
    fn user_id(&self) -> UserId;
    fn group_id(&self) -> GroupId;
    fn policy_id(&self) -> PolicyId;
    fn role_id(&self) -> RoleId;
    /// An API access rule's id (`aar-` and 32 hex digits).
    fn access_rule_id(&self) -> ApiAccessRuleId;
    /// A client CA's id (`ca-` and 32 hex digits).
    fn ca_id(&self) -> CaId;
    fn access_key_id(&self) -> AccessKeyId;
    /// A temporary key's id (`ASIA…`).
    fn session_key_id(&self) -> AccessKeyId;
    /// A session token: opaque to clients, unguessable.
    fn session_token(&self) -> Secret;
    /// A virtual MFA device's seed: 20 random bytes, in Base32.
    fn mfa_seed(&self) -> Secret;
    fn secret(&self) -> Secret;
    fn password(&self) -> Secret;
}
