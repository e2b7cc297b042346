//! Copying a whole store from one engine to another, table by table, in one read transaction of
//! the source and one write transaction of the destination: an operator's move from SQLite to a
//! shared PostgreSQL database. Rows are copied as stored, sealed secrets and password hashes
//! included, so the destination needs the source's at-rest key and nothing is decrypted.

use keygate_core::CoreResult;

use crate::described;
use crate::sql::{Cell, Conn, Param};

/// Every table of the schema, each after the tables it refers to.
pub const TABLES: &[&str] = &[
    "accounts",
    "users",
    "access_keys",
    "user_policies",
    "user_tags",
    "groups",
    "group_members",
    "group_policies",
    "managed_policies",
    "policy_versions",
    "policy_tags",
    "policy_attachments",
    "sessions",
    "mfa_devices",
    "mfa_device_tags",
    "login_profiles",
    "password_policies",
    "roles",
    "role_tags",
    "role_policies",
    "role_policy_attachments",
    "role_sessions",
    "sign_in_sessions",
    "api_access_policies",
    "api_access_rules",
    "audit_records",
    "cas",
    "login_failures",
    "source_failures",
];

/// Rows per INSERT: one statement's parameters stay far below every engine's limit.
const BATCH_PARAMS: usize = 4_000;

/// Copies every table of `from` into `to`, whose tables must all be empty; answers how many
/// rows each table had. The columns are the destination's, read from the standard information
/// schema, so a column the destination lacks stops the copy rather than being dropped.
pub fn copy_tables(from: &dyn Conn, to: &dyn Conn) -> CoreResult<Vec<(&'static str, u64)>> {
    for table in TABLES {
        let held = count(to, table)?;
        if held > 0 {
            return Err(described(format!(
                "the destination already holds keygate data ({held} rows in {table}): a store \
                 is copied into an empty database only"
            )));
        }
    }
    TABLES
        .iter()
        .map(|table| Ok((*table, copy_table(from, to, table)?)))
        .collect()
}

fn count(conn: &dyn Conn, table: &str) -> CoreResult<u64> {
    let rows = conn.query(&format!("SELECT count(*) FROM {table}"), &[])?;
    match rows.first().and_then(|r| r.first()) {
        Some(Cell::Int(n)) => Ok(u64::try_from(*n).unwrap_or(0)),
        other => Err(described(format!(
            "counting the rows of {table} answered {other:?}"
        ))),
    }
}

fn columns(to: &dyn Conn, table: &str) -> CoreResult<Vec<String>> {
    let rows = to.query(
        "SELECT column_name FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
        &[Param::from(table)],
    )?;
    let names: Vec<String> = rows
        .into_iter()
        .filter_map(|r| match r.into_iter().next() {
            Some(Cell::Text(name)) => Some(name),
            _ => None,
        })
        .collect();
    if names.is_empty() {
        return Err(described(format!(
            "the destination has no table {table}: its schema is not keygate's"
        )));
    }
    Ok(names)
}

fn copy_table(from: &dyn Conn, to: &dyn Conn, table: &str) -> CoreResult<u64> {
    let columns = columns(to, table)?;
    let list = columns.join(", ");
    let per_batch = (BATCH_PARAMS / columns.len()).max(1);
    let mut batch: Vec<Vec<Cell>> = Vec::with_capacity(per_batch);
    let mut copied = 0;
    let flush = |batch: &mut Vec<Vec<Cell>>| -> CoreResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let width = columns.len();
        let rows: Vec<String> = (0..batch.len())
            .map(|r| {
                let places: Vec<String> =
                    (1..=width).map(|c| format!("?{}", r * width + c)).collect();
                format!("({})", places.join(", "))
            })
            .collect();
        let params: Vec<Param<'_>> = batch.iter().flatten().map(param).collect();
        to.execute(
            &format!("INSERT INTO {table} ({list}) VALUES {}", rows.join(", ")),
            &params,
        )?;
        batch.clear();
        Ok(())
    };
    from.for_each_row(&format!("SELECT {list} FROM {table}"), &[], &mut |row| {
        batch.push(row);
        copied += 1;
        if batch.len() == per_batch {
            flush(&mut batch)?;
        }
        Ok(())
    })?;
    flush(&mut batch)?;
    Ok(copied)
}

fn param(cell: &Cell) -> Param<'_> {
    match cell {
        Cell::Null => Param::Null,
        Cell::Int(n) => Param::Int(*n),
        Cell::Text(s) => Param::from(s.as_str()),
        Cell::Blob(b) => Param::Blob(b.as_slice().into()),
        Cell::Bool(b) => Param::Bool(*b),
    }
}
