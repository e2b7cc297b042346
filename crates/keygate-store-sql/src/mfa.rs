//! Virtual MFA devices in SQL: the seed sealed (its serial number is the sealing's context),
//! the user it is enabled for, the last step accepted, and tags. The `ReadTx` and `WriteTx`
//! halves (`tx`, `write`) delegate here.

use crate::sql::{Row, params};
use keygate_core::{
    AccountId, CoreResult, MfaDevice, Secret, Tag, TagKey, TagValue, Timestamp, UserId,
};

use crate::rows::{corrupt, parse_col};
use crate::tx::{SqlTx, described};

const MFA_COLS: &str = "serial, account_id, seed_nonce, seed_sealed, user_id, enabled_at, \
                        created_at, last_step, drift, failures";

type SealedRow = (MfaDevice, Vec<u8>, Vec<u8>);

fn mfa_row(r: &Row<'_>) -> crate::sql::Result<SealedRow> {
    let user: Option<String> = r.get(4)?;
    let enabled: Option<i64> = r.get(5)?;
    let user = match (user, enabled) {
        (Some(u), Some(at)) => Some((
            UserId::parse(&u).map_err(|e| corrupt("user id", e))?,
            Timestamp::from_unix_millis(at),
        )),
        (None, None) => None,
        _ => {
            return Err(corrupt(
                "MFA device",
                "a user without a date, or a date without one",
            ));
        }
    };
    let device = MfaDevice {
        serial: r.get(0)?,
        account_id: parse_col(r, 1, "account id", AccountId::parse)?,
        seed: Secret::new(String::new()),
        user,
        created_at: Timestamp::from_unix_millis(r.get(6)?),
        last_step: r
            .get::<Option<i64>>(7)?
            .map(|s| u64::try_from(s).map_err(|e| corrupt("MFA step", e)))
            .transpose()?,
        drift: r.get(8)?,
        failures: r.get(9)?,
        tags: Vec::new(),
    };
    Ok((device, r.get(2)?, r.get(3)?))
}

impl SqlTx<'_> {
    fn opened(&self, (mut d, nonce, sealed): SealedRow) -> CoreResult<MfaDevice> {
        d.seed = self
            .seal
            .open(&d.serial, &nonce, &sealed)
            .map(Secret::new)
            .map_err(described)?;
        d.tags = self.many(
            "SELECT key, value FROM mfa_device_tags WHERE serial = ?1 ORDER BY key",
            [d.serial.as_str()],
            |r| {
                Ok(Tag {
                    key: parse_col(r, 0, "tag key", TagKey::parse)?,
                    value: parse_col(r, 1, "tag value", TagValue::parse)?,
                })
            },
        )?;
        Ok(d)
    }

    pub(crate) fn read_mfa_devices(&self, account: &AccountId) -> CoreResult<Vec<MfaDevice>> {
        self.many(
            &format!("SELECT {MFA_COLS} FROM mfa_devices WHERE account_id = ?1 ORDER BY serial"),
            [account.as_str()],
            mfa_row,
        )?
        .into_iter()
        .map(|row| self.opened(row))
        .collect()
    }

    pub(crate) fn read_mfa_device(
        &self,
        account: &AccountId,
        serial: &str,
    ) -> CoreResult<Option<MfaDevice>> {
        self.one(
            &format!("SELECT {MFA_COLS} FROM mfa_devices WHERE account_id = ?1 AND serial = ?2"),
            params![account.as_str(), serial],
            mfa_row,
        )?
        .map(|row| self.opened(row))
        .transpose()
    }

    fn write_mfa_tags(&self, d: &MfaDevice) -> CoreResult<()> {
        self.exec(
            "DELETE FROM mfa_device_tags WHERE serial = ?2 \
             AND serial IN (SELECT serial FROM mfa_devices WHERE account_id = ?1)",
            params![d.account_id.as_str(), d.serial.as_str()],
        )?;
        for t in &d.tags {
            self.exec(
                "INSERT INTO mfa_device_tags (serial, key, value) \
                 SELECT serial, ?3, ?4 FROM mfa_devices WHERE account_id = ?1 AND serial = ?2",
                params![
                    d.account_id.as_str(),
                    d.serial.as_str(),
                    t.key.as_str(),
                    t.value.as_str()
                ],
            )?;
        }
        Ok(())
    }

    pub(crate) fn write_insert_mfa_device(&self, d: &MfaDevice) -> CoreResult<()> {
        let (nonce, sealed) = self
            .seal
            .seal(&d.serial, d.seed.expose())
            .map_err(described)?;
        self.exec(
            "INSERT INTO mfa_devices (serial, account_id, seed_nonce, seed_sealed, user_id, \
             enabled_at, created_at, last_step, drift, failures) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                d.serial,
                d.account_id.as_str(),
                nonce,
                sealed,
                d.user.as_ref().map(|(u, _)| u.as_str()),
                d.user.as_ref().map(|(_, at)| at.unix_millis()),
                d.created_at.unix_millis(),
                d.last_step.map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
                d.drift,
                d.failures
            ],
        )?;
        self.write_mfa_tags(d)
    }

    pub(crate) fn write_update_mfa_device(&self, d: &MfaDevice) -> CoreResult<()> {
        if let Some((u, _)) = &d.user {
            self.user_exists(&d.account_id, u)?;
        }
        let n = self.exec(
            "UPDATE mfa_devices SET user_id = ?3, enabled_at = ?4, last_step = ?5, drift = ?6, \
             failures = ?7 WHERE account_id = ?1 AND serial = ?2",
            params![
                d.account_id.as_str(),
                d.serial,
                d.user.as_ref().map(|(u, _)| u.as_str()),
                d.user.as_ref().map(|(_, at)| at.unix_millis()),
                d.last_step.map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
                d.drift,
                d.failures
            ],
        )?;
        if n == 0 {
            return Err(described("no such MFA device in this account".into()));
        }
        self.write_mfa_tags(d)
    }

    pub(crate) fn write_delete_mfa_device(
        &self,
        account: &AccountId,
        serial: &str,
    ) -> CoreResult<()> {
        self.exec(
            "DELETE FROM mfa_devices WHERE account_id = ?1 AND serial = ?2",
            params![account.as_str(), serial],
        )
        .map(drop)
    }
}
