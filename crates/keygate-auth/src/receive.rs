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
    /// not itself a trusted proxy (the leftmost if all are). An unreadable header is ignored.
    pub fn client(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        if !self.trusts(peer) {
            return Some(peer);
        }
        let forwarded: Option<Vec<IpAddr>> = req
            .headers()
            .get_all("x-forwarded-for")
            .map(|v| v.to_str().ok())
            .collect::<Option<Vec<&str>>>()
            .and_then(|values| {
                values
                    .iter()
                    .flat_map(|v| v.split(','))
                    .map(|a| a.trim().parse::<IpAddr>().ok())
                    .collect()
            });
        match forwarded {
            Some(chain) if !chain.is_empty() => chain
                .iter()
                .rev()
                .find(|ip| !self.trusts(**ip))
                .or(chain.first())
                .copied(),
            _ => Some(peer),
        }
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
        assert_eq!(
            client(&trusted, "10.1.1.1", Some("not an address")),
            ip("10.1.1.1")
        );
        assert_eq!(client(&trusted, "10.1.1.1", None), ip("10.1.1.1"));
    }
}
