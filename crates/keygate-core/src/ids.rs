//! Validated identifiers. Each newtype can only be built through its `parse`, so a value in
//! hand is known to satisfy the rule both real services document for it.

use std::fmt;

/// Why a text is not a valid identifier, in the words of the AWS constraint it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidId(pub String);

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_name_char(c: char) -> bool {
    is_word(c) || "+=,.@-".contains(c)
}

fn check_len(s: &str, min: usize, max: usize) -> Result<(), InvalidId> {
    let n = s.chars().count();
    if n < min {
        return Err(InvalidId(format!(
            "Member must have length greater than or equal to {min}"
        )));
    }
    if n > max {
        return Err(InvalidId(format!(
            "Member must have length less than or equal to {max}"
        )));
    }
    Ok(())
}

fn check_chars(s: &str, ok: fn(char) -> bool, pattern: &str) -> Result<(), InvalidId> {
    if s.chars().all(ok) {
        Ok(())
    } else {
        Err(InvalidId(format!(
            "Member must satisfy regular expression pattern: {pattern}"
        )))
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, InvalidId> {
                Self::parse(s)
            }
        }
    };
}

string_id!(
    /// An account's 12-digit id.
    AccountId
);
impl AccountId {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidId("Member must be exactly 12 digits".into()))
        }
    }
}

string_id!(
    /// An EIM/IAM user name: 1–64 of `[\w+=,.@-]`. Unique per account without regard to case.
    /// A name that only looks a user up may be up to 128 long (`parse_lookup`), as the IAM model
    /// allows; no user has such a name, so the lookup finds nothing.
    UserName
);
impl UserName {
    pub const MAX_LEN: usize = 64;

    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 1, Self::MAX_LEN)?;
        check_chars(s, is_name_char, r"[\w+=,.@-]+")?;
        Ok(Self(s.to_owned()))
    }

    /// A name that names an existing user: 1–128 of `[\w+=,.@-]`.
    pub fn parse_lookup(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 1, 128)?;
        check_chars(s, is_name_char, r"[\w+=,.@-]+")?;
        Ok(Self(s.to_owned()))
    }

    /// Whether a user may be created with this name.
    pub fn is_creatable(&self) -> bool {
        self.0.chars().count() <= Self::MAX_LEN
    }

    /// The form uniqueness is decided on.
    pub fn folded(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

string_id!(
    /// A user path: `/` alone, or printable ASCII between a leading and a trailing `/`; ≤ 512.
    UserPath
);
impl UserPath {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 1, 512)?;
        let ok = s == "/"
            || (s.len() >= 3
                && s.starts_with('/')
                && s.ends_with('/')
                && s.bytes().all(|b| (0x21..=0x7e).contains(&b)));
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidId(
                r"Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
                    .into(),
            ))
        }
    }

    pub fn root() -> Self {
        Self("/".to_owned())
    }
}

string_id!(
    /// A path prefix filter for listings: `/` followed by printable ASCII, ≤ 512.
    PathPrefix
);
impl PathPrefix {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 1, 512)?;
        if s.starts_with('/') && s.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidId(
                r"Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*".into(),
            ))
        }
    }
}

string_id!(
    /// An access key id: 16–128 of `[\w]`. keygate issues 20 upper-case alphanumerics.
    AccessKeyId
);
impl AccessKeyId {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 16, 128)?;
        check_chars(s, is_word, r"[\w]+")?;
        Ok(Self(s.to_owned()))
    }
}

string_id!(
    /// A user's unique id (`AIDA…`): 16–128 of `[\w]`.
    UserId
);

string_id!(
    /// A group's unique id (`AGPA…`): 16–128 of `[\w]`.
    GroupId
);
impl GroupId {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 16, 128)?;
        check_chars(s, is_word, r"[\w]+")?;
        Ok(Self(s.to_owned()))
    }
}

string_id!(
    /// A group name: 1–128 of `[\w+=,.@-]`. Unique per account without regard to case.
    GroupName
);
impl GroupName {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 1, 128)?;
        check_chars(s, is_name_char, r"[\w+=,.@-]+")?;
        Ok(Self(s.to_owned()))
    }

    /// The form uniqueness is decided on.
    pub fn folded(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}
impl UserId {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 16, 128)?;
        check_chars(s, is_word, r"[\w]+")?;
        Ok(Self(s.to_owned()))
    }
}

string_id!(
    /// A role's name: 1–64 of `[\w+=,.@-]`. Unique per account without regard to case.
    RoleName
);
impl RoleName {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 1, 64)?;
        check_chars(s, is_name_char, r"[\w+=,.@-]+")?;
        Ok(Self(s.to_owned()))
    }

    /// The form uniqueness is decided on.
    pub fn folded(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

string_id!(
    /// A role's unique id (`AROA…`): 16–128 of `[\w]`.
    RoleId
);
impl RoleId {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 16, 128)?;
        check_chars(s, is_word, r"[\w]+")?;
        Ok(Self(s.to_owned()))
    }
}

string_id!(
    /// The name an assumed role's session goes by: 2–64 of `[\w+=,.@-]`.
    RoleSessionName
);
impl RoleSessionName {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 2, 64)?;
        check_chars(s, is_name_char, r"[\w+=,.@-]*")?;
        Ok(Self(s.to_owned()))
    }
}

/// `<prefix>` and 32 lower-case hex digits: Outscale's ids of access rules and CAs.
fn check_hex_id(s: &str, prefix: &str) -> Result<(), InvalidId> {
    let ok = s
        .strip_prefix(prefix)
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(InvalidId(format!(
            "Member must be {prefix} followed by 32 hexadecimal digits"
        )))
    }
}

string_id!(
    /// An API access rule's id: `aar-` and 32 hex digits (Outscale).
    ApiAccessRuleId
);
impl ApiAccessRuleId {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_hex_id(s, "aar-")?;
        Ok(Self(s.to_ascii_lowercase()))
    }
}

string_id!(
    /// A client CA's id: `ca-` and 32 hex digits (Outscale).
    CaId
);
impl CaId {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_hex_id(s, "ca-")?;
        Ok(Self(s.to_ascii_lowercase()))
    }
}

string_id!(
    /// A virtual MFA device's name: 1–226 of `[\w+=,.@-]`.
    MfaName
);
impl MfaName {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 1, 226)?;
        check_chars(s, is_name_char, r"[\w+=,.@-]+")?;
        Ok(Self(s.to_owned()))
    }
}

string_id!(
    /// A managed policy's unique id (`ANPA…`): 16–128 of `[\w]`.
    PolicyId
);
impl PolicyId {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 16, 128)?;
        check_chars(s, is_word, r"[\w]+")?;
        Ok(Self(s.to_owned()))
    }
}

/// A managed policy version's id, `v1`, `v2`…: numbers are never reused within a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VersionId(u32);

impl VersionId {
    pub const FIRST: Self = Self(1);

    /// `v` and a number from 1, without leading zeros (AWS's `v[1-9][0-9]*`).
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        let digits = s.strip_prefix('v').unwrap_or("");
        let n = (!digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse::<u32>().ok())
            .flatten()
            .filter(|n| *n >= 1);
        n.map(Self).ok_or_else(|| {
            InvalidId(
                r"Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?"
                    .into(),
            )
        })
    }

    pub fn number(self) -> u32 {
        self.0
    }

    /// The version after this one; `None` once the numbers are exhausted.
    pub fn next(self) -> Option<Self> {
        self.0.checked_add(1).map(Self)
    }
}

impl fmt::Display for VersionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

string_id!(
    /// An inline policy's name: 1–128 of `[\w+=,.@-]`.
    PolicyName
);
impl PolicyName {
    /// The form uniqueness of a managed policy's name is decided on.
    pub fn folded(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}
impl PolicyName {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 1, 128)?;
        check_chars(s, is_name_char, r"[\w+=,.@-]+")?;
        Ok(Self(s.to_owned()))
    }
}

string_id!(
    /// An e-mail address, used as an account login. Compared without regard to case.
    Email
);
impl Email {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 3, 254)?;
        let valid = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && s.chars().all(|c| c.is_ascii_graphic())
            }
            None => false,
        };
        if valid {
            Ok(Self(s.to_ascii_lowercase()))
        } else {
            Err(InvalidId("Member must be an e-mail address".into()))
        }
    }
}

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || (c.is_whitespace() && !c.is_control()) || "_.:/=+-@".contains(c)
}

string_id!(
    /// A user tag's key: 1–128 of `[\p{L}\p{Z}\p{N}_.:/=+\-@]`.
    TagKey
);
impl TagKey {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 1, 128)?;
        check_chars(s, is_tag_char, r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+")?;
        Ok(Self(s.to_owned()))
    }
}

string_id!(
    /// A user tag's value: 0–256 of `[\p{L}\p{Z}\p{N}_.:/=+\-@]`.
    TagValue
);
impl TagValue {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_len(s, 0, 256)?;
        check_chars(s, is_tag_char, r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*")?;
        Ok(Self(s.to_owned()))
    }
}

#[cfg(test)]
#[path = "ids_tests.rs"]
mod tests;
