//! The conformance checks of access governance: one API access policy per account, and access
//! rules kept with their lists as written, ordered by id, per account.

use std::sync::Arc;

use crate::ids::{ApiAccessRuleId, CaId};
use crate::model::{ApiAccessPolicy, ApiAccessRule, IpRange};
use crate::store::{self, Store};

use super::account;

pub fn access_governance_round_trip(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let b = account("222222222222", "b@example.com");
    let rule = |id: &str| ApiAccessRule {
        account_id: a.id.clone(),
        id: ApiAccessRuleId::parse(id).unwrap(),
        ip_ranges: vec![
            IpRange::parse("192.0.2.0/24").unwrap(),
            IpRange::parse("198.51.100.7").unwrap(),
        ],
        ca_ids: vec![CaId::parse("ca-0000000000000000000000000000000a").unwrap()],
        cns: vec!["ops.example.com".into()],
        description: "office".into(),
    };
    let second = rule("aar-00000000000000000000000000000002");
    let first = rule("aar-00000000000000000000000000000001");
    let policy = ApiAccessPolicy {
        max_key_expiration_seconds: 86_400,
        require_trusted_env: true,
    };
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        tx.insert_account(&b, "h")?;
        tx.insert_access_rule(&second)?;
        tx.insert_access_rule(&first)?;
        tx.put_api_access_policy(&a.id, &policy)
    })
    .unwrap();
    store::read(&*s, |tx| {
        assert_eq!(tx.api_access_policy(&a.id)?, Some(policy));
        assert_eq!(tx.api_access_policy(&b.id)?, None, "per account");
        assert_eq!(tx.access_rules(&a.id)?, vec![first.clone(), second.clone()]);
        assert!(tx.access_rules(&b.id)?.is_empty());
        Ok(())
    })
    .unwrap();
    let mut changed = first.clone();
    changed.ip_ranges = vec![IpRange::parse("::/0").unwrap()];
    changed.ca_ids.clear();
    changed.cns.clear();
    changed.description = String::new();
    let mut foreign = changed.clone();
    foreign.account_id = b.id.clone();
    assert!(
        store::write(&*s, |tx| tx.update_access_rule(&foreign)).is_err(),
        "another account's rule is none of its"
    );
    store::write(&*s, |tx| {
        tx.update_access_rule(&changed)?;
        tx.put_api_access_policy(&a.id, &ApiAccessPolicy::default())?;
        tx.delete_access_rule(&b.id, &second.id)?;
        tx.delete_access_rule(&a.id, &first.id)
    })
    .unwrap();
    let ca = crate::model::Ca {
        account_id: a.id.clone(),
        id: CaId::parse("ca-0000000000000000000000000000000a").unwrap(),
        fingerprint: "0".repeat(40),
        pem: "-----BEGIN CERTIFICATE-----".into(),
        description: "ops".into(),
    };
    let mut renamed = ca.clone();
    renamed.description = "ops, 2026".into();
    store::write(&*s, |tx| {
        tx.insert_ca(&ca)?;
        tx.update_ca(&renamed)
    })
    .unwrap();
    store::read(&*s, |tx| {
        assert_eq!(tx.cas(&a.id)?, vec![renamed.clone()]);
        assert!(tx.cas(&b.id)?.is_empty(), "per account");
        Ok(())
    })
    .unwrap();
    store::write(&*s, |tx| {
        tx.delete_ca(&b.id, &ca.id)?;
        tx.delete_ca(&a.id, &ca.id)
    })
    .unwrap();
    store::read(&*s, |tx| {
        assert_eq!(
            tx.access_rules(&a.id)?,
            vec![second.clone()],
            "only its own goes"
        );
        assert_eq!(
            tx.api_access_policy(&a.id)?,
            Some(ApiAccessPolicy::default())
        );
        Ok(())
    })
    .unwrap();
}

pub fn audit_trail_round_trip(s: Arc<dyn Store>) {
    use crate::model::AuditRecord;
    let a = account("111111111111", "a@example.com");
    let record = |at: i64, account: Option<&crate::model::Account>, call: &str| AuditRecord {
        at: super::t(at),
        request_id: format!("req-{at}"),
        account_id: account.map(|x| x.id.clone()),
        principal: account.map(|x| format!("arn:aws:iam::{}:root", x.id)),
        principal_kind: "root".into(),
        access_key_id: Some("AKIA0000000000000001".into()),
        source_ip: Some("192.0.2.7".parse().unwrap()),
        user_agent: Some("aws-cli/2".into()),
        dialect: "iam".into(),
        call: call.into(),
        status: 200,
        error_code: None,
        resource: Some("arn:aws:iam::111111111111:user/ann".into()),
    };
    let first = record(1_000, Some(&a), "CreateUser");
    let anonymous = AuditRecord {
        status: 403,
        error_code: Some("InvalidClientTokenId".into()),
        resource: None,
        principal: None,
        ..record(2_000, None, "ListUsers")
    };
    let third = record(3_000, Some(&a), "GetUser");
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        tx.insert_audit_record(&first)?;
        tx.insert_audit_record(&anonymous)?;
        tx.insert_audit_record(&third)
    })
    .unwrap();
    store::read(&*s, |tx| {
        let mine = tx.audit_records(Some(&a.id), None, 10)?;
        assert_eq!(
            mine.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>(),
            vec![first.clone(), third.clone()],
            "the account's, in order"
        );
        let all = tx.audit_records(None, None, 10)?;
        assert_eq!(all.len(), 3);
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "numbered in order");
        let after = tx.audit_records(None, Some(all[0].0), 1)?;
        assert_eq!(after, vec![all[1].clone()], "from a position, a page");
        let newest = tx.audit_records_newest(&a.id, None, 10)?;
        assert_eq!(
            newest,
            vec![mine[1].clone(), mine[0].clone()],
            "newest first"
        );
        let older = tx.audit_records_newest(&a.id, Some(mine[1].0), 10)?;
        assert_eq!(older, vec![mine[0].clone()], "before a position");
        Ok(())
    })
    .unwrap();
    store::write(&*s, |tx| tx.delete_audit_records_before(super::t(2_500))).unwrap();
    store::read(&*s, |tx| {
        let left = tx.audit_records(None, None, 10)?;
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].1, third);
        Ok(())
    })
    .unwrap();
}
