//! The conformance checks of concurrent writers: the key limit holds against creates racing
//! on one store, and on two stores over one database.

use std::sync::Arc;
use std::thread;

use crate::caller::KeyFilter;
use crate::error::{CoreError, Quota};
use crate::ids::UserName;
use crate::model::Principal;
use crate::page::PageRequest;
use crate::rules::{KeyDeletion, Limits, Operation, Rules};
use crate::service::Service;
use crate::store::Store;
use crate::system::{RandomIds, SystemClock};

/// Many threads create keys for one user at once; the limit still holds.
pub fn concurrent_creates_respect_the_key_limit(s: Arc<dyn Store>) {
    concurrent_creates_across_stores_respect_the_key_limit(s.clone(), s);
}

/// As [`concurrent_creates_respect_the_key_limit`], with the threads split between two stores
/// on one database (two replicas): the limit holds across them.
pub fn concurrent_creates_across_stores_respect_the_key_limit(
    a: Arc<dyn Store>,
    b: Arc<dyn Store>,
) {
    const LIMIT: u32 = 3;
    let limits = Limits {
        access_keys_per_principal: LIMIT,
        ..Limits::default()
    };
    let service = |s: Arc<dyn Store>| {
        Arc::new(Service::new(
            s,
            Arc::new(SystemClock),
            Arc::new(RandomIds),
            limits,
        ))
    };
    let (svc, other) = (service(a), service(b));
    let creds = svc.create_account("race", None).unwrap();
    let root = Principal::Root {
        account: creds.account.id.clone(),
    };
    static RULES: Rules = Rules {
        user_key_deletion: KeyDeletion::AnyState,
        missing_expiration: crate::rules::MissingExpiration::Refuse,
        action: self_action,
    };
    let bob = UserName::parse("bob").unwrap();
    svc.caller(&root, &RULES)
        .create_user(bob.clone(), None, None, vec![])
        .unwrap();
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let svc = if i % 2 == 0 {
                svc.clone()
            } else {
                other.clone()
            };
            let (root, bob) = (root.clone(), bob.clone());
            thread::spawn(move || {
                (0..4)
                    .map(|_| {
                        svc.caller(&root, &RULES)
                            .create_access_key(Some(&bob), None, None)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, LIMIT as usize);
    for r in &results {
        if let Err(e) = r {
            assert_eq!(
                e,
                &CoreError::LimitExceeded(Quota::AccessKeysPerPrincipal(LIMIT))
            );
        }
    }
    let listed = svc
        .caller(&root, &RULES)
        .list_access_keys(Some(&bob), &KeyFilter::default(), &PageRequest::default())
        .unwrap();
    assert_eq!(listed.items.len(), LIMIT as usize);
}

fn self_action(_: Operation) -> &'static str {
    "test:Any"
}
