//! The guards around password sign-in, in the order a check meets them:
//!
//! 1. a throttle per source address: failed attempts per address and minute, across logins;
//! 2. the lockout Outscale documents, per login *and source address*: each run of four failures
//!    locks the login one minute longer than the last, up to ten minutes. Keyed by address so
//!    that nobody elsewhere can keep the owner out by failing on purpose;
//! 3. the bounded password checker ([`crate::password::Checker`]).
//!
//! The failures both guards count are kept in the store, so that a guess on one replica counts
//! on every other, and are forgotten there when they are old. What stays in the process: the
//! checks under way per source, and a turn per login and source so that parallel guesses on one
//! replica meet the lock one after another. Both tables are bounded and forget quiet entries in
//! O(1): each is two generations of a map, the older one dropped whole at every turn.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::error::{CoreError, CoreResult};
use crate::model::{LoginFailures, Timestamp};
use crate::password::Checker;
use crate::store::{self, Store};

/// Failures in a row that lock a login, and the longest lock, so that no lock lasts long.
const FAILURES_PER_LOCK: u32 = 4;
const MAX_LOCK_MINUTES: u32 = 10;
/// How long a quiet login's failures are remembered: one to two of these.
const LOGIN_MEMORY_SECS: i64 = 20 * 60;
/// The throttle's window.
const SOURCE_WINDOW_SECS: i64 = 60;
/// Entries per generation. A new key in a full generation turns the table early, so memory
/// stays bounded under any flood and a fresh attempt is never refused for want of room; what
/// a flood of sources forgets soonest is the oldest quiet entries.
const CAPACITY: usize = 50_000;
/// How long a check waits for a free slot before it is refused as busy.
const SLOT_WAIT: Duration = Duration::from_millis(500);

/// Where an attempt comes from. IPv6 sources count per /64, the block one host is given;
/// the address itself is kept for the account's API access rules.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    bucket: Option<IpAddr>,
    addr: Option<IpAddr>,
}

impl Source {
    pub fn new(addr: Option<IpAddr>) -> Self {
        let bucket = addr.map(|a| match a.to_canonical() {
            v4 @ IpAddr::V4(_) => v4,
            IpAddr::V6(v6) => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(bits.into())
            }
        });
        Self { bucket, addr }
    }

    /// An attempt whose address is unknown (in-process callers): all such share one budget.
    pub fn unknown() -> Self {
        Self::new(None)
    }

    /// The address the attempt came from, when known.
    pub fn addr(&self) -> Option<IpAddr> {
        self.addr
    }

    /// How the store names the source: its bucket's address, `-` when unknown.
    fn key(&self) -> String {
        self.bucket
            .map_or_else(|| "-".to_owned(), |b| b.to_string())
    }
}

/// Sources are counted by their bucket: every address of one IPv6 /64 is one source.
impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        self.bucket == other.bucket
    }
}

impl Eq for Source {}

impl std::hash::Hash for Source {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.bucket.hash(h);
    }
}

/// Two generations of a map: entries untouched for one to two `period`s are forgotten.
#[derive(Debug)]
struct Generations<K, V> {
    period_secs: i64,
    turned_at: Timestamp,
    current: HashMap<K, V>,
    previous: HashMap<K, V>,
}

impl<K: Eq + Hash, V: Default> Generations<K, V> {
    fn new(period_secs: i64) -> Self {
        Self {
            period_secs,
            turned_at: Timestamp::from_unix_millis(0),
            current: HashMap::new(),
            previous: HashMap::new(),
        }
    }

    /// The entry of `key`, created when new.
    fn entry(&mut self, key: K, now: Timestamp) -> &mut V {
        let full = self.current.len() >= CAPACITY && !self.current.contains_key(&key);
        if full || now >= self.turned_at.plus_seconds(self.period_secs) {
            self.previous = std::mem::take(&mut self.current);
            self.turned_at = now;
        }
        let earlier = self.previous.remove(&key);
        self.current
            .entry(key)
            .or_insert_with(|| earlier.unwrap_or_default())
    }

    fn remove(&mut self, key: &K) {
        self.current.remove(key);
        self.previous.remove(key);
    }
}

/// Checks under way from one source.
#[derive(Debug, Default)]
struct Window {
    in_flight: u32,
}

/// A login (an account's e-mail, or an EIM user's ARN) and where it is tried from.
type LoginKey = (String, Source);

/// Every guard of password sign-in, in this process.
#[derive(Debug)]
pub(crate) struct SignInGuard {
    per_minute: u32,
    sources: Mutex<Generations<Source, Window>>,
    logins: Mutex<Generations<LoginKey, Arc<Mutex<()>>>>,
    checker: Checker,
    counts: Counters,
}

/// How many password checks each outcome has had since the start, for the metrics.
#[derive(Debug, Default)]
struct Counters {
    wrong: AtomicU64,
    locked: AtomicU64,
    throttled: AtomicU64,
    busy: AtomicU64,
}

/// Password checks refused since the start, by why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignInCounts {
    /// A wrong password (or login).
    pub wrong: u64,
    /// Refused while the login was locked.
    pub locked: u64,
    /// Refused: too many failures from the source this minute.
    pub throttled: u64,
    /// Refused: every password check slot stayed taken.
    pub busy: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn seconds_until(until: Timestamp, now: Timestamp) -> u64 {
    let ms = until.unix_millis().saturating_sub(now.unix_millis());
    u64::try_from(ms).unwrap_or(0).div_ceil(1000).max(1)
}

impl SignInGuard {
    /// `per_minute` failed attempts per source address and minute (0: no throttle);
    /// `slots` password checks at once.
    pub(crate) fn new(per_minute: u32, slots: usize) -> Self {
        Self {
            per_minute,
            sources: Mutex::new(Generations::new(SOURCE_WINDOW_SECS)),
            logins: Mutex::new(Generations::new(LOGIN_MEMORY_SECS)),
            checker: Checker::new(slots, SLOT_WAIT),
            counts: Counters::default(),
        }
    }

    /// Checks `password` for `login` from `source`, through every guard, and counts the
    /// outcome. `stored` looks the login's hash up (`None`: an unknown login) once the attempt
    /// is admitted, so that refused attempts cost no store read. Checks of one login from one
    /// source run one at a time, so that parallel guesses meet the lock.
    pub(crate) fn check(
        &self,
        store: &dyn Store,
        login: &str,
        source: Source,
        now: impl Fn() -> Timestamp,
        stored: impl FnOnce() -> CoreResult<Option<String>>,
        password: &str,
    ) -> CoreResult<()> {
        let outcome = self.admit(store, source, now()).and_then(|()| {
            let outcome = self.check_login(store, login, source, &now, stored, password);
            self.settle(source, now());
            outcome
        });
        let counter = match &outcome {
            Err(CoreError::BadCredentials) => Some(&self.counts.wrong),
            Err(CoreError::LoginLocked { .. }) => Some(&self.counts.locked),
            Err(CoreError::Throttled { .. }) => Some(&self.counts.throttled),
            Err(CoreError::Busy) => Some(&self.counts.busy),
            _ => None,
        };
        if let Some(c) = counter {
            c.fetch_add(1, Ordering::Relaxed);
        }
        outcome
    }

    pub(crate) fn counts(&self) -> SignInCounts {
        SignInCounts {
            wrong: self.counts.wrong.load(Ordering::Relaxed),
            locked: self.counts.locked.load(Ordering::Relaxed),
            throttled: self.counts.throttled.load(Ordering::Relaxed),
            busy: self.counts.busy.load(Ordering::Relaxed),
        }
    }

    /// Refuses a source over its budget; otherwise counts the check as under way.
    fn admit(&self, store: &dyn Store, source: Source, now: Timestamp) -> CoreResult<()> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let since = now.plus_seconds(-SOURCE_WINDOW_SECS);
        let (failures, earliest) =
            store::read(store, |tx| tx.source_failures(&source.key(), since))?;
        let mut sources = lock(&self.sources);
        let w = sources.entry(source, now);
        if failures + w.in_flight >= self.per_minute {
            let frees = earliest.unwrap_or(now).plus_seconds(SOURCE_WINDOW_SECS);
            return Err(CoreError::Throttled {
                retry_after_secs: seconds_until(frees, now),
            });
        }
        w.in_flight += 1;
        Ok(())
    }

    fn settle(&self, source: Source, now: Timestamp) {
        if self.per_minute == 0 {
            return;
        }
        let mut sources = lock(&self.sources);
        let w = sources.entry(source, now);
        w.in_flight = w.in_flight.saturating_sub(1);
    }

    fn check_login(
        &self,
        store: &dyn Store,
        login: &str,
        source: Source,
        now: &impl Fn() -> Timestamp,
        stored: impl FnOnce() -> CoreResult<Option<String>>,
        password: &str,
    ) -> CoreResult<()> {
        let key = (login.to_owned(), source);
        let turn = lock(&self.logins).entry(key.clone(), now()).clone();
        let _turn = lock(&turn);
        let at = now();
        let from = source.key();
        let remembered = at.plus_seconds(-LOGIN_MEMORY_SECS);
        let known = store::read(store, |tx| tx.login_failures(login, &from))?
            .filter(|f| f.at >= remembered);
        if let Some(until) = known
            .and_then(|f| f.locked_until)
            .filter(|until| *until > at)
        {
            return Err(CoreError::LoginLocked {
                retry_after_secs: seconds_until(until, at),
            });
        }
        if self.checker.check(stored()?.as_deref(), password)? {
            if known.is_some() {
                store::write(store, |tx| tx.delete_login_failures(login, &from))?;
            }
            lock(&self.logins).remove(&key);
            return Ok(());
        }
        let throttled = self.per_minute > 0;
        store::write(store, |tx| {
            // Read again in the write: another replica may have counted a failure meanwhile.
            let prior = tx
                .login_failures(login, &from)?
                .filter(|f| f.at >= remembered);
            let failures = prior.map_or(0, |f| f.failures) + 1;
            let locked_until = if failures.is_multiple_of(FAILURES_PER_LOCK) {
                let minutes = (failures / FAILURES_PER_LOCK).min(MAX_LOCK_MINUTES);
                Some(at.plus_seconds(i64::from(minutes) * 60))
            } else {
                prior.and_then(|f| f.locked_until)
            };
            let record = LoginFailures {
                failures,
                locked_until,
                at,
            };
            tx.put_login_failures(login, &from, &record)?;
            if throttled {
                tx.insert_source_failure(&from, at)?;
            }
            tx.delete_sign_in_failures_before(remembered, at.plus_seconds(-SOURCE_WINDOW_SECS))
        })?;
        Err(CoreError::BadCredentials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_sources_count_per_64() {
        let a = Source::new(Some("2001:db8:1:2:aaaa::1".parse().unwrap()));
        let b = Source::new(Some("2001:db8:1:2:bbbb::9".parse().unwrap()));
        let c = Source::new(Some("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let v4 = Source::new(Some("192.0.2.1".parse().unwrap()));
        assert_eq!(
            v4,
            Source::new(Some("::ffff:192.0.2.1".parse().unwrap())),
            "an IPv4 client through an IPv6 listener is itself"
        );
        assert_ne!(v4, Source::new(Some("192.0.2.2".parse().unwrap())));
    }

    #[test]
    fn generations_forget_quiet_entries_and_keep_touched_ones() {
        let t0 = Timestamp::from_unix_millis(1_000_000);
        let mut g: Generations<u32, u32> = Generations::new(60);
        *g.entry(1, t0) = 10;
        *g.entry(2, t0) = 20;
        // One turn later both are in the older generation; touching 1 brings it back.
        assert_eq!(*g.entry(1, t0.plus_seconds(61)), 10);
        // Another turn drops what was not touched.
        assert_eq!(*g.entry(1, t0.plus_seconds(122)), 10);
        assert_eq!(*g.entry(2, t0.plus_seconds(123)), 0);
    }

    #[test]
    fn a_full_table_turns_early_and_stays_bounded() {
        let t0 = Timestamp::from_unix_millis(1_000_000);
        let mut g: Generations<usize, u32> = Generations::new(60);
        for k in 0..CAPACITY {
            *g.entry(k, t0) = 1;
        }
        *g.entry(CAPACITY, t0) = 2;
        assert_eq!(
            (g.current.len(), g.previous.len()),
            (1, CAPACITY),
            "turned early"
        );
        assert_eq!(*g.entry(0, t0), 1, "the older generation is still read");
        for k in CAPACITY + 1..3 * CAPACITY {
            *g.entry(k, t0) = 3;
        }
        assert!(g.current.len() + g.previous.len() <= 2 * CAPACITY);
    }
}
