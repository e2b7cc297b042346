//! Access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey and
//! GetAccessKeyLastUsed.

use keygate_core::{
    AccessKeyId, Caller, KeyChange, KeyFilter, KeyState, KeyView, NewAccessKey, Page, PageRequest,
    UserName,
};

use super::{Answer, Encode, Op, empty, truncation};
use crate::decode::{self, page, status};
use crate::error::IamError;
use crate::params::Params;
use crate::xml::Xml;

fn state(s: KeyState) -> &'static str {
    match s {
        KeyState::Active => "Active",
        KeyState::Inactive => "Inactive",
    }
}

#[derive(Debug)]
pub struct CreateAccessKey {
    pub user_name: Option<UserName>,
}

impl Op for CreateAccessKey {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user_opt(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let key = c.create_access_key(self.user_name.as_ref(), None, None)?;
        Ok(Box::new(NewKey(key)))
    }
}

/// The `<AccessKey>` of CreateAccessKey: the only answer that carries the secret.
#[derive(Debug)]
pub struct NewKey(pub NewAccessKey);

impl Encode for NewKey {
    fn write(&self, x: &mut Xml) {
        let k = &self.0;
        x.open("AccessKey");
        if let Some(n) = &k.view.user_name {
            x.text("UserName", n.as_str());
        }
        x.text("AccessKeyId", k.view.key.id.as_str());
        x.text("Status", state(k.view.key.state));
        x.text("SecretAccessKey", k.secret.expose());
        x.date("CreateDate", k.view.key.created_at);
        x.close("AccessKey");
    }
}

#[derive(Debug)]
pub struct ListAccessKeys {
    pub user_name: Option<UserName>,
    pub page: PageRequest,
}

impl Op for ListAccessKeys {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user_opt(p)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let keys =
            c.list_access_keys(self.user_name.as_ref(), &KeyFilter::default(), &self.page)?;
        Ok(Box::new(Keys(keys)))
    }
}

#[derive(Debug)]
pub struct Keys(pub Page<KeyView>);

impl Encode for Keys {
    fn write(&self, x: &mut Xml) {
        x.list("AccessKeyMetadata", &self.0.items, |x, v| {
            if let Some(n) = &v.user_name {
                x.text("UserName", n.as_str());
            }
            x.text("AccessKeyId", v.key.id.as_str());
            x.text("Status", state(v.key.state));
            x.date("CreateDate", v.key.created_at);
        });
        truncation(x, &self.0);
    }
}

#[derive(Debug)]
pub struct UpdateAccessKey {
    pub user_name: Option<UserName>,
    pub access_key_id: AccessKeyId,
    pub status: KeyState,
}

impl Op for UpdateAccessKey {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user_opt(p)?,
            access_key_id: decode::key_id(p)?,
            status: status(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let change = KeyChange {
            state: Some(self.status),
            ..KeyChange::default()
        };
        c.update_access_key(self.user_name.as_ref(), &self.access_key_id, change)?;
        empty()
    }
}

#[derive(Debug)]
pub struct DeleteAccessKey {
    pub user_name: Option<UserName>,
    pub access_key_id: AccessKeyId,
}

impl Op for DeleteAccessKey {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user_opt(p)?,
            access_key_id: decode::key_id(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.delete_access_key(self.user_name.as_ref(), &self.access_key_id)?;
        empty()
    }
}

#[derive(Debug)]
pub struct GetAccessKeyLastUsed {
    pub access_key_id: AccessKeyId,
}

impl Op for GetAccessKeyLastUsed {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            access_key_id: decode::key_id(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        Ok(Box::new(LastUsed(
            c.access_key_last_used(&self.access_key_id)?,
        )))
    }
}

/// The owner's name and `<AccessKeyLastUsed>`; `N/A` for a key never used.
#[derive(Debug)]
pub struct LastUsed(pub KeyView);

impl Encode for LastUsed {
    fn write(&self, x: &mut Xml) {
        let v = &self.0;
        if let Some(n) = &v.user_name {
            x.text("UserName", n.as_str());
        }
        x.open("AccessKeyLastUsed");
        match &v.key.last_used {
            Some(used) => {
                x.date("LastUsedDate", used.at);
                x.text("ServiceName", &used.service);
                x.text("Region", &used.region);
            }
            None => {
                x.text("ServiceName", "N/A");
                x.text("Region", "N/A");
            }
        }
        x.close("AccessKeyLastUsed");
    }
}
