//! Key uses noted since the last flush. Authentication happens on every request, so recording
//! each use durably would put a synchronous write on every read; instead uses are coalesced
//! here (one entry per key, the latest wins) and written in one transaction by
//! `Service::flush_key_uses`, which the server calls periodically and at shutdown.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::ids::{AccessKeyId, AccountId};
use crate::model::{AccessKey, LastUsed};

#[derive(Debug, Default)]
pub(crate) struct PendingUses(Mutex<HashMap<AccessKeyId, (AccountId, LastUsed)>>);

impl PendingUses {
    fn lock(&self) -> MutexGuard<'_, HashMap<AccessKeyId, (AccountId, LastUsed)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `used` unless a later use of the key is already noted.
    pub(crate) fn note(&self, account: &AccountId, id: &AccessKeyId, used: LastUsed) {
        let mut pending = self.lock();
        match pending.get(id) {
            Some((_, known)) if known.at > used.at => {}
            _ => {
                pending.insert(id.clone(), (account.clone(), used));
            }
        }
    }

    /// A copy of every noted use; they stay noted, so readers see them until they are written.
    pub(crate) fn snapshot(&self) -> Vec<(AccessKeyId, AccountId, LastUsed)> {
        self.lock()
            .iter()
            .map(|(k, (a, u))| (k.clone(), a.clone(), u.clone()))
            .collect()
    }

    /// Forgets the written uses that no later use replaced meanwhile.
    pub(crate) fn forget(&self, written: &[(AccessKeyId, AccountId, LastUsed)]) {
        let mut pending = self.lock();
        for (id, _, used) in written {
            if pending.get(id).is_some_and(|(_, u)| u == used) {
                pending.remove(id);
            }
        }
    }

    /// The key with any use noted since the last flush.
    pub(crate) fn apply(&self, mut key: AccessKey) -> AccessKey {
        let pending = self.lock();
        if let Some((_, used)) = pending.get(&key.id)
            && key.last_used.as_ref().is_none_or(|l| l.at <= used.at)
        {
            key.last_used = Some(used.clone());
        }
        key
    }
}
