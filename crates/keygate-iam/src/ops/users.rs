//! Users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser and their tags (TagUser,
//! UntagUser, ListUserTags).

use keygate_core::{
    Caller, Identity, Page, PageRequest, PathPrefix, Tag, TagKey, User, UserChange, UserName,
    UserPath,
};

use super::{Answer, Encode, Op, empty, tag, truncation, user};
use crate::decode::{self, optional, page, required, tag_keys, tags};
use crate::error::IamError;
use crate::params::Params;
use crate::xml::Xml;

#[derive(Debug)]
pub struct CreateUser {
    pub user_name: UserName,
    pub path: Option<UserPath>,
    pub tags: Vec<Tag>,
}

impl Op for CreateUser {
    fn decode(p: &Params) -> Result<Self, IamError> {
        if p.get("PermissionsBoundary").is_some() {
            return Err(IamError::boundaries_unsupported());
        }
        Ok(Self {
            user_name: required(p, "UserName", UserName::parse)?,
            path: optional(p, "Path", UserPath::parse)?,
            tags: tags(p, false)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let u = c.create_user(self.user_name, self.path, None, self.tags)?;
        Ok(Box::new(CreatedUser(u)))
    }
}

/// The `<User>` of CreateUser, with its tags.
#[derive(Debug)]
pub struct CreatedUser(pub User);

impl Encode for CreatedUser {
    fn write(&self, x: &mut Xml) {
        x.open("User");
        user(x, &self.0, true);
        x.close("User");
    }
}

#[derive(Debug)]
pub struct GetUser {
    pub user_name: Option<UserName>,
}

impl Op for GetUser {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user_opt(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        Ok(Box::new(GotUser(c.get_user(self.user_name.as_ref())?)))
    }
}

/// The `<User>` of GetUser: a user, or the account's root.
#[derive(Debug)]
pub struct GotUser(pub Identity);

impl Encode for GotUser {
    fn write(&self, x: &mut Xml) {
        x.open("User");
        match &self.0 {
            Identity::User(u) => user(x, u, true),
            Identity::Root(a) => {
                x.text("UserId", a.id.as_str());
                x.text("Arn", &keygate_core::model::root_arn(&a.id));
                x.date("CreateDate", a.created_at);
            }
        }
        x.close("User");
    }
}

#[derive(Debug)]
pub struct ListUsers {
    pub path_prefix: Option<PathPrefix>,
    pub page: PageRequest,
}

impl Op for ListUsers {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            path_prefix: optional(p, "PathPrefix", PathPrefix::parse)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let users = c.list_users(self.path_prefix.as_ref(), &self.page)?;
        Ok(Box::new(Users(users)))
    }
}

#[derive(Debug)]
pub struct Users(pub Page<User>);

impl Encode for Users {
    fn write(&self, x: &mut Xml) {
        x.list("Users", &self.0.items, |x, u| user(x, u, false));
        truncation(x, &self.0);
    }
}

#[derive(Debug)]
pub struct UpdateUser {
    pub user_name: UserName,
    pub new_user_name: Option<UserName>,
    pub new_path: Option<UserPath>,
}

impl Op for UpdateUser {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user(p)?,
            new_user_name: optional(p, "NewUserName", UserName::parse)?,
            new_path: optional(p, "NewPath", UserPath::parse)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let change = UserChange {
            name: self.new_user_name,
            path: self.new_path,
            email: None,
        };
        c.update_user(&self.user_name, change)?;
        empty()
    }
}

#[derive(Debug)]
pub struct DeleteUser {
    pub user_name: UserName,
}

impl Op for DeleteUser {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.delete_user(&self.user_name)?;
        empty()
    }
}

#[derive(Debug)]
pub struct TagUser {
    pub user_name: UserName,
    pub tags: Vec<Tag>,
}

impl Op for TagUser {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user(p)?,
            tags: tags(p, true)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.tag_user(&self.user_name, self.tags)?;
        empty()
    }
}

#[derive(Debug)]
pub struct UntagUser {
    pub user_name: UserName,
    pub keys: Vec<TagKey>,
}

impl Op for UntagUser {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user(p)?,
            keys: tag_keys(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        c.untag_user(&self.user_name, &self.keys)?;
        empty()
    }
}

#[derive(Debug)]
pub struct ListUserTags {
    pub user_name: UserName,
    pub page: PageRequest,
}

impl Op for ListUserTags {
    fn decode(p: &Params) -> Result<Self, IamError> {
        Ok(Self {
            user_name: decode::user(p)?,
            page: page(p)?,
        })
    }

    fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
        let tags = c.list_user_tags(&self.user_name, &self.page)?;
        Ok(Box::new(Tags(tags)))
    }
}

#[derive(Debug)]
pub struct Tags(pub Page<Tag>);

impl Encode for Tags {
    fn write(&self, x: &mut Xml) {
        x.list("Tags", &self.0.items, tag);
        truncation(x, &self.0);
    }
}
