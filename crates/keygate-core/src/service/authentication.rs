//! Authentication against the store: what signs for an access key (a long-term key, through
//! the credential cache, or a session with its token), whether the account's API access rules
//! admit the client, and the password checks behind the sign-in guards.

use std::net::IpAddr;

use crate::caller::{AuditContext, RequestInfo};
use crate::error::{CoreError, CoreResult};
use crate::ids::{AccessKeyId, AccountId, Email};
use crate::key_cache::CachedKey;
use crate::model::{
    ApiAccessRule, Ca, KeyOwner, KeyState, NewSession, Principal, Secret, SessionFacts,
    SessionOrigin, SigningKey, Timestamp,
};
use crate::rules::Rules;
use crate::sign_in::Source;
use crate::store::{self, ReadTx};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::Service;

impl Service {
    /// What signs for key `id` with the session `token` beside it (if any): an active,
    /// unexpired long-term key without a token, or a live session with its own token. Any
    /// other combination is a key that does not exist, except an expired session, which is
    /// told apart as AWS tells it (`ExpiredToken`).
    pub fn signing_credentials(
        &self,
        id: &AccessKeyId,
        token: Option<&str>,
        client: Option<IpAddr>,
        certificates: &[Vec<u8>],
    ) -> CoreResult<KeyLookup> {
        let now = self.clock.now();
        if token.is_none()
            && let Some(generation) = self.store.generation()
        {
            return self.cached_long_term(id, generation, now, client, certificates);
        }
        store::read(&*self.store, |tx| {
            let Some(token) = token else {
                return Ok(match long_term(tx, id, now)? {
                    Some((secret, principal, _)) => KeyLookup::Found(Box::new(SigningKey {
                        admitted: self.admits(tx, principal.account(), client, certificates)?,
                        secret,
                        principal,
                        session: None,
                    })),
                    None => KeyLookup::Unknown,
                });
            };
            let Some((session, secret, digest)) = tx.session_for_authentication(id)? else {
                return Ok(KeyLookup::Unknown);
            };
            let offered = Sha256::digest(token.as_bytes());
            if !bool::from(offered.as_slice().ct_eq(&digest)) {
                return Ok(KeyLookup::Unknown);
            }
            // A session signs only while what it stands on does; then, until it expires.
            let (principal, policies) = match &session.origin {
                SessionOrigin::Key { parent_key, .. } => match long_term(tx, parent_key, now)? {
                    Some((_, principal, _)) => (principal, Vec::new()),
                    None => return Ok(KeyLookup::Unknown),
                },
                SessionOrigin::Role(r) => match tx.role_by_id(&session.account_id, &r.role)? {
                    Some(role) => (
                        Principal::Role {
                            account: role.account_id,
                            id: role.id,
                            name: role.name,
                            path: role.path,
                            session: r.name.clone(),
                        },
                        r.policies.clone(),
                    ),
                    None => return Ok(KeyLookup::Unknown),
                },
                SessionOrigin::SignIn { user } => {
                    let account = &session.account_id;
                    match tx.user_by_id(account, user)? {
                        Some(u) if tx.login_profile(account, user)?.is_some() => {
                            (Principal::for_user(&u), Vec::new())
                        }
                        _ => return Ok(KeyLookup::Unknown),
                    }
                }
            };
            if session.expires_at <= now {
                return Ok(KeyLookup::Expired);
            }
            Ok(KeyLookup::Found(Box::new(SigningKey {
                admitted: self.admits(tx, principal.account(), client, certificates)?,
                secret,
                principal,
                session: Some(SessionFacts {
                    kind: session.origin.kind(),
                    issued_at: session.created_at,
                    expires_at: session.expires_at,
                    mfa_at: session.mfa_at,
                    policies,
                }),
            })))
        })
    }

    /// The root principal of the account whose login and password these are, tried from
    /// `source`. Through the guards of [`crate::sign_in`]: failed attempts per source and
    /// minute are limited, four failures in a row for one login from one source lock it for a
    /// minute (each further four a minute longer, up to ten), and checks beyond the in-flight
    /// bound are refused as `Busy`.
    pub fn verify_password(
        &self,
        login: &Email,
        password: &str,
        source: Source,
        certificates: &[Vec<u8>],
    ) -> CoreResult<Principal> {
        let mut account = None;
        let stored = || {
            let found = store::read(&*self.store, |tx| match tx.account_by_email(login)? {
                Some(a) => Ok(tx.password_hash(&a.id)?.map(|h| (a.id, h))),
                None => Ok(None),
            })?;
            Ok(found.map(|(id, hash)| {
                account = Some(id);
                hash
            }))
        };
        self.sign_in.check(
            &*self.store,
            login.as_str(),
            source,
            || self.clock.now(),
            stored,
            password,
        )?;
        let account = account.ok_or(CoreError::BadCredentials)?;
        self.admitted(&account, source, certificates)?;
        Ok(Principal::Root { account })
    }

    /// Whether the account's API access rules admit a request from `client` that presented the
    /// TLS client `certificates`. A request without an address comes from within the process
    /// (an operator's command), not the network: the rules are about the network.
    /// A long-term key's authentication from the cache when the store has not changed since it
    /// was read, else from the store, then kept.
    fn cached_long_term(
        &self,
        id: &AccessKeyId,
        generation: u64,
        now: Timestamp,
        client: Option<IpAddr>,
        certificates: &[Vec<u8>],
    ) -> CoreResult<KeyLookup> {
        let entry = match self.keys.get(id, generation) {
            Some(hit) if !self.needs_cas(&hit.rules, certificates) || hit.cas.is_some() => hit,
            _ => {
                let read = store::read(&*self.store, |tx| {
                    let Some((secret, principal, expires_at)) = long_term(tx, id, now)? else {
                        return Ok(None);
                    };
                    let rules = tx.access_rules(principal.account())?;
                    let cas = self
                        .needs_cas(&rules, certificates)
                        .then(|| tx.cas(principal.account()))
                        .transpose()?;
                    Ok(Some(CachedKey {
                        secret,
                        principal,
                        expires_at,
                        rules,
                        cas,
                    }))
                })?;
                let Some(entry) = read else {
                    return Ok(KeyLookup::Unknown);
                };
                self.keys.put(id.clone(), generation, entry.clone());
                entry
            }
        };
        if entry.expires_at.is_some_and(|e| e <= now) {
            return Ok(KeyLookup::Unknown);
        }
        let admitted = client.is_none()
            || self.admits_with(
                &entry.rules,
                entry.cas.as_deref().unwrap_or_default(),
                client,
                certificates,
            );
        Ok(KeyLookup::Found(Box::new(SigningKey {
            admitted,
            secret: entry.secret,
            principal: entry.principal,
            session: None,
        })))
    }

    /// Whether admitting a request with `certificates` needs the account's CAs.
    fn needs_cas(&self, rules: &[ApiAccessRule], certificates: &[Vec<u8>]) -> bool {
        self.certificates.is_some()
            && !certificates.is_empty()
            && rules.iter().any(|r| !r.ca_ids.is_empty())
    }

    fn admits(
        &self,
        tx: &dyn ReadTx,
        account: &AccountId,
        client: Option<IpAddr>,
        certificates: &[Vec<u8>],
    ) -> CoreResult<bool> {
        if client.is_none() {
            return Ok(true);
        }
        let rules = tx.access_rules(account)?;
        let cas = if self.needs_cas(&rules, certificates) {
            tx.cas(account)?
        } else {
            Vec::new()
        };
        Ok(self.admits_with(&rules, &cas, client, certificates))
    }

    /// Whether `rules` admit a request from `client` with `certificates`, given the CAs.
    fn admits_with(
        &self,
        rules: &[ApiAccessRule],
        cas: &[Ca],
        client: Option<IpAddr>,
        certificates: &[Vec<u8>],
    ) -> bool {
        let certified = |ids: &[crate::ids::CaId], cns: &[String]| {
            self.certificates.as_ref().is_some_and(|check| {
                cas.iter()
                    .filter(|ca| ids.contains(&ca.id))
                    .any(|ca| check.issued_by(certificates, &ca.pem, cns))
            })
        };
        rules.iter().any(|r| r.admits(client, certified))
    }

    /// Refuses a request the account's API access rules do not admit from `source` with the
    /// client `certificates`.
    fn admitted(
        &self,
        account: &AccountId,
        source: Source,
        certificates: &[Vec<u8>],
    ) -> CoreResult<()> {
        if store::read(&*self.store, |tx| {
            self.admits(tx, account, source.addr(), certificates)
        })? {
            Ok(())
        } else {
            Err(CoreError::NotAdmitted)
        }
    }

    /// Signs an EIM user in with its password, as a console does: through the sign-in guards
    /// (the user's ARN is the login they lock), then, when the user must change its password,
    /// with the new one, and when it has an MFA device, with a current code. Answers a session
    /// of the user, acting with its permissions under `rules`.
    pub fn sign_in_user(
        &self,
        rules: &Rules,
        req: &UserSignIn<'_>,
        request: RequestInfo,
        audit: AuditContext,
    ) -> CoreResult<NewSession> {
        let found = store::read(&*self.store, |tx| {
            let Some(user) = tx.user_by_name(req.account, req.user)? else {
                return Ok(None);
            };
            Ok(tx.login_profile(req.account, &user.id)?.map(|p| (user, p)))
        })?;
        let login = crate::model::user_arn(req.account, &crate::ids::UserPath::root(), req.user);
        let login = found.as_ref().map_or(login, |(u, _)| u.arn());
        self.sign_in.check(
            &*self.store,
            &login,
            Source::new(request.source_ip),
            || self.clock.now(),
            || Ok(found.as_ref().map(|(_, p)| p.hash.clone())),
            req.password.expose(),
        )?;
        let Some((user, _)) = found else {
            return Err(CoreError::BadCredentials);
        };
        self.admitted(
            req.account,
            Source::new(request.source_ip),
            &request.client_certificates,
        )?;
        let principal = Principal::for_user(&user);
        self.caller(&principal, rules)
            .with_request(request)
            .audited(audit)
            .open_sign_in(req)
    }
}

/// An active, unexpired long-term key's secret, principal and expiry.
fn long_term(
    tx: &dyn ReadTx,
    id: &AccessKeyId,
    now: Timestamp,
) -> CoreResult<Option<(Secret, Principal, Option<Timestamp>)>> {
    let Some(key) = tx.key_for_authentication(id)? else {
        return Ok(None);
    };
    if key.state != KeyState::Active || key.is_expired(now) {
        return Ok(None);
    }
    let principal = match &key.owner {
        KeyOwner::Root => Principal::Root {
            account: key.account_id.clone(),
        },
        KeyOwner::User(uid) => match tx.user_by_id(&key.account_id, uid)? {
            Some(user) => Principal::for_user(&user),
            None => return Ok(None),
        },
    };
    Ok(tx
        .key_secret(&key.account_id, id)?
        .map(|secret| (secret, principal, key.expires_at)))
}

/// An EIM user's sign-in: its account, name and password, the new password when it must
/// change it, and its MFA code when it has a device.
#[derive(Debug, Clone, Copy)]
pub struct UserSignIn<'a> {
    pub account: &'a AccountId,
    pub user: &'a crate::ids::UserName,
    pub password: &'a Secret,
    pub new_password: Option<&'a Secret>,
    pub mfa_code: Option<&'a Secret>,
}

/// What authentication finds for a key id and the session token beside it.
#[derive(Debug)]
pub enum KeyLookup {
    /// Boxed: it is much larger than the others.
    Found(Box<SigningKey>),
    /// No key or session signs with these: unknown, inactive, expired key, missing or wrong
    /// token alike.
    Unknown,
    /// The session exists, and has expired.
    Expired,
}
