//! The identifiers' rules, case by case.

use super::*;

#[test]
fn user_names() {
    assert!(UserName::parse("alice").is_ok());
    assert!(UserName::parse("a+b=c,d.e@f-g_h").is_ok());
    assert!(UserName::parse(&"a".repeat(64)).is_ok());
    assert!(UserName::parse(&"a".repeat(65)).is_err());
    assert!(UserName::parse("").is_err());
    assert!(UserName::parse("a b").is_err());
    assert!(UserName::parse("é").is_err());
    assert_eq!(
        UserName::parse("Alice").map(|n| n.folded()),
        Ok("alice".into())
    );
}

#[test]
fn paths() {
    assert!(UserPath::parse("/").is_ok());
    assert!(UserPath::parse("/engineering/").is_ok());
    assert!(UserPath::parse("/a/b/").is_ok());
    assert!(UserPath::parse("//").is_err());
    assert!(UserPath::parse("/a").is_err());
    assert!(UserPath::parse("a/").is_err());
    assert!(UserPath::parse("/a b/").is_err());
    assert!(UserPath::parse(&format!("/{}/", "x".repeat(510))).is_ok());
    assert!(UserPath::parse(&format!("/{}/", "x".repeat(511))).is_err());
    assert!(PathPrefix::parse("/eng").is_ok());
    assert!(PathPrefix::parse("eng").is_err());
}

#[test]
fn key_ids_and_accounts() {
    assert!(AccessKeyId::parse("AKIDEXAMPLE0KEYGATE1").is_ok());
    assert!(AccessKeyId::parse("SHORT").is_err());
    assert!(AccessKeyId::parse("AKIDEXAMPLE0KEYGATE-").is_err());
    assert!(AccessKeyId::parse(&"A".repeat(129)).is_err());
    assert!(AccountId::parse("123456789012").is_ok());
    assert!(AccountId::parse("12345678901").is_err());
    assert!(AccountId::parse("12345678901a").is_err());
    assert!(PolicyName::parse("ListOwnKeys").is_ok());
    assert!(PolicyName::parse("bad name").is_err());
    assert_eq!(
        Email::parse("User@Example.com").map(|e| e.to_string()),
        Ok("user@example.com".into())
    );
    assert!(Email::parse("nobody").is_err());
    assert!(Email::parse("a@b@c").is_err());
}

#[test]
fn outscale_ids() {
    let id = "aar-1f2e3d4c5b6a79881f2e3d4c5b6a7988";
    assert_eq!(ApiAccessRuleId::parse(id).unwrap().as_str(), id);
    assert!(ApiAccessRuleId::parse("aar-123").is_err());
    assert!(ApiAccessRuleId::parse("ca-1f2e3d4c5b6a79881f2e3d4c5b6a7988").is_err());
    assert!(CaId::parse("ca-1F2E3D4C5B6A79881F2E3D4C5B6A7988").is_ok());
}

#[test]
fn role_names() {
    assert!(RoleName::parse(&"r".repeat(64)).is_ok());
    assert!(RoleName::parse(&"r".repeat(65)).is_err());
    assert!(RoleSessionName::parse("a").is_err());
    assert!(RoleSessionName::parse("ab").is_ok());
    assert!(RoleSessionName::parse("a b").is_err());
    assert!(RoleId::parse("AROAEXAMPLE0000000001").is_ok());
}

#[test]
fn tags() {
    assert!(TagKey::parse("cost-center").is_ok());
    assert!(TagKey::parse("équipe 1").is_ok());
    assert!(TagKey::parse("").is_err());
    assert!(TagKey::parse("a&b").is_err());
    assert!(TagKey::parse("a\tb").is_err());
    assert!(TagValue::parse("").is_ok());
    assert!(TagValue::parse("a/b+c=d").is_ok());
    assert!(TagValue::parse(&"v".repeat(257)).is_err());
}
