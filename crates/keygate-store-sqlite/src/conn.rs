//! The shared statements on rusqlite: a transaction as a `Conn`, its rows as cells. Statements
//! are prepared once per connection (rusqlite's statement cache).

use keygate_core::CoreResult;
use keygate_store_sql::sql::{Cell, Conn, Param};
use keygate_store_sql::storage;
use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};

/// A connection inside a transaction (or a savepoint of one).
pub(crate) struct SqliteTx<'a>(pub(crate) &'a Connection);

fn bind<'p>(p: &'p Param<'_>) -> ToSqlOutput<'p> {
    match p {
        Param::Null => ToSqlOutput::Owned(Value::Null),
        Param::Int(n) => ToSqlOutput::Owned(Value::Integer(*n)),
        Param::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        Param::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        Param::Bool(b) => ToSqlOutput::Owned(Value::Integer(i64::from(*b))),
    }
}

fn cell(v: ValueRef<'_>) -> Cell {
    match v {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(n) => Cell::Int(n),
        // The schema stores no floating-point value; one written by hand reads as text.
        ValueRef::Real(f) => Cell::Text(f.to_string()),
        ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
    }
}

impl Conn for SqliteTx<'_> {
    fn query(&self, sql: &str, params: &[Param<'_>]) -> CoreResult<Vec<Vec<Cell>>> {
        let mut out = Vec::new();
        self.for_each_row(sql, params, &mut |row| {
            out.push(row);
            Ok(())
        })?;
        Ok(out)
    }

    fn for_each_row(
        &self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(Vec<Cell>) -> CoreResult<()>,
    ) -> CoreResult<()> {
        let mut st = self.0.prepare_cached(sql).map_err(storage)?;
        let width = st.column_count();
        let bound: Vec<ToSqlOutput<'_>> = params.iter().map(bind).collect();
        let mut rows = st
            .query(rusqlite::params_from_iter(bound.iter()))
            .map_err(storage)?;
        while let Some(row) = rows.next().map_err(storage)? {
            each(
                (0..width)
                    .map(|i| row.get_ref(i).map(cell))
                    .collect::<rusqlite::Result<_>>()
                    .map_err(storage)?,
            )?;
        }
        Ok(())
    }

    fn execute(&self, sql: &str, params: &[Param<'_>]) -> CoreResult<u64> {
        let bound: Vec<ToSqlOutput<'_>> = params.iter().map(bind).collect();
        self.0
            .prepare_cached(sql)
            .and_then(|mut st| st.execute(rusqlite::params_from_iter(bound.iter())))
            .map(|n| u64::try_from(n).unwrap_or(u64::MAX))
            .map_err(storage)
    }
}
