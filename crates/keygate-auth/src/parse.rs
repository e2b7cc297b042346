//! Parsing of the signature parameters, from the Authorization header or (AWS4 only) from a
//! presigned query, into a [`SignedRequest`]; syntax is checked here, the signature in `verify`.

use percent_encoding::percent_decode_str;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use crate::canonical::{PRESIGNED_SIGNATURE_PARAM, missing_signed_header};
use crate::request::raw_query_pairs;
use crate::{AuthError, Flavour, HttpRequest};

/// Longest `X-Amz-Expires` AWS accepts (7 days).
const MAX_PRESIGN_EXPIRES_SECONDS: u32 = 604_800;

/// The credential scope: which key signed, and for which day, region and service.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scope {
    pub access_key_id: String,
    /// `YYYYMMDD`, equal to the first eight characters of the request time.
    pub date: String,
    pub region: String,
    pub service: String,
}

/// The signature parameters of a request, syntactically valid but not yet verified.
#[derive(Clone, Debug)]
pub struct SignedRequest {
    pub(crate) flavour: Flavour,
    pub(crate) scope: Scope,
    pub(crate) signed_headers: Vec<String>,
    pub(crate) signature: [u8; 32],
    /// The time exactly as sent, since it is signed as text.
    pub(crate) request_date: String,
    pub(crate) request_time: OffsetDateTime,
    pub(crate) presigned_expires: Option<Duration>,
}

impl SignedRequest {
    pub fn flavour(&self) -> Flavour {
        self.flavour
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Lower-case header names covered by the signature, in the order the client listed them.
    pub fn signed_headers(&self) -> &[String] {
        &self.signed_headers
    }

    pub fn request_time(&self) -> OffsetDateTime {
        self.request_time
    }

    pub fn is_presigned(&self) -> bool {
        self.presigned_expires.is_some()
    }
}

/// Reads the signature parameters from the Authorization header or, for [`Flavour::Aws4`], from
/// the presigned query parameters. Any other scheme or flavour gives [`AuthError::WrongAlgorithm`].
pub fn parse(flavour: Flavour, req: &HttpRequest) -> Result<SignedRequest, AuthError> {
    let header = req.single_header("Authorization")?;
    let query = PresignedParams::from_query(req.query)?;
    match (header, query.algorithm.as_deref()) {
        (Some(_), Some(_)) => Err(AuthError::Incomplete(
            "a request must not carry both an Authorization header and X-Amz-Algorithm".into(),
        )),
        (Some(value), None) => parse_header(flavour, req, value),
        (None, Some(algorithm)) if flavour == Flavour::Aws4 && algorithm == flavour.algorithm() => {
            parse_presigned(req, query)
        }
        (None, Some(algorithm)) => Err(AuthError::WrongAlgorithm(scheme_name(algorithm))),
        (None, None) => Err(AuthError::Missing),
    }
}

fn parse_header(
    flavour: Flavour,
    req: &HttpRequest,
    value: &str,
) -> Result<SignedRequest, AuthError> {
    let value = value.trim();
    let (algorithm, rest) = value
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((value, ""));
    if algorithm != flavour.algorithm() {
        return Err(AuthError::WrongAlgorithm(scheme_name(algorithm)));
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((name, value)) = part.split_once('=') else {
            return Err(AuthError::Incomplete(format!(
                "Authorization header parameter '{part}' is not name=value"
            )));
        };
        let slot = match name {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => {
                return Err(AuthError::Incomplete(format!(
                    "Authorization header has an unknown parameter '{name}'"
                )));
            }
        };
        if slot.replace(value).is_some() {
            return Err(AuthError::Incomplete(format!(
                "Authorization header has more than one '{name}' parameter"
            )));
        }
    }
    let form = "Authorization header";
    let credential = required(credential, form, "Credential")?;
    let signed_headers = required(signed_headers, form, "SignedHeaders")?;
    let signature = required(signature, form, "Signature")?;
    let date_header = flavour.date_header();
    let date = req
        .single_header(date_header)?
        .ok_or_else(|| AuthError::Incomplete(format!("the {date_header} header is missing")))?;
    assemble(
        flavour,
        req,
        Parts {
            credential,
            signed_headers,
            signature,
            date,
            date_name: date_header,
            presigned_expires: None,
        },
    )
}

fn parse_presigned(req: &HttpRequest, query: PresignedParams) -> Result<SignedRequest, AuthError> {
    let form = "presigned URL";
    let credential = required(query.credential, form, "X-Amz-Credential")?;
    let date = required(query.date, form, "X-Amz-Date")?;
    let expires = required(query.expires, form, "X-Amz-Expires")?;
    let signed_headers = required(query.signed_headers, form, "X-Amz-SignedHeaders")?;
    let signature = required(query.signature, form, PRESIGNED_SIGNATURE_PARAM)?;
    let expires = parse_expires(&expires)?;
    assemble(
        Flavour::Aws4,
        req,
        Parts {
            credential: &credential,
            signed_headers: &signed_headers,
            signature: &signature,
            date: &date,
            date_name: "X-Amz-Date",
            presigned_expires: Some(expires),
        },
    )
}

fn required<T>(value: Option<T>, form: &str, name: &str) -> Result<T, AuthError> {
    value.ok_or_else(|| AuthError::Incomplete(format!("{form} requires '{name}' parameter")))
}

/// The still-unchecked fields shared by the header and the presigned forms.
struct Parts<'a> {
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
    date: &'a str,
    date_name: &'a str,
    presigned_expires: Option<Duration>,
}

fn assemble(flavour: Flavour, req: &HttpRequest, parts: Parts) -> Result<SignedRequest, AuthError> {
    let scope = parse_credential(flavour, parts.credential)?;
    let request_time = parse_date(parts.date_name, parts.date)?;
    if parts.date.get(..8) != Some(scope.date.as_str()) {
        return Err(AuthError::Incomplete(format!(
            "Credential scope date {} does not match {} {}",
            scope.date, parts.date_name, parts.date
        )));
    }
    let signed_headers = parse_signed_headers(parts.signed_headers)?;
    if let Some(absent) = signed_headers
        .iter()
        .find(|name| req.header_values(name).next().is_none())
    {
        return Err(missing_signed_header(absent));
    }
    Ok(SignedRequest {
        flavour,
        scope,
        signed_headers,
        signature: parse_signature(parts.signature)?,
        request_date: parts.date.to_owned(),
        request_time,
        presigned_expires: parts.presigned_expires,
    })
}

/// `<key id>/<YYYYMMDD>/<region>/<service>/<terminator>`.
fn parse_credential(flavour: Flavour, credential: &str) -> Result<Scope, AuthError> {
    let incomplete = |message: String| Err(AuthError::Incomplete(message));
    let [access_key_id, date, region, service, terminator] =
        credential.split('/').collect::<Vec<_>>()[..]
    else {
        return incomplete(
            "Credential scope must have 5 parts: <key id>/<date>/<region>/<service>/<terminator>"
                .into(),
        );
    };
    if access_key_id.is_empty() {
        return incomplete("Credential has an empty access key id".into());
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return incomplete(format!("Credential scope date '{date}' must be YYYYMMDD"));
    }
    for (what, token) in [("region", region), ("service", service)] {
        let valid = !token.is_empty()
            && token
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return incomplete(format!("Credential scope {what} '{token}' is not valid"));
        }
    }
    if terminator != flavour.terminator() {
        return incomplete(format!(
            "Credential scope must end with '{}', not '{terminator}'",
            flavour.terminator()
        ));
    }
    Ok(Scope {
        access_key_id: access_key_id.to_owned(),
        date: date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
    })
}

/// Strictly `YYYYMMDD'T'HHMMSS'Z'` in UTC; the text is signed, so no other spelling is allowed.
pub(crate) fn parse_date(name: &str, value: &str) -> Result<OffsetDateTime, AuthError> {
    let shape_ok = value.len() == 16
        && value.bytes().enumerate().all(|(i, b)| match i {
            8 => b == b'T',
            15 => b == b'Z',
            _ => b.is_ascii_digit(),
        });
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    shape_ok
        .then(|| PrimitiveDateTime::parse(value, format).ok())
        .flatten()
        .map(PrimitiveDateTime::assume_utc)
        .ok_or_else(|| AuthError::Incomplete(format!("{name} must be YYYYMMDD'T'HHMMSS'Z'")))
}

/// Lower-case header names separated by `;`; `host` is mandatory.
fn parse_signed_headers(list: &str) -> Result<Vec<String>, AuthError> {
    let is_token_char =
        |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b);
    let names: Vec<String> = list.split(';').map(str::to_owned).collect();
    if names
        .iter()
        .any(|name| name.is_empty() || !name.bytes().all(is_token_char))
    {
        return Err(AuthError::Incomplete(
            "SignedHeaders must be lower-case header names separated by ';'".into(),
        ));
    }
    if !names.iter().any(|name| name == "host") {
        return Err(AuthError::Incomplete(
            "SignedHeaders must include 'host'".into(),
        ));
    }
    Ok(names)
}

fn parse_signature(hex: &str) -> Result<[u8; 32], AuthError> {
    let invalid = || AuthError::Incomplete("Signature must be 64 hexadecimal characters".into());
    let digits = hex.as_bytes();
    if digits.len() != 64 {
        return Err(invalid());
    }
    let mut signature = [0u8; 32];
    for (byte, pair) in signature.iter_mut().zip(digits.chunks_exact(2)) {
        let (Some(high), Some(low)) = (nibble(pair[0]), nibble(pair[1])) else {
            return Err(invalid());
        };
        *byte = high << 4 | low;
    }
    Ok(signature)
}

fn nibble(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

fn parse_expires(value: &str) -> Result<Duration, AuthError> {
    value
        .parse::<u32>()
        .ok()
        .filter(|seconds| (1..=MAX_PRESIGN_EXPIRES_SECONDS).contains(seconds))
        .map(|seconds| Duration::seconds(seconds.into()))
        .ok_or_else(|| {
            AuthError::Incomplete(format!(
                "X-Amz-Expires must be a number of seconds from 1 to {MAX_PRESIGN_EXPIRES_SECONDS}"
            ))
        })
}

/// Schemes a client may plausibly send, named back when refused. Anything else is called
/// "unrecognised": a bare password or token sent without a scheme must not end up in logs or
/// error messages, whatever it looks like.
const KNOWN_SCHEMES: [&str; 8] = [
    "AWS4-HMAC-SHA256",
    "OSC4-HMAC-SHA256",
    "AWS4-ECDSA-P256-SHA256",
    "AWS",
    "Basic",
    "Bearer",
    "Digest",
    "Negotiate",
];

fn scheme_name(word: &str) -> String {
    KNOWN_SCHEMES
        .iter()
        .find(|known| known.eq_ignore_ascii_case(word))
        .map_or("unrecognised", |known| known)
        .to_owned()
}

/// The `X-Amz-*` signing parameters of a query string, percent-decoded.
#[derive(Default)]
struct PresignedParams {
    algorithm: Option<String>,
    credential: Option<String>,
    date: Option<String>,
    expires: Option<String>,
    signed_headers: Option<String>,
    signature: Option<String>,
}

impl PresignedParams {
    fn from_query(query: &str) -> Result<Self, AuthError> {
        let mut params = Self::default();
        for (raw_name, raw_value) in raw_query_pairs(query) {
            let name = percent_decode_str(raw_name).decode_utf8_lossy();
            let slot = match name.as_ref() {
                "X-Amz-Algorithm" => &mut params.algorithm,
                "X-Amz-Credential" => &mut params.credential,
                "X-Amz-Date" => &mut params.date,
                "X-Amz-Expires" => &mut params.expires,
                "X-Amz-SignedHeaders" => &mut params.signed_headers,
                PRESIGNED_SIGNATURE_PARAM => &mut params.signature,
                _ => continue,
            };
            let value = percent_decode_str(raw_value).decode_utf8().map_err(|_| {
                AuthError::Incomplete(format!("query parameter {name} is not UTF-8"))
            })?;
            if slot.replace(value.into_owned()).is_some() {
                return Err(AuthError::Incomplete(format!(
                    "query parameter {name} appears more than once"
                )));
            }
        }
        Ok(params)
    }
}
