//! Signature verification: recomputes the signature of a parsed request with the caller's
//! secret and compares it in constant time.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::{
    AuthError, HttpRequest, SignedRequest, SigningKeyCache, canonical_request, derive_signing_key,
    sign, string_to_sign,
};

/// Client quirks verification may allow for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// osc-sdk-python signs `host` without the port while sending `Host: name:port`; when set, a
    /// failed check is retried once with the port removed from the `host` header.
    pub host_without_port_fallback: bool,
}

/// Checks that `signed` was produced over `req` with `secret`. Does not check the clock (see
/// [`crate::check_time`]) nor whether the scope's region or service is acceptable.
pub fn verify(
    req: &HttpRequest,
    signed: &SignedRequest,
    secret: &str,
    cache: Option<&SigningKeyCache>,
    opts: VerifyOptions,
) -> Result<(), AuthError> {
    check_content_hash(req)?;
    let scope = &signed.scope;
    let key = Zeroizing::new(match cache {
        Some(cache) => cache.signing_key(signed.flavour, scope, secret),
        None => derive_signing_key(
            signed.flavour,
            secret,
            &scope.date,
            &scope.region,
            &scope.service,
        ),
    });
    if signature_matches(req, signed, &key)? {
        return Ok(());
    }
    if opts.host_without_port_fallback
        && let Some(headers) = headers_with_bare_host(req.headers)
    {
        let bare = HttpRequest {
            headers: &headers,
            ..*req
        };
        if signature_matches(&bare, signed, &key)? {
            return Ok(());
        }
    }
    Err(AuthError::SignatureMismatch)
}

/// A body hash header, when a client sends one, must be the hash of the body received (the
/// signature covers the body itself either way; this refuses a header that lies about it).
fn check_content_hash(req: &HttpRequest) -> Result<(), AuthError> {
    for name in ["x-amz-content-sha256", "x-osc-content-sha256"] {
        if let Some(claimed) = req.single_header(name)? {
            let actual = crate::canonical::sha256_hex(req.body);
            if !claimed.trim().eq_ignore_ascii_case(&actual) {
                return Err(AuthError::Incomplete(format!(
                    "the {name} header does not match the hash of the body"
                )));
            }
        }
    }
    Ok(())
}

fn signature_matches(
    req: &HttpRequest,
    signed: &SignedRequest,
    key: &[u8; 32],
) -> Result<bool, AuthError> {
    let canonical = canonical_request(req, &signed.signed_headers, signed.is_presigned())?;
    let to_sign = string_to_sign(
        signed.flavour,
        &signed.request_date,
        &signed.scope,
        &canonical,
    );
    Ok(sign(key, &to_sign).ct_eq(&signed.signature).into())
}

/// The headers with `:port` removed from every `host` value, or `None` if no value had a port.
fn headers_with_bare_host<'a>(headers: &[(&'a str, &'a str)]) -> Option<Vec<(&'a str, &'a str)>> {
    let mut stripped_any = false;
    let headers = headers
        .iter()
        .map(|&(name, value)| {
            match name
                .eq_ignore_ascii_case("host")
                .then(|| strip_port(value.trim()))
                .flatten()
            {
                Some(bare) => {
                    stripped_any = true;
                    (name, bare)
                }
                None => (name, value),
            }
        })
        .collect();
    stripped_any.then_some(headers)
}

/// `name:1234` → `name`, `[::1]:1234` → `[::1]`; anything else has no port to strip.
fn strip_port(host: &str) -> Option<&str> {
    let (name, port) = host.rsplit_once(':')?;
    let is_port = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
    let is_name = !name.is_empty() && (!name.contains(':') || name.ends_with(']'));
    (is_port && is_name).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_stripping() {
        assert_eq!(strip_port("127.0.0.1:8470"), Some("127.0.0.1"));
        assert_eq!(strip_port("[::1]:8470"), Some("[::1]"));
        assert_eq!(strip_port("example.com"), None);
        assert_eq!(strip_port("[::1]"), None);
        assert_eq!(strip_port("example.com:"), None);
        assert_eq!(strip_port(":80"), None);
    }

    #[test]
    fn only_host_headers_are_rewritten() {
        let headers = [("X-Other", "a:1"), ("Host", "h:1")];
        assert_eq!(
            headers_with_bare_host(&headers),
            Some(vec![("X-Other", "a:1"), ("Host", "h")])
        );
        assert_eq!(headers_with_bare_host(&[("Host", "h")]), None);
    }

    #[test]
    fn a_body_hash_header_must_match_the_body() {
        let body = b"Action=ListUsers";
        let good = crate::canonical::sha256_hex(body);
        let check = |value: &str| {
            let headers = [("X-Amz-Content-Sha256", value)];
            check_content_hash(&HttpRequest {
                method: "POST",
                path: "/",
                query: "",
                headers: &headers,
                body,
            })
        };
        assert_eq!(check(&good), Ok(()));
        assert!(matches!(
            check("UNSIGNED-PAYLOAD"),
            Err(AuthError::Incomplete(_))
        ));
    }
}
