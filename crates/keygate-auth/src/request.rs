//! The HTTP request exactly as received, and the header and query lookups signing needs.

use crate::AuthError;

/// A request as it came off the wire; nothing in it is decoded or normalised yet.
#[derive(Clone, Copy)]
pub struct HttpRequest<'a> {
    /// Request method, e.g. `POST`.
    pub method: &'a str,
    /// Raw path exactly as received, e.g. `/` or `//api/latest/ReadUsers`.
    pub path: &'a str,
    /// Raw query string without the `?`; `""` when there is none.
    pub query: &'a str,
    /// Headers in wire order; names in any case, values untrimmed.
    pub headers: &'a [(&'a str, &'a str)],
    /// Body bytes as received.
    pub body: &'a [u8],
}

/// Shows where the request went, never its headers (a `Basic` header holds a password).
impl std::fmt::Debug for HttpRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl<'a> HttpRequest<'a> {
    /// Values of every header called `name`, compared ASCII case-insensitively, in wire order.
    pub(crate) fn header_values(&self, name: &str) -> impl Iterator<Item = &'a str> {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// The value of a header that may appear at most once.
    pub(crate) fn single_header(&self, name: &str) -> Result<Option<&'a str>, AuthError> {
        let mut values = self.header_values(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(AuthError::Incomplete(format!(
                "the request has more than one {name} header"
            )));
        }
        Ok(first)
    }
}

/// Splits a raw query into still-encoded `(name, value)` pairs; a bare `name` has an empty value.
pub(crate) fn raw_query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| part.split_once('=').unwrap_or((part, "")))
}
