//! The authentication flow both dialects share: parse the signature, look up the key's secret
//! (only active, unexpired keys are found), verify, check the clock and the scope's service,
//! and only then note the key's use.

use time::Duration;

use crate::{
    AuthError, Flavour, Found, HttpRequest, KeyUse, Scope, SecretLookup, SigningKeyCache,
    VerifyOptions,
};

/// The session token a request signed in `flavour` carries. AWS4: the `X-Amz-Security-Token`
/// header, or the query parameter of that name in a presigned URL (taken as sent: a token
/// keygate issued has only letters and digits, which encoding leaves alone, so any other text
/// matches no session). OSC4, whose API documents none: keygate's `X-Osc-Security-Token`.
pub fn session_token(http: &SignedHttp, flavour: Flavour) -> Option<&str> {
    match flavour {
        Flavour::Aws4 => http.header("x-amz-security-token").or_else(|| {
            http.query()
                .split('&')
                .find_map(|pair| pair.strip_prefix("X-Amz-Security-Token="))
        }),
        Flavour::Osc4 => http.header("x-osc-security-token"),
    }
}

/// The access key id a request claims to be signed with (its `Credential`), as sent: for the
/// audit trail, before (or whether or not) it is verified.
pub fn claimed_key_id(http: &SignedHttp) -> Option<String> {
    let from_header = http
        .header("authorization")
        .and_then(|a| a.split("Credential=").nth(1));
    let from_query = || {
        http.query()
            .split('&')
            .find_map(|p| p.strip_prefix("X-Amz-Credential="))
    };
    let credential = from_header.or_else(from_query)?;
    let id: String = credential
        .split(['/', '%'])
        .next()?
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(128)
        .collect();
    (!id.is_empty()).then_some(id)
}

/// A request's signed parts. They share the buffers actix read the request into (a header
/// value, the URI and the body are reference-counted views of them, not copies), and are owned,
/// so that a write can be checked and run off the async workers.
pub struct SignedHttp {
    pub method: http::Method,
    pub uri: http::Uri,
    pub headers: http::HeaderMap,
    pub body: bytes::Bytes,
    /// The client's address, when known: the peer's, or the one a trusted proxy forwarded
    /// for. Sign-in throttling counts per address; policies read it as `aws:SourceIp`.
    pub client: Option<std::net::IpAddr>,
    /// Whether the request came over TLS.
    pub secure: bool,
    /// The certificate chain the client presented in the TLS handshake (DER, its own first);
    /// empty without one.
    pub certificates: Vec<Vec<u8>>,
}

/// The chain a TLS client presented on its connection, kept with the connection by the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientCertificates(pub Vec<Vec<u8>>);

impl std::fmt::Debug for SignedHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedHttp")
            .field("method", &self.method)
            .field("path", &self.path())
            .finish_non_exhaustive()
    }
}

impl SignedHttp {
    /// Takes the path and query exactly as received.
    #[cfg(feature = "actix")]
    pub fn from_actix(
        req: &actix_web::HttpRequest,
        body: actix_web::web::Bytes,
        proxies: &crate::TrustedProxies,
    ) -> Self {
        let mut headers = http::HeaderMap::with_capacity(req.headers().len());
        for (name, value) in req.headers() {
            headers.append(name.clone(), value.clone());
        }
        Self {
            method: req.method().clone(),
            uri: req.uri().clone(),
            headers,
            body,
            client: proxies.client(req),
            secure: proxies.secure(req),
            certificates: req
                .conn_data::<ClientCertificates>()
                .map(|c| c.0.clone())
                .unwrap_or_default(),
        }
    }

    /// The raw path, exactly as received.
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// The raw query without its `?`; `""` when there is none.
    pub fn query(&self) -> &str {
        self.uri.query().unwrap_or_default()
    }

    /// A header's first value, by name without regard to case; a value that is not text is
    /// the empty string, which no signature covers.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap_or_default())
    }

    /// Every header in the order the map keeps them (a name's values in the order received),
    /// each value that is not text as the empty string.
    fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap_or_default()))
            .collect()
    }
}

/// Who signed a request, and the scope they signed it for.
#[derive(Debug, Clone)]
pub struct Authenticated<O> {
    pub principal: O,
    pub scope: Scope,
}

/// Why a signed request is refused.
#[derive(Debug)]
pub enum Failure<E> {
    /// The signature is malformed, wrong, or outside its time window.
    Auth(AuthError),
    /// The signature is scoped to a service this request is not for; `expected` is the first
    /// service it may be signed for.
    WrongService { expected: &'static str },
    /// No active, unexpired key has this id, or the session token is missing or wrong.
    UnknownKey,
    /// The session the token names has expired.
    ExpiredToken,
    /// The signature is good, and the key's owner does not admit requests from the client's
    /// address (its API access rules).
    NotAdmitted,
    /// The lookup itself failed.
    Lookup(E),
}

/// Checks signatures of one flavour against the keys `L` finds.
pub struct Gate<L> {
    lookup: L,
    flavour: Flavour,
    cache: SigningKeyCache,
    max_skew: Duration,
    options: VerifyOptions,
}

impl<L> std::fmt::Debug for Gate<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("flavour", &self.flavour)
            .field("max_skew", &self.max_skew)
            .finish_non_exhaustive()
    }
}

/// Derived keys kept at once; each is valid for one day and one region.
const CACHE_CAPACITY: usize = 4096;

impl<L: SecretLookup> Gate<L> {
    /// A gate allowing AWS's ±15 minutes of clock skew.
    pub fn new(lookup: L, flavour: Flavour) -> Self {
        Self {
            lookup,
            flavour,
            cache: SigningKeyCache::new(CACHE_CAPACITY),
            max_skew: Duration::minutes(15),
            options: VerifyOptions::default(),
        }
    }

    /// Also accepts a signature over the `host` header without its port, as osc-sdk-python
    /// computes it.
    pub fn with_host_without_port(mut self) -> Self {
        self.options.host_without_port_fallback = true;
        self
    }

    /// Allows `skew` between a request's date and the server's clock instead.
    pub fn with_max_skew(mut self, skew: Duration) -> Self {
        self.max_skew = skew;
        self
    }

    pub fn lookup(&self) -> &L {
        &self.lookup
    }

    /// Authenticates a request signed for one of `services`; only then is the key's use noted.
    pub fn authenticate(
        &self,
        http: &SignedHttp,
        services: &[&'static str],
    ) -> Result<Authenticated<L::Owner>, Failure<L::Error>> {
        let headers = http.header_pairs();
        let req = HttpRequest {
            method: http.method.as_str(),
            path: http.path(),
            query: http.query(),
            headers: &headers,
            body: &http.body,
        };
        let signed = crate::parse(self.flavour, &req).map_err(Failure::Auth)?;
        let scope = signed.scope().clone();
        let key = match self
            .lookup
            .signing_secret(
                &scope.access_key_id,
                session_token(http, self.flavour),
                http.client,
                &http.certificates,
            )
            .map_err(Failure::Lookup)?
        {
            Found::Key(k) => k,
            Found::Unknown => return Err(Failure::UnknownKey),
            Found::Expired => return Err(Failure::ExpiredToken),
        };
        crate::verify(&req, &signed, &key.secret, Some(&self.cache), self.options)
            .map_err(Failure::Auth)?;
        let now = self.lookup.now();
        crate::check_time(&signed, now, self.max_skew).map_err(Failure::Auth)?;
        if !key.admitted {
            return Err(Failure::NotAdmitted);
        }
        if !services.contains(&scope.service.as_str()) {
            return Err(Failure::WrongService {
                expected: services.first().copied().unwrap_or_default(),
            });
        }
        self.lookup.note_use(
            &scope.access_key_id,
            &key.owner,
            KeyUse {
                at: now,
                service: &scope.service,
                region: &scope.region,
            },
        );
        Ok(Authenticated {
            principal: key.owner,
            scope,
        })
    }
}

#[cfg(test)]
#[path = "gate_tests.rs"]
mod tests;
