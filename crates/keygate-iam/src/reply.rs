//! Running a typed `Action` against the core, and encoding what it returns as the action's
//! `<…Result>` element.

use keygate_core::{
    Caller, CoreResult, Identity, KeyChange, KeyFilter, KeyState, KeyView, NewAccessKey, Page,
    PolicyName, Principal, Tag, User, UserChange, UserName,
};

use crate::action::Action;
use crate::xml::Xml;

/// What an action answers, before encoding.
#[derive(Debug)]
pub enum Reply {
    Empty,
    CreatedUser(User),
    User(Identity),
    Users(Page<User>),
    Tags(Page<Tag>),
    NewKey(NewAccessKey),
    Keys(Page<KeyView>),
    LastUsed(KeyView),
    Policy {
        user: UserName,
        name: PolicyName,
        document: String,
    },
    PolicyNames(Page<PolicyName>),
    CallerIdentity(Principal),
}

/// Runs the action for the caller; every rule is the core's.
pub fn execute(c: &Caller<'_>, action: Action) -> CoreResult<Reply> {
    Ok(match action {
        Action::CreateUser {
            user_name,
            path,
            tags,
        } => Reply::CreatedUser(c.create_user(user_name, path, None, tags)?),
        Action::GetUser { user_name } => Reply::User(c.get_user(user_name.as_ref())?),
        Action::ListUsers { path_prefix, page } => {
            Reply::Users(c.list_users(path_prefix.as_ref(), &page)?)
        }
        Action::UpdateUser {
            user_name,
            new_user_name,
            new_path,
        } => {
            c.update_user(
                &user_name,
                UserChange {
                    name: new_user_name,
                    path: new_path,
                    email: None,
                },
            )?;
            Reply::Empty
        }
        Action::DeleteUser { user_name } => {
            c.delete_user(&user_name)?;
            Reply::Empty
        }
        Action::TagUser { user_name, tags } => {
            c.tag_user(&user_name, tags)?;
            Reply::Empty
        }
        Action::UntagUser { user_name, keys } => {
            c.untag_user(&user_name, &keys)?;
            Reply::Empty
        }
        Action::ListUserTags { user_name, page } => {
            Reply::Tags(c.list_user_tags(&user_name, &page)?)
        }
        Action::CreateAccessKey { user_name } => {
            Reply::NewKey(c.create_access_key(user_name.as_ref(), None, None)?)
        }
        Action::ListAccessKeys { user_name, page } => {
            Reply::Keys(c.list_access_keys(user_name.as_ref(), &KeyFilter::default(), &page)?)
        }
        Action::UpdateAccessKey {
            user_name,
            access_key_id,
            status,
        } => {
            c.update_access_key(
                user_name.as_ref(),
                &access_key_id,
                KeyChange {
                    state: Some(status),
                    ..KeyChange::default()
                },
            )?;
            Reply::Empty
        }
        Action::DeleteAccessKey {
            user_name,
            access_key_id,
        } => {
            c.delete_access_key(user_name.as_ref(), &access_key_id)?;
            Reply::Empty
        }
        Action::GetAccessKeyLastUsed { access_key_id } => {
            Reply::LastUsed(c.access_key_last_used(&access_key_id)?)
        }
        Action::PutUserPolicy {
            user_name,
            policy_name,
            document,
        } => {
            c.put_user_policy(&user_name, &policy_name, &document)?;
            Reply::Empty
        }
        Action::GetUserPolicy {
            user_name,
            policy_name,
        } => Reply::Policy {
            document: c.get_user_policy(&user_name, &policy_name)?,
            user: user_name,
            name: policy_name,
        },
        Action::ListUserPolicies { user_name, page } => {
            Reply::PolicyNames(c.list_user_policies(&user_name, &page)?)
        }
        Action::DeleteUserPolicy {
            user_name,
            policy_name,
        } => {
            c.delete_user_policy(&user_name, &policy_name)?;
            Reply::Empty
        }
        Action::GetCallerIdentity => Reply::CallerIdentity(c.principal().clone()),
    })
}

fn status(s: KeyState) -> &'static str {
    match s {
        KeyState::Active => "Active",
        KeyState::Inactive => "Inactive",
    }
}

fn user(x: &mut Xml, u: &User, with_tags: bool) {
    x.text("Path", u.path.as_str());
    x.text("UserName", u.name.as_str());
    x.text("UserId", u.id.as_str());
    x.text("Arn", &u.arn());
    x.date("CreateDate", u.created_at);
    if with_tags && !u.tags.is_empty() {
        x.list("Tags", &u.tags, tag);
    }
}

fn tag(x: &mut Xml, t: &Tag) {
    x.text("Key", t.key.as_str());
    x.text("Value", t.value.as_str());
}

fn truncation<T>(x: &mut Xml, page: &Page<T>) {
    x.boolean("IsTruncated", page.is_truncated());
    if let Some(m) = &page.next_marker {
        x.text("Marker", m);
    }
}

fn key_metadata(x: &mut Xml, v: &KeyView) {
    if let Some(n) = &v.user_name {
        x.text("UserName", n.as_str());
    }
    x.text("AccessKeyId", v.key.id.as_str());
    x.text("Status", status(v.key.state));
    x.date("CreateDate", v.key.created_at);
}

/// Every byte but `A–Z a–z 0–9 - _ . ~` as `%XX`, the way IAM returns policy documents.
fn rfc3986(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Reply {
    /// Whether the action answers with a `<…Result>` element.
    pub fn has_result(&self) -> bool {
        !matches!(self, Reply::Empty)
    }

    /// Writes the inside of the `<…Result>` element.
    pub fn write(&self, x: &mut Xml) {
        match self {
            Reply::Empty => {}
            Reply::CreatedUser(u) => {
                x.open("User");
                user(x, u, true);
                x.close("User");
            }
            Reply::User(identity) => {
                x.open("User");
                match identity {
                    Identity::User(u) => user(x, u, true),
                    Identity::Root(a) => {
                        x.text("UserId", a.id.as_str());
                        x.text("Arn", &keygate_core::model::root_arn(&a.id));
                        x.date("CreateDate", a.created_at);
                    }
                }
                x.close("User");
            }
            Reply::Users(page) => {
                x.list("Users", &page.items, |x, u| user(x, u, false));
                truncation(x, page);
            }
            Reply::Tags(page) => {
                x.list("Tags", &page.items, tag);
                truncation(x, page);
            }
            Reply::NewKey(k) => {
                x.open("AccessKey");
                if let Some(n) = &k.view.user_name {
                    x.text("UserName", n.as_str());
                }
                x.text("AccessKeyId", k.view.key.id.as_str());
                x.text("Status", status(k.view.key.state));
                x.text("SecretAccessKey", k.secret.expose());
                x.date("CreateDate", k.view.key.created_at);
                x.close("AccessKey");
            }
            Reply::Keys(page) => {
                x.list("AccessKeyMetadata", &page.items, key_metadata);
                truncation(x, page);
            }
            Reply::LastUsed(v) => {
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
            Reply::Policy {
                user,
                name,
                document,
            } => {
                x.text("UserName", user.as_str());
                x.text("PolicyName", name.as_str());
                x.text("PolicyDocument", &rfc3986(document));
            }
            Reply::PolicyNames(page) => {
                x.list("PolicyNames", &page.items, |x, n| x.text_inline(n.as_str()));
                truncation(x, page);
            }
            Reply::CallerIdentity(p) => {
                x.text("Arn", &p.arn());
                x.text("UserId", p.unique_id());
                x.text("Account", p.account().as_str());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_documents_are_percent_encoded_with_percent_20() {
        assert_eq!(
            rfc3986("{\"Action\": \"iam:*\"}\n/~"),
            "%7B%22Action%22%3A%20%22iam%3A%2A%22%7D%0A%2F~"
        );
        assert_eq!(rfc3986("é"), "%C3%A9");
    }
}
