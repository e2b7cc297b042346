//! Access keys: CreateAccessKey, DeleteAccessKey, ReadAccessKeys, UpdateAccessKey.

use keygate_core::{
    AccessKeyId, Caller, KeyChange, KeyFilter, KeyState, KeyView, Timestamp, UserName,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Op, date, everything};
use crate::body::{body, date as date_field, dry, id, ids, opt, state};
use crate::error::OscError;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AccessKeyOut<'a> {
    access_key_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_key: Option<&'a str>,
    state: &'static str,
    creation_date: String,
    last_modification_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tag: Option<&'a str>,
}

fn access_key<'a>(v: &'a KeyView, secret: Option<&'a str>) -> AccessKeyOut<'a> {
    AccessKeyOut {
        access_key_id: v.key.id.as_str(),
        secret_key: secret,
        state: match v.key.state {
            KeyState::Active => "ACTIVE",
            KeyState::Inactive => "INACTIVE",
        },
        creation_date: date(v.key.created_at),
        last_modification_date: date(v.key.modified_at),
        expiration_date: v.key.expires_at.map(date),
        tag: v.key.tag.as_deref(),
    }
}

fn user_opt(v: Option<String>) -> Result<Option<UserName>, OscError> {
    opt("UserName", v, UserName::parse)
}

fn key_id(v: &str) -> Result<AccessKeyId, OscError> {
    id("AccessKeyId", v, AccessKeyId::parse)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CreateAccessKeyBody {
    expiration_date: Option<String>,
    tag: Option<String>,
    user_name: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateAccessKey {
    pub user_name: Option<UserName>,
    pub expires_at: Option<Timestamp>,
    pub tag: Option<String>,
}

impl Op for CreateAccessKey {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: CreateAccessKeyBody = body(raw)?;
        let call = Self {
            user_name: user_opt(b.user_name)?,
            expires_at: date_field("ExpirationDate", b.expiration_date)?,
            tag: b.tag,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let k = c.create_access_key(self.user_name.as_ref(), self.expires_at, self.tag)?;
        Ok(json!({"AccessKey": access_key(&k.view, Some(k.secret.expose()))}))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DeleteAccessKeyBody {
    access_key_id: String,
    user_name: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteAccessKey {
    pub user_name: Option<UserName>,
    pub access_key_id: AccessKeyId,
}

impl Op for DeleteAccessKey {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: DeleteAccessKeyBody = body(raw)?;
        let call = Self {
            user_name: user_opt(b.user_name)?,
            access_key_id: key_id(&b.access_key_id)?,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        c.delete_access_key(self.user_name.as_ref(), &self.access_key_id)?;
        Ok(json!({}))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct FiltersAccessKeys {
    access_key_ids: Option<Vec<String>>,
    states: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ReadAccessKeysBody {
    filters: Option<FiltersAccessKeys>,
    tag: Option<String>,
    user_name: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadAccessKeys {
    pub user_name: Option<UserName>,
    pub ids: Option<Vec<AccessKeyId>>,
    pub states: Option<Vec<KeyState>>,
    pub tag: Option<String>,
}

impl Op for ReadAccessKeys {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: ReadAccessKeysBody = body(raw)?;
        let f = b.filters.unwrap_or_default();
        let call = Self {
            user_name: user_opt(b.user_name)?,
            ids: ids("Filters.AccessKeyIds", f.access_key_ids, AccessKeyId::parse)?,
            states: f
                .states
                .map(|s| s.iter().map(|v| state("Filters.States", v)).collect())
                .transpose()?,
            tag: b.tag,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let filter = KeyFilter {
            ids: self.ids,
            states: self.states,
            tag: self.tag,
        };
        let keys = c.list_access_keys(self.user_name.as_ref(), &filter, &everything())?;
        let out: Vec<_> = keys.items.iter().map(|v| access_key(v, None)).collect();
        Ok(json!({"AccessKeys": out}))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UpdateAccessKeyBody {
    access_key_id: String,
    state: Option<String>,
    expiration_date: Option<String>,
    clear_expiration_date: Option<bool>,
    tag: Option<String>,
    clear_tag: Option<bool>,
    user_name: Option<String>,
    dry_run: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateAccessKey {
    pub user_name: Option<UserName>,
    pub access_key_id: AccessKeyId,
    pub state: Option<KeyState>,
    pub expires_at: Option<Option<Timestamp>>,
    pub tag: Option<Option<String>>,
}

impl Op for UpdateAccessKey {
    fn decode(raw: &[u8]) -> Result<(Self, bool), OscError> {
        let b: UpdateAccessKeyBody = body(raw)?;
        // Absent ExpirationDate or Tag leaves it unchanged; the Clear flags remove it.
        let expires_at = if b.clear_expiration_date == Some(true) {
            Some(None)
        } else {
            date_field("ExpirationDate", b.expiration_date)?.map(Some)
        };
        let tag = if b.clear_tag == Some(true) {
            Some(None)
        } else {
            b.tag.map(Some)
        };
        let call = Self {
            user_name: user_opt(b.user_name)?,
            access_key_id: key_id(&b.access_key_id)?,
            state: b.state.map(|s| state("State", &s)).transpose()?,
            expires_at,
            tag,
        };
        Ok((call, dry(b.dry_run)))
    }

    fn run(self, c: &Caller<'_>) -> Result<Value, OscError> {
        let change = KeyChange {
            state: self.state,
            expires_at: self.expires_at,
            tag: self.tag,
        };
        let v = c.update_access_key(self.user_name.as_ref(), &self.access_key_id, change)?;
        Ok(json!({"AccessKey": access_key(&v, None)}))
    }
}
