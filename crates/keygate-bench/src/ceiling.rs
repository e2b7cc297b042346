//! The single-commit SQLite ceiling: one INSERT and COMMIT per transaction, one after another,
//! in WAL mode at `synchronous=FULL`, on the filesystem keygate's data directory is on. A store
//! that commits each write on its own cannot do more durable writes a second than this.

use std::path::Path;
use std::time::{Duration, Instant};

/// Commits a second, over `duration`, in a database made in `dir`.
pub fn commits_per_second(dir: &Path, duration: Duration) -> anyhow::Result<f64> {
    let db = tempfile::Builder::new()
        .prefix("ceiling-")
        .suffix(".db")
        .tempfile_in(dir)?;
    let conn = rusqlite::Connection::open(db.path())?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)")?;
    let row = [7u8; 64];
    let start = Instant::now();
    let mut commits = 0u64;
    while start.elapsed() < duration {
        conn.execute_batch("BEGIN")?;
        conn.execute("INSERT INTO t (v) VALUES (?1)", [&row[..]])?;
        conn.execute_batch("COMMIT")?;
        commits += 1;
    }
    Ok(commits as f64 / start.elapsed().as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let rate = commits_per_second(dir.path(), Duration::from_millis(200)).unwrap();
        assert!(rate > 1.0, "{rate}");
    }
}
