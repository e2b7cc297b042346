//! The shared statements on the postgres crate: a transaction as a `Conn`, the `?N`
//! placeholders as PostgreSQL's `$N`, parameters bound to whatever type the server infers, and
//! rows read by their columns' types. A serialization failure or deadlock is not logged as a
//! failure: it marks the transaction for a retry.

use std::cell::{Cell as Flag, RefCell};
use std::error::Error;

use bytes::BytesMut;
use keygate_core::{CoreError, CoreResult};
use keygate_store_sql::sql::{Cell, Conn, Param};
use keygate_store_sql::{described, storage};
use postgres::{Statement, Transaction};

use crate::pool::Statements;
use postgres::error::SqlState;
use postgres_types::{IsNull, ToSql, Type, to_sql_checked};

pub(crate) struct PgTx<'t, 'c> {
    tx: RefCell<&'t mut Transaction<'c>>,
    statements: &'t Statements,
    conflicted: Flag<bool>,
}

impl<'t, 'c> PgTx<'t, 'c> {
    pub(crate) fn new(tx: &'t mut Transaction<'c>, statements: &'t Statements) -> Self {
        Self {
            tx: RefCell::new(tx),
            statements,
            conflicted: Flag::new(false),
        }
    }

    /// The prepared statement for `sql`, prepared now if this connection has not yet.
    fn statement(&self, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st);
        }
        let st = self.tx.borrow_mut().prepare(&dollars(sql))?;
        self.statements.keep(sql, &st);
        Ok(st)
    }

    /// Whether the engine refused a statement for a conflict with another transaction.
    pub(crate) fn conflicted(&self) -> bool {
        self.conflicted.get()
    }

    fn failed(&self, e: postgres::Error, sql: &str) -> CoreError {
        if is_stale_plan(&e) {
            // The schema changed under a prepared statement (another replica migrated it):
            // prepare afresh and run the transaction again.
            self.statements.clear();
            self.conflicted.set(true);
            CoreError::ConcurrentModification
        } else if is_conflict(&e) {
            self.conflicted.set(true);
            CoreError::ConcurrentModification
        } else {
            failure(e, sql)
        }
    }
}

/// The store's failure, with the server's own words for it when it gave some (the postgres
/// crate's error shows only "db error"), and the statement (never its parameters).
pub(crate) fn failure(e: postgres::Error, sql: &str) -> CoreError {
    match e.as_db_error() {
        Some(db) => described(format!(
            "PostgreSQL refused a statement ({}): {}{}, in: {sql}",
            db.code().code(),
            db.message(),
            db.detail().map(|d| format!(" ({d})")).unwrap_or_default()
        )),
        None => storage(e),
    }
}

/// A refusal that retrying the whole transaction may cure.
pub(crate) fn is_conflict(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
    )
}

/// A prepared statement whose plan no longer fits the schema.
fn is_stale_plan(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::FEATURE_NOT_SUPPORTED)
        && e.as_db_error().is_some_and(|db| {
            db.message()
                .contains("cached plan must not change result type")
        })
}

/// `?1`, `?2`, … as `$1`, `$2`, …; the shared statements hold no `?` anywhere else.
fn dollars(sql: &str) -> String {
    sql.replace('?', "$")
}

/// A parameter as the type the server inferred for its place.
#[derive(Debug)]
struct Bound<'a>(&'a Param<'a>);

impl ToSql for Bound<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self.0 {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(n) => match *ty {
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::BOOL => (*n != 0).to_sql(ty, out),
                _ => n.to_sql(ty, out),
            },
            Param::Text(s) => s.as_ref().to_sql(ty, out),
            Param::Blob(b) => b.as_ref().to_sql(ty, out),
            Param::Bool(b) => match *ty {
                Type::INT2 | Type::INT4 | Type::INT8 => i64::from(*b).to_sql(&Type::INT8, out),
                _ => b.to_sql(ty, out),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// The cell at `i` of `row`, by its column's type.
fn cell(row: &postgres::Row, i: usize) -> Result<Cell, postgres::Error> {
    let ty = row.columns()[i].type_().clone();
    Ok(match ty {
        Type::INT8 => row
            .try_get::<_, Option<i64>>(i)?
            .map_or(Cell::Null, Cell::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)?
            .map_or(Cell::Null, |n| Cell::Int(i64::from(n))),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)?
            .map_or(Cell::Null, |n| Cell::Int(i64::from(n))),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)?
            .map_or(Cell::Null, Cell::Bool),
        Type::BYTEA => row
            .try_get::<_, Option<Vec<u8>>>(i)?
            .map_or(Cell::Null, Cell::Blob),
        _ => row
            .try_get::<_, Option<String>>(i)?
            .map_or(Cell::Null, Cell::Text),
    })
}

impl Conn for PgTx<'_, '_> {
    fn query(&self, sql: &str, params: &[Param<'_>]) -> CoreResult<Vec<Vec<Cell>>> {
        let bound: Vec<Bound<'_>> = params.iter().map(Bound).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        let st = self.statement(sql).map_err(|e| self.failed(e, sql))?;
        let rows = self
            .tx
            .borrow_mut()
            .query(&st, &refs)
            .map_err(|e| self.failed(e, sql))?;
        rows.iter()
            .map(|row| (0..row.len()).map(|i| cell(row, i)).collect())
            .collect::<Result<_, _>>()
            .map_err(|e| self.failed(e, sql))
    }

    fn execute(&self, sql: &str, params: &[Param<'_>]) -> CoreResult<u64> {
        let bound: Vec<Bound<'_>> = params.iter().map(Bound).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        let st = self.statement(sql).map_err(|e| self.failed(e, sql))?;
        self.tx
            .borrow_mut()
            .execute(&st, &refs)
            .map_err(|e| self.failed(e, sql))
    }
}
