//! The actions keygate serves, declared once: each row gives the wire name (the variant's
//! name), the service it belongs to, its input type and the core `Operation` it performs. From
//! the table derive the action enums, the lookup by `Action` and `Version`, the dispatch to
//! each action's module, the policy action (`iam:<name>`) and the log's `action` field.

use keygate_core::{Caller, KeyDeletion, Operation, Rules};

use crate::error::IamError;
use crate::ops::{Answer, Op, access_keys, sts, user_policies, users};
use crate::params::Params;

pub const IAM_VERSION: &str = "2010-05-08";
pub const STS_VERSION: &str = "2011-06-15";

/// How AWS IAM behaves where the dialects differ: keys are deleted in either state (AWS CLI
/// docs), and policies name `iam:` actions.
pub const RULES: Rules = Rules {
    user_key_deletion: KeyDeletion::AnyState,
    action: policy_action,
};

/// Which service an action belongs to, and so which scope service may sign it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Iam,
    Sts,
}

impl Api {
    pub fn version(self) -> &'static str {
        match self {
            Api::Iam => IAM_VERSION,
            Api::Sts => STS_VERSION,
        }
    }

    pub fn namespace(self) -> &'static str {
        match self {
            Api::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
            Api::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
        }
    }

    /// The signature scope services accepted: IAM's own, Outscale's EIM name for it, or STS.
    pub fn scope_services(self) -> &'static [&'static str] {
        match self {
            Api::Iam => &["iam", "eim"],
            Api::Sts => &["sts"],
        }
    }
}

macro_rules! actions {
    (
        $( $name:ident($input:ty) in $api:ident $(, checked as $op:ident)? ; )*
        @also { $( $other:ident => $also:literal ),* $(,)? }
    ) => {
        /// An action's name, before its parameters are read.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ActionName {
            $( $name, )*
        }

        impl ActionName {
            pub const ALL: &'static [ActionName] = &[$( ActionName::$name, )*];

            /// The `Action` parameter's value.
            pub fn wire(self) -> &'static str {
                match self {
                    $( ActionName::$name => stringify!($name), )*
                }
            }

            pub fn api(self) -> Api {
                match self {
                    $( ActionName::$name => Api::$api, )*
                }
            }

            /// The core operation it performs; `None` for what is never authorised.
            pub fn operation(self) -> Option<Operation> {
                match self {
                    $( ActionName::$name => actions!(@op $($op)?), )*
                }
            }

            /// The action a policy names, e.g. `iam:CreateUser`.
            pub fn policy_action(self) -> &'static str {
                match self {
                    $( ActionName::$name => match Api::$api {
                        Api::Iam => concat!("iam:", stringify!($name)),
                        Api::Sts => concat!("sts:", stringify!($name)),
                    }, )*
                }
            }

            pub fn from_wire(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|a| a.wire() == name)
            }

            /// Reads the action's parameters.
            pub fn decode(self, p: &Params) -> Result<Action, IamError> {
                Ok(match self {
                    $( ActionName::$name => Action::$name(<$input as Op>::decode(p)?), )*
                })
            }
        }

        /// An action with its parameters read and checked.
        #[derive(Debug)]
        pub enum Action {
            $( $name($input), )*
        }

        impl Action {
            /// Runs the action for the caller; every rule is the core's.
            pub fn run(self, c: &Caller<'_>) -> Result<Answer, IamError> {
                match self {
                    $( Action::$name(op) => op.run(c), )*
                }
            }
        }

        /// The policy action each core operation is checked against in this dialect.
        pub fn policy_action(op: Operation) -> &'static str {
            match op {
                $( $( Operation::$op => ActionName::$name.policy_action(), )? )*
                $( Operation::$other => $also, )*
            }
        }
    };
    (@op) => { None };
    (@op $op:ident) => { Some(Operation::$op) };
}

actions! {
    CreateUser(users::CreateUser) in Iam, checked as CreateUser;
    GetUser(users::GetUser) in Iam, checked as GetUser;
    ListUsers(users::ListUsers) in Iam, checked as ListUsers;
    UpdateUser(users::UpdateUser) in Iam, checked as UpdateUser;
    DeleteUser(users::DeleteUser) in Iam, checked as DeleteUser;
    TagUser(users::TagUser) in Iam, checked as TagUser;
    UntagUser(users::UntagUser) in Iam, checked as UntagUser;
    ListUserTags(users::ListUserTags) in Iam, checked as ListUserTags;
    CreateAccessKey(access_keys::CreateAccessKey) in Iam, checked as CreateAccessKey;
    ListAccessKeys(access_keys::ListAccessKeys) in Iam, checked as ListAccessKeys;
    UpdateAccessKey(access_keys::UpdateAccessKey) in Iam, checked as UpdateAccessKey;
    DeleteAccessKey(access_keys::DeleteAccessKey) in Iam, checked as DeleteAccessKey;
    GetAccessKeyLastUsed(access_keys::GetAccessKeyLastUsed) in Iam, checked as GetAccessKeyLastUsed;
    PutUserPolicy(user_policies::PutUserPolicy) in Iam, checked as PutUserPolicy;
    GetUserPolicy(user_policies::GetUserPolicy) in Iam, checked as GetUserPolicy;
    ListUserPolicies(user_policies::ListUserPolicies) in Iam, checked as ListUserPolicies;
    DeleteUserPolicy(user_policies::DeleteUserPolicy) in Iam, checked as DeleteUserPolicy;
    GetCallerIdentity(sts::GetCallerIdentity) in Sts;
    // Operations only the OSC dialect performs, named as IAM's nearest actions.
    @also {
        ReadAccount => "iam:GetAccountSummary",
        CheckAuthentication => "iam:GetLoginProfile",
    }
}

/// The action named by `Action` and `Version`, before anything else is read.
pub fn action_name(p: &Params) -> Result<ActionName, IamError> {
    let name = p.get("Action").ok_or(IamError::MissingAction)?;
    let version = p.get("Version").ok_or(IamError::MissingVersion)?;
    ActionName::from_wire(name)
        .filter(|a| a.api().version() == version)
        .ok_or_else(|| IamError::unknown_action(name, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::users::*;
    use keygate_core::{PageRequest, UserName};

    fn p(s: &str) -> Params {
        Params::parse(s.as_bytes()).unwrap()
    }

    fn err(s: &str) -> IamError {
        let params = p(s);
        match action_name(&params) {
            Ok(name) => name.decode(&params).unwrap_err(),
            Err(e) => e,
        }
    }

    fn parse(name: &str, params: &Params) -> Result<Action, IamError> {
        ActionName::from_wire(name).unwrap().decode(params)
    }

    #[test]
    fn names_and_versions() {
        assert_eq!(err("Version=2010-05-08").code(), "MissingAction");
        assert_eq!(err("Action=ListUsers").code(), "MissingParameter");
        let e = err("Action=FooBar&Version=2010-05-08");
        assert_eq!(
            (e.code(), e.message()),
            (
                "InvalidAction",
                "Could not find operation FooBar for version 2010-05-08"
            )
        );
        assert_eq!(
            err("Action=ListUsers&Version=2011-06-15").code(),
            "InvalidAction"
        );
        assert_eq!(
            action_name(&p("Action=GetCallerIdentity&Version=2011-06-15"))
                .unwrap()
                .api(),
            Api::Sts
        );
    }

    #[test]
    fn validation_messages_name_the_member() {
        let e = err("Action=CreateUser&Version=2010-05-08&UserName=a+b");
        assert_eq!(e.code(), "ValidationError");
        assert_eq!(
            e.message(),
            r"1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+"
        );
        let e = err("Action=DeleteUser&Version=2010-05-08");
        assert!(
            e.message().contains("Value null at 'userName'"),
            "{}",
            e.message()
        );
        let e = err(
            "Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIDEXAMPLE0TARGET01&Status=Bogus",
        );
        assert!(e.message().contains("at 'status'"));
        assert_eq!(err("Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIDEXAMPLE0TARGET01&Status=Expired").code(), "InvalidInput");
        let e = err("Action=DeleteAccessKey&Version=2010-05-08&AccessKeyId=SHORT");
        assert!(
            e.message().contains("at 'accessKeyId'")
                && e.message().contains("greater than or equal to 16")
        );
        let e = err("Action=ListUsers&Version=2010-05-08&MaxItems=5000");
        assert!(e.message().contains("less than or equal to 1000"));
        assert!(
            err("Action=ListUsers&Version=2010-05-08&MaxItems=x")
                .message()
                .contains("maxItems")
        );
        assert!(
            err("Action=CreateUser&Version=2010-05-08&UserName=a&Path=nope")
                .message()
                .contains("'path'")
        );
        assert!(
            err("Action=TagUser&Version=2010-05-08&UserName=a")
                .message()
                .contains("'tags'")
        );
        assert!(
            err("Action=TagUser&Version=2010-05-08&UserName=a&Tags.member.1.Key=k")
                .message()
                .contains("tags.1.member.value")
        );
        assert_eq!(err("Action=CreateUser&Version=2010-05-08&UserName=a&PermissionsBoundary=arn:aws:iam::aws:policy/X").code(), "NoSuchEntity");
    }

    #[test]
    fn reads_every_member() {
        let a = parse(
            "TagUser",
            &p("Action=TagUser&Version=2010-05-08&UserName=Bob&Tags.member.2.Key=cost-center&Tags.member.2.Value=a%2Fb&Tags.member.1.Key=team&Tags.member.1.Value=dev+ops"),
        )
        .unwrap();
        let Action::TagUser(TagUser { tags, .. }) = a else {
            panic!("{a:?}")
        };
        assert_eq!(
            tags.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(),
            ["team", "cost-center"]
        );
        assert_eq!(tags[0].value.as_str(), "dev ops");
        let a = parse(
            "UntagUser",
            &p("UserName=Bob&TagKeys.member.1=a&TagKeys.member.2=c"),
        )
        .unwrap();
        assert!(matches!(a, Action::UntagUser(UntagUser { ref keys, .. }) if keys.len() == 2));
        let a = parse("ListAccessKeys", &p("UserName=Bob&MaxItems=2&Marker=abc")).unwrap();
        let Action::ListAccessKeys(a) = a else {
            panic!("{a:?}")
        };
        assert_eq!(
            (a.user_name, a.page),
            (
                Some(UserName::parse("Bob").unwrap()),
                PageRequest {
                    marker: Some("abc".into()),
                    max_items: Some(2)
                },
            )
        );
    }
}
