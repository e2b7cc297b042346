//! Temporary credentials a principal makes for itself (STS GetSessionToken), and the rules
//! AWS documents for what they may do: no session from a session, no IAM call without MFA,
//! and a key call must name its user.

use crate::error::{CoreError, CoreResult, SessionRule};
use crate::ids::{AccessKeyId, AccountId};
use crate::model::{KeyOwner, MfaDevice, NewSession, Principal, Session, SessionOrigin, Timestamp};
use crate::rules::Operation;
use crate::service::UserSignIn;
use crate::store::{self, WriteTx};
use crate::{password, totp};

use super::Caller;

/// GetSessionToken's bounds on `DurationSeconds`, and its default, for users (AWS: 15 minutes
/// to 36 hours, 12 hours).
pub const SESSION_SECONDS: (u32, u32, u32) = (900, 129_600, 43_200);
/// The root's sessions last an hour at most; a longer request gets the hour (AWS).
pub const ROOT_SESSION_SECONDS: u32 = 3600;
/// A user's sign-in lasts twelve hours, as an AWS console session does.
pub const SIGN_IN_SECONDS: u32 = 43_200;

impl Caller<'_> {
    /// The account the access key (long-term or temporary) with this id belongs to, in
    /// whichever account: STS GetAccessKeyInfo answers it for any key, as AWS documents, and
    /// nothing else of the key.
    pub fn access_key_info(&self, id: &AccessKeyId) -> CoreResult<AccountId> {
        self.read(|tx| {
            self.authorize(tx, Operation::GetAccessKeyInfo, &["*"])?;
            if let Some(k) = tx.key_for_authentication(id)? {
                return Ok(k.account_id);
            }
            match tx.session_for_authentication(id)? {
                Some((s, _, _)) => Ok(s.account_id),
                None => Err(CoreError::NoSuchAccessKey(id.clone())),
            }
        })
    }

    /// Makes session credentials for the caller from the long-term key it signed with, valid
    /// for `duration` seconds (the default when `None`). `mfa` is the serial number of a device
    /// enabled for the caller and its current code: the session then carries MFA.
    pub fn get_session_token(
        &self,
        duration: Option<u32>,
        mfa: Option<(&str, &str)>,
    ) -> CoreResult<NewSession> {
        let (min, max, default) = SESSION_SECONDS;
        let seconds = duration.unwrap_or(default);
        if !(min..=max).contains(&seconds) {
            return Err(crate::validate::invalid(
                "DurationSeconds",
                format!("must be between {min} and {max}"),
            ));
        }
        if self.session.is_some() {
            return Err(CoreError::SessionRefused(SessionRule::NoSessionFromSession));
        }
        let Some(parent) = self.signed_by.clone() else {
            return Err(CoreError::SessionRefused(SessionRule::SignedOnly));
        };
        let (seconds, owner) = match self.principal {
            Principal::Root { .. } => (seconds.min(ROOT_SESSION_SECONDS), KeyOwner::Root),
            Principal::User { id, .. } => (seconds, KeyOwner::User(id.clone())),
            // Only ever signed with a session's key, refused above.
            Principal::Role { .. } => {
                return Err(CoreError::SessionRefused(SessionRule::NoSessionFromSession));
            }
        };
        let now = self.svc.clock.now();
        self.write_settled(|tx: &dyn WriteTx| {
            let mfa_at = match mfa {
                Some((serial, code)) => match self.prove_mfa(tx, serial, code, now)? {
                    Some(at) => Some(at),
                    // The failure is counted and kept: the transaction commits, the call fails.
                    None => return Ok(Err(CoreError::SessionRefused(SessionRule::MfaWrongCode))),
                },
                None => None,
            };
            let origin = SessionOrigin::Key {
                owner: owner.clone(),
                parent_key: parent.clone(),
            };
            Ok(Ok(self.insert_session(tx, origin, now, seconds, mfa_at)?))
        })
    }

    /// The session of a user whose password was just proven. When the user has MFA devices,
    /// the code must be one of theirs; when its password must be changed, the new one must be
    /// allowed as ChangePassword allows it. Everything is checked before anything is written,
    /// and the code, the new password and the session are kept in one transaction: a wrong
    /// code changes no password (its failure is counted, as for every MFA check).
    pub(crate) fn open_sign_in(&self, req: &UserSignIn<'_>) -> CoreResult<NewSession> {
        let Principal::User { id, name, .. } = self.principal else {
            return Err(CoreError::NotAUser);
        };
        let (devices, must_change) = store::read(&*self.svc.store, |tx| {
            let devices: Vec<MfaDevice> = tx
                .mfa_devices(self.account())?
                .into_iter()
                .filter(|d| d.user.as_ref().is_some_and(|(u, _)| u == id))
                .collect();
            let profile = tx.login_profile(self.account(), id)?;
            Ok((devices, profile.is_some_and(|p| p.reset_required)))
        })?;
        let code = match (devices.is_empty(), req.mfa_code) {
            (true, _) => None,
            (false, None) => return Err(CoreError::SessionRefused(SessionRule::MfaCodeRequired)),
            (false, Some(c)) => Some(c),
        };
        let new_hash = match (must_change, req.new_password) {
            (false, _) => None,
            (true, None) => {
                return Err(CoreError::SessionRefused(SessionRule::NewPasswordRequired));
            }
            (true, Some(new)) => {
                self.may_set_own_password(name, new)?;
                Some(password::hash(new.expose())?)
            }
        };
        let now = self.svc.clock.now();
        // A sign-in is no session's call: the rule of sessions does not apply.
        self.write_as_any_session(|tx| {
            let mfa_at = match code {
                None => None,
                Some(code) => match self.prove_any_mfa(tx, &devices, code.expose(), now)? {
                    Some(at) => Some(at),
                    // The failure is counted and kept: the transaction commits, the call fails.
                    None => return Ok(Err(CoreError::SessionRefused(SessionRule::MfaWrongCode))),
                },
            };
            if let Some(hash) = &new_hash {
                let mut profile = tx
                    .login_profile(self.account(), id)?
                    .ok_or_else(|| CoreError::NoSuchLoginProfile(name.clone()))?;
                profile.hash = hash.clone();
                profile.reset_required = false;
                tx.put_login_profile(&profile)?;
            }
            let origin = SessionOrigin::SignIn { user: id.clone() };
            Ok(Ok(self.insert_session(
                tx,
                origin,
                now,
                SIGN_IN_SECONDS,
                mfa_at,
            )?))
        })
    }

    /// Proves a code of one of the caller's enabled `devices`: the one whose code it is, or,
    /// when it is none's, a failure counted on each.
    fn prove_any_mfa(
        &self,
        tx: &dyn WriteTx,
        devices: &[MfaDevice],
        code: &str,
        now: Timestamp,
    ) -> CoreResult<Option<Timestamp>> {
        for d in devices {
            if d.failures < totp::MAX_MFA_FAILURES
                && totp::accept(&d.seed, code, now, d.last_step, d.drift)?.is_some()
            {
                return self.prove_mfa(tx, &d.serial, code, now);
            }
        }
        for d in devices {
            self.prove_mfa(tx, &d.serial, code, now)?;
        }
        Ok(None)
    }

    /// Stores a new session made now for `seconds`, and hands out its secret and token; the
    /// expired sessions of every account go at the same time.
    pub(super) fn insert_session(
        &self,
        tx: &dyn WriteTx,
        origin: SessionOrigin,
        now: Timestamp,
        seconds: u32,
        mfa_at: Option<Timestamp>,
    ) -> CoreResult<NewSession> {
        tx.delete_expired_sessions(now)?;
        let session = Session {
            key_id: self.svc.ids.session_key_id(),
            account_id: self.account().clone(),
            origin,
            created_at: now,
            expires_at: now.plus_seconds(i64::from(seconds)),
            mfa_at,
        };
        let secret = self.svc.ids.secret();
        let token = self.svc.ids.session_token();
        let digest = <sha2::Sha256 as sha2::Digest>::digest(token.expose().as_bytes());
        tx.insert_session(&session, &secret, &digest)?;
        Ok(NewSession {
            session,
            secret,
            token,
        })
    }
}

#[cfg(test)]
#[path = "sessions_tests.rs"]
mod tests;
