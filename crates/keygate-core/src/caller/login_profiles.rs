//! What a principal may do with EIM users' passwords: give a user one (its login profile),
//! read, change and remove it, change its own (ChangePassword, checked through the sign-in
//! guards as account passwords are), and set the account's password policy.

use crate::error::{CoreError, CoreResult};
use crate::ids::UserName;
use crate::model::{LoginProfile, PasswordPolicy, Principal, Secret, User};
use crate::password;
use crate::rules::Operation;
use crate::store::ReadTx;

use super::Caller;

/// A password's text: 1 to 128 characters, then the account's policy.
fn policy_allows(tx: &dyn ReadTx, c: &Caller<'_>, password: &Secret) -> CoreResult<()> {
    let policy = tx.password_policy(c.account())?;
    PasswordPolicy::check(policy.as_ref(), password.expose()).map_err(CoreError::PasswordPolicy)
}

fn length_ok(password: &Secret, field: &'static str) -> CoreResult<()> {
    let n = password.expose().chars().count();
    if n == 0 || n > 128 {
        return Err(crate::validate::invalid(
            field,
            "must be 1 to 128 characters",
        ));
    }
    Ok(())
}

impl Caller<'_> {
    pub fn create_login_profile(
        &self,
        user: &UserName,
        password: &Secret,
        reset_required: bool,
    ) -> CoreResult<LoginProfile> {
        length_ok(password, "Password")?;
        let hash = password::hash(password.expose())?;
        let now = self.svc.clock.now();
        self.write(|tx| {
            let u = self.existing_user(tx, Operation::CreateLoginProfile, user)?;
            if tx.login_profile(self.account(), &u.id)?.is_some() {
                return Err(CoreError::LoginProfileExists(user.clone()));
            }
            policy_allows(tx, self, password)?;
            let profile = LoginProfile {
                account_id: self.account().clone(),
                user: u.id,
                hash: hash.clone(),
                reset_required,
                created_at: now,
            };
            tx.put_login_profile(&profile)?;
            Ok(profile)
        })
    }

    pub fn get_login_profile(&self, user: &UserName) -> CoreResult<LoginProfile> {
        self.read(|tx| {
            let u = self.existing_user(tx, Operation::GetLoginProfile, user)?;
            tx.login_profile(self.account(), &u.id)?
                .ok_or_else(|| CoreError::NoSuchLoginProfile(user.clone()))
        })
    }

    /// Sets a new password and/or whether it must be reset at the next sign-in.
    pub fn update_login_profile(
        &self,
        user: &UserName,
        password: Option<&Secret>,
        reset_required: Option<bool>,
    ) -> CoreResult<()> {
        let hash = match password {
            Some(p) => {
                length_ok(p, "Password")?;
                Some(password::hash(p.expose())?)
            }
            None => None,
        };
        self.write(|tx| {
            let u = self.existing_user(tx, Operation::UpdateLoginProfile, user)?;
            let mut profile = tx
                .login_profile(self.account(), &u.id)?
                .ok_or_else(|| CoreError::NoSuchLoginProfile(user.clone()))?;
            if let (Some(p), Some(h)) = (password, &hash) {
                policy_allows(tx, self, p)?;
                profile.hash = h.clone();
            }
            if let Some(r) = reset_required {
                profile.reset_required = r;
            }
            tx.put_login_profile(&profile)
        })
    }

    pub fn delete_login_profile(&self, user: &UserName) -> CoreResult<()> {
        self.write(|tx| {
            let u = self.existing_user(tx, Operation::DeleteLoginProfile, user)?;
            if tx.login_profile(self.account(), &u.id)?.is_none() {
                return Err(CoreError::NoSuchLoginProfile(user.clone()));
            }
            tx.delete_login_profile(self.account(), &u.id)
        })
    }

    /// A user changes its own password, proving the old one. Allowed by the account's
    /// password policy (`AllowUsersToChangePassword`) or by a policy allowing
    /// `iam:ChangePassword` on the user itself.
    pub fn change_password(&self, old: &Secret, new: &Secret) -> CoreResult<()> {
        let Principal::User { name, .. } = self.principal else {
            return Err(CoreError::NotAUser);
        };
        let (user, profile) = self.may_set_own_password(name, new)?;
        // The old password goes through the sign-in guards: guesses are throttled per source
        // and lock this user, from that source, as an account's login is locked.
        let now = || self.svc.clock.now();
        self.svc
            .sign_in
            .check(
                &*self.svc.store,
                &user.arn(),
                self.source(),
                now,
                || Ok(Some(profile.hash.clone())),
                old.expose(),
            )
            .map_err(|e| match e {
                CoreError::BadCredentials => CoreError::WrongOldPassword,
                other => other,
            })?;
        let hash = password::hash(new.expose())?;
        self.write(|tx| {
            let mut current = tx
                .login_profile(self.account(), &user.id)?
                .ok_or_else(|| CoreError::NoSuchLoginProfile(name.clone()))?;
            current.hash = hash.clone();
            current.reset_required = false;
            tx.put_login_profile(&current)
        })
    }

    /// Whether the user `name` (the caller) may set its own password to `new`: allowed by the
    /// account's password policy or a policy allowing ChangePassword on it, and `new` within
    /// the password policy. Answers the user and its login profile.
    pub(super) fn may_set_own_password(
        &self,
        name: &UserName,
        new: &Secret,
    ) -> CoreResult<(User, LoginProfile)> {
        length_ok(new, "NewPassword")?;
        self.read(|tx| {
            let (found, arn) = self.target_user(tx, name)?;
            let policy = tx.password_policy(self.account())?;
            if !policy.is_some_and(|p| p.allow_users_to_change) {
                self.authorize(tx, Operation::ChangePassword, &[&arn])?;
            }
            let u = found.ok_or_else(|| CoreError::NoSuchUser(name.clone()))?;
            let profile = tx
                .login_profile(self.account(), &u.id)?
                .ok_or_else(|| CoreError::NoSuchLoginProfile(name.clone()))?;
            PasswordPolicy::check(policy.as_ref(), new.expose())
                .map_err(CoreError::PasswordPolicy)?;
            Ok((u, profile))
        })
    }

    pub fn get_account_password_policy(&self) -> CoreResult<PasswordPolicy> {
        self.read(|tx| {
            self.authorize(tx, Operation::GetAccountPasswordPolicy, &["*"])?;
            tx.password_policy(self.account())?
                .ok_or(CoreError::NoPasswordPolicy)
        })
    }

    pub fn update_account_password_policy(&self, policy: PasswordPolicy) -> CoreResult<()> {
        if !(6..=128).contains(&policy.minimum_length) {
            return Err(crate::validate::invalid(
                "MinimumPasswordLength",
                "must be between 6 and 128",
            ));
        }
        self.write(|tx| {
            self.authorize(tx, Operation::UpdateAccountPasswordPolicy, &["*"])?;
            tx.put_password_policy(self.account(), &policy)
        })
    }

    pub fn delete_account_password_policy(&self) -> CoreResult<()> {
        self.write(|tx| {
            self.authorize(tx, Operation::DeleteAccountPasswordPolicy, &["*"])?;
            if tx.password_policy(self.account())?.is_none() {
                return Err(CoreError::NoPasswordPolicy);
            }
            tx.delete_password_policy(self.account())
        })
    }
}

#[cfg(test)]
#[path = "login_profiles_tests.rs"]
mod tests;
