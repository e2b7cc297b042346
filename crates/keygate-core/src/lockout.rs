//! The password lockout: failed attempts per login, as Outscale documents it. Each run of four
//! failures locks the login one minute longer than the last, up to ten minutes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::{CoreError, CoreResult};
use crate::ids::Email;
use crate::model::{Principal, Timestamp};

/// Failures in a row that lock a login, and the longest lock, so an attacker cannot keep the
/// owner out for long.
const FAILURES_PER_LOCK: u32 = 4;
const MAX_LOCK_MINUTES: u32 = 10;
/// Logins tracked at once; beyond it, those without failures are forgotten.
const TRACKED_LOGINS: usize = 10_000;

/// Failed password attempts of one login since its last success.
#[derive(Debug, Clone, Copy, Default)]
struct Attempts {
    failures: u32,
    locked_until: Option<Timestamp>,
}

/// Failed attempts per login, in this process.
#[derive(Debug, Default)]
pub(crate) struct Lockout {
    logins: Mutex<HashMap<Email, Arc<Mutex<Attempts>>>>,
}

impl Lockout {
    /// Runs `check` for `login` unless the login is locked, and counts its outcome. Checks of
    /// one login run one at a time, so every outcome is counted before the next check starts:
    /// parallel guesses cannot slip past the lock, and parallel right passwords are never
    /// counted as failures.
    pub(crate) fn guard(
        &self,
        login: &Email,
        now: impl Fn() -> Timestamp,
        check: impl FnOnce() -> CoreResult<Principal>,
    ) -> CoreResult<Principal> {
        let entry = {
            let mut logins = self.logins.lock().unwrap_or_else(|e| e.into_inner());
            if logins.len() >= TRACKED_LOGINS {
                let now = now();
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
        let now = now();
        if let Some(until) = attempts.locked_until.filter(|until| *until > now) {
            let ms = until.unix_millis().saturating_sub(now.unix_millis());
            return Err(CoreError::LoginLocked {
                retry_after_secs: u64::try_from(ms).unwrap_or(0).div_ceil(1000),
            });
        }
        let outcome = check();
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
}
