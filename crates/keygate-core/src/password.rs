//! Account passwords: argon2id hashes in PHC form, never the password itself, and the bounded
//! pool that checks them.
//!
//! A check takes about 19 MiB of working memory. Allocated per check, a flood of sign-in
//! attempts grows the heap without bound (and the allocator keeps it); so at most `slots` checks
//! run at once, each in a block of memory allocated once and reused, and a check that finds no
//! free slot within `wait` is refused instead of queued.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::TryRngCore;
use rand::rngs::OsRng as Rand09;
use zeroize::Zeroize;

use crate::error::{CoreError, CoreResult};

pub fn hash(password: &str) -> CoreResult<String> {
    let mut salt = [0u8; 16];
    Rand09
        .try_fill_bytes(&mut salt)
        .map_err(|e| CoreError::Internal(format!("no randomness for a salt: {e}")))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| CoreError::Internal(format!("salt encoding: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Internal(format!("password hashing: {e}")))
}

/// A hash of nothing anyone knows, checked when the login is unknown so that the answer takes
/// as long as for a known login.
const NOBODY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$3WUb4Ggi6Xwvw/Iq3pbPgcz06Id8L4T9Tr4xM/QxZvg";

/// The most working memory a check may take: four times argon2's default (19 MiB).
const MAX_BLOCKS: usize = 4 * Params::DEFAULT_M_COST as usize;

/// Whether `password` matches `stored`, computed in `memory` (grown if the hash asks for
/// more). A corrupt hash never matches.
fn matches(stored: &str, password: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) =
        (Algorithm::try_from(hash.algorithm), Params::try_from(&hash))
    else {
        return false;
    };
    let Ok(version) = hash
        .version
        .map_or(Ok(Version::default()), Version::try_from)
    else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    // keygate hashes with argon2's default cost; a stored hash asking for far more memory is
    // not one it wrote, and is not given it.
    if params.block_count() > MAX_BLOCKS {
        return false;
    }
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let argon2 = Argon2::new(algorithm, version, params);
    // `Output`'s equality is constant-time.
    Output::init_with(expected.len(), |out| {
        Ok(argon2.hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            out,
            &mut memory[..],
        )?)
    })
    .is_ok_and(|computed| computed == expected)
}

/// At most `slots` password checks at once, each in reused memory.
#[derive(Debug)]
pub(crate) struct Checker {
    slots: usize,
    wait: Duration,
    pool: Mutex<Pool>,
    freed: Condvar,
}

#[derive(Default)]
struct Pool {
    free: Vec<Vec<Block>>,
    handed_out: usize,
}

/// The counts only: the blocks are working memory of password checks.
impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("free", &self.free.len())
            .field("handed_out", &self.handed_out)
            .finish()
    }
}

impl Checker {
    pub(crate) fn new(slots: usize, wait: Duration) -> Self {
        Self {
            slots: slots.max(1),
            wait,
            pool: Mutex::new(Pool::default()),
            freed: Condvar::new(),
        }
    }

    /// Whether `password` matches `stored` (`None`: an unknown login, checked against a hash
    /// nobody knows so that it takes as long). `Busy` when no slot frees up in time.
    pub(crate) fn check(&self, stored: Option<&str>, password: &str) -> CoreResult<bool> {
        let mut slot = Slot {
            checker: self,
            memory: self.take()?,
        };
        let ok = matches(stored.unwrap_or(NOBODY), password, &mut slot.memory);
        Ok(ok && stored.is_some())
    }

    fn take(&self) -> CoreResult<Vec<Block>> {
        let deadline = Instant::now() + self.wait;
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(memory) = pool.free.pop() {
                pool.handed_out += 1;
                return Ok(memory);
            }
            if pool.handed_out < self.slots {
                pool.handed_out += 1;
                return Ok(Vec::new());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(CoreError::Busy);
            }
            pool = self
                .freed
                .wait_timeout(pool, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn give_back(&self, memory: Vec<Block>) {
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        pool.handed_out -= 1;
        pool.free.push(memory);
        drop(pool);
        self.freed.notify_one();
    }
}

/// A slot taken from the checker: its memory goes back, wiped, however the check ends.
struct Slot<'a> {
    checker: &'a Checker,
    memory: Vec<Block>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut memory = std::mem::take(&mut self.memory);
        // What the hash left in memory derives from the password: not kept between checks.
        memory.iter_mut().for_each(Zeroize::zeroize);
        self.checker.give_back(memory);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Barrier};

    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let checker = Checker::new(1, Duration::from_secs(5));
        let h = hash("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("correct horse"));
        assert_eq!(
            checker.check(Some(&h), "correct horse battery staple"),
            Ok(true)
        );
        assert_eq!(checker.check(Some(&h), "wrong"), Ok(false));
        assert_eq!(checker.check(Some("garbage"), "wrong"), Ok(false));
        assert_eq!(checker.check(None, "anything"), Ok(false));
        // A hash asking for a gigabyte is not computed.
        let greedy = "$argon2id$v=19$m=1048576,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$3WUb4Ggi6Xwvw/Iq3pbPgcz06Id8L4T9Tr4xM/QxZvg";
        assert_eq!(checker.check(Some(greedy), "anything"), Ok(false));
        // The reused memory gives the same answers.
        assert_eq!(
            checker.check(Some(&h), "correct horse battery staple"),
            Ok(true)
        );
    }

    #[test]
    fn checks_beyond_the_slots_are_refused_when_none_frees_up() {
        let checker = Arc::new(Checker::new(1, Duration::ZERO));
        let held = checker.take().unwrap();
        assert_eq!(checker.check(None, "x"), Err(CoreError::Busy));
        checker.give_back(held);
        assert_eq!(checker.check(None, "x"), Ok(false));
    }

    #[test]
    fn a_waiting_check_gets_the_slot_freed_in_time() {
        let checker = Arc::new(Checker::new(1, Duration::from_secs(30)));
        let held = checker.take().unwrap();
        let barrier = Arc::new(Barrier::new(2));
        let waiter = {
            let (checker, barrier) = (checker.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                checker.check(None, "x")
            })
        };
        barrier.wait();
        checker.give_back(held);
        assert_eq!(waiter.join().unwrap(), Ok(false));
        let pool = checker.pool.lock().unwrap();
        assert_eq!(
            (pool.free.len(), pool.handed_out),
            (1, 0),
            "one block, reused"
        );
        assert!(!pool.free[0].is_empty(), "the check ran in it");
        assert!(
            pool.free[0]
                .iter()
                .all(|b| b.as_ref().iter().all(|w| *w == 0)),
            "wiped after the check"
        );
        assert_eq!(format!("{:?}", *pool), "Pool { free: 1, handed_out: 0 }");
    }
}
