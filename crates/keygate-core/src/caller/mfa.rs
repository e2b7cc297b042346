//! What a principal may do with virtual MFA devices: create one (its seed and QR code handed
//! out once), enable it for a user with two consecutive codes, resynchronise, deactivate and
//! delete it, list them; and the check of a device's code when a session is made with MFA.

use crate::error::{CoreError, CoreResult, Dependents, SessionRule};
use crate::ids::{MfaName, UserName, UserPath};
use crate::model::{MfaDevice, Principal, Tag, Timestamp, User};
use crate::rules::Operation;
use crate::store::{ReadTx, WriteTx};
use crate::{totp, validate};

use super::Caller;

/// A new virtual MFA device, the one time its seed and QR code are handed out.
#[derive(Clone)]
pub struct NewMfaDevice {
    pub device: MfaDevice,
    /// The PNG of the QR code an authenticator app scans: it holds the seed.
    pub qr_png: Vec<u8>,
}

/// The QR code carries the seed, so `Debug` shows neither.
impl std::fmt::Debug for NewMfaDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewMfaDevice")
            .field("serial", &self.device.serial)
            .finish_non_exhaustive()
    }
}

/// Which virtual devices a listing shows (AWS's `AssignmentStatus`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Assignment {
    Assigned,
    Unassigned,
    #[default]
    Any,
}

/// Sets a device's clock from two consecutive codes of it, not used before: the last step
/// accepted, its drift, and no failures.
fn synchronise(d: &mut MfaDevice, first: &str, second: &str, now: Timestamp) -> CoreResult<()> {
    let (step, drift) = totp::consecutive(&d.seed, first, second, now, d.last_step)?
        .ok_or(CoreError::InvalidAuthenticationCode)?;
    d.last_step = Some(step);
    d.drift = drift;
    d.failures = 0;
    Ok(())
}

impl Caller<'_> {
    /// The user named, or the caller itself when `None`; `None` for the account's root, which
    /// has no device (devices are enabled for users). A role's session must name the user.
    fn named_or_self(&self, user: Option<&UserName>) -> CoreResult<Option<UserName>> {
        match (user, self.principal) {
            (Some(n), _) => Ok(Some(n.clone())),
            (None, Principal::User { name, .. }) => Ok(Some(name.clone())),
            (None, Principal::Root { .. }) => Ok(None),
            (None, Principal::Role { .. }) => {
                Err(CoreError::SessionRefused(SessionRule::UserNameRequired))
            }
        }
    }

    /// The device with `serial` enabled for `user`, once `op` is authorised on the user's ARN.
    fn enabled_device(
        &self,
        tx: &dyn ReadTx,
        op: Operation,
        user: &UserName,
        serial: &str,
    ) -> CoreResult<MfaDevice> {
        let (u, d) = self.users_device(tx, op, user, serial)?;
        if d.user.as_ref().is_none_or(|(id, _)| *id != u.id) {
            return Err(CoreError::NoSuchMfaDevice(serial.to_owned()));
        }
        Ok(d)
    }

    /// The user and the device with `serial`, once `op` is authorised on the user's ARN.
    fn users_device(
        &self,
        tx: &dyn ReadTx,
        op: Operation,
        user: &UserName,
        serial: &str,
    ) -> CoreResult<(User, MfaDevice)> {
        let u = self.existing_user(tx, op, user)?;
        let d = tx
            .mfa_device(self.account(), serial)?
            .ok_or_else(|| CoreError::NoSuchMfaDevice(serial.to_owned()))?;
        Ok((u, d))
    }

    pub fn create_virtual_mfa_device(
        &self,
        name: MfaName,
        path: Option<UserPath>,
        mut tags: Vec<Tag>,
    ) -> CoreResult<NewMfaDevice> {
        validate::tags(&tags, "Tags")?;
        tags.sort_by(|a, b| a.key.cmp(&b.key));
        let path = path.unwrap_or_else(UserPath::root);
        let serial = format!("arn:aws:iam::{}:mfa{path}{name}", self.account());
        let now = self.svc.clock.now();
        self.write(|tx| {
            self.authorize(tx, Operation::CreateVirtualMFADevice, &[&serial])?;
            if tx.mfa_device(self.account(), &serial)?.is_some() {
                return Err(CoreError::MfaDeviceExists(serial.clone()));
            }
            let device = MfaDevice {
                account_id: self.account().clone(),
                serial: serial.clone(),
                seed: self.svc.ids.mfa_seed(),
                user: None,
                created_at: now,
                last_step: None,
                drift: 0,
                failures: 0,
                tags: tags.clone(),
            };
            let qr_png = totp::qr_png(&device.seed, &format!("{name}@{}", self.account()))?;
            tx.insert_mfa_device(&device)?;
            Ok(NewMfaDevice { device, qr_png })
        })
    }

    /// Enables a device for a user: `first` and `second` are two consecutive codes of it.
    pub fn enable_mfa_device(
        &self,
        user: &UserName,
        serial: &str,
        first: &str,
        second: &str,
    ) -> CoreResult<()> {
        let now = self.svc.clock.now();
        self.write(|tx| {
            let (u, mut d) = self.users_device(tx, Operation::EnableMFADevice, user, serial)?;
            if d.user.is_some() {
                return Err(CoreError::MfaDeviceEnabled(serial.to_owned()));
            }
            synchronise(&mut d, first, second, now)?;
            d.user = Some((u.id, now));
            tx.update_mfa_device(&d)
        })
    }

    /// Resynchronises a user's device with two consecutive codes.
    pub fn resync_mfa_device(
        &self,
        user: &UserName,
        serial: &str,
        first: &str,
        second: &str,
    ) -> CoreResult<()> {
        let now = self.svc.clock.now();
        self.write(|tx| {
            let mut d = self.enabled_device(tx, Operation::ResyncMFADevice, user, serial)?;
            synchronise(&mut d, first, second, now)?;
            tx.update_mfa_device(&d)
        })
    }

    /// Takes a device off its user; the device stays, unassigned.
    /// The user is the caller itself when `None` (as botocore now allows).
    pub fn deactivate_mfa_device(&self, user: Option<&UserName>, serial: &str) -> CoreResult<()> {
        let user = self
            .named_or_self(user)?
            .ok_or_else(|| CoreError::NoSuchMfaDevice(serial.to_owned()))?;
        self.write(|tx| {
            let mut d = self.enabled_device(tx, Operation::DeactivateMFADevice, &user, serial)?;
            d.user = None;
            tx.update_mfa_device(&d)
        })
    }

    /// Deletes a device that is enabled for nobody.
    pub fn delete_virtual_mfa_device(&self, serial: &str) -> CoreResult<()> {
        self.write(|tx| {
            self.authorize(tx, Operation::DeleteVirtualMFADevice, &[serial])?;
            let d = tx
                .mfa_device(self.account(), serial)?
                .ok_or_else(|| CoreError::NoSuchMfaDevice(serial.to_owned()))?;
            if d.user.is_some() {
                return Err(CoreError::DeleteConflict(Dependents::MfaInUse));
            }
            tx.delete_mfa_device(self.account(), serial)
        })
    }

    /// The devices enabled for a user (the caller itself when `None`), with when. The
    /// account's root has none: devices are enabled for users.
    pub fn list_mfa_devices(
        &self,
        user: Option<&UserName>,
    ) -> CoreResult<(Option<User>, Vec<MfaDevice>)> {
        self.read(|tx| {
            let Some(name) = self.named_or_self(user)? else {
                return Ok((None, Vec::new()));
            };
            let u = self.existing_user(tx, Operation::ListMFADevices, &name)?;
            let devices = tx
                .mfa_devices(self.account())?
                .into_iter()
                .filter(|d| d.user.as_ref().is_some_and(|(id, _)| *id == u.id))
                .collect();
            Ok((Some(u), devices))
        })
    }

    /// The account's virtual devices by assignment, each with the user it is enabled for.
    pub fn list_virtual_mfa_devices(
        &self,
        status: Assignment,
    ) -> CoreResult<Vec<(MfaDevice, Option<User>)>> {
        self.read(|tx| {
            self.authorize(tx, Operation::ListVirtualMFADevices, &["*"])?;
            let mut out = Vec::new();
            for d in tx.mfa_devices(self.account())? {
                let keep = match status {
                    Assignment::Any => true,
                    Assignment::Assigned => d.user.is_some(),
                    Assignment::Unassigned => d.user.is_none(),
                };
                if keep {
                    let user = match &d.user {
                        Some((id, _)) => tx.user_by_id(self.account(), id)?,
                        None => None,
                    };
                    out.push((d, user));
                }
            }
            Ok(out)
        })
    }

    /// Checks an MFA code for a session the caller makes: the device must be enabled for the
    /// caller, take codes (fewer than `MAX_MFA_FAILURES` wrong ones in a row), and the code be
    /// current and not used before. Answers when MFA was proven, or `None` for a wrong code,
    /// whose failure is then recorded: the caller commits it and refuses the request.
    pub(super) fn prove_mfa(
        &self,
        tx: &dyn WriteTx,
        serial: &str,
        code: &str,
        now: Timestamp,
    ) -> CoreResult<Option<Timestamp>> {
        let unknown = CoreError::SessionRefused(SessionRule::MfaUnknownDevice);
        let Principal::User { id, .. } = self.principal else {
            return Err(unknown);
        };
        let mut d = tx
            .mfa_device(self.account(), serial)?
            .ok_or_else(|| unknown.clone())?;
        if d.user.as_ref().is_none_or(|(u, _)| u != id) {
            return Err(unknown);
        }
        let step = if d.failures < totp::MAX_MFA_FAILURES {
            totp::accept(&d.seed, code, now, d.last_step, d.drift)?
        } else {
            None
        };
        match step {
            Some(step) => {
                d.last_step = Some(step);
                d.failures = 0;
                tx.update_mfa_device(&d)?;
                Ok(Some(now))
            }
            None => {
                d.failures = d.failures.saturating_add(1);
                tx.update_mfa_device(&d)?;
                Ok(None)
            }
        }
    }
}

#[cfg(test)]
#[path = "mfa_tests.rs"]
mod tests;
