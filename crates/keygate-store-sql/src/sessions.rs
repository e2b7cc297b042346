//! Sessions in SQL: temporary credentials with their sealed secret and token digest (an
//! assumed role's in `roles`). The
//! `ReadTx` and `WriteTx` halves (`tx`, `write`) delegate here.

use crate::sql::params;
use keygate_core::{
    AccessKeyId, AccountId, CoreResult, KeyOwner, Secret, Session, SessionOrigin, Timestamp, UserId,
};

use crate::rows::{corrupt, owner_param, parse_col};
use crate::tx::{SqlTx, described};

/// A session row as read: the session, its secret's nonce and sealed text, its token digest.
pub(crate) type SealedSession = (Session, Vec<u8>, Vec<u8>, Vec<u8>);

impl SqlTx<'_> {
    /// Opens the sealed secret of the session row read for key `id`.
    pub(crate) fn opened_session(
        &self,
        id: &AccessKeyId,
        row: Option<SealedSession>,
    ) -> CoreResult<Option<(Session, Secret, Vec<u8>)>> {
        row.map(|(session, nonce, sealed, digest)| {
            let secret = self.unseal(id, &nonce, &sealed)?;
            Ok((session, secret, digest))
        })
        .transpose()
    }

    pub(crate) fn read_session_for_authentication(
        &self,
        id: &AccessKeyId,
    ) -> CoreResult<Option<(Session, Secret, Vec<u8>)>> {
        let row = self.one(
            "SELECT account_id, user_id, parent_key_id, secret_nonce, secret_sealed, \
             token_digest, created_at, expires_at, mfa_at FROM sessions WHERE id = ?1",
            [id.as_str()],
            |r| {
                let user: Option<String> = r.get(1)?;
                let session = Session {
                    key_id: id.clone(),
                    account_id: parse_col(r, 0, "account id", AccountId::parse)?,
                    origin: SessionOrigin::Key {
                        owner: match user {
                            None => KeyOwner::Root,
                            Some(u) => KeyOwner::User(
                                UserId::parse(&u).map_err(|e| corrupt("user id", e))?,
                            ),
                        },
                        parent_key: parse_col(r, 2, "access key id", AccessKeyId::parse)?,
                    },
                    created_at: Timestamp::from_unix_millis(r.get(6)?),
                    expires_at: Timestamp::from_unix_millis(r.get(7)?),
                    mfa_at: r.get::<Option<i64>>(8)?.map(Timestamp::from_unix_millis),
                };
                Ok((
                    session,
                    r.get::<Vec<u8>>(3)?,
                    r.get::<Vec<u8>>(4)?,
                    r.get::<Vec<u8>>(5)?,
                ))
            },
        )?;
        self.opened_session(id, row)
    }

    pub(crate) fn write_insert_session(
        &self,
        s: &Session,
        secret: &Secret,
        token_digest: &[u8],
    ) -> CoreResult<()> {
        let (owner, parent_key) = match &s.origin {
            SessionOrigin::Key { owner, parent_key } => (owner, parent_key),
            SessionOrigin::Role(r) => {
                return self.write_insert_role_session(s, r, secret, token_digest);
            }
            SessionOrigin::SignIn { user } => {
                return self.write_insert_sign_in_session(s, user, secret, token_digest);
            }
        };
        let (nonce, sealed) = self
            .seal
            .seal(s.key_id.as_str(), secret.expose())
            .map_err(described)?;
        // The parent key must be in the session's account: no row is written otherwise.
        let n = self.exec(
            "INSERT INTO sessions (id, account_id, user_id, parent_key_id, secret_nonce, \
             secret_sealed, token_digest, created_at, expires_at, mfa_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 FROM access_keys \
             WHERE id = ?4 AND account_id = ?2",
            params![
                s.key_id.as_str(),
                s.account_id.as_str(),
                owner_param(owner),
                parent_key.as_str(),
                nonce,
                sealed,
                token_digest,
                s.created_at.unix_millis(),
                s.expires_at.unix_millis(),
                s.mfa_at.map(Timestamp::unix_millis)
            ],
        )?;
        match n {
            1 => Ok(()),
            _ => Err(described("no such parent key in this account".into())),
        }
    }

    pub(crate) fn write_delete_expired_sessions(&self, now: Timestamp) -> CoreResult<()> {
        self.exec(
            "DELETE FROM sessions WHERE expires_at <= ?1",
            [now.unix_millis()],
        )?;
        self.exec(
            "DELETE FROM role_sessions WHERE expires_at <= ?1",
            [now.unix_millis()],
        )?;
        self.exec(
            "DELETE FROM sign_in_sessions WHERE expires_at <= ?1",
            [now.unix_millis()],
        )
        .map(drop)
    }

    pub(crate) fn read_sign_in_session(
        &self,
        id: &AccessKeyId,
    ) -> CoreResult<Option<(Session, Secret, Vec<u8>)>> {
        let row = self.one(
            "SELECT account_id, user_id, secret_nonce, secret_sealed, token_digest, created_at, \
             expires_at, mfa_at FROM sign_in_sessions WHERE id = ?1",
            [id.as_str()],
            |r| {
                let session = Session {
                    key_id: id.clone(),
                    account_id: parse_col(r, 0, "account id", AccountId::parse)?,
                    origin: SessionOrigin::SignIn {
                        user: parse_col(r, 1, "user id", UserId::parse)?,
                    },
                    created_at: Timestamp::from_unix_millis(r.get(5)?),
                    expires_at: Timestamp::from_unix_millis(r.get(6)?),
                    mfa_at: r.get::<Option<i64>>(7)?.map(Timestamp::from_unix_millis),
                };
                Ok((
                    session,
                    r.get::<Vec<u8>>(2)?,
                    r.get::<Vec<u8>>(3)?,
                    r.get::<Vec<u8>>(4)?,
                ))
            },
        )?;
        self.opened_session(id, row)
    }

    fn write_insert_sign_in_session(
        &self,
        s: &Session,
        user: &UserId,
        secret: &Secret,
        token_digest: &[u8],
    ) -> CoreResult<()> {
        let (nonce, sealed) = self
            .seal
            .seal(s.key_id.as_str(), secret.expose())
            .map_err(described)?;
        // The user's login profile must be in the session's account: no row is written otherwise.
        let n = self.exec(
            "INSERT INTO sign_in_sessions (id, account_id, user_id, secret_nonce, \
             secret_sealed, token_digest, created_at, expires_at, mfa_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM login_profiles \
             WHERE user_id = ?3 AND account_id = ?2",
            params![
                s.key_id.as_str(),
                s.account_id.as_str(),
                user.as_str(),
                nonce,
                sealed,
                token_digest,
                s.created_at.unix_millis(),
                s.expires_at.unix_millis(),
                s.mfa_at.map(Timestamp::unix_millis)
            ],
        )?;
        match n {
            1 => Ok(()),
            _ => Err(described("no such login profile in this account".into())),
        }
    }
}
