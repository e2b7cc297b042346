//! The conformance checks of managed policies: policies with their versions and tags, their
//! attachments to users and groups (the provider's included), kept per account, and the
//! constraints a store holds for them.

use std::sync::Arc;

use crate::ids::{GroupId, GroupName, PolicyId, PolicyName, UserPath, VersionId};
use crate::model::{Account, Attachee, Group, ManagedPolicy, PolicyOwner, PolicyVersion};
use crate::store::{self, Store};

use super::{account, t, tag, user};

fn policy(account: &Account, id: &str, name: &str) -> ManagedPolicy {
    ManagedPolicy {
        owner: PolicyOwner::Account(account.id.clone()),
        id: PolicyId::parse(id).unwrap(),
        name: PolicyName::parse(name).unwrap(),
        path: UserPath::parse("/team/").unwrap(),
        description: Some("what it is for".into()),
        default_version: VersionId::FIRST,
        latest_version: VersionId::FIRST,
        created_at: t(10),
        modified_at: t(10),
        tags: vec![tag("a", "1")],
    }
}

fn version(n: u32, doc: &str) -> PolicyVersion {
    PolicyVersion {
        id: VersionId::parse(&format!("v{n}")).unwrap(),
        document: doc.to_owned(),
        created_at: t(i64::from(n) * 100),
    }
}

pub fn managed_policies_round_trip(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let b = account("222222222222", "b@example.com");
    let alice = user(&a, "AIDA00000000000000001", "alice", "/");
    let devs = Group {
        account_id: a.id.clone(),
        id: GroupId::parse("AGPA00000000000000001").unwrap(),
        name: GroupName::parse("devs").unwrap(),
        path: UserPath::root(),
        created_at: t(10),
        modified_at: t(10),
    };
    let readers = policy(&a, "ANPA00000000000000001", "readers");
    let admins = policy(&a, "ANPA00000000000000002", "Admins");
    let provider = crate::catalog::policies().remove(0).id;
    let to_alice = Attachee::User(alice.id.clone());
    let to_devs = Attachee::Group(devs.id.clone());
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        tx.insert_account(&b, "h")?;
        tx.insert_user(&alice)?;
        tx.insert_group(&devs)?;
        tx.insert_managed_policy(&readers, &version(1, "{\"v\":1}"))?;
        tx.insert_managed_policy(&admins, &version(1, "{}"))?;
        tx.insert_policy_version(&a.id, &readers.id, &version(2, "{\"v\":2}"))?;
        tx.attach_policy(&a.id, &readers.id, &to_alice)?;
        tx.attach_policy(&a.id, &readers.id, &to_alice)?;
        tx.attach_policy(&a.id, &readers.id, &to_devs)?;
        tx.attach_policy(&a.id, &provider, &to_devs)
    })
    .unwrap();
    store::read(&*s, |tx| {
        assert_eq!(
            tx.managed_policies(&a.id)?,
            vec![admins.clone(), readers.clone()],
            "ordered by name without case, with their tags"
        );
        assert!(tx.managed_policies(&b.id)?.is_empty());
        assert_eq!(
            tx.managed_policy(&a.id, &readers.id)?,
            Some(readers.clone())
        );
        assert_eq!(tx.managed_policy(&b.id, &readers.id)?, None);
        assert_eq!(
            tx.policy_versions(&a.id, &readers.id)?,
            vec![version(1, "{\"v\":1}"), version(2, "{\"v\":2}")]
        );
        assert!(tx.policy_versions(&b.id, &readers.id)?.is_empty());
        assert_eq!(
            tx.policy_version(&a.id, &readers.id, VersionId::parse("v2").unwrap())?,
            Some(version(2, "{\"v\":2}"))
        );
        assert_eq!(
            tx.attached_policies(&a.id, &to_alice)?,
            vec![readers.id.clone()]
        );
        let mut on_devs = tx.attached_policies(&a.id, &to_devs)?;
        on_devs.sort();
        let mut expected = vec![readers.id.clone(), provider.clone()];
        expected.sort();
        assert_eq!(on_devs, expected);
        let mut attachees = tx.policy_attachees(&a.id, &readers.id)?;
        attachees.sort();
        assert_eq!(attachees, vec![to_alice.clone(), to_devs.clone()]);
        assert_eq!(
            tx.policy_attachees(&a.id, &provider)?,
            vec![to_devs.clone()]
        );
        assert!(tx.policy_attachees(&b.id, &provider)?.is_empty());
        Ok(())
    })
    .unwrap();

    let mut changed = readers.clone();
    changed.default_version = VersionId::parse("v2").unwrap();
    changed.latest_version = VersionId::parse("v2").unwrap();
    changed.modified_at = t(500);
    changed.tags = vec![tag("b", "2")];
    store::write(&*s, |tx| {
        tx.update_managed_policy(&changed)?;
        tx.delete_policy_version(&a.id, &readers.id, VersionId::FIRST)?;
        tx.detach_policy(&a.id, &readers.id, &to_alice)?;
        tx.detach_policy(&a.id, &readers.id, &to_alice)
    })
    .unwrap();
    store::read(&*s, |tx| {
        assert_eq!(
            tx.managed_policy(&a.id, &readers.id)?,
            Some(changed.clone())
        );
        assert_eq!(
            tx.policy_versions(&a.id, &readers.id)?,
            vec![version(2, "{\"v\":2}")]
        );
        assert!(tx.attached_policies(&a.id, &to_alice)?.is_empty());
        Ok(())
    })
    .unwrap();

    // What the store itself refuses.
    let refused = |what: &str, r: crate::error::CoreResult<()>| {
        assert!(r.is_err(), "the store refuses {what}");
    };
    refused(
        "a second policy of the same name",
        store::write(&*s, |tx| {
            tx.insert_managed_policy(
                &policy(&a, "ANPA00000000000000009", "READERS"),
                &version(1, "{}"),
            )
        }),
    );
    refused(
        "deleting the default version",
        store::write(&*s, |tx| {
            tx.delete_policy_version(&a.id, &readers.id, VersionId::parse("v2").unwrap())
        }),
    );
    refused(
        "deleting an attached policy",
        store::write(&*s, |tx| tx.delete_managed_policy(&a.id, &readers.id)),
    );
    let bob = user(&b, "AIDA00000000000000009", "bob", "/");
    store::write(&*s, |tx| tx.insert_user(&bob)).unwrap();
    refused(
        "attaching another account's policy",
        store::write(&*s, |tx| {
            tx.attach_policy(&b.id, &readers.id, &Attachee::User(bob.id.clone()))
        }),
    );
    refused(
        "attaching to another account's user",
        store::write(&*s, |tx| tx.attach_policy(&b.id, &provider, &to_alice)),
    );
    store::write(&*s, |tx| tx.attach_policy(&a.id, &admins.id, &to_alice)).unwrap();
    refused(
        "deleting a user with a policy attached",
        store::write(&*s, |tx| tx.delete_user(&a.id, &alice.id)),
    );

    // A deleted group takes its attachments; a policy attached to nothing goes with its versions.
    store::write(&*s, |tx| {
        tx.delete_group(&a.id, &devs.id)?;
        tx.delete_managed_policy(&a.id, &readers.id)
    })
    .unwrap();
    store::read(&*s, |tx| {
        assert!(tx.policy_attachees(&a.id, &provider)?.is_empty());
        assert_eq!(tx.managed_policy(&a.id, &readers.id)?, None);
        assert!(tx.policy_versions(&a.id, &readers.id)?.is_empty());
        Ok(())
    })
    .unwrap();
}
