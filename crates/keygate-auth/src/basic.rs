//! `Authorization: Basic` login/password decoding (OSC API), and `Password`, the one type a
//! password travels in: zeroized on drop, kept out of logs.

use std::fmt;

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use zeroize::Zeroizing;

use crate::AuthError;

const ANY_PADDING: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
/// osc-sdk-python encodes with the standard alphabet...
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, ANY_PADDING);
/// ...and osc-cli with the URL-safe one.
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, ANY_PADDING);

/// A password, wiped from memory on drop and hidden from `Debug`.
pub struct Password(Zeroizing<String>);

impl Password {
    pub fn new(text: String) -> Self {
        Self(Zeroizing::new(text))
    }

    /// The password text, for comparison against the stored credential.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<Zeroizing<String>> for Password {
    fn from(text: Zeroizing<String>) -> Self {
        Self(text)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Decodes an `Authorization` value `Basic <base64 of login:password>`, in either Base64
/// alphabet, padded or not. The password may contain `:`; the login (an e-mail) cannot.
pub fn parse_basic(header_value: &str) -> Result<(String, Password), AuthError> {
    let bad = |message: &str| AuthError::BadBasic(message.to_owned());
    let (scheme, token) = header_value
        .trim()
        .split_once(|c: char| c.is_ascii_whitespace())
        .ok_or_else(|| bad("expected 'Basic <credentials>'"))?;
    if !scheme.eq_ignore_ascii_case("Basic") {
        return Err(bad("the scheme is not Basic"));
    }
    let token = token.trim();
    let engine = if token.contains(['-', '_']) {
        &URL_SAFE
    } else {
        &STANDARD
    };
    let decoded = Zeroizing::new(
        engine
            .decode(token)
            .map_err(|_| bad("the credentials are not valid Base64"))?,
    );
    let text = std::str::from_utf8(&decoded).map_err(|_| bad("the credentials are not UTF-8"))?;
    let (login, password) = text
        .split_once(':')
        .ok_or_else(|| bad("the credentials must be login:password"))?;
    if login.is_empty() {
        return Err(bad("the login is empty"));
    }
    Ok((login.to_owned(), Password::new(password.to_owned())))
}
