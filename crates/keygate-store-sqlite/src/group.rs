//! Group commit: write transactions that arrive together share one SQLite transaction, each in
//! a savepoint of its own, and one `COMMIT` (one fsync at `synchronous=FULL`).
//!
//! A writer runs its change while it holds the batch. When it is done, it commits the batch if
//! no other writer is waiting for its turn (or the batch is full); otherwise it leaves the
//! commit to the writers after it and waits. So a lone write commits at once, and writers that
//! arrive while a commit waits for the disk form the next batch. Every writer returns only once
//! the commit its change rode in has succeeded: nothing acknowledged is lost to a crash. A
//! change that fails rolls back to its own savepoint, and the others stand. Its answer, and a
//! dry run's, also wait for the commit, since they rest on the batch's earlier changes: if the
//! commit fails, every member gets the store's failure, and nothing changed.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

use keygate_core::CoreResult;
use keygate_store_sql::{described, storage};
use r2d2::{Pool, PooledConnection};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;

/// The most changes one commit carries: past it, writers still waiting start the next batch,
/// which bounds how long the write lock is held at once.
const MAX_MEMBERS: usize = 64;

/// What becomes of a member's change when it succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Finish {
    Keep,
    /// A dry run: rolled back whatever happens.
    Undo,
}

/// How the batch a member rode in ended: `None` while it is open.
type Outcome = Arc<OnceLock<CoreResult<()>>>;

/// The open batch: its connection inside `BEGIN IMMEDIATE`, and what its members wait on.
struct Batch {
    conn: PooledConnection<SqliteConnectionManager>,
    members: usize,
    outcome: Outcome,
}

#[derive(Default)]
pub(crate) struct Writers {
    open: Mutex<Option<Batch>>,
    ended: Condvar,
    /// Writers waiting for their turn at the batch.
    pub(crate) waiting: AtomicUsize,
    /// Batches committed, for the tests.
    #[cfg(test)]
    pub(crate) commits: AtomicUsize,
}

impl Writers {
    /// Runs `f` on `pool`'s writer connection in the open batch (beginning one if none is),
    /// and returns once that batch has ended. `committed` runs after each successful commit.
    pub(crate) fn run(
        &self,
        pool: &Pool<SqliteConnectionManager>,
        finish: Finish,
        committed: &dyn Fn(),
        f: &mut dyn FnMut(&Connection) -> CoreResult<()>,
    ) -> CoreResult<()> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let mut batch = match open.take() {
            Some(batch) => batch,
            None => begin(pool)?,
        };
        let (mine, intact) = member(&batch.conn, finish, f);
        batch.members += 1;
        let outcome = batch.outcome.clone();
        if !intact {
            let lost = match &mine {
                Ok(Err(e)) => e.clone(),
                _ => described("a write transaction was lost".into()),
            };
            end(batch, Err(lost));
            self.ended.notify_all();
        } else if self.waiting.load(Ordering::SeqCst) == 0 || batch.members >= MAX_MEMBERS {
            let result = run(&batch.conn, "COMMIT")
                .map_err(storage)
                .inspect(|()| committed());
            #[cfg(test)]
            if result.is_ok() {
                self.commits.fetch_add(1, Ordering::SeqCst);
            }
            end(batch, result);
            self.ended.notify_all();
        } else {
            *open = Some(batch);
            open = self.wait(open, &outcome);
        }
        drop(open);
        let mine = match mine {
            Ok(mine) => mine,
            Err(panic) => resume_unwind(panic),
        };
        match outcome.get() {
            Some(Ok(())) => mine,
            Some(Err(e)) => Err(e.clone()),
            None => Err(described("a write batch ended without an outcome".into())),
        }
    }

    fn wait<'a>(
        &self,
        mut open: MutexGuard<'a, Option<Batch>>,
        outcome: &Outcome,
    ) -> MutexGuard<'a, Option<Batch>> {
        while outcome.get().is_none() {
            open = self
                .ended
                .wait(open)
                .unwrap_or_else(PoisonError::into_inner);
        }
        open
    }
}

fn begin(pool: &Pool<SqliteConnectionManager>) -> CoreResult<Batch> {
    let conn = pool.get().map_err(storage)?;
    run(&conn, "BEGIN IMMEDIATE").map_err(storage)?;
    Ok(Batch {
        conn,
        members: 0,
        outcome: Outcome::default(),
    })
}

type Panic = Box<dyn std::any::Any + Send>;

/// Runs one member's change in a savepoint of its own. Answers its result (or its panic, to
/// resume once the batch is settled), and whether the batch's transaction is still whole.
fn member(
    conn: &Connection,
    finish: Finish,
    f: &mut dyn FnMut(&Connection) -> CoreResult<()>,
) -> (Result<CoreResult<()>, Panic>, bool) {
    if let Err(e) = run(conn, "SAVEPOINT member") {
        return (Ok(Err(storage(e))), false);
    }
    let result = catch_unwind(AssertUnwindSafe(|| f(conn)));
    // A failure such as a full disk may have made SQLite roll the whole transaction back.
    if conn.is_autocommit() {
        return (result, false);
    }
    let kept = finish == Finish::Keep && matches!(result, Ok(Ok(())));
    let intact =
        (kept || run(conn, "ROLLBACK TO member").is_ok()) && run(conn, "RELEASE member").is_ok();
    (result, intact)
}

/// Settles the batch: rolled back unless its commit succeeded, the connection back in its pool.
fn end(batch: Batch, result: CoreResult<()>) {
    if result.is_err() && !batch.conn.is_autocommit() {
        // The connection goes back to the pool outside any transaction, whatever this says.
        let _ = run(&batch.conn, "ROLLBACK");
    }
    let _ = batch.outcome.set(result);
}

/// Runs one of the statements that frame the batch and its members, kept prepared.
fn run(conn: &Connection, statement: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(statement)?.execute([]).map(drop)
}
