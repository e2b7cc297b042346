//! Virtual MFA devices: a TOTP seed an authenticator app holds, named by a serial number (its
//! ARN), enabled for one user by two consecutive codes. A code is accepted once: the device
//! remembers the last time step it accepted.

use crate::ids::{AccountId, UserId};
use crate::model::{Secret, Tag, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaDevice {
    pub account_id: AccountId,
    /// `arn:aws:iam::<account>:mfa<path><name>`.
    pub serial: String,
    /// The Base32 seed, secret as a key's secret is.
    pub seed: Secret,
    /// The user it is enabled for, since when.
    pub user: Option<(UserId, Timestamp)>,
    pub created_at: Timestamp,
    /// The last TOTP time step accepted: a code of that step or an earlier one is refused.
    pub last_step: Option<u64>,
    /// How many steps the device's clock runs ahead of the server's (behind when negative), as
    /// found when it was enabled or last resynchronised.
    pub drift: i64,
    /// Wrong codes in a row: at `MAX_MFA_FAILURES` the device takes no code until it is
    /// resynchronised, so its codes cannot be guessed.
    pub failures: u32,
    /// Sorted by key.
    pub tags: Vec<Tag>,
}
