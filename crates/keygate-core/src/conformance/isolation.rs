//! Account isolation in the store: what names one account never reads or changes another's.

use std::sync::Arc;

use super::{account, key, t, tag, user};
use crate::ids::PolicyName;
use crate::model::{KeyOwner, KeyState, LastUsed, Secret};
use crate::store::{self, Store};

/// Every read and write that names an account sees and changes only that account's keys,
/// users and policies, even when given another account's ids.
pub fn nothing_crosses_accounts(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let b = account("222222222222", "b@example.com");
    let alice = user(&a, "AIDA00000000000000001", "alice", "/");
    let k = key(
        &a,
        "KEY00000000000000001",
        KeyOwner::User(alice.id.clone()),
        3_000,
    );
    let secret = Secret::new("user-secret".into());
    let p = PolicyName::parse("p").unwrap();
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        tx.insert_account(&b, "h")?;
        tx.insert_user(&alice)?;
        tx.insert_key(&k, &secret)?;
        tx.put_tags(&a.id, &alice.id, &[tag("team", "red")])?;
        tx.put_policy(&a.id, &alice.id, &p, "{}")
    })
    .unwrap();
    let mut foreign = k.clone();
    foreign.account_id = b.id.clone();
    foreign.state = KeyState::Inactive;
    let used = LastUsed {
        at: t(8_000),
        service: "iam".into(),
        region: "eu-west-2".into(),
    };
    // Each foreign write may fail or do nothing; none may touch account a.
    let _ = store::write(&*s, |tx| tx.update_key(&foreign));
    let _ = store::write(&*s, |tx| tx.record_last_use(&b.id, &k.id, &used));
    let _ = store::write(&*s, |tx| tx.delete_key(&b.id, &k.id));
    let _ = store::write(&*s, |tx| {
        tx.put_tags(&b.id, &alice.id, &[tag("team", "blue")])
    });
    let _ = store::write(&*s, |tx| {
        tx.delete_tags(&b.id, &alice.id, &[tag("team", "red").key])
    });
    let _ = store::write(&*s, |tx| tx.put_policy(&b.id, &alice.id, &p, "{\"x\": 1}"));
    let _ = store::write(&*s, |tx| tx.delete_policy(&b.id, &alice.id, &p));
    let _ = store::write(&*s, |tx| tx.delete_user(&b.id, &alice.id));
    store::read(&*s, |tx| {
        assert_eq!(tx.key(&b.id, &k.id)?, None);
        assert_eq!(tx.key_secret(&b.id, &k.id)?, None);
        assert_eq!(tx.user_by_id(&b.id, &alice.id)?, None);
        assert_eq!(tx.user_by_name(&b.id, &alice.name)?, None);
        assert!(tx.policies(&b.id, &alice.id)?.is_empty());
        assert_eq!(tx.key(&a.id, &k.id)?, Some(k.clone()));
        assert_eq!(tx.key_secret(&a.id, &k.id)?, Some(secret.clone()));
        let kept = tx.user_by_id(&a.id, &alice.id)?.unwrap();
        assert_eq!(kept.tags, vec![tag("team", "red")]);
        assert_eq!(
            tx.policies(&a.id, &alice.id)?,
            vec![(p.clone(), "{}".to_owned())]
        );
        Ok(())
    })
    .unwrap();
}
