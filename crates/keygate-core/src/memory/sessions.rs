//! Sign-in state in a `MemoryStore`, the write half: sessions, login profiles and the
//! password policy, MFA devices and failed password attempts; the trait impl delegates here.

use crate::error::CoreResult;
use crate::ids::{AccountId, UserId};
use crate::model::{
    LoginFailures, LoginProfile, MfaDevice, PasswordPolicy, Secret, Session, SessionOrigin,
    Timestamp,
};

use super::{Tx, conflict};

impl Tx {
    pub(super) fn stored_insert_session(
        &self,
        session: &Session,
        secret: &Secret,
        token_digest: &[u8],
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        let parent_here = match &session.origin {
            SessionOrigin::Key { parent_key, .. } => s
                .keys
                .get(parent_key)
                .is_some_and(|(k, _)| k.account_id == session.account_id),
            SessionOrigin::Role(r) => s.role_in(&session.account_id, &r.role).is_some(),
            SessionOrigin::SignIn { user } => s
                .logins
                .get(user)
                .is_some_and(|l| l.account_id == session.account_id),
        };
        if !parent_here
            || s.keys.contains_key(&session.key_id)
            || s.sessions.contains_key(&session.key_id)
        {
            return Err(conflict("no such parent key, or key id taken"));
        }
        s.sessions.insert(
            session.key_id.clone(),
            (session.clone(), secret.clone(), token_digest.to_vec()),
        );
        Ok(())
    }

    pub(super) fn stored_put_login_profile(&self, profile: &LoginProfile) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.user_in(&profile.account_id, &profile.user).is_none() {
            return Err(conflict("no such user"));
        }
        s.logins.insert(profile.user.clone(), profile.clone());
        Ok(())
    }

    pub(super) fn stored_delete_login_profile(
        &self,
        account: &AccountId,
        user: &UserId,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.logins.get(user).is_some_and(|l| &l.account_id == account) {
            s.logins.remove(user);
            s.sessions.retain(|_, (session, _, _)| {
                !matches!(&session.origin, SessionOrigin::SignIn { user: u } if u == user)
            });
        }
        Ok(())
    }

    pub(super) fn stored_put_password_policy(
        &self,
        account: &AccountId,
        policy: &PasswordPolicy,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if !s.accounts.contains_key(account) {
            return Err(conflict("no such account"));
        }
        s.password_policies.insert(account.clone(), *policy);
        Ok(())
    }

    pub(super) fn stored_delete_password_policy(&self, account: &AccountId) -> CoreResult<()> {
        self.0.borrow_mut().password_policies.remove(account);
        Ok(())
    }

    pub(super) fn stored_insert_mfa_device(&self, device: &MfaDevice) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if !s.accounts.contains_key(&device.account_id) || s.mfa.contains_key(&device.serial) {
            return Err(conflict("no such account, or serial number taken"));
        }
        s.mfa.insert(device.serial.clone(), device.clone());
        Ok(())
    }

    pub(super) fn stored_update_mfa_device(&self, device: &MfaDevice) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if let Some((u, _)) = &device.user
            && s.user_in(&device.account_id, u).is_none()
        {
            return Err(conflict("no such user"));
        }
        match s.mfa.get_mut(&device.serial) {
            Some(d) if d.account_id == device.account_id => {
                d.user = device.user.clone();
                d.last_step = device.last_step;
                d.drift = device.drift;
                d.failures = device.failures;
                d.tags = device.tags.clone();
                Ok(())
            }
            _ => Err(conflict("no such MFA device")),
        }
    }

    pub(super) fn stored_delete_mfa_device(
        &self,
        account: &AccountId,
        serial: &str,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        if s.mfa.get(serial).is_some_and(|d| &d.account_id == account) {
            s.mfa.remove(serial);
        }
        Ok(())
    }

    pub(super) fn stored_delete_expired_sessions(&self, now: Timestamp) -> CoreResult<()> {
        self.0
            .borrow_mut()
            .sessions
            .retain(|_, (session, _, _)| session.expires_at > now);
        Ok(())
    }

    pub(super) fn stored_put_login_failures(
        &self,
        login: &str,
        source: &str,
        failures: &LoginFailures,
    ) -> CoreResult<()> {
        self.0
            .borrow_mut()
            .login_failures
            .insert((login.to_owned(), source.to_owned()), *failures);
        Ok(())
    }

    pub(super) fn stored_delete_login_failures(&self, login: &str, source: &str) -> CoreResult<()> {
        self.0
            .borrow_mut()
            .login_failures
            .remove(&(login.to_owned(), source.to_owned()));
        Ok(())
    }

    pub(super) fn stored_insert_source_failure(
        &self,
        source: &str,
        at: Timestamp,
    ) -> CoreResult<()> {
        self.0
            .borrow_mut()
            .source_failures
            .push((source.to_owned(), at));
        Ok(())
    }

    pub(super) fn stored_delete_sign_in_failures_before(
        &self,
        logins_before: Timestamp,
        sources_before: Timestamp,
    ) -> CoreResult<()> {
        let mut s = self.0.borrow_mut();
        s.login_failures.retain(|_, f| f.at >= logins_before);
        s.source_failures.retain(|(_, at)| *at >= sources_before);
        Ok(())
    }
}
