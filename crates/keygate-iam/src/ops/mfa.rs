//! Virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice, ListMFADevices,
//! ListVirtualMFADevices, ResyncMFADevice, DeactivateMFADevice, DeleteVirtualMFADevice.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use keygate_core::{
    Assignment, Caller, MfaDevice, MfaName, NewMfaDevice, Page, PageRequest, Secret, User,
    UserName, UserPath,
};

use super::{Answer, Encode, Op, empty, tag, truncation, user};
use crate::decode::{self, optional, page, required};
use crate::error::IamError;
use crate::params::Params;
use crate::xml::Xml;

/// `SerialNumber`, required.
fn serial(p: &Params) -> Result<String, IamError> {
    decode::mfa_serial(p, "SerialNumber")?.ok_or_else(|| IamError::missing("serialNumber"))
}

/// An `AuthenticationCode…`, required; kept as a secret, as `Debug` must not show it.
fn code(p: &Params, name: &str) -> Result<Secret, IamError> {
    decode::mfa_code(p, name)?
        .map(Secret::new)
        .ok_or_else(|| IamError::missing(&decode::member(name)))
}

#[derive(Debug)]
pub struct CreateVirtualMFADevice {
    pub name: MfaName,
    pub path: Option<UserPath>,
    pub tags: Vec<keygate_core::Tag>,
}

impl Op for CreateVirtualMFADevice {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            name: required(p, "VirtualMFADeviceName", MfaName::parse)?,
            path: optional(p, "Path", UserPath::parse)?,
            tags: decode::tags(p, false)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        Ok(Box::new(NewDevice(c.create_virtual_mfa_device(
            self.name, self.path, self.tags,
        )?)))
    }
}

/// `<VirtualMFADevice>` with its seed (Base32 text, as a blob) and QR code, shown once.
#[derive(Debug)]
pub struct NewDevice(pub NewMfaDevice);

impl Encode for NewDevice {
    fn write(&self, x: &mut Xml) {
        let d = &self.0.device;
        x.open("VirtualMFADevice");
        x.text("SerialNumber", &d.serial);
        x.text("Base32StringSeed", &STANDARD.encode(d.seed.expose()));
        x.text("QRCodePNG", &STANDARD.encode(&self.0.qr_png));
        if !d.tags.is_empty() {
            x.list("Tags", &d.tags, tag);
        }
        x.close("VirtualMFADevice");
    }
}

/// EnableMFADevice's and ResyncMFADevice's input.
#[derive(Debug)]
pub struct TwoCodes {
    pub user: UserName,
    pub serial: String,
    pub first: Secret,
    pub second: Secret,
}

impl TwoCodes {
    fn read(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user: decode::user(p)?,
            serial: serial(p)?,
            first: code(p, "AuthenticationCode1")?,
            second: code(p, "AuthenticationCode2")?,
        })
    }
}

#[derive(Debug)]
pub struct EnableMFADevice(pub TwoCodes);

impl Op for EnableMFADevice {
    fn decode(p: &Params) -> Result<Self, IamError> {
        TwoCodes::read(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let t = self.0;
        c.enable_mfa_device(&t.user, &t.serial, t.first.expose(), t.second.expose())?;
        empty()
    }
}

#[derive(Debug)]
pub struct ResyncMFADevice(pub TwoCodes);

impl Op for ResyncMFADevice {
    fn decode(p: &Params) -> Result<Self, IamError> {
        TwoCodes::read(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let t = self.0;
        c.resync_mfa_device(&t.user, &t.serial, t.first.expose(), t.second.expose())?;
        empty()
    }
}

#[derive(Debug)]
pub struct DeactivateMFADevice {
    pub user: Option<UserName>,
    pub serial: String,
}

impl Op for DeactivateMFADevice {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user: decode::user_opt(p)?,
            serial: serial(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.deactivate_mfa_device(self.user.as_ref(), &self.serial)?;
        empty()
    }
}

#[derive(Debug)]
pub struct DeleteVirtualMFADevice(pub String);

impl Op for DeleteVirtualMFADevice {
    fn decode(p: &Params) -> Result<Self, IamError> {
        serial(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.delete_virtual_mfa_device(&self.0)?;
        empty()
    }
}

#[derive(Debug)]
pub struct ListMFADevices {
    pub user: Option<UserName>,
    pub page: PageRequest,
}

impl Op for ListMFADevices {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user: decode::user_opt(p)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let (u, devices) = c.list_mfa_devices(self.user.as_ref())?;
        let page = self.page.apply(devices, |d| d.serial.clone())?;
        Ok(Box::new(Devices(u, page)))
    }
}

/// ListMFADevices' answer: a user's enabled devices (none for the root).
#[derive(Debug)]
pub struct Devices(pub Option<User>, pub Page<MfaDevice>);

impl Encode for Devices {
    fn write(&self, x: &mut Xml) {
        x.list("MFADevices", &self.1.items, |x, d| {
            if let Some(u) = &self.0 {
                x.text("UserName", u.name.as_str());
            }
            x.text("SerialNumber", &d.serial);
            if let Some((_, at)) = d.user {
                x.date("EnableDate", at);
            }
        });
        truncation(x, &self.1);
    }
}

#[derive(Debug)]
pub struct ListVirtualMFADevices {
    pub status: Assignment,
    pub page: PageRequest,
}

impl Op for ListVirtualMFADevices {
    fn decode(p: &Params) -> Result<Self, IamError> {
        let status = match p.get("AssignmentStatus") {
            None | Some("Any") => Assignment::Any,
            Some("Assigned") => Assignment::Assigned,
            Some("Unassigned") => Assignment::Unassigned,
            Some(other) => {
                return Err(IamError::validation(
                    "assignmentStatus",
                    Some(other),
                    "Member must satisfy enum value set: [Unassigned, Any, Assigned]",
                ));
            }
        };
        Ok(Self {
            status,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let all = c.list_virtual_mfa_devices(self.status)?;
        let page = self.page.apply(all, |(d, _)| d.serial.clone())?;
        Ok(Box::new(VirtualDevices(page)))
    }
}

/// ListVirtualMFADevices' answer: devices, each with its user and enable date when assigned.
#[derive(Debug)]
pub struct VirtualDevices(pub Page<(MfaDevice, Option<User>)>);

impl Encode for VirtualDevices {
    fn write(&self, x: &mut Xml) {
        x.list("VirtualMFADevices", &self.0.items, |x, (d, u)| {
            x.text("SerialNumber", &d.serial);
            if let Some(u) = u {
                x.open("User");
                user(x, u, false);
                x.close("User");
            }
            if let Some((_, at)) = d.user {
                x.date("EnableDate", at);
            }
        });
        truncation(x, &self.0);
    }
}
