//! Running a typed `Call` against the core, and the JSON answers shaped as the spec's
//! response schemas (dates as `2010-10-01T12:34:56.789+0000`, unset fields left out).

use keygate_core::{
    Account, Caller, CoreResult, KeyChange, KeyFilter, KeyView, PageRequest, Timestamp, User,
    UserChange,
};
use serde::Serialize;
use serde_json::{Value, json};
use time::macros::format_description;

use crate::call::{Call, MAX_RESULTS};

/// `YYYY-MM-DDTHH:MM:SS.mmm+0000`, as every spec example writes dates.
pub fn date(t: Timestamp) -> String {
    t.to_datetime()
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+0000"
        ))
        .unwrap_or_default()
}

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
            keygate_core::KeyState::Active => "ACTIVE",
            keygate_core::KeyState::Inactive => "INACTIVE",
        },
        creation_date: date(v.key.created_at),
        last_modification_date: date(v.key.modified_at),
        expiration_date: v.key.expires_at.map(date),
        tag: v.key.tag.as_deref(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct UserOut<'a> {
    user_name: &'a str,
    user_id: &'a str,
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_email: Option<&'a str>,
    creation_date: String,
    last_modification_date: String,
}

fn user(u: &User) -> UserOut<'_> {
    UserOut {
        user_name: u.name.as_str(),
        user_id: u.id.as_str(),
        path: u.path.as_str(),
        user_email: u.email.as_ref().map(|e| e.as_str()),
        creation_date: date(u.created_at),
        last_modification_date: date(u.modified_at),
    }
}

fn account(a: &Account) -> Value {
    json!({"AccountId": a.id.as_str(), "Email": a.email.as_str()})
}

/// Runs the call; the answer's fields, without `ResponseContext`.
pub fn execute(c: &Caller<'_>, call: Call) -> CoreResult<Value> {
    let all = PageRequest {
        marker: None,
        max_items: Some(keygate_core::page::MAX_PAGE),
    };
    Ok(match call {
        Call::CreateAccessKey {
            user_name,
            expires_at,
            tag,
        } => {
            let k = c.create_access_key(user_name.as_ref(), expires_at, tag)?;
            json!({"AccessKey": access_key(&k.view, Some(k.secret.expose()))})
        }
        Call::DeleteAccessKey {
            user_name,
            access_key_id,
        } => {
            c.delete_access_key(user_name.as_ref(), &access_key_id)?;
            json!({})
        }
        Call::ReadAccessKeys {
            user_name,
            ids,
            states,
            tag,
        } => {
            let filter = KeyFilter { ids, states, tag };
            let keys = c.list_access_keys(user_name.as_ref(), &filter, &all)?;
            let out: Vec<_> = keys.items.iter().map(|v| access_key(v, None)).collect();
            json!({"AccessKeys": out})
        }
        Call::UpdateAccessKey {
            user_name,
            access_key_id,
            state,
            expires_at,
            tag,
        } => {
            let change = KeyChange {
                state,
                expires_at,
                tag,
            };
            let v = c.update_access_key(user_name.as_ref(), &access_key_id, change)?;
            json!({"AccessKey": access_key(&v, None)})
        }
        Call::CreateUser {
            user_name,
            path,
            email,
        } => {
            let u = c.create_user(user_name, path, email, Vec::new())?;
            json!({"User": user(&u)})
        }
        Call::DeleteUser { user_name } => {
            c.delete_user(&user_name)?;
            json!({})
        }
        Call::ReadUsers {
            ids,
            first,
            count,
            truncated,
        } => {
            let (users, more) = c.read_users(ids.as_deref(), first, count)?;
            let out: Vec<_> = users.iter().map(user).collect();
            json!({
                "Users": out,
                "HasMoreItems": more,
                "MaxResultsLimit": MAX_RESULTS,
                "MaxResultsTruncated": truncated,
            })
        }
        Call::UpdateUser {
            user_name,
            new_user_name,
            new_path,
            new_email,
        } => {
            let change = UserChange {
                name: new_user_name,
                path: new_path,
                email: new_email,
            };
            let u = c.update_user(&user_name, change)?;
            json!({"User": user(&u)})
        }
        Call::PutUserPolicy {
            user_name,
            policy_name,
            document,
        } => {
            c.put_user_policy(&user_name, &policy_name, &document)?;
            json!({})
        }
        Call::ReadUserPolicy {
            user_name,
            policy_name,
        } => {
            let doc = c.get_user_policy(&user_name, &policy_name)?;
            json!({
                "UserName": user_name.as_str(),
                "PolicyName": policy_name.as_str(),
                "PolicyDocument": doc,
            })
        }
        Call::ReadUserPolicies { user_name } => {
            let names = c.list_user_policies(&user_name, &all)?;
            let out: Vec<&str> = names.items.iter().map(|n| n.as_str()).collect();
            json!({"PolicyNames": out})
        }
        Call::DeleteUserPolicy {
            user_name,
            policy_name,
        } => {
            c.delete_user_policy(&user_name, &policy_name)?;
            json!({})
        }
        Call::ReadAccounts => json!({"Accounts": [account(&c.read_account()?)]}),
        Call::CheckAuthentication { login, password } => {
            c.check_credentials(&login, &password.0)?;
            json!({})
        }
    })
}
