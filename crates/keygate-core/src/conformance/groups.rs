//! The conformance checks of groups: lookups, listings, memberships and group policies, kept
//! per account, and the constraints a store holds for them.

use std::sync::Arc;

use crate::ids::{GroupId, GroupName, PathPrefix, PolicyName, UserPath};
use crate::model::{Account, Group};
use crate::store::{self, Store};

use super::{account, t, user};

fn group(account: &Account, id: &str, name: &str, path: &str) -> Group {
    Group {
        account_id: account.id.clone(),
        id: GroupId::parse(id).unwrap(),
        name: GroupName::parse(name).unwrap(),
        path: UserPath::parse(path).unwrap(),
        created_at: t(10),
        modified_at: t(10),
    }
}

pub fn groups_round_trip(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let b = account("222222222222", "b@example.com");
    let alice = user(&a, "AIDA00000000000000001", "alice", "/");
    let bob = user(&a, "AIDA00000000000000002", "Bob", "/");
    let devs = group(&a, "AGPA00000000000000001", "devs", "/eng/");
    let admins = group(&a, "AGPA00000000000000002", "Admins", "/");
    let theirs = group(&b, "AGPA00000000000000003", "devs", "/");
    let p = |n: &str| PolicyName::parse(n).unwrap();
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        tx.insert_account(&b, "h")?;
        tx.insert_user(&alice)?;
        tx.insert_user(&bob)?;
        tx.insert_group(&devs)?;
        tx.insert_group(&admins)?;
        tx.insert_group(&theirs)?;
        tx.add_member(&a.id, &devs.id, &bob.id)?;
        tx.add_member(&a.id, &devs.id, &alice.id)?;
        tx.add_member(&a.id, &devs.id, &alice.id)?;
        tx.add_member(&a.id, &admins.id, &alice.id)?;
        tx.put_group_policy(&a.id, &devs.id, &p("zeta"), "{}")?;
        tx.put_group_policy(&a.id, &devs.id, &p("alpha"), "{\"a\":1}")
    })
    .unwrap();
    store::read(&*s, |tx| {
        let by_name = tx.group_by_name(&a.id, &GroupName::parse("DEVS").unwrap())?;
        assert_eq!(by_name, Some(devs.clone()), "names compare without case");
        assert_eq!(
            tx.groups(&a.id, None, None, 10)?,
            vec![admins.clone(), devs.clone()]
        );
        let eng = PathPrefix::parse("/eng/").unwrap();
        assert_eq!(tx.groups(&a.id, Some(&eng), None, 10)?, vec![devs.clone()]);
        assert_eq!(
            tx.groups(&a.id, None, Some("admins"), 10)?,
            vec![devs.clone()]
        );
        assert_eq!(tx.groups(&a.id, None, None, 1)?, vec![admins.clone()]);
        let members: Vec<_> = tx
            .group_members(&a.id, &devs.id)?
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(
            members,
            vec![alice.name.clone(), bob.name.clone()],
            "once each, by name"
        );
        assert_eq!(
            tx.groups_of_user(&a.id, &alice.id)?,
            vec![admins.clone(), devs.clone()]
        );
        assert_eq!(
            tx.group_policies(&a.id, &devs.id)?,
            vec![
                (p("alpha"), "{\"a\":1}".to_owned()),
                (p("zeta"), "{}".to_owned())
            ]
        );
        // Nothing crosses accounts.
        assert!(tx.group_members(&b.id, &devs.id)?.is_empty());
        assert!(tx.group_policies(&b.id, &devs.id)?.is_empty());
        assert!(tx.groups_of_user(&b.id, &alice.id)?.is_empty());
        assert_eq!(tx.groups(&b.id, None, None, 10)?, vec![theirs.clone()]);
        Ok(())
    })
    .unwrap();
    assert!(
        store::write(&*s, |tx| tx.add_member(&b.id, &theirs.id, &alice.id)).is_err(),
        "no member from another account"
    );
    assert!(
        store::write(&*s, |tx| tx.insert_group(&group(
            &a,
            "AGPA00000000000000009",
            "DEVS",
            "/"
        )))
        .is_err(),
        "names unique without case"
    );
    assert!(
        store::write(&*s, |tx| tx.delete_user(&a.id, &bob.id)).is_err(),
        "a member cannot be deleted"
    );
    let renamed = Group {
        name: GroupName::parse("developers").unwrap(),
        path: UserPath::parse("/").unwrap(),
        modified_at: t(20),
        ..devs.clone()
    };
    store::write(&*s, |tx| {
        tx.update_group(&renamed)?;
        tx.remove_member(&a.id, &devs.id, &bob.id)?;
        tx.remove_member(&a.id, &devs.id, &bob.id)?;
        tx.delete_group_policy(&a.id, &devs.id, &p("zeta"))?;
        tx.delete_user(&a.id, &bob.id)
    })
    .unwrap();
    store::read(&*s, |tx| {
        assert_eq!(
            tx.group_by_name(&a.id, &renamed.name)?,
            Some(renamed.clone())
        );
        assert_eq!(tx.group_members(&a.id, &devs.id)?.len(), 1);
        assert_eq!(tx.group_policies(&a.id, &devs.id)?.len(), 1);
        Ok(())
    })
    .unwrap();
    store::write(&*s, |tx| tx.delete_group(&a.id, &devs.id)).unwrap();
    store::read(&*s, |tx| {
        assert_eq!(tx.group_by_name(&a.id, &renamed.name)?, None);
        assert_eq!(tx.groups_of_user(&a.id, &alice.id)?, vec![admins.clone()]);
        assert!(tx.group_policies(&a.id, &devs.id)?.is_empty());
        Ok(())
    })
    .unwrap();
}
