//! Receiving a request over actix-web: the body is refused at once when its announced length is
//! over the limit, and given up on when it does not arrive in time, so that neither an
//! oversized nor a stalled body can hold a connection; and the client's address, through the
//! proxies trusted to name it.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::CONTENT_LENGTH;
use actix_web::{HttpRequest, web};
use ipnet::IpNet;

use crate::gate::SignedHttp;

/// How much body a request may carry, and how long it may take to arrive.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub max_bytes: usize,
    pub timeout: Duration,
}

/// Why a body was not received. Each front end words it in its own envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Announced or found larger than `max` bytes.
    #[error("Request body must be at most {max} bytes")]
    TooLarge { max: usize },
    /// Not complete after the timeout.
    #[error("Request body did not arrive within {} s", .after.as_secs())]
    TimedOut { after: Duration },
    /// The connection failed or the framing was broken.
    #[error("Request body cannot be read: {0}")]
    Broken(String),
}

/// The proxies whose `X-Forwarded-For` names the client. Empty: the peer is the client.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks.into())
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The peer, unless it is trusted: then the nearest address in `X-Forwarded-For` that is
    /// not itself a trusted proxy (the leftmost if all are). A hop that is no address ends the
    /// walk with no client: what lies left of it cannot be believed, and the proxy is not the
    /// client. IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
    pub fn client(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip().to_canonical();
        if !self.trusts(peer) {
            return Some(peer);
        }
        let hops: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .flat_map(|v| v.to_str().unwrap_or("?").split(','))
            .map(str::trim)
            .collect();
        if hops.is_empty() {
            return Some(peer);
        }
        let mut nearest = None;
        for hop in hops.iter().rev() {
            let ip = hop.parse::<IpAddr>().ok()?.to_canonical();
            nearest = Some(ip);
            if !self.trusts(ip) {
                break;
            }
        }
        nearest
    }

    /// Whether the request came over TLS: to this server, or, from a trusted proxy, to the proxy
    /// (its `X-Forwarded-Proto`).
    pub fn secure(&self, req: &HttpRequest) -> bool {
        let proxied_tls = || {
            req.headers()
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
        };
        req.app_config().secure()
            || (req
                .peer_addr()
                .is_some_and(|p| self.trusts(p.ip().to_canonical()))
                && proxied_tls())
    }
}

/// Reads the body of `req` within `limits`; `proxies` decide who the client is.
pub async fn receive(
    req: &HttpRequest,
    payload: web::Payload,
    limits: BodyLimits,
    proxies: &TrustedProxies,
) -> Result<SignedHttp, BodyError> {
    let too_large = BodyError::TooLarge {
        max: limits.max_bytes,
    };
    let announced = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().parse::<u64>());
    match announced {
        Some(Ok(n)) if n > u64::try_from(limits.max_bytes).unwrap_or(u64::MAX) => {
            return Err(too_large);
        }
        // actix refuses a malformed Content-Length before any handler; a huge number is over.
        Some(Err(_)) => return Err(too_large),
        _ => {}
    }
    let read =
        actix_web::rt::time::timeout(limits.timeout, payload.to_bytes_limited(limits.max_bytes))
            .await;
    match read {
        Err(_) => Err(BodyError::TimedOut {
            after: limits.timeout,
        }),
        Ok(Err(_)) => Err(too_large),
        Ok(Ok(Err(e))) => Err(BodyError::Broken(e.to_string())),
        Ok(Ok(Ok(body))) => Ok(SignedHttp::from_actix(req, body, proxies)),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn client(proxies: &[&str], peer: &str, forwarded: Option<&str>) -> Option<IpAddr> {
        let proxies = TrustedProxies::new(proxies.iter().map(|p| p.parse().unwrap()).collect());
        let mut req = TestRequest::default().peer_addr(format!("{peer}:4000").parse().unwrap());
        if let Some(f) = forwarded {
            req = req.insert_header(("x-forwarded-for", f));
        }
        proxies.client(&req.to_http_request())
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn tls_is_the_servers_or_a_trusted_proxys() {
        let proxies = TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let req = |peer: &str, proto: Option<&str>| {
            let mut r = TestRequest::default().peer_addr(format!("{peer}:4000").parse().unwrap());
            if let Some(p) = proto {
                r = r.insert_header(("x-forwarded-proto", p));
            }
            r.to_http_request()
        };
        assert!(proxies.secure(&req("10.1.1.1", Some("https"))));
        assert!(!proxies.secure(&req("10.1.1.1", Some("http"))));
        assert!(
            !proxies.secure(&req("192.0.2.1", Some("https"))),
            "anyone can write it"
        );
        assert!(!proxies.secure(&req("10.1.1.1", None)));
    }

    #[test]
    fn only_a_trusted_proxy_names_the_client() {
        assert_eq!(
            client(&[], "192.0.2.1", Some("203.0.113.5")),
            ip("192.0.2.1")
        );
        let trusted = ["10.0.0.0/8"];
        assert_eq!(
            client(&trusted, "192.0.2.1", Some("203.0.113.5")),
            ip("192.0.2.1")
        );
        assert_eq!(
            client(&trusted, "10.1.1.1", Some("203.0.113.5")),
            ip("203.0.113.5")
        );
        // The nearest untrusted hop: what the client wrote to the left cannot be believed.
        assert_eq!(
            client(
                &trusted,
                "10.1.1.1",
                Some("198.51.100.9, 203.0.113.5, 10.2.2.2")
            ),
            ip("203.0.113.5")
        );
        assert_eq!(
            client(&trusted, "10.1.1.1", Some("10.3.3.3, 10.2.2.2")),
            ip("10.3.3.3")
        );
        assert_eq!(client(&trusted, "10.1.1.1", None), ip("10.1.1.1"));
        // An unreadable hop leaves the client unknown, never the proxy.
        assert_eq!(client(&trusted, "10.1.1.1", Some("not an address")), None);
        assert_eq!(
            client(&trusted, "10.1.1.1", Some("203.0.113.5, junk")),
            None
        );
        assert_eq!(
            client(&trusted, "10.1.1.1", Some("junk, 203.0.113.5")),
            ip("203.0.113.5"),
            "what lies left of the client does not matter"
        );
        // IPv4 through an IPv6 listener.
        assert_eq!(client(&[], "[::ffff:192.0.2.1]", None), ip("192.0.2.1"));
        assert_eq!(
            client(&trusted, "[::ffff:10.1.1.1]", Some("::ffff:203.0.113.5")),
            ip("203.0.113.5")
        );
    }
}
