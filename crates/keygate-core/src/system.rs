//! Production sources of time and randomness, and a settable clock for tests.

use std::sync::Mutex;

use rand::Rng;
use rand::TryRngCore;
use rand::distr::Alphanumeric;
use rand::rngs::OsRng;

use crate::ids::{
    AccessKeyId, AccountId, ApiAccessRuleId, CaId, GroupId, PolicyId, RoleId, UserId,
};
use crate::model::{Secret, Timestamp};
use crate::store::{Clock, IdGen};

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    // The one place keygate reads the wall clock.
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> Timestamp {
        Timestamp::from_datetime(time::OffsetDateTime::now_utc())
    }
}

/// A clock that stands still until told to move.
#[derive(Debug)]
pub struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    pub fn new(at: Timestamp) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: Timestamp) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    pub fn advance_seconds(&self, s: i64) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t = t.plus_seconds(s);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Identifiers and secrets from the operating system's CSPRNG.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomIds;

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn pick(alphabet: &[u8], n: usize) -> String {
    let mut rng = OsRng.unwrap_err();
    (0..n)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

fn alnum(n: usize) -> String {
    OsRng
        .unwrap_err()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

impl IdGen for RandomIds {
    fn account_id(&self) -> AccountId {
        // The first digit is never 0 so the id survives being read as a number.
        let id = format!("{}{}", pick(b"123456789", 1), pick(b"0123456789", 11));
        AccountId::parse(&id).unwrap_or_else(|_| unreachable!("12 digits"))
    }

    fn user_id(&self) -> UserId {
        UserId::parse(&format!("AIDA{}", pick(UPPER_ALNUM, 17)))
            .unwrap_or_else(|_| unreachable!("21 word characters"))
    }

    fn group_id(&self) -> GroupId {
        GroupId::parse(&format!("AGPA{}", pick(UPPER_ALNUM, 17)))
            .unwrap_or_else(|_| unreachable!("21 word characters"))
    }

    fn policy_id(&self) -> PolicyId {
        PolicyId::parse(&format!("ANPA{}", pick(UPPER_ALNUM, 17)))
            .unwrap_or_else(|_| unreachable!("21 word characters"))
    }

    fn role_id(&self) -> RoleId {
        RoleId::parse(&format!("AROA{}", pick(UPPER_ALNUM, 17)))
            .unwrap_or_else(|_| unreachable!("21 word characters"))
    }

    fn access_rule_id(&self) -> ApiAccessRuleId {
        ApiAccessRuleId::parse(&format!("aar-{}", pick(b"0123456789abcdef", 32)))
            .unwrap_or_else(|_| unreachable!("aar- and 32 hex digits"))
    }

    fn ca_id(&self) -> CaId {
        CaId::parse(&format!("ca-{}", pick(b"0123456789abcdef", 32)))
            .unwrap_or_else(|_| unreachable!("ca- and 32 hex digits"))
    }

    fn access_key_id(&self) -> AccessKeyId {
        // `AKIA` marks a long-term key, as AWS documents; clients and scanners key on it.
        AccessKeyId::parse(&format!("AKIA{}", pick(UPPER_ALNUM, 16)))
            .unwrap_or_else(|_| unreachable!("20 word characters"))
    }

    fn session_key_id(&self) -> AccessKeyId {
        // `ASIA` marks temporary credentials, as AWS documents.
        AccessKeyId::parse(&format!("ASIA{}", pick(UPPER_ALNUM, 16)))
            .unwrap_or_else(|_| unreachable!("20 word characters"))
    }

    fn session_token(&self) -> Secret {
        Secret::new(alnum(96))
    }

    fn mfa_seed(&self) -> Secret {
        let mut bytes = [0u8; 20];
        OsRng.unwrap_err().fill(&mut bytes);
        match totp_rs::Secret::Raw(bytes.to_vec()).to_encoded() {
            totp_rs::Secret::Encoded(s) => Secret::new(s),
            totp_rs::Secret::Raw(_) => unreachable!("to_encoded answers Base32"),
        }
    }

    fn secret(&self) -> Secret {
        Secret::new(alnum(40))
    }

    fn password(&self) -> Secret {
        Secret::new(alnum(24))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let ids = RandomIds;
        let k = ids.access_key_id();
        assert_eq!(k.as_str().len(), 20);
        assert!(k.as_str().starts_with("AKIA"), "{k}");
        assert!(k.as_str().bytes().all(|b| UPPER_ALNUM.contains(&b)));
        let s = ids.secret();
        assert_eq!(s.expose().len(), 40);
        assert!(s.expose().bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(ids.secret(), s);
        assert!(ids.user_id().as_str().starts_with("AIDA"));
        assert!(ids.group_id().as_str().starts_with("AGPA"));
        assert!(ids.policy_id().as_str().starts_with("ANPA"));
        assert!(ids.role_id().as_str().starts_with("AROA"));
        assert_eq!(ids.account_id().as_str().len(), 12);
    }
}
