//! The two signature flavours and the names that differ between them.

/// Which Signature Version 4 variant a request is expected to use.
///
/// Both are the same algorithm; only the algorithm name, the date header, the prefix of the
/// first HMAC key and the scope terminator change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavour {
    /// `AWS4-HMAC-SHA256`, sent by the AWS CLI and SDKs (and by osc-sdk-go to the OSC API).
    Aws4,
    /// `OSC4-HMAC-SHA256`, sent by osc-cli and osc-sdk-python.
    Osc4,
}

impl Flavour {
    /// Name at the start of the Authorization header and on line 1 of the string to sign.
    pub const fn algorithm(self) -> &'static str {
        match self {
            Flavour::Aws4 => "AWS4-HMAC-SHA256",
            Flavour::Osc4 => "OSC4-HMAC-SHA256",
        }
    }

    /// Header carrying the request time (matched case-insensitively).
    pub const fn date_header(self) -> &'static str {
        match self {
            Flavour::Aws4 => "X-Amz-Date",
            Flavour::Osc4 => "X-Osc-Date",
        }
    }

    /// Prepended to the secret to form the first HMAC key.
    pub const fn key_prefix(self) -> &'static str {
        match self {
            Flavour::Aws4 => "AWS4",
            Flavour::Osc4 => "OSC4",
        }
    }

    /// Last element of the credential scope.
    pub const fn terminator(self) -> &'static str {
        match self {
            Flavour::Aws4 => "aws4_request",
            Flavour::Osc4 => "osc4_request",
        }
    }
}
