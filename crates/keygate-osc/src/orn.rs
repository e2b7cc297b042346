//! Outscale Resource Names: how this dialect spells the resources the core names by ARN —
//! `orn:ows:idauth::<account>:user<path><name>`, `…:usergroup<path><name>` and
//! `…:policy<path><name>` (the spec's examples) — and reading a policy's ORN back.

use keygate_core::{Group, PolicyRef, User};

use crate::error::OscError;

/// The account part of the provider's policies' ORNs. The spec's pattern wants 12 digits, and
/// no account id starts with 0, so this names no account.
pub const PROVIDER: &str = "000000000000";

pub fn user(u: &User) -> String {
    format!("orn:ows:idauth::{}:user{}{}", u.account_id, u.path, u.name)
}

pub fn group(g: &Group) -> String {
    format!(
        "orn:ows:idauth::{}:usergroup{}{}",
        g.account_id, g.path, g.name
    )
}

pub fn policy(r: &PolicyRef) -> String {
    format!(
        "orn:ows:idauth::{}:policy{}{}",
        r.owner_text(PROVIDER),
        r.path,
        r.name
    )
}

/// Reads `orn:ows:(iam|idauth):<region>:<account>:policy<path><name>` (the spec's pattern).
pub fn parse_policy(field: &str, orn: &str) -> Result<PolicyRef, OscError> {
    orn.strip_prefix("orn:ows:")
        .and_then(|s| s.strip_prefix("idauth:").or_else(|| s.strip_prefix("iam:")))
        .and_then(|s| s.split_once(':'))
        .filter(|(region, _)| !region.chars().any(char::is_whitespace))
        .and_then(|(_, tail)| PolicyRef::parse_tail(tail, PROVIDER).ok())
        .ok_or_else(|| {
            OscError::invalid_value(
                field,
                format!("'{orn}' is not a policy ORN (orn:ows:idauth::<account>:policy/<name>)"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use keygate_core::PolicyOwner;

    #[test]
    fn policy_orns_round_trip_and_name_the_provider() {
        let r = parse_policy("PolicyOrn", "orn:ows:idauth::012345678910:policy/example/p").unwrap();
        assert_eq!(r.path.as_str(), "/example/");
        assert_eq!(policy(&r), "orn:ows:idauth::012345678910:policy/example/p");
        let iam = parse_policy("PolicyOrn", "orn:ows:iam:eu-west-2:012345678910:policy/p").unwrap();
        assert_eq!(iam.name.as_str(), "p");
        let ows = parse_policy(
            "PolicyOrn",
            "orn:ows:idauth::000000000000:policy/ReadOnlyAccess",
        )
        .unwrap();
        assert_eq!(ows.owner, PolicyOwner::Provider);
        assert_eq!(ows.arn(), "arn:aws:iam::aws:policy/ReadOnlyAccess");
        for bad in [
            "arn:aws:iam::012345678910:policy/p",
            "orn:ows:idauth::0123:policy/p",
            "orn:ows:idauth::012345678910:user/p",
            "orn:ows:idauth::012345678910:policy/",
        ] {
            assert!(parse_policy("PolicyOrn", bad).is_err(), "{bad}");
        }
    }
}
