//! EIM users' passwords: CreateLoginProfile, GetLoginProfile, UpdateLoginProfile,
//! DeleteLoginProfile, ChangePassword, and the account's password policy
//! (GetAccountPasswordPolicy, UpdateAccountPasswordPolicy, DeleteAccountPasswordPolicy).

use keygate_core::{Caller, LoginProfile, PasswordPolicy, Secret, UserName};

use super::{Answer, Encode, Op, empty};
use crate::decode;
use crate::error::IamError;
use crate::params::Params;
use crate::xml::Xml;

/// A password parameter: 1 to 128 characters (the rest is the account's policy, in the core).
fn password(p: &Params, name: &str) -> Result<Secret, IamError> {
    p.get(name)
        .map(|v| Secret::new(v.to_owned()))
        .ok_or_else(|| IamError::missing(&decode::member(name)))
}

/// `<LoginProfile>`.
#[derive(Debug)]
pub struct Profile(pub UserName, pub LoginProfile);

impl Encode for Profile {
    fn write(&self, x: &mut Xml) {
        x.open("LoginProfile");
        x.text("UserName", self.0.as_str());
        x.date("CreateDate", self.1.created_at);
        x.boolean("PasswordResetRequired", self.1.reset_required);
        x.close("LoginProfile");
    }
}

#[derive(Debug)]
pub struct CreateLoginProfile {
    pub user: UserName,
    pub password: Secret,
    pub reset_required: bool,
}

impl Op for CreateLoginProfile {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user: decode::user(p)?,
            password: password(p, "Password")?,
            reset_required: decode::flag(p, "PasswordResetRequired")?.unwrap_or(false),
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let profile = c.create_login_profile(&self.user, &self.password, self.reset_required)?;
        Ok(Box::new(Profile(self.user, profile)))
    }
}

#[derive(Debug)]
pub struct GetLoginProfile(pub UserName);

impl Op for GetLoginProfile {
    fn decode(p: &Params) -> Result<Self, IamError> {
        decode::user(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let profile = c.get_login_profile(&self.0)?;
        Ok(Box::new(Profile(self.0, profile)))
    }
}

#[derive(Debug)]
pub struct UpdateLoginProfile {
    pub user: UserName,
    pub password: Option<Secret>,
    pub reset_required: Option<bool>,
}

impl Op for UpdateLoginProfile {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user: decode::user(p)?,
            password: p.get("Password").map(|v| Secret::new(v.to_owned())),
            reset_required: decode::flag(p, "PasswordResetRequired")?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.update_login_profile(&self.user, self.password.as_ref(), self.reset_required)?;
        empty()
    }
}

#[derive(Debug)]
pub struct DeleteLoginProfile(pub UserName);

impl Op for DeleteLoginProfile {
    fn decode(p: &Params) -> Result<Self, IamError> {
        decode::user(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.delete_login_profile(&self.0)?;
        empty()
    }
}

#[derive(Debug)]
pub struct ChangePassword {
    pub old: Secret,
    pub new: Secret,
}

impl Op for ChangePassword {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            old: password(p, "OldPassword")?,
            new: password(p, "NewPassword")?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.change_password(&self.old, &self.new)?;
        empty()
    }
}

#[derive(Debug)]
pub struct GetAccountPasswordPolicy;

impl Op for GetAccountPasswordPolicy {
    fn decode(_: &Params) -> Result<Self, IamError> {
        Ok(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        Ok(Box::new(Policy(c.get_account_password_policy()?)))
    }
}

/// `<PasswordPolicy>`.
#[derive(Debug)]
pub struct Policy(pub PasswordPolicy);

impl Encode for Policy {
    fn write(&self, x: &mut Xml) {
        let p = &self.0;
        x.open("PasswordPolicy");
        x.text("MinimumPasswordLength", &p.minimum_length.to_string());
        x.boolean("RequireSymbols", p.require_symbols);
        x.boolean("RequireNumbers", p.require_numbers);
        x.boolean("RequireUppercaseCharacters", p.require_uppercase);
        x.boolean("RequireLowercaseCharacters", p.require_lowercase);
        x.boolean("AllowUsersToChangePassword", p.allow_users_to_change);
        x.boolean("ExpirePasswords", false);
        x.close("PasswordPolicy");
    }
}

#[derive(Debug)]
pub struct UpdateAccountPasswordPolicy(pub PasswordPolicy);

impl Op for UpdateAccountPasswordPolicy {
    /// keygate keeps no password history and has no password sign-in of EIM users yet, so the
    /// settings that would need them are refused rather than kept and not enforced.
    fn decode(p: &Params) -> Result<Self, IamError> {
        for unsupported in ["MaxPasswordAge", "PasswordReusePrevention", "HardExpiry"] {
            if p.get(unsupported).is_some() {
                return Err(IamError::InvalidInput(format!(
                    "{unsupported} is not supported: keygate does not enforce password expiry \
                     or reuse."
                )));
            }
        }
        let minimum_length = match p.get("MinimumPasswordLength") {
            None => 6,
            Some(v) => v.parse::<u32>().map_err(|_| {
                IamError::validation(
                    "minimumPasswordLength",
                    Some(v),
                    "Member must be an integer",
                )
            })?,
        };
        if !(6..=128).contains(&minimum_length) {
            return Err(IamError::validation(
                "minimumPasswordLength",
                p.get("MinimumPasswordLength"),
                "Member must have value between 6 and 128",
            ));
        }
        Ok(Self(PasswordPolicy {
            minimum_length,
            require_symbols: decode::flag(p, "RequireSymbols")?.unwrap_or(false),
            require_numbers: decode::flag(p, "RequireNumbers")?.unwrap_or(false),
            require_uppercase: decode::flag(p, "RequireUppercaseCharacters")?.unwrap_or(false),
            require_lowercase: decode::flag(p, "RequireLowercaseCharacters")?.unwrap_or(false),
            allow_users_to_change: decode::flag(p, "AllowUsersToChangePassword")?.unwrap_or(false),
        }))
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.update_account_password_policy(self.0)?;
        empty()
    }
}

#[derive(Debug)]
pub struct DeleteAccountPasswordPolicy;

impl Op for DeleteAccountPasswordPolicy {
    fn decode(_: &Params) -> Result<Self, IamError> {
        Ok(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.delete_account_password_policy()?;
        empty()
    }
}
