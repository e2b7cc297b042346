//! Failed password attempts in SQL: per login and source, and per source. The `ReadTx` and
//! `WriteTx` halves (`tx`, `write`) delegate here.

use keygate_core::{CoreResult, LoginFailures, Timestamp};

use crate::sql::params;
use crate::tx::SqlTx;

impl SqlTx<'_> {
    pub(crate) fn read_login_failures(
        &self,
        login: &str,
        source: &str,
    ) -> CoreResult<Option<LoginFailures>> {
        self.one(
            "SELECT failures, locked_until, at FROM login_failures \
             WHERE login = ?1 AND source = ?2",
            params![login, source],
            |r| {
                Ok(LoginFailures {
                    failures: r.get(0)?,
                    locked_until: r.get::<Option<i64>>(1)?.map(Timestamp::from_unix_millis),
                    at: Timestamp::from_unix_millis(r.get(2)?),
                })
            },
        )
    }

    pub(crate) fn read_source_failures(
        &self,
        source: &str,
        since: Timestamp,
    ) -> CoreResult<(u32, Option<Timestamp>)> {
        Ok(self
            .one(
                "SELECT count(*), min(at) FROM source_failures WHERE source = ?1 AND at > ?2",
                params![source, since.unix_millis()],
                |r| {
                    Ok((
                        r.get::<i64>(0)?,
                        r.get::<Option<i64>>(1)?.map(Timestamp::from_unix_millis),
                    ))
                },
            )?
            .map_or((0, None), |(n, first)| {
                (u32::try_from(n).unwrap_or(u32::MAX), first)
            }))
    }

    pub(crate) fn write_put_login_failures(
        &self,
        login: &str,
        source: &str,
        f: &LoginFailures,
    ) -> CoreResult<()> {
        self.exec(
            "INSERT INTO login_failures (login, source, failures, locked_until, at) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (login, source) DO UPDATE SET \
             failures = excluded.failures, locked_until = excluded.locked_until, at = excluded.at",
            params![
                login,
                source,
                f.failures,
                f.locked_until.map(Timestamp::unix_millis),
                f.at.unix_millis()
            ],
        )?;
        Ok(())
    }

    pub(crate) fn write_delete_login_failures(&self, login: &str, source: &str) -> CoreResult<()> {
        self.exec(
            "DELETE FROM login_failures WHERE login = ?1 AND source = ?2",
            params![login, source],
        )?;
        Ok(())
    }

    pub(crate) fn write_insert_source_failure(
        &self,
        source: &str,
        at: Timestamp,
    ) -> CoreResult<()> {
        self.exec(
            "INSERT INTO source_failures (source, at) VALUES (?1, ?2)",
            params![source, at.unix_millis()],
        )?;
        Ok(())
    }

    pub(crate) fn write_delete_sign_in_failures_before(
        &self,
        logins_before: Timestamp,
        sources_before: Timestamp,
    ) -> CoreResult<()> {
        self.exec(
            "DELETE FROM login_failures WHERE at < ?1",
            [logins_before.unix_millis()],
        )?;
        self.exec(
            "DELETE FROM source_failures WHERE at < ?1",
            [sources_before.unix_millis()],
        )?;
        Ok(())
    }
}
