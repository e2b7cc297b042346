//! Passwords of EIM users (login profiles) and the account's password policy.

use crate::ids::{AccountId, UserId};
use crate::model::Timestamp;

/// A user's password, kept as an argon2id hash only.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginProfile {
    pub account_id: AccountId,
    pub user: UserId,
    /// The PHC string of the password's argon2id hash.
    pub hash: String,
    /// The user must set a new password at its next sign-in.
    pub reset_required: bool,
    pub created_at: Timestamp,
}

impl std::fmt::Debug for LoginProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginProfile")
            .field("user", &self.user)
            .field("reset_required", &self.reset_required)
            .finish_non_exhaustive()
    }
}

/// What users' passwords must be (UpdateAccountPasswordPolicy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// 6 to 128.
    pub minimum_length: u32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    /// Users may change their own password (ChangePassword) without a policy allowing
    /// `iam:ChangePassword`.
    pub allow_users_to_change: bool,
}

/// The symbols AWS counts: `! @ # $ % ^ & * ( ) _ + - = [ ] { } | '`.
const SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";

impl PasswordPolicy {
    /// What a password must be when the account sets no policy, as AWS documents it: eight
    /// characters at least, with three of upper case, lower case, digits and symbols.
    pub fn check(policy: Option<&PasswordPolicy>, password: &str) -> Result<(), String> {
        let n = password.chars().count();
        let upper = password.chars().any(|c| c.is_ascii_uppercase());
        let lower = password.chars().any(|c| c.is_ascii_lowercase());
        let digit = password.chars().any(|c| c.is_ascii_digit());
        let symbol = password.chars().any(|c| SYMBOLS.contains(c));
        match policy {
            None => {
                let kinds = [upper, lower, digit, symbol].iter().filter(|k| **k).count();
                if n < 8 || kinds < 3 {
                    return Err(
                        "at least 8 characters, with three of: upper case, lower case, \
                                digits, symbols"
                            .into(),
                    );
                }
            }
            Some(p) => {
                let missing = [
                    (p.require_uppercase && !upper, "an upper-case letter"),
                    (p.require_lowercase && !lower, "a lower-case letter"),
                    (p.require_numbers && !digit, "a digit"),
                    (p.require_symbols && !symbol, "a symbol"),
                ];
                if n < p.minimum_length as usize {
                    return Err(format!("at least {} characters", p.minimum_length));
                }
                if let Some((_, what)) = missing.iter().find(|(m, _)| *m) {
                    return Err(format!("must contain {what}"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_meet_the_default_and_a_set_policy() {
        assert!(PasswordPolicy::check(None, "Abcdef12").is_ok());
        assert!(PasswordPolicy::check(None, "abcdefgh").is_err(), "one kind");
        assert!(PasswordPolicy::check(None, "Ab1!").is_err(), "short");
        let p = PasswordPolicy {
            minimum_length: 12,
            require_symbols: true,
            require_numbers: true,
            require_uppercase: false,
            require_lowercase: true,
            allow_users_to_change: true,
        };
        assert!(PasswordPolicy::check(Some(&p), "correct-horse-1").is_ok());
        assert!(
            PasswordPolicy::check(Some(&p), "correcthorse1").is_err(),
            "no symbol"
        );
        assert!(PasswordPolicy::check(Some(&p), "short-1").is_err());
    }
}

/// The failed password attempts of one login from one source since its last success, kept in
/// the store so that every replica counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    pub failures: u32,
    pub locked_until: Option<Timestamp>,
    /// The last failure.
    pub at: Timestamp,
}
