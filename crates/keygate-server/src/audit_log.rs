//! The audit trail for operators: each record as one JSON line, printed by `keygate admin
//! audit` (from a date, and on as records arrive with `--follow`) and appended to
//! `audit.log_file` when one is set.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use keygate_core::{AccountId, AuditRecord, Service, Timestamp};
use serde_json::json;
use time::format_description::well_known::Rfc3339;

/// Records read from the store at once.
const BATCH: usize = 1000;

/// One record as a JSON line, with its sequence number.
pub fn line(seq: i64, r: &AuditRecord) -> String {
    json!({
        "seq": seq,
        "at": r.at.to_datetime().format(&Rfc3339).unwrap_or_default(),
        "request_id": r.request_id,
        "account_id": r.account_id.as_ref().map(AccountId::as_str),
        "principal": r.principal,
        "principal_kind": r.principal_kind,
        "access_key_id": r.access_key_id,
        "source_ip": r.source_ip.map(|i| i.to_string()),
        "user_agent": r.user_agent,
        "dialect": r.dialect,
        "call": r.call,
        "status": r.status,
        "error_code": r.error_code,
        "resource": r.resource,
    })
    .to_string()
}

/// Writes every record after `after` (of `account`, or of all) made at or after `since`, as
/// lines; answers the last sequence number seen.
fn write_since(
    service: &Service,
    account: Option<&AccountId>,
    since: Option<Timestamp>,
    mut after: Option<i64>,
    out: &mut dyn Write,
) -> anyhow::Result<Option<i64>> {
    loop {
        let batch = service.audit_records(account, after, BATCH)?;
        for (seq, r) in &batch {
            if since.is_none_or(|s| r.at >= s) {
                writeln!(out, "{}", line(*seq, r))?;
            }
            after = Some(*seq);
        }
        out.flush()?;
        if batch.len() < BATCH {
            return Ok(after);
        }
    }
}

/// `keygate admin audit`: the records so far, then, with `follow`, each new one as it is
/// written, until the process is stopped.
pub fn print(
    service: &Service,
    account: Option<&AccountId>,
    since: Option<Timestamp>,
    follow: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut after = write_since(service, account, since, None, out)?;
    if !follow {
        return Ok(());
    }
    loop {
        thread::sleep(Duration::from_millis(500));
        after = write_since(service, account, since, after, out)?;
    }
}

/// The sequence number of the last line of the log file, when it has one.
fn last_logged(path: &Path) -> Option<i64> {
    let file = std::fs::File::open(path).ok()?;
    let last = BufReader::new(file).lines().map_while(Result::ok).last()?;
    serde_json::from_str::<serde_json::Value>(&last).ok()?["seq"].as_i64()
}

/// Appends every new record to `path` every `every`, until `stop`; a restart goes on after
/// the file's last line.
pub fn spawn_log_file(
    service: Arc<Service>,
    path: PathBuf,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> std::io::Result<thread::JoinHandle<()>> {
    thread::Builder::new()
        .name("audit-log-file".into())
        .spawn(move || {
            let mut after = last_logged(&path);
            loop {
                let done = stop.load(Ordering::Relaxed);
                let appended = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .map_err(anyhow::Error::from)
                    .and_then(|mut f| write_since(&service, None, None, after, &mut f));
                match appended {
                    Ok(last) => after = last.or(after),
                    Err(e) => tracing::warn!(
                        error = %e,
                        file = %path.display(),
                        "cannot append to the audit log file; will retry"
                    ),
                }
                if done {
                    return;
                }
                thread::park_timeout(every);
            }
        })
}
