//! STS: `GetCallerIdentity` (who signed the request, never evaluated against policies),
//! `GetSessionToken` (temporary credentials for the caller), `AssumeRole` (a role's temporary
//! credentials) and `GetAccessKeyInfo` (the account of a key).

use keygate_core::{
    AccessKeyId, AccountId, AssumeRequest, AssumedRole, Caller, NewSession, PolicyRef, Principal,
    RoleSessionName, Secret,
};

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
        x.text("UserId", &self.0.unique_id());
        x.text("Account", self.0.account().as_str());
    }
}

/// `DurationSeconds`: 900 to 129,600 (the model's bounds; the core applies the root's hour).
fn duration(p: &Params) -> Result<Option<u32>, IamError> {
    let (min, max, _) = keygate_core::SESSION_SECONDS;
    crate::decode::integer(p, "DurationSeconds", min, max)
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
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: RoleSessionName,
    pub duration: Option<u32>,
    pub policy: Option<String>,
    pub policy_arns: Vec<PolicyRef>,
    pub external_id: Option<String>,
    /// The device's serial number and its code (a secret: `Debug` must not show it).
    pub mfa: Option<(String, Secret)>,
}

/// `ExternalId`: 2 to 1,224 of `[\w+=,.@:\/-]` (`externalIdType`).
fn external_id(p: &Params) -> Result<Option<String>, IamError> {
    p.get("ExternalId")
        .map(|v| {
            let n = v.chars().count();
            let ok = (2..=1224).contains(&n)
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c));
            if ok {
                Ok(v.to_owned())
            } else {
                Err(IamError::validation(
                    "externalId",
                    Some(v),
                    r"Member must satisfy regular expression pattern: [\w+=,.@:\/-]*, length 2 to 1224",
                ))
            }
        })
        .transpose()
}

impl Op for AssumeRole {
    fn decode(p: &Params) -> Result<Self, IamError> {
        // Session tags and source identities need `sts:TagSession` / `sts:SetSourceIdentity`
        // in trust policies, which keygate does not evaluate: refused rather than ignored.
        for unsupported in [
            "Tags.member.1.Key",
            "TransitiveTagKeys.member.1",
            "SourceIdentity",
        ] {
            if p.get(unsupported).is_some() {
                return Err(IamError::session_tags_unsupported());
            }
        }
        let role_arn = p
            .get("RoleArn")
            .ok_or_else(|| IamError::missing("roleArn"))?;
        let n = role_arn.chars().count();
        if !(20..=2048).contains(&n) {
            let bound = if n < 20 {
                "Member must have length greater than or equal to 20"
            } else {
                "Member must have length less than or equal to 2048"
            };
            return Err(IamError::validation("roleArn", Some(role_arn), bound));
        }
        let mut policy_arns = Vec::new();
        for i in 1.. {
            match p.get(&format!("PolicyArns.member.{i}.arn")) {
                Some(arn) => policy_arns.push(super::managed_policies::policy_ref("arn", arn)?),
                None => break,
            }
        }
        if policy_arns.len() > keygate_core::MAX_SESSION_POLICY_ARNS {
            return Err(IamError::validation(
                "policyArns",
                None,
                "Member must have length less than or equal to 10",
            ));
        }
        Ok(Self {
            role_arn: role_arn.to_owned(),
            session_name: crate::decode::required(p, "RoleSessionName", RoleSessionName::parse)?,
            duration: crate::decode::integer(
                p,
                "DurationSeconds",
                keygate_core::ASSUME_SECONDS.0,
                keygate_core::ASSUME_SECONDS.1,
            )?,
            policy: p.get("Policy").map(str::to_owned),
            policy_arns,
            external_id: external_id(p)?,
            mfa: mfa(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let req = AssumeRequest {
            role_arn: &self.role_arn,
            session_name: Some(self.session_name),
            duration: self.duration,
            policy: self.policy.as_deref(),
            policy_arns: &self.policy_arns,
            external_id: self.external_id.as_deref(),
            mfa: self.mfa.as_ref().map(|(s, t)| (s.as_str(), t.expose())),
        };
        Ok(Box::new(Assumed(c.assume_role(&req)?)))
    }
}

/// AssumeRole's answer: who the credentials speak for, and the credentials.
#[derive(Debug)]
pub struct Assumed(pub AssumedRole);

impl Encode for Assumed {
    fn write(&self, x: &mut Xml) {
        x.open("AssumedRoleUser");
        x.text("AssumedRoleId", &self.0.assumed_role_id);
        x.text("Arn", &self.0.arn);
        x.close("AssumedRoleUser");
        SessionCredentials(self.0.credentials.clone()).write(x);
        if let Some(size) = self.0.packed_policy_size {
            x.text("PackedPolicySize", &size.to_string());
        }
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
