//! keygate's core: the domain, its rules, and `Service`, the only writer. It knows nothing of
//! HTTP, SQL or XML; front ends decode requests into calls on `Service` and encode its answers.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod error;
pub mod ids;
pub mod memory;
pub mod model;
pub mod page;
pub mod password;
pub mod policy;
pub mod rules;
pub mod service;
pub mod store;
pub mod system;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use error::{CoreError, CoreResult, Dependents, Quota};
pub use ids::{
    AccessKeyId, AccountId, Email, InvalidId, PathPrefix, PolicyName, TagKey, TagValue, UserId,
    UserName, UserPath,
};
pub use model::{
    AccessKey, Account, AccountCredentials, KeyOwner, KeyState, KeyView, LastUsed, NewAccessKey,
    Principal, RequestId, Secret, SigningKey, Tag, Timestamp, User,
};
pub use page::{Page, PageRequest};
pub use rules::{KeyDeletion, Limits, Operation, Rules};
pub use service::{Caller, Identity, KeyChange, KeyFilter, MAX_TAGS_PER_USER, Service, UserChange};
pub use store::{Clock, IdGen, ReadTx, Store, WriteTx};
pub use system::{FixedClock, RandomIds, SystemClock};
