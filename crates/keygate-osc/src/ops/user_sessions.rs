//! `CreateUserSession`, keygate's extension to the OSC API: an EIM user signs in with its
//! account id, user name and password (and its MFA code when it has a device, a new password
//! when it must change it), as Cockpit-like consoles let EIM users do, and gets temporary
//! credentials of its own. They sign the other calls with the session token in
//! `X-Osc-Security-Token`; the body carries the credentials, so the call takes no signature.

use keygate_core::{
    AccountId, AuditContext, NewSession, RequestInfo, Secret, Service, UserName, UserSignIn,
};
use serde::Deserialize;
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::date;
use crate::body::body;
use crate::error::OscError;
use crate::router::RULES;

/// The call's name in the path.
pub const CALL: &str = "CreateUserSession";

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct Body {
    account_id: String,
    user_name: String,
    password: Zeroizing<String>,
    new_password: Option<Zeroizing<String>>,
    mfa_code: Option<Zeroizing<String>>,
}

fn secret(s: Zeroizing<String>) -> Secret {
    Secret::new(s.to_string())
}

/// Signs the user in and answers its session's credentials.
pub fn create(
    service: &Service,
    raw: &[u8],
    request: RequestInfo,
    audit: AuditContext,
) -> Result<Value, OscError> {
    let b: Body = body(raw)?;
    // A wrong account id or name is answered as a wrong password: no way to learn who exists.
    let account = AccountId::parse(&b.account_id).map_err(|_| OscError::bad_login())?;
    let user = UserName::parse_lookup(&b.user_name).map_err(|_| OscError::bad_login())?;
    let password = secret(b.password);
    let new_password = b.new_password.map(secret);
    let mfa_code = b.mfa_code.map(secret);
    let req = UserSignIn {
        account: &account,
        user: &user,
        password: &password,
        new_password: new_password.as_ref(),
        mfa_code: mfa_code.as_ref(),
    };
    let made = service
        .sign_in_user(&RULES, &req, request, audit)
        .map_err(OscError::from_core)?;
    Ok(json!({"Session": session(&made, &account, &user)}))
}

fn session(s: &NewSession, account: &AccountId, user: &UserName) -> Value {
    json!({
        "AccessKeyId": s.session.key_id.as_str(),
        "SecretKey": s.secret.expose(),
        "SessionToken": s.token.expose(),
        "ExpirationDate": date(s.session.expires_at),
        "AccountId": account.as_str(),
        "UserName": user.as_str(),
    })
}
