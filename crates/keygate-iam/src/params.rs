//! Query-protocol parameters: strict `application/x-www-form-urlencoded` decoding of a body or
//! query string (`+` is a space, `%XX` must be two hex digits, the result must be UTF-8), with
//! each name allowed once.

use std::collections::BTreeMap;

/// Why parameters could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamError {
    /// Not valid form encoding.
    Malformed(String),
    /// A parameter given twice.
    Duplicate(String),
}

/// Decoded parameters by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, String>);

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes one form component.
pub fn decode(s: &str) -> Result<String, ParamError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let pair = bytes
                    .get(i + 1)
                    .and_then(|&h| hex(h))
                    .zip(bytes.get(i + 2).and_then(|&l| hex(l)));
                let Some((h, l)) = pair else {
                    return Err(ParamError::Malformed(format!(
                        "invalid percent-encoding at byte {i}"
                    )));
                };
                out.push(h << 4 | l);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ParamError::Malformed("parameters are not UTF-8".into()))
}

impl Params {
    /// Parses `a=1&b=2`. Empty segments (`a=1&&b=2`) are skipped; a name without `=` has the
    /// empty value.
    pub fn parse(raw: &[u8]) -> Result<Self, ParamError> {
        let text = std::str::from_utf8(raw)
            .map_err(|_| ParamError::Malformed("parameters are not UTF-8".into()))?;
        let mut params = Params::default();
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            params.insert(decode(name)?, decode(value)?)?;
        }
        Ok(params)
    }

    /// Adds a parameter; a name already present is an error.
    pub fn insert(&mut self, name: String, value: String) -> Result<(), ParamError> {
        if self.0.contains_key(&name) {
            return Err(ParamError::Duplicate(name));
        }
        self.0.insert(name, value);
        Ok(())
    }

    /// Adds every parameter of `other`.
    pub fn merge(&mut self, other: Params) -> Result<(), ParamError> {
        for (k, v) in other.0 {
            self.insert(k, v)?;
        }
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Drops the presigned-URL signature parameters (`X-Amz-…`), which are not operation input.
    pub fn without_signature(mut self) -> Self {
        self.0.retain(|k, _| !k.starts_with("X-Amz-"));
        self
    }

    /// Names under `prefix` (e.g. `Tags.member.`), for list members.
    pub fn with_prefix<'a>(
        &'a self,
        prefix: &str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        let prefix = prefix.to_owned();
        self.0
            .range(prefix.clone()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_botocore_encodes() {
        let p = Params::parse(
            b"Action=TagUser&Version=2010-05-08&UserName=Bob&Tags.member.1.Key=team&Tags.member.1.Value=dev+ops&Tags.member.2.Value=a%2Fb%2Bc%3Dd%26e~f%2Ag",
        )
        .unwrap();
        assert_eq!(p.get("Tags.member.1.Value"), Some("dev ops"));
        assert_eq!(p.get("Tags.member.2.Value"), Some("a/b+c=d&e~f*g"));
        assert_eq!(p.with_prefix("Tags.member.").count(), 3);
        assert_eq!(Params::parse(b"A=&B").unwrap().get("B"), Some(""));
    }

    #[test]
    fn refuses_bad_encoding_and_duplicates() {
        assert!(matches!(
            Params::parse(b"A=%zz"),
            Err(ParamError::Malformed(_))
        ));
        assert!(matches!(
            Params::parse(b"A=%4"),
            Err(ParamError::Malformed(_))
        ));
        assert!(matches!(
            Params::parse(b"A=%ff"),
            Err(ParamError::Malformed(_))
        ));
        assert!(matches!(
            Params::parse(b"A=\xff"),
            Err(ParamError::Malformed(_))
        ));
        assert_eq!(
            Params::parse(b"UserName=a&UserName=b"),
            Err(ParamError::Duplicate("UserName".into()))
        );
        let mut q = Params::parse(b"Action=ListUsers&X-Amz-Date=1")
            .unwrap()
            .without_signature();
        assert_eq!(q.get("X-Amz-Date"), None);
        assert!(q.merge(Params::parse(b"Action=x").unwrap()).is_err());
    }
}
