//! Authentication of keygate requests: parsing and verifying AWS Signature Version 4
//! (`AWS4-HMAC-SHA256`, IAM Query API) and its Outscale twin (`OSC4-HMAC-SHA256`, OSC API),
//! checking the request clock, caching derived signing keys, and decoding `Basic`
//! login/password credentials, and reading client CA certificates (`ca`); and signing requests
//! as a client does (`client`), for keygate's tests and load generator.
//!
//! The signature functions are pure: they are given the secret of the access key named in the
//! parsed [`Scope`]. [`Gate`] runs the whole flow for a front end against a [`SecretLookup`]
//! (the server implements it over the core; this crate knows no store), and the front end maps
//! [`Failure`] to its API's error codes.

mod basic;
mod ca;
mod cache;
mod canonical;
mod client;
mod clock;
mod error;
mod flavour;
mod gate;
mod lookup;
mod parse;
#[cfg(feature = "actix")]
mod receive;
mod request;
mod verify;

pub use basic::{Password, parse_basic};
pub use ca::{CaCertificate, CaError, issued_by, parse_ca};
pub use cache::SigningKeyCache;
pub use canonical::{canonical_request, derive_signing_key, sign, string_to_sign};
pub use client::{Outgoing, Signer};
pub use clock::{check_date_header, check_time};
pub use error::AuthError;
pub use flavour::Flavour;
pub use gate::{
    Authenticated, ClientCertificates, Failure, Gate, SignedHttp, claimed_key_id, session_token,
};
pub use lookup::{Found, KeySecret, KeyUse, SecretLookup};
pub use parse::{Scope, SignedRequest, parse};
#[cfg(feature = "actix")]
pub use receive::{BodyError, BodyLimits, TrustedProxies, receive};
pub use request::HttpRequest;
pub use verify::{VerifyOptions, verify};
