//! The schema's versions, applied in order on open. Every replica may open the store at once:
//! the migration runs in one transaction under an advisory lock, so it runs once, and a replica
//! finding a schema newer than it knows refuses to start rather than misread it.

use crate::OpenError;

/// The schema version this keygate writes and reads.
pub const SCHEMA_VERSION: i64 = 2;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/001_schema.sql")),
    (2, include_str!("migrations/002_sign_in_failures.sql")),
];

/// The advisory lock's key: "keygate" and 1, as one number.
const LOCK: i64 = 0x6b65_7967_6174_6501;

/// The schema version the database holds; `None` when it holds no keygate schema.
pub(crate) fn version(client: &mut impl postgres::GenericClient) -> Result<Option<i64>, OpenError> {
    let row = client
        .query_one("SELECT to_regclass('keygate_schema') IS NOT NULL", &[])
        .map_err(OpenError::Migration)?;
    if !row.get::<_, bool>(0) {
        return Ok(None);
    }
    let found: i64 = client
        .query_one("SELECT coalesce(max(version), 0) FROM keygate_schema", &[])
        .map_err(OpenError::Migration)?
        .get(0);
    Ok(Some(found))
}

pub(crate) fn to_latest(client: &mut postgres::Client) -> Result<(), OpenError> {
    let mut tx = client.transaction().map_err(OpenError::Migration)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])
        .map_err(OpenError::Migration)?;
    let found = match version(&mut tx)? {
        Some(found) => found,
        None => {
            tx.batch_execute("CREATE TABLE keygate_schema (version BIGINT NOT NULL)")
                .map_err(OpenError::Migration)?;
            0
        }
    };
    if found > SCHEMA_VERSION {
        return Err(OpenError::SchemaTooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        tx.batch_execute(sql).map_err(OpenError::Migration)?;
        tx.execute(
            "INSERT INTO keygate_schema (version) VALUES ($1)",
            &[version],
        )
        .map_err(OpenError::Migration)?;
        tracing::info!(version, "database schema migrated");
    }
    tx.commit().map_err(OpenError::Migration)
}
