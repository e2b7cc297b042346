//! Support for keygate's cross-crate tests; the tests themselves are in `main.rs` and its
//! modules, built as one test binary.

pub mod support;
