//! The conformance check of failed password attempts, which every replica must count alike.

use std::sync::Arc;

use crate::model::{LoginFailures, Timestamp};
use crate::store::{self, Store};

/// Failed password attempts: per login and source, per source within a window (its start
/// excluded), and forgotten when old.
pub fn sign_in_failures_round_trip(s: Arc<dyn Store>) {
    let t = |secs: i64| Timestamp::from_unix_millis(1_700_000_000_000 + secs * 1000);
    let record = LoginFailures {
        failures: 4,
        locked_until: Some(t(60)),
        at: t(0),
    };
    store::write(&*s, |tx| {
        tx.put_login_failures("a@example.com", "192.0.2.7", &record)?;
        tx.insert_source_failure("192.0.2.7", t(0))?;
        tx.insert_source_failure("192.0.2.7", t(30))?;
        tx.insert_source_failure("198.51.100.1", t(30))
    })
    .unwrap();
    store::read(&*s, |tx| {
        assert_eq!(
            tx.login_failures("a@example.com", "192.0.2.7")?,
            Some(record)
        );
        assert_eq!(tx.login_failures("a@example.com", "198.51.100.1")?, None);
        assert_eq!(tx.source_failures("192.0.2.7", t(-1))?, (2, Some(t(0))));
        assert_eq!(
            tx.source_failures("192.0.2.7", t(0))?,
            (1, Some(t(30))),
            "the start is out"
        );
        assert_eq!(tx.source_failures("203.0.113.9", t(-1))?, (0, None));
        Ok(())
    })
    .unwrap();
    let again = LoginFailures {
        failures: 5,
        at: t(10),
        ..record
    };
    store::write(&*s, |tx| {
        tx.put_login_failures("a@example.com", "192.0.2.7", &again)?;
        tx.put_login_failures("b@example.com", "192.0.2.7", &record)?;
        tx.delete_sign_in_failures_before(t(5), t(10))
    })
    .unwrap();
    store::read(&*s, |tx| {
        assert_eq!(
            tx.login_failures("a@example.com", "192.0.2.7")?,
            Some(again)
        );
        assert_eq!(
            tx.login_failures("b@example.com", "192.0.2.7")?,
            None,
            "old: forgotten"
        );
        assert_eq!(tx.source_failures("192.0.2.7", t(-1))?, (1, Some(t(30))));
        Ok(())
    })
    .unwrap();
    store::write(&*s, |tx| {
        tx.delete_login_failures("a@example.com", "192.0.2.7")
    })
    .unwrap();
    assert_eq!(
        store::read(&*s, |tx| tx.login_failures("a@example.com", "192.0.2.7")).unwrap(),
        None
    );
}
