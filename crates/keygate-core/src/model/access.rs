//! Outscale's access governance of an account: its API access policy (how long keys may live,
//! whether every request must come from a trusted environment) and its API access rules (which
//! addresses, and which client certificates, may send it requests).

use std::net::IpAddr;

use ipnet::IpNet;

use crate::ids::{AccountId, ApiAccessRuleId, CaId};

/// A client CA of an account: the certificate API access rules name by `CaId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ca {
    pub account_id: AccountId,
    pub id: CaId,
    /// SHA-1 of the certificate's DER, 40 lower-case hex digits.
    pub fingerprint: String,
    /// The certificate, as PEM.
    pub pem: String,
    pub description: String,
}

/// An account's API access policy; an account that never set one has the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApiAccessPolicy {
    /// The longest life a key may be given, in seconds; `0`: no limit.
    pub max_key_expiration_seconds: u64,
    /// Every request must present a client certificate one of the account's CAs issued.
    pub require_trusted_env: bool,
}

/// One API access rule. A request is admitted when some rule admits it: its address is in one
/// of the rule's ranges (when it has some), and its client certificate was issued by one of
/// the rule's CAs (when it has some) with one of its CNs (when it has some).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiAccessRule {
    pub account_id: AccountId,
    pub id: ApiAccessRuleId,
    /// As given: addresses and CIDR blocks.
    pub ip_ranges: Vec<IpRange>,
    pub ca_ids: Vec<CaId>,
    pub cns: Vec<String>,
    pub description: String,
}

/// An address or a CIDR block of an access rule, kept as it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpRange {
    pub text: String,
    pub net: IpNet,
}

impl IpRange {
    /// `192.0.2.0/24`, or one address (`192.0.2.7`, a /32).
    pub fn parse(s: &str) -> Option<Self> {
        let net = s
            .parse::<IpNet>()
            .ok()
            .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))?;
        Some(Self {
            text: s.to_owned(),
            net,
        })
    }

    /// Whether `ip` is in the range; an IPv4 address mapped into IPv6 counts as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            IpAddr::V4(_) => ip,
        };
        self.net.contains(&ip)
    }
}

impl ApiAccessRule {
    /// What Outscale gives every new account: any IPv4 address, no certificate.
    pub fn default_for(account: &AccountId, id: ApiAccessRuleId) -> Self {
        Self {
            account_id: account.clone(),
            id,
            ip_ranges: IpRange::parse("0.0.0.0/0").into_iter().collect(),
            ca_ids: Vec::new(),
            cns: Vec::new(),
            description: "Allows all IPv4 domain".into(),
        }
    }

    /// Whether the rule admits a request from `ip` whose client certificate `certified` says
    /// was issued by one of the rule's CAs to one of its CNs (asked only when it names CAs).
    pub fn admits(
        &self,
        ip: Option<IpAddr>,
        certified: impl Fn(&[CaId], &[String]) -> bool,
    ) -> bool {
        let by_address = self.ip_ranges.is_empty()
            || ip.is_some_and(|ip| self.ip_ranges.iter().any(|r| r.contains(ip)));
        by_address && (self.ca_ids.is_empty() || certified(&self.ca_ids, &self.cns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_addresses() {
        let r = IpRange::parse("192.0.2.0/24").unwrap();
        assert!(r.contains("192.0.2.7".parse().unwrap()));
        assert!(!r.contains("192.0.3.7".parse().unwrap()));
        assert!(
            r.contains("::ffff:192.0.2.9".parse().unwrap()),
            "mapped IPv4"
        );
        let one = IpRange::parse("127.0.0.2").unwrap();
        assert!(one.contains("127.0.0.2".parse().unwrap()));
        assert!(!one.contains("127.0.0.1".parse().unwrap()));
        assert!(IpRange::parse("1.1.1/32").is_none());
        assert!(IpRange::parse("not an address").is_none());
    }

    #[test]
    fn the_default_rule_admits_ipv4_only() {
        let account = AccountId::parse("123456789012").unwrap();
        let id = ApiAccessRuleId::parse("aar-00000000000000000000000000000001").unwrap();
        let r = ApiAccessRule::default_for(&account, id);
        let none = |_: &[CaId], _: &[String]| false;
        assert!(r.admits(Some("203.0.113.4".parse().unwrap()), none));
        assert!(!r.admits(Some("2001:db8::1".parse().unwrap()), none));
        assert!(!r.admits(None, none), "an unknown address is in no range");
        let mut with_ca = r.clone();
        with_ca.ip_ranges.clear();
        with_ca.ca_ids = vec![CaId::parse("ca-0000000000000000000000000000000a").unwrap()];
        assert!(!with_ca.admits(None, none), "no certificate");
        assert!(with_ca.admits(None, |_, _| true), "its CA's");
    }
}
