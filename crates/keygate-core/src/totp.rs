//! The codes of virtual MFA devices: RFC 6238 TOTP with SHA-1, six digits and 30-second
//! steps, as authenticator apps and AWS use them (on `totp-rs`), and the QR code an app scans.

use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

use crate::error::{CoreError, CoreResult};
use crate::model::{Secret, Timestamp};

/// Seconds per code.
pub const STEP: u64 = 30;
/// How many steps either side of now two consecutive codes may be found when a device is
/// enabled or resynchronised: a clock drifted by up to five minutes still enables.
const RESYNC_WINDOW: u64 = 10;
/// Wrong codes in a row after which a device takes no code until it is resynchronised.
pub const MAX_MFA_FAILURES: u32 = 5;

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

/// Whether `code` is the code of `step`, compared in constant time.
fn is_code(t: &TOTP, step: u64, code: &str) -> bool {
    let expected = t.generate(step.saturating_mul(STEP));
    bool::from(expected.as_bytes().ct_eq(code.as_bytes()))
}

/// The time step `code` belongs to, within one step of now as the device's clock (`drift`
/// steps off the server's) has it, and only when it is later than `after` (the last one
/// accepted): a code is accepted once.
pub fn accept(
    seed: &Secret,
    code: &str,
    now: Timestamp,
    after: Option<u64>,
    drift: i64,
) -> CoreResult<Option<u64>> {
    let t = totp(seed, "")?;
    let now = step_now(now).saturating_add_signed(drift);
    Ok((now.saturating_sub(1)..=now.saturating_add(1))
        .filter(|s| after.is_none_or(|a| *s > a))
        .find(|s| is_code(&t, *s, code)))
}

/// When `first` and `second` are the codes of two consecutive steps within a few minutes of
/// now (EnableMFADevice, ResyncMFADevice), both later than `after`: the step of `second`, and
/// the device's drift from the server's clock, in steps.
pub fn consecutive(
    seed: &Secret,
    first: &str,
    second: &str,
    now: Timestamp,
    after: Option<u64>,
) -> CoreResult<Option<(u64, i64)>> {
    let t = totp(seed, "")?;
    let now = step_now(now);
    let found = (now.saturating_sub(RESYNC_WINDOW)..=now.saturating_add(RESYNC_WINDOW))
        .filter(|s| after.is_none_or(|a| *s > a))
        .find(|s| is_code(&t, *s, first) && is_code(&t, s + 1, second));
    Ok(found.map(|s| {
        let second = s + 1;
        let drift = i64::try_from(second).unwrap_or(i64::MAX) - i64::try_from(now).unwrap_or(0);
        (second, drift)
    }))
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
    let t = totp(seed, "").unwrap_or_else(|e| panic!("{e}"));
    t.generate(step_now(at) * STEP)
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
        let step = accept(&seed, &c, now, None, 0).unwrap().unwrap();
        assert_eq!(
            accept(&seed, &c, now, Some(step), 0).unwrap(),
            None,
            "replayed"
        );
        let earlier = code(&seed, now.plus_seconds(-30));
        assert_eq!(
            consecutive(&seed, &earlier, &c, now, None).unwrap(),
            Some((step, 0))
        );
        assert_eq!(
            consecutive(&seed, &earlier, &c, now, Some(step)).unwrap(),
            None,
            "already used"
        );
        assert_eq!(consecutive(&seed, &c, &earlier, now, None).unwrap(), None);
        assert!(!qr_png(&seed, "alice@123456789012").unwrap().is_empty());
    }

    #[test]
    fn a_drifted_device_is_found_by_resync_then_accepted_where_its_clock_is() {
        let seed = Secret::new("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into());
        let now = Timestamp::from_unix_millis(1_714_564_800_000);
        let ahead = now.plus_seconds(180);
        let (a, b) = (code(&seed, ahead), code(&seed, ahead.plus_seconds(30)));
        let (last, drift) = consecutive(&seed, &a, &b, now, None).unwrap().unwrap();
        assert_eq!(drift, 7);
        let next = code(&seed, ahead.plus_seconds(60));
        assert_eq!(
            accept(&seed, &next, now, Some(last), 0).unwrap(),
            None,
            "not where the server's clock is"
        );
        assert!(
            accept(&seed, &next, now, Some(last), drift)
                .unwrap()
                .is_some()
        );
    }
}
