//! The conformance suite every `Store` must pass. A store crate runs [`run_all`] from its tests
//! with a factory that gives a fresh, empty store each time.
// A test suite, compiled only for tests behind the `conformance` feature: a failed check panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use crate::error::CoreError;
use crate::ids::{
    AccessKeyId, AccountId, Email, PathPrefix, PolicyName, TagKey, TagValue, UserId, UserName,
    UserPath,
};
use crate::model::{
    AccessKey, Account, KeyOwner, KeyState, LastUsed, Secret, Tag, Timestamp, User,
};
use crate::store::{self, Store};

mod access;
mod concurrency;
mod groups;
mod isolation;
mod managed;
mod roles;
mod sessions;
mod sign_in;
pub use access::{access_governance_round_trip, audit_trail_round_trip};
pub use concurrency::{
    concurrent_creates_across_stores_respect_the_key_limit,
    concurrent_creates_respect_the_key_limit,
};
pub use groups::groups_round_trip;
pub use isolation::nothing_crosses_accounts;
pub use managed::managed_policies_round_trip;
pub use roles::roles_round_trip;
pub use sessions::{login_profiles_round_trip, mfa_devices_round_trip, sessions_round_trip};
pub use sign_in::sign_in_failures_round_trip;

/// Whether `svc` finds long-term key `id` able to sign, as a request's lookup does: through
/// the credential cache when the store tells its generation.
pub fn signs(svc: &crate::Service, id: &AccessKeyId) -> bool {
    matches!(
        svc.signing_credentials(id, None, None, &[]).unwrap(),
        crate::KeyLookup::Found(_)
    )
}

/// Makes a fresh, empty store.
pub type Factory<'a> = &'a dyn Fn() -> Arc<dyn Store>;

/// Every check, each on a fresh store.
pub fn run_all(make: Factory<'_>) {
    accounts_round_trip(make());
    users_round_trip(make());
    user_listing_order_prefix_and_position(make());
    keys_round_trip(make());
    policies_round_trip(make());
    groups_round_trip(make());
    managed_policies_round_trip(make());
    roles_round_trip(make());
    access_governance_round_trip(make());
    audit_trail_round_trip(make());
    sessions_round_trip(make());
    mfa_devices_round_trip(make());
    login_profiles_round_trip(make());
    failed_write_leaves_nothing(make());
    rehearsal_leaves_nothing(make());
    constraints_hold_in_the_store(make());
    nothing_crosses_accounts(make());
    concurrent_creates_respect_the_key_limit(make());
    sign_in_failures_round_trip(make());
}

fn t(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(ms)
}

fn account(id: &str, email: &str) -> Account {
    Account {
        id: AccountId::parse(id).unwrap(),
        name: format!("account {id}"),
        email: Email::parse(email).unwrap(),
        created_at: t(1_000),
    }
}

fn user(account: &Account, id: &str, name: &str, path: &str) -> User {
    User {
        account_id: account.id.clone(),
        id: UserId::parse(id).unwrap(),
        name: UserName::parse(name).unwrap(),
        path: UserPath::parse(path).unwrap(),
        email: None,
        created_at: t(2_000),
        modified_at: t(2_000),
        tags: vec![],
    }
}

fn tag(k: &str, v: &str) -> Tag {
    Tag {
        key: TagKey::parse(k).unwrap(),
        value: TagValue::parse(v).unwrap(),
    }
}

fn key(account: &Account, id: &str, owner: KeyOwner, created: i64) -> AccessKey {
    AccessKey {
        id: AccessKeyId::parse(id).unwrap(),
        account_id: account.id.clone(),
        owner,
        state: KeyState::Active,
        created_at: t(created),
        modified_at: t(created),
        expires_at: None,
        last_used: None,
        tag: None,
    }
}

pub fn accounts_round_trip(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let b = account("222222222222", "b@example.com");
    store::write(&*s, |tx| {
        tx.insert_account(&b, "hash-b")?;
        tx.insert_account(&a, "hash-a")
    })
    .unwrap();
    store::read(&*s, |tx| {
        assert_eq!(tx.account(&a.id)?, Some(a.clone()));
        assert_eq!(
            tx.account_by_email(&Email::parse("B@example.com").unwrap())?,
            Some(b.clone())
        );
        assert_eq!(
            tx.account_by_email(&Email::parse("c@example.com").unwrap())?,
            None
        );
        assert_eq!(tx.accounts()?, vec![a.clone(), b.clone()]);
        assert_eq!(tx.password_hash(&a.id)?.as_deref(), Some("hash-a"));
        Ok(())
    })
    .unwrap();
    store::write(&*s, |tx| tx.set_password_hash(&a.id, "hash-a2")).unwrap();
    let h = store::read(&*s, |tx| tx.password_hash(&a.id)).unwrap();
    assert_eq!(h.as_deref(), Some("hash-a2"));
}

pub fn users_round_trip(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let b = account("222222222222", "b@example.com");
    let mut alice = user(&a, "AIDA00000000000000001", "Alice", "/eng/");
    alice.email = Some(Email::parse("alice@example.com").unwrap());
    alice.tags = vec![tag("team", "blue"), tag("cost", "")];
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        tx.insert_account(&b, "h")?;
        tx.insert_user(&alice)
    })
    .unwrap();
    // Tags come back sorted by key.
    alice.tags.reverse();
    let by_name = |acc: &AccountId, n: &str| {
        store::read(&*s, |tx| tx.user_by_name(acc, &UserName::parse(n).unwrap())).unwrap()
    };
    let by_id =
        |acc: &AccountId, id: &UserId| store::read(&*s, |tx| tx.user_by_id(acc, id)).unwrap();
    assert_eq!(by_name(&a.id, "alice"), Some(alice.clone()));
    assert_eq!(by_name(&b.id, "alice"), None);
    assert_eq!(by_id(&a.id, &alice.id), Some(alice.clone()));
    assert_eq!(by_id(&b.id, &alice.id), None);
    let listed = store::read(&*s, |tx| tx.users(&a.id, None, None, 10)).unwrap();
    assert_eq!(listed, vec![alice.clone()]);

    let mut moved = alice.clone();
    moved.name = UserName::parse("alicia").unwrap();
    moved.path = UserPath::parse("/ops/").unwrap();
    moved.modified_at = t(3_000);
    store::write(&*s, |tx| tx.update_user(&moved)).unwrap();
    assert_eq!(by_id(&a.id, &alice.id), Some(moved.clone()));
    assert_eq!(by_name(&a.id, "ALICIA"), Some(moved.clone()));

    store::write(&*s, |tx| {
        tx.put_tags(&a.id, &alice.id, &[tag("team", "red"), tag("env", "prod")])?;
        tx.delete_tags(
            &a.id,
            &alice.id,
            &[
                TagKey::parse("cost").unwrap(),
                TagKey::parse("none").unwrap(),
            ],
        )
    })
    .unwrap();
    moved.tags = vec![tag("env", "prod"), tag("team", "red")];
    assert_eq!(by_id(&a.id, &alice.id), Some(moved.clone()));
    // Updating the user leaves its tags alone.
    let mut renamed = moved.clone();
    renamed.tags = vec![];
    renamed.name = UserName::parse("al").unwrap();
    store::write(&*s, |tx| tx.update_user(&renamed)).unwrap();
    assert_eq!(by_id(&a.id, &alice.id).unwrap().tags, moved.tags);

    store::write(&*s, |tx| tx.delete_user(&a.id, &alice.id)).unwrap();
    assert_eq!(by_id(&a.id, &alice.id), None);
    // A new user of the same name starts without tags.
    let again = user(&a, "AIDA00000000000000009", "alice", "/");
    store::write(&*s, |tx| tx.insert_user(&again)).unwrap();
    assert_eq!(by_name(&a.id, "alice"), Some(again));
}

pub fn user_listing_order_prefix_and_position(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let users = [
        user(&a, "AIDA00000000000000001", "dave", "/"),
        user(&a, "AIDA00000000000000002", "Carol", "/eng/"),
        user(&a, "AIDA00000000000000003", "bob", "/eng/x/"),
        user(&a, "AIDA00000000000000004", "alice", "/ops/"),
    ];
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        users.iter().try_for_each(|u| tx.insert_user(u))
    })
    .unwrap();
    let names = |prefix: Option<&str>, after: Option<&str>, limit: usize| {
        let prefix = prefix.map(|p| PathPrefix::parse(p).unwrap());
        store::read(&*s, |tx| tx.users(&a.id, prefix.as_ref(), after, limit))
            .unwrap()
            .into_iter()
            .map(|u| u.name.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(None, None, 10), ["alice", "bob", "Carol", "dave"]);
    assert_eq!(names(None, None, 2), ["alice", "bob"]);
    assert_eq!(names(None, Some("bob"), 10), ["Carol", "dave"]);
    assert_eq!(names(Some("/eng/"), None, 10), ["bob", "Carol"]);
    assert_eq!(names(Some("/e"), Some("bob"), 10), ["Carol"]);
    assert_eq!(
        names(Some("/%"), None, 10),
        Vec::<String>::new(),
        "no LIKE wildcards"
    );
    assert_eq!(
        names(Some("/_ng/"), None, 10),
        Vec::<String>::new(),
        "no LIKE wildcards"
    );
}

pub fn keys_round_trip(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let alice = user(&a, "AIDA00000000000000001", "alice", "/");
    let owner = KeyOwner::User(alice.id.clone());
    let k2 = key(&a, "KEY00000000000000002", owner.clone(), 5_000);
    let k1 = key(&a, "KEY00000000000000001", owner.clone(), 5_000);
    let k0 = key(&a, "KEY00000000000000009", owner.clone(), 4_000);
    let root = key(&a, "KEY00000000000000000", KeyOwner::Root, 1_000);
    let secret = Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into());
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        tx.insert_user(&alice)?;
        tx.insert_key(&k2, &secret)?;
        tx.insert_key(&k1, &secret)?;
        tx.insert_key(&k0, &secret)?;
        tx.insert_key(&root, &Secret::new("root-secret".into()))
    })
    .unwrap();
    store::read(&*s, |tx| {
        let ids: Vec<_> = tx
            .keys(&a.id, &owner)?
            .into_iter()
            .map(|k| k.id.to_string())
            .collect();
        assert_eq!(
            ids,
            [
                "KEY00000000000000009",
                "KEY00000000000000001",
                "KEY00000000000000002"
            ]
        );
        assert_eq!(tx.keys(&a.id, &KeyOwner::Root)?, vec![root.clone()]);
        assert_eq!(tx.key(&a.id, &k1.id)?, Some(k1.clone()));
        assert_eq!(tx.key_secret(&a.id, &k1.id)?, Some(secret.clone()));
        assert_eq!(tx.key_for_authentication(&k1.id)?, Some(k1.clone()));
        assert_eq!(
            tx.key_secret(&a.id, &root.id)?
                .map(|s| s.expose().to_owned())
                .as_deref(),
            Some("root-secret")
        );
        Ok(())
    })
    .unwrap();
    let mut changed = k1.clone();
    changed.state = KeyState::Inactive;
    changed.modified_at = t(9_000);
    changed.expires_at = Some(t(99_000));
    changed.tag = Some("ci runner".into());
    let used = LastUsed {
        at: t(8_000),
        service: "iam".into(),
        region: "eu-west-2".into(),
    };
    store::write(&*s, |tx| {
        tx.update_key(&changed)?;
        tx.record_last_use(&a.id, &k1.id, &used)
    })
    .unwrap();
    // A replica flushing an older use afterwards does not move the record back.
    let older = LastUsed {
        at: t(7_000),
        service: "api".into(),
        region: "us-east-2".into(),
    };
    store::write(&*s, |tx| tx.record_last_use(&a.id, &k1.id, &older)).unwrap();
    changed.last_used = Some(used);
    assert_eq!(
        store::read(&*s, |tx| tx.key(&a.id, &k1.id)).unwrap(),
        Some(changed)
    );
    store::write(&*s, |tx| tx.delete_key(&a.id, &k1.id)).unwrap();
    store::read(&*s, |tx| {
        assert_eq!(tx.key(&a.id, &k1.id)?, None);
        assert_eq!(tx.key_secret(&a.id, &k1.id)?, None);
        assert_eq!(tx.key_for_authentication(&k1.id)?, None);
        assert_eq!(tx.keys(&a.id, &owner)?.len(), 2);
        Ok(())
    })
    .unwrap();
}

pub fn policies_round_trip(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let alice = user(&a, "AIDA00000000000000001", "alice", "/");
    let p = |n: &str| PolicyName::parse(n).unwrap();
    let doc = "{\n  \"Statement\": []\n}";
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        tx.insert_user(&alice)?;
        tx.put_policy(&a.id, &alice.id, &p("zeta"), "{}")?;
        tx.put_policy(&a.id, &alice.id, &p("alpha"), doc)
    })
    .unwrap();
    let got = store::read(&*s, |tx| tx.policies(&a.id, &alice.id)).unwrap();
    assert_eq!(
        got,
        vec![(p("alpha"), doc.to_owned()), (p("zeta"), "{}".to_owned())]
    );
    store::write(&*s, |tx| {
        tx.put_policy(&a.id, &alice.id, &p("zeta"), "{\"x\":1}")?;
        tx.delete_policy(&a.id, &alice.id, &p("alpha"))
    })
    .unwrap();
    let got = store::read(&*s, |tx| tx.policies(&a.id, &alice.id)).unwrap();
    assert_eq!(got, vec![(p("zeta"), "{\"x\":1}".to_owned())]);
}

pub fn failed_write_leaves_nothing(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let r: Result<(), CoreError> = store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        Err(CoreError::NoSuchAccount)
    });
    assert_eq!(r, Err(CoreError::NoSuchAccount));
    assert_eq!(store::read(&*s, |tx| tx.accounts()).unwrap(), vec![]);
}

pub fn rehearsal_leaves_nothing(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let seen = store::write_or_rehearse(&*s, true, |tx| {
        tx.insert_account(&a, "h")?;
        tx.accounts()
    })
    .unwrap();
    assert_eq!(seen, vec![a.clone()], "the rehearsal sees its own writes");
    assert_eq!(store::read(&*s, |tx| tx.accounts()).unwrap(), vec![]);
    store::write(&*s, |tx| tx.insert_account(&a, "h")).unwrap();
    let again = store::write_or_rehearse(&*s, true, |tx| tx.insert_account(&a, "h"));
    assert!(
        matches!(again, Err(CoreError::Storage(_))),
        "a rehearsal meets the store's constraints"
    );
}

pub fn constraints_hold_in_the_store(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let alice = user(&a, "AIDA00000000000000001", "alice", "/");
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        tx.insert_user(&alice)
    })
    .unwrap();
    let twin = user(&a, "AIDA00000000000000002", "ALICE", "/");
    assert!(
        store::write(&*s, |tx| tx.insert_user(&twin)).is_err(),
        "name unique without case"
    );
    let same_email = account("333333333333", "A@example.com");
    assert!(store::write(&*s, |tx| tx.insert_account(&same_email, "h")).is_err());
    let k = key(
        &a,
        "KEY00000000000000001",
        KeyOwner::User(alice.id.clone()),
        1,
    );
    store::write(&*s, |tx| tx.insert_key(&k, &Secret::new("s".into()))).unwrap();
    assert!(
        store::write(&*s, |tx| tx.delete_user(&a.id, &alice.id)).is_err(),
        "keys still point at it"
    );
    assert!(
        store::read(&*s, |tx| tx.user_by_id(&a.id, &alice.id))
            .unwrap()
            .is_some()
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn memory_store_conforms() {
        super::run_all(&|| std::sync::Arc::new(crate::memory::MemoryStore::new()));
    }
}
