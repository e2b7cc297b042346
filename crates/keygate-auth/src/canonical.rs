//! The Signature Version 4 building blocks: canonical request, string to sign, signing-key
//! derivation and the final HMAC. Shared by both flavours.

use hmac::digest::Key;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, percent_encode};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::request::raw_query_pairs;
use crate::{AuthError, Flavour, HttpRequest, Scope};

type HmacSha256 = Hmac<Sha256>;

/// Everything but the RFC 3986 unreserved characters is encoded in query names and values.
const QUERY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Paths additionally keep their `/` separators.
const PATH_ENCODE: &AsciiSet = &QUERY_ENCODE.remove(b'/');

/// Query parameter that carries a presigned request's signature, so is not itself signed.
pub(crate) const PRESIGNED_SIGNATURE_PARAM: &str = "X-Amz-Signature";

/// Builds the canonical request for `req` (method, URI, query, headers, signed list, payload hash).
///
/// `signed_headers` are the lower-case names from `SignedHeaders`, in the order given. With
/// `presigned`, `X-Amz-Signature` is left out of the canonical query. The payload hash is always
/// computed over the raw body, so a presigned URL signed for an empty body only verifies with one.
pub fn canonical_request<S: AsRef<str>>(
    req: &HttpRequest,
    signed_headers: &[S],
    presigned: bool,
) -> Result<String, AuthError> {
    let mut out = String::with_capacity(512);
    out.push_str(req.method);
    out.push('\n');
    out.push_str(&canonical_uri(req.path));
    out.push('\n');
    out.push_str(&canonical_query(req.query, presigned));
    out.push('\n');
    canonical_headers(&mut out, req, signed_headers)?;
    out.push('\n');
    for (i, name) in signed_headers.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(name.as_ref());
    }
    out.push('\n');
    out.push_str(&sha256_hex(req.body));
    Ok(out)
}

/// Line 1 algorithm, line 2 request time, line 3 credential scope, line 4 canonical request hash.
pub fn string_to_sign(
    flavour: Flavour,
    request_date: &str,
    scope: &Scope,
    canonical_request: &str,
) -> String {
    format!(
        "{}\n{}\n{}/{}/{}/{}\n{}",
        flavour.algorithm(),
        request_date,
        scope.date,
        scope.region,
        scope.service,
        flavour.terminator(),
        sha256_hex(canonical_request.as_bytes()),
    )
}

/// `kSigning` = HMAC chain from `<prefix><secret>` over date, region, service and terminator.
pub fn derive_signing_key(
    flavour: Flavour,
    secret: &str,
    date: &str,
    region: &str,
    service: &str,
) -> [u8; 32] {
    let first = Zeroizing::new(format!("{}{}", flavour.key_prefix(), secret));
    let k_date = Zeroizing::new(hmac_sha256(first.as_bytes(), date.as_bytes()));
    let k_region = Zeroizing::new(hmac_sha256(k_date.as_slice(), region.as_bytes()));
    let k_service = Zeroizing::new(hmac_sha256(k_region.as_slice(), service.as_bytes()));
    hmac_sha256(k_service.as_slice(), flavour.terminator().as_bytes())
}

/// The signature: HMAC-SHA256 of the string to sign under the signing key.
pub fn sign(signing_key: &[u8; 32], string_to_sign: &str) -> [u8; 32] {
    hmac_sha256(signing_key, string_to_sign.as_bytes())
}

/// RFC 3986 dot-segment removal plus collapsing of empty segments, then one more encoding.
pub(crate) fn canonical_uri(raw_path: &str) -> String {
    percent_encode(normalise_path(raw_path).as_bytes(), PATH_ENCODE).to_string()
}

/// osc-cli sends `//api/latest/X` but signs `/api/latest/X`, hence empty segments are dropped.
fn normalise_path(raw_path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in raw_path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut path = format!("/{}", segments.join("/"));
    if raw_path.ends_with('/') && !segments.is_empty() {
        path.push('/');
    }
    path
}

/// Pairs decoded and re-encoded so the client's own encoding choices do not matter, then sorted.
pub(crate) fn canonical_query(raw_query: &str, presigned: bool) -> String {
    let mut pairs: Vec<(String, String)> = raw_query_pairs(raw_query)
        .map(|(name, value)| (decode(name), decode(value)))
        .filter(|(name, _)| !(presigned && name == PRESIGNED_SIGNATURE_PARAM.as_bytes()))
        .map(|(name, value)| {
            (
                percent_encode(&name, QUERY_ENCODE).to_string(),
                percent_encode(&value, QUERY_ENCODE).to_string(),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn decode(raw: &str) -> Vec<u8> {
    percent_decode_str(raw).collect()
}

/// One `name:value\n` line per signed header onto `out`; repeated headers are joined with `,`,
/// and runs of white space in a value become one space.
fn canonical_headers<S: AsRef<str>>(
    out: &mut String,
    req: &HttpRequest,
    signed_headers: &[S],
) -> Result<(), AuthError> {
    for name in signed_headers.iter().map(AsRef::as_ref) {
        out.push_str(name);
        out.push(':');
        let mut values = req.header_values(name).peekable();
        if values.peek().is_none() {
            return Err(missing_signed_header(name));
        }
        for (i, value) in values.enumerate() {
            if i > 0 {
                out.push(',');
            }
            for (j, word) in value.split_whitespace().enumerate() {
                if j > 0 {
                    out.push(' ');
                }
                out.push_str(word);
            }
        }
        out.push('\n');
    }
    Ok(())
}

pub(crate) fn missing_signed_header(name: &str) -> AuthError {
    AuthError::Incomplete(format!("a signed header is missing: {name}"))
}

/// The SHA-256 of `data` in lowercase hex, written through a buffer: `hex::encode` builds its
/// string a character at a time.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    let mut digits = [0u8; 64];
    hex::encode_to_slice(Sha256::digest(data), &mut digits)
        .ok()
        .and_then(|()| String::from_utf8(digits.to_vec()).ok())
        .unwrap_or_default()
}

/// HMAC-SHA256 with an infallible key setup: RFC 2104 zero-pads keys up to the 64-byte block
/// and hashes longer ones first, which is what `new_from_slice` would do (but fallibly typed).
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = Key::<HmacSha256>::default();
    if key.len() <= block.len() {
        block[..key.len()].copy_from_slice(key);
    } else {
        block[..32].copy_from_slice(&Sha256::digest(key));
    }
    let mut mac = <HmacSha256 as hmac::digest::KeyInit>::new(&block);
    block.as_mut_slice().zeroize();
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_normalisation() {
        for (raw, canonical) in [
            ("", "/"),
            ("/", "/"),
            ("//api/latest/ReadUsers", "/api/latest/ReadUsers"),
            ("/a/./b/../c", "/a/c"),
            ("/a/b/", "/a/b/"),
            ("/../..", "/"),
            ("/a%20b/~x", "/a%2520b/~x"),
            ("/é", "/%C3%A9"),
        ] {
            assert_eq!(canonical_uri(raw), canonical, "{raw}");
        }
    }

    #[test]
    fn query_canonicalisation() {
        assert_eq!(canonical_query("", false), "");
        assert_eq!(
            canonical_query("b=2&a=x+y&a=%41%2f&c&&d=", false),
            "a=A%2F&a=x%2By&b=2&c=&d="
        );
        assert_eq!(canonical_query("k=a b*~", false), "k=a%20b%2A~");
        assert_eq!(
            canonical_query("Action=ListUsers&X-Amz-Signature=ab", true),
            "Action=ListUsers"
        );
        assert_eq!(
            canonical_query("X-Amz-Signature=ab", false),
            "X-Amz-Signature=ab"
        );
    }

    #[test]
    fn hmac_matches_rfc_4231_case_6() {
        // 131-byte key: exercises the hashed-key branch.
        let key = [0xaa_u8; 131];
        let mac = hmac_sha256(
            &key,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
