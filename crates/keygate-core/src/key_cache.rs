//! The credential cache: what authenticating with a long-term key reads from the store (the
//! key's principal, its opened secret and expiry, and its account's API access rules and
//! CAs), kept under the store's generation it was read at. Any change committed to the store,
//! by this process or another, moves the generation (`Store::generation`), so the very next
//! lookup reads afresh: a key deactivated, deleted or expired, a user deleted, a rule changed,
//! is seen by the next request. A store that cannot tell its generation gets no cache. Secrets
//! are zeroized when an entry goes; the cache is bounded, and emptied when full.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::ids::AccessKeyId;
use crate::model::{ApiAccessRule, Ca, Principal, Secret, Timestamp};

/// Entries held at most; past it the cache starts over, so its memory stays bounded.
const CAPACITY: usize = 65_536;

/// One long-term key's authentication, as the store answered it.
#[derive(Debug, Clone)]
pub(crate) struct CachedKey {
    pub(crate) secret: Secret,
    pub(crate) principal: Principal,
    pub(crate) expires_at: Option<Timestamp>,
    pub(crate) rules: Vec<ApiAccessRule>,
    /// The account's CAs, when the lookup that filled the entry needed them.
    pub(crate) cas: Option<Vec<Ca>>,
}

#[derive(Debug, Default)]
pub(crate) struct KeyCache {
    entries: Mutex<HashMap<AccessKeyId, (u64, CachedKey)>>,
}

impl KeyCache {
    /// The entry for `id`, if it was read at `generation`.
    pub(crate) fn get(&self, id: &AccessKeyId, generation: u64) -> Option<CachedKey> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(id) {
            Some((at, key)) if *at == generation => Some(key.clone()),
            Some(_) => {
                entries.remove(id);
                None
            }
            None => None,
        }
    }

    /// Keeps `key` for `id`, as read at `generation` (taken before the store was read, so that
    /// a change committed meanwhile leaves the entry already out of date).
    pub(crate) fn put(&self, id: AccessKeyId, generation: u64, key: CachedKey) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(id, (generation, key));
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}
