//! The codes of virtual MFA devices: RFC 6238 TOTP with SHA-1, six digits and 30-second
//! steps, as authenticator apps and AWS use them (on `totp-rs`), and the QR code an app scans.

use totp_rs::{Algorithm, TOTP};

use crate::error::{CoreError, CoreResult};
use crate::model::{Secret, Timestamp};

/// Seconds per code.
pub const STEP: u64 = 30;
/// How many steps back two consecutive codes may be found when a device is enabled or
/// resynchronised: a clock drifted by up to five minutes still enables.
const RESYNC_WINDOW: u64 = 10;

fn totp(seed: &Secret, label: &str) -> CoreResult<TOTP> {
    let bytes = totp_rs::Secret::Encoded(seed.expose().to_owned())
        .to_bytes()
        .map_err(|e| CoreError::Internal(format!("an MFA seed is not Base32: {e:?}")))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        0,
        STEP,
        bytes,
        Some("keygate".into()),
        label.replace(':', "/"),
    )
    .map_err(|e| CoreError::Internal(format!("an MFA seed is unusable: {e}")))
}

fn step_now(now: Timestamp) -> u64 {
    u64::try_from(now.unix_millis() / 1000).unwrap_or(0) / STEP
}

fn code_at(t: &TOTP, step: u64) -> String {
    t.generate(step * STEP)
}

/// The time step `code` belongs to, within one step of now, and only when it is later than
/// `after` (the last one accepted): a code is accepted once.
pub fn accept(
    seed: &Secret,
    code: &str,
    now: Timestamp,
    after: Option<u64>,
) -> CoreResult<Option<u64>> {
    let t = totp(seed, "")?;
    let now = step_now(now);
    Ok((now.saturating_sub(1)..=now + 1)
        .filter(|s| after.is_none_or(|a| *s > a))
        .find(|s| code_at(&t, *s) == code))
}

/// The step of `second` when `first` and `second` are the codes of two consecutive steps
/// found within the last few minutes (EnableMFADevice, ResyncMFADevice).
pub fn consecutive(
    seed: &Secret,
    first: &str,
    second: &str,
    now: Timestamp,
) -> CoreResult<Option<u64>> {
    let t = totp(seed, "")?;
    let now = step_now(now) + 1;
    Ok((now.saturating_sub(RESYNC_WINDOW)..now)
        .rev()
        .find(|s| code_at(&t, *s) == first && code_at(&t, s + 1) == second)
        .map(|s| s + 1))
}

/// The PNG of the QR code of `otpauth://totp/keygate:<label>?secret=…`.
pub fn qr_png(seed: &Secret, label: &str) -> CoreResult<Vec<u8>> {
    totp(seed, label)?
        .get_qr_png()
        .map_err(|e| CoreError::Internal(format!("drawing the QR code: {e}")))
}

/// The code of `seed` at `at`: what an authenticator app shows (for tests of the callers).
#[cfg(test)]
pub fn code(seed: &Secret, at: Timestamp) -> String {
    code_at(
        &totp(seed, "").unwrap_or_else(|e| panic!("{e}")),
        step_now(at),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 vectors (eight digits there; the last six of each here).
    #[test]
    fn rfc_6238_vectors() {
        // "12345678901234567890" in Base32.
        let seed = Secret::new("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into());
        for (secs, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (2_000_000_000, "69279037"),
        ] {
            let at = Timestamp::from_unix_millis(secs * 1000);
            assert_eq!(code(&seed, at), eight[2..]);
        }
    }

    #[test]
    fn a_code_is_accepted_once_and_two_must_follow_each_other() {
        let seed = Secret::new("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into());
        let now = Timestamp::from_unix_millis(1_714_564_800_000);
        let c = code(&seed, now);
        let step = accept(&seed, &c, now, None).unwrap().unwrap();
        assert_eq!(
            accept(&seed, &c, now, Some(step)).unwrap(),
            None,
            "replayed"
        );
        assert_eq!(
            accept(&seed, "000000", now, None)
                .unwrap()
                .filter(|_| c != "000000"),
            None
        );
        let earlier = code(&seed, now.plus_seconds(-30));
        assert_eq!(consecutive(&seed, &earlier, &c, now).unwrap(), Some(step));
        assert_eq!(consecutive(&seed, &c, &earlier, now).unwrap(), None);
        assert!(!qr_png(&seed, "alice@123456789012").unwrap().is_empty());
    }
}
