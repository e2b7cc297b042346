//! STS: `GetCallerIdentity` (who signed the request, never evaluated against policies) and
//! `GetSessionToken` (temporary credentials for the caller) and `GetAccessKeyInfo` (the
//! account of a key).

use keygate_core::{AccessKeyId, AccountId, Caller, NewSession, Principal, Secret};

use super::{Answer, Encode, Op};
use crate::error::IamError;
use crate::params::Params;
use crate::xml::Xml;

#[derive(Debug)]
pub struct GetCallerIdentity;

impl Op for GetCallerIdentity {
    fn decode(_: &Params) -> Result<Self, IamError> {
        Ok(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        Ok(Box::new(CallerIdentity(c.principal().clone())))
    }
}

#[derive(Debug)]
pub struct CallerIdentity(pub Principal);

impl Encode for CallerIdentity {
    fn write(&self, x: &mut Xml) {
        x.text("Arn", &self.0.arn());
        x.text("UserId", self.0.unique_id());
        x.text("Account", self.0.account().as_str());
    }
}

/// `DurationSeconds`: 900 to 129,600 (the model's bounds; the core applies the root's hour).
fn duration(p: &Params) -> Result<Option<u32>, IamError> {
    p.get("DurationSeconds")
        .map(|v| {
            let n: i64 = v.parse().map_err(|_| {
                IamError::validation("durationSeconds", Some(v), "Member must be an integer")
            })?;
            if n < 900 {
                return Err(IamError::validation(
                    "durationSeconds",
                    Some(v),
                    "Member must have value greater than or equal to 900",
                ));
            }
            if n > 129_600 {
                return Err(IamError::validation(
                    "durationSeconds",
                    Some(v),
                    "Member must have value less than or equal to 129600",
                ));
            }
            Ok(u32::try_from(n).unwrap_or(u32::MAX))
        })
        .transpose()
}

/// `SerialNumber` and `TokenCode`, given together.
fn mfa(p: &Params) -> Result<Option<(String, Secret)>, IamError> {
    let serial = crate::decode::mfa_serial(p, "SerialNumber")?;
    let code = crate::decode::mfa_code(p, "TokenCode")?;
    match (serial, code) {
        (None, None) => Ok(None),
        (Some(s), Some(c)) => Ok(Some((s, Secret::new(c)))),
        (None, Some(_)) => Err(IamError::missing("serialNumber")),
        (Some(_), None) => Err(IamError::missing("tokenCode")),
    }
}

#[derive(Debug)]
pub struct GetSessionToken {
    pub duration: Option<u32>,
    /// The device's serial number and its code (a secret: `Debug` must not show it).
    pub mfa: Option<(String, Secret)>,
}

impl Op for GetSessionToken {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            duration: duration(p)?,
            mfa: mfa(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let mfa = self.mfa.as_ref().map(|(s, t)| (s.as_str(), t.expose()));
        Ok(Box::new(SessionCredentials(
            c.get_session_token(self.duration, mfa)?,
        )))
    }
}

/// `<Credentials>`: the one time a session's secret and token are handed out.
#[derive(Debug)]
pub struct SessionCredentials(pub NewSession);

impl Encode for SessionCredentials {
    fn write(&self, x: &mut Xml) {
        let s = &self.0;
        x.open("Credentials");
        x.text("AccessKeyId", s.session.key_id.as_str());
        x.text("SecretAccessKey", s.secret.expose());
        x.text("SessionToken", s.token.expose());
        x.date("Expiration", s.session.expires_at);
        x.close("Credentials");
    }
}

#[derive(Debug)]
pub struct GetAccessKeyInfo(pub AccessKeyId);

impl Op for GetAccessKeyInfo {
    fn decode(p: &Params) -> Result<Self, IamError> {
        crate::decode::key_id(p).map(Self)
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        Ok(Box::new(KeyAccount(c.access_key_info(&self.0)?)))
    }
}

/// GetAccessKeyInfo's answer: the key's account.
#[derive(Debug)]
pub struct KeyAccount(pub AccountId);

impl Encode for KeyAccount {
    fn write(&self, x: &mut Xml) {
        x.text("Account", self.0.as_str());
    }
}
