//! Temporary credentials a principal makes for itself (STS GetSessionToken), and the rules
//! AWS documents for what they may do: no session from a session, no IAM call without MFA,
//! and a key call must name its user.

use crate::error::{CoreError, CoreResult, SessionRule};
use crate::ids::{AccessKeyId, AccountId};
use crate::model::{KeyOwner, NewSession, Principal, Session, SessionOrigin, Timestamp};
use crate::rules::Operation;
use crate::service::UserSignIn;
use crate::store::{self, WriteTx};

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
        self.write(|tx: &dyn WriteTx| {
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
        })?
    }

    /// The session of a user whose password was just proven: its password changed first when
    /// it must be (through ChangePassword's rules), its MFA code proven when it has a device.
    pub(crate) fn open_sign_in(&self, req: &UserSignIn<'_>) -> CoreResult<NewSession> {
        let Principal::User { id, .. } = self.principal else {
            return Err(CoreError::NotAUser);
        };
        let must_change = store::read(&*self.svc.store, |tx| {
            Ok(tx
                .login_profile(self.account(), id)?
                .is_some_and(|p| p.reset_required))
        })?;
        if must_change {
            let new = req
                .new_password
                .ok_or(CoreError::SessionRefused(SessionRule::NewPasswordRequired))?;
            self.change_password(req.password, new)?;
        }
        let now = self.svc.clock.now();
        store::write(&*self.svc.store, |tx| {
            let device = tx
                .mfa_devices(self.account())?
                .into_iter()
                .find(|d| d.user.as_ref().is_some_and(|(u, _)| u == id));
            let mfa_at = match (device, req.mfa_code) {
                (None, _) => None,
                (Some(_), None) => {
                    return Ok(Err(CoreError::SessionRefused(SessionRule::MfaCodeRequired)));
                }
                (Some(d), Some(code)) => match self.prove_mfa(tx, &d.serial, code.expose(), now)? {
                    Some(at) => Some(at),
                    // The failure is counted and kept: the transaction commits, the call fails.
                    None => return Ok(Err(CoreError::SessionRefused(SessionRule::MfaWrongCode))),
                },
            };
            let origin = SessionOrigin::SignIn { user: id.clone() };
            Ok(Ok(self.insert_session(
                tx,
                origin,
                now,
                SIGN_IN_SECONDS,
                mfa_at,
            )?))
        })?
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
