//! What a principal may read of its account's audit trail (OSC ReadApiLogs): the records of its
//! account only, filtered and paged, within a time window of 48 hours unless it says otherwise
//! (Outscale's default).

use crate::error::CoreResult;
use crate::model::{AuditRecord, Timestamp};
use crate::rules::Operation;

use super::Caller;

/// The default window: 48 hours (Outscale).
const WINDOW_SECONDS: i64 = 48 * 3600;

/// Which records ReadApiLogs answers: those matching every filter given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub access_keys: Option<Vec<String>>,
    /// Dialects (`iam`, `sts`, `osc`).
    pub dialects: Option<Vec<String>>,
    pub calls: Option<Vec<String>>,
    pub ip_addresses: Option<Vec<String>>,
    pub user_agents: Option<Vec<String>>,
    pub request_ids: Option<Vec<String>>,
    pub statuses: Option<Vec<u16>>,
    /// Callers by name (CloudTrail's `Username`).
    pub usernames: Option<Vec<String>>,
    /// Resources by name or ARN (CloudTrail's `ResourceName`).
    pub resources: Option<Vec<String>>,
    pub after: Option<Timestamp>,
    pub before: Option<Timestamp>,
}

fn any(wanted: &Option<Vec<String>>, have: Option<&str>) -> bool {
    wanted
        .as_ref()
        .is_none_or(|w| have.is_some_and(|h| w.iter().any(|x| x == h)))
}

impl AuditFilter {
    /// The window: as given, else 48 hours before `before` (or now), or after `after`.
    fn window(&self, now: Timestamp) -> (Timestamp, Timestamp) {
        match (self.after, self.before) {
            (Some(a), Some(b)) => (a, b),
            (Some(a), None) => (a, a.plus_seconds(WINDOW_SECONDS)),
            (None, Some(b)) => (b.plus_seconds(-WINDOW_SECONDS), b),
            (None, None) => (now.plus_seconds(-WINDOW_SECONDS), now),
        }
    }

    fn keeps(&self, r: &AuditRecord, (from, to): (Timestamp, Timestamp)) -> bool {
        let ip = r.source_ip.map(|i| i.to_string());
        r.at >= from
            && r.at <= to
            && any(&self.access_keys, r.access_key_id.as_deref())
            && any(&self.dialects, Some(&r.dialect))
            && any(&self.calls, Some(&r.call))
            && any(&self.ip_addresses, ip.as_deref())
            && any(&self.user_agents, r.user_agent.as_deref())
            && any(&self.request_ids, Some(&r.request_id))
            && self.statuses.as_ref().is_none_or(|s| s.contains(&r.status))
            && any(&self.usernames, r.username())
            && (any(&self.resources, r.resource_name())
                || any(&self.resources, r.resource.as_deref()))
    }
}

/// Records read at once while looking for a page's matches.
const CHUNK: usize = 1000;

/// One page of records: the records, and where the next page starts when more may match.
type RecordPage = (Vec<(i64, AuditRecord)>, Option<i64>);

impl Caller<'_> {
    /// Up to `limit` records of the caller's account matching `filter`, oldest first, after
    /// the sequence number `position`; and the position to read on from, when more may match.
    pub fn read_api_logs(
        &self,
        filter: &AuditFilter,
        position: Option<i64>,
        limit: usize,
    ) -> CoreResult<(Vec<AuditRecord>, Option<i64>)> {
        let window = filter.window(self.svc.clock.now());
        self.read(|tx| {
            self.authorize(tx, Operation::ReadApiLogs, &["*"])?;
            let mut found = Vec::new();
            let mut at = position;
            loop {
                let chunk = tx.audit_records(Some(self.account()), at, CHUNK)?;
                let full = chunk.len() == CHUNK;
                for (seq, r) in chunk {
                    at = Some(seq);
                    if filter.keeps(&r, window) {
                        if found.len() == limit {
                            // One more matches: the page ends before it.
                            return Ok((found, Some(seq - 1)));
                        }
                        found.push(r);
                    }
                }
                if !full {
                    return Ok((found, None));
                }
            }
        })
    }

    /// CloudTrail's LookupEvents: up to `limit` records of the caller's account matching
    /// `filter` (between its dates, when given), newest first, before the sequence number
    /// `before`; and where the next page starts, when more may match.
    pub fn lookup_events(
        &self,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: usize,
    ) -> CoreResult<RecordPage> {
        let window = (
            filter
                .after
                .unwrap_or(Timestamp::from_unix_millis(i64::MIN)),
            filter
                .before
                .unwrap_or(Timestamp::from_unix_millis(i64::MAX)),
        );
        self.read(|tx| {
            self.authorize(tx, Operation::ReadApiLogs, &["*"])?;
            let mut found = Vec::new();
            let mut at = before;
            loop {
                let chunk = tx.audit_records_newest(self.account(), at, CHUNK)?;
                let full = chunk.len() == CHUNK;
                for (seq, r) in chunk {
                    at = Some(seq);
                    if filter.keeps(&r, window) {
                        if found.len() == limit {
                            return Ok((found, Some(seq + 1)));
                        }
                        found.push((seq, r));
                    }
                }
                if !full {
                    return Ok((found, None));
                }
            }
        })
    }
}
