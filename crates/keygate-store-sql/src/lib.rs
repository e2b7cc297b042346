//! The statements of keygate's SQL stores, shared by every engine: the core's `Store`
//! transactions (`SqlTx`, one module per resource) over an engine's connection (`sql::Conn`),
//! every statement scoped to the account it names, and access key secrets sealed with an AEAD
//! (`seal`); and the copy of a whole store between engines (`copy`). An engine's crate brings the connection, the pool, the schema and its migrations.

mod access;
mod audit;
pub mod copy;
mod groups;
mod login;
mod managed;
mod mfa;
mod roles;
mod rows;
mod seal;
mod sessions;
mod sign_in;
pub mod sql;
mod tx;
mod write;

pub use seal::{KeyError, SealKey};
pub use tx::{SqlTx, described, storage};
