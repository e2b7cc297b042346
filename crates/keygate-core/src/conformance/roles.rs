//! The conformance checks of roles: unique names without regard to case, per account, found by
//! id and name with their tags, listed by name from a position under a path prefix; their
//! inline and attached policies, which keep them from being deleted; and their sessions, which
//! hold their session policies and go with the role.

use std::sync::Arc;

use crate::ids::{
    AccessKeyId, PathPrefix, PolicyId, PolicyName, RoleId, RoleName, RoleSessionName,
};
use crate::model::{Account, Attachee, Role, RoleSession, Secret, Session, SessionOrigin};
use crate::store::{self, Store};

use super::{account, t, tag};

fn role(a: &Account, id: &str, name: &str, path: &str) -> Role {
    Role {
        account_id: a.id.clone(),
        id: RoleId::parse(id).unwrap(),
        name: RoleName::parse(name).unwrap(),
        path: crate::ids::UserPath::parse(path).unwrap(),
        trust_policy: r#"{"Statement":[]}"#.into(),
        trust_set_at: t(3_000),
        description: Some("ships builds".into()),
        max_session_seconds: 3600,
        created_at: t(3_000),
        last_used: None,
        tags: vec![tag("team", "ci")],
    }
}

pub fn roles_round_trip(s: Arc<dyn Store>) {
    let a = account("111111111111", "a@example.com");
    let b = account("222222222222", "b@example.com");
    let deployer = role(&a, "AROA00000000000000001", "deployer", "/ci/");
    let auditor = role(&a, "AROA00000000000000002", "auditor", "/");
    store::write(&*s, |tx| {
        tx.insert_account(&a, "h")?;
        tx.insert_account(&b, "h")?;
        tx.insert_role(&deployer)?;
        tx.insert_role(&auditor)
    })
    .unwrap();
    let mut clash = role(&a, "AROA00000000000000003", "DEPLOYER", "/");
    assert!(
        store::write(&*s, |tx| tx.insert_role(&clash)).is_err(),
        "names are unique without regard to case"
    );
    clash.account_id = b.id.clone();
    store::write(&*s, |tx| tx.insert_role(&clash)).unwrap();
    store::read(&*s, |tx| {
        let found = tx.role_by_name(&a.id, &RoleName::parse("Deployer").unwrap())?;
        assert_eq!(found.as_ref(), Some(&deployer));
        assert_eq!(
            tx.role_by_id(&a.id, &deployer.id)?.as_ref(),
            Some(&deployer)
        );
        assert_eq!(tx.role_by_id(&b.id, &deployer.id)?, None, "per account");
        let names = |v: Vec<Role>| {
            v.into_iter()
                .map(|r| r.name.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(tx.roles(&a.id, None, None, 10)?),
            ["auditor", "deployer"]
        );
        assert_eq!(
            names(tx.roles(&a.id, None, Some("auditor"), 10)?),
            ["deployer"]
        );
        let ci = PathPrefix::parse("/ci").unwrap();
        assert_eq!(names(tx.roles(&a.id, Some(&ci), None, 10)?), ["deployer"]);
        assert_eq!(names(tx.roles(&a.id, None, None, 1)?), ["auditor"]);
        Ok(())
    })
    .unwrap();

    let mut changed = deployer.clone();
    changed.description = None;
    changed.max_session_seconds = 7200;
    changed.trust_policy = r#"{"Statement":[{}]}"#.into();
    changed.trust_set_at = t(8_000);
    changed.last_used = Some((t(9_000), "eu-west-2".into()));
    let read = PolicyName::parse("read").unwrap();
    let admin: PolicyId = crate::catalog::policies()
        .into_iter()
        .find(|p| p.name.as_str() == "AdministratorAccess")
        .unwrap()
        .id;
    store::write(&*s, |tx| {
        tx.update_role(&changed)?;
        tx.put_role_tags(&a.id, &deployer.id, &[tag("team", "ops"), tag("tier", "1")])?;
        tx.delete_role_tags(
            &a.id,
            &deployer.id,
            &[crate::ids::TagKey::parse("tier").unwrap()],
        )?;
        tx.put_role_policy(&a.id, &deployer.id, &read, "{}")?;
        tx.put_role_policy(&a.id, &deployer.id, &read, "{\"v\":2}")?;
        tx.attach_policy(&a.id, &admin, &Attachee::Role(deployer.id.clone()))?;
        tx.attach_policy(&a.id, &admin, &Attachee::Role(deployer.id.clone()))
    })
    .unwrap();
    store::read(&*s, |tx| {
        let r = tx.role_by_id(&a.id, &deployer.id)?.unwrap();
        assert_eq!(r.description, None);
        assert_eq!(r.max_session_seconds, 7200);
        assert_eq!(r.trust_policy, changed.trust_policy);
        assert_eq!(r.trust_set_at, changed.trust_set_at);
        assert_eq!(r.last_used, changed.last_used);
        assert_eq!(r.tags, vec![tag("team", "ops")]);
        assert_eq!(
            tx.role_policies(&a.id, &deployer.id)?,
            vec![(read.clone(), "{\"v\":2}".to_owned())]
        );
        assert!(
            tx.role_policies(&b.id, &deployer.id)?.is_empty(),
            "per account"
        );
        let me = Attachee::Role(deployer.id.clone());
        assert_eq!(tx.attached_policies(&a.id, &me)?, vec![admin.clone()]);
        assert_eq!(tx.policy_attachees(&a.id, &admin)?, vec![me]);
        Ok(())
    })
    .unwrap();
    assert!(
        store::write(&*s, |tx| tx.delete_role(&a.id, &deployer.id)).is_err(),
        "a role with policies stays"
    );

    let session = Session {
        key_id: AccessKeyId::parse("ASIA0000000000000009").unwrap(),
        account_id: a.id.clone(),
        origin: SessionOrigin::Role(RoleSession {
            role: deployer.id.clone(),
            name: RoleSessionName::parse("build-7").unwrap(),
            assumed_by: "arn:aws:iam::111111111111:user/alice".into(),
            source_key: AccessKeyId::parse("AKIA0000000000000001").unwrap(),
            policies: vec!["{\"p\":1}".into(), "{\"p\":2}".into()],
        }),
        created_at: t(10_000),
        expires_at: t(20_000),
        mfa_at: None,
    };
    let secret = Secret::new("role-session-secret".into());
    store::write(&*s, |tx| tx.insert_session(&session, &secret, b"digest")).unwrap();
    let mut elsewhere = session.clone();
    elsewhere.key_id = AccessKeyId::parse("ASIA0000000000000010").unwrap();
    elsewhere.account_id = b.id.clone();
    assert!(
        store::write(&*s, |tx| tx.insert_session(&elsewhere, &secret, b"d")).is_err(),
        "a role session is of its role's account"
    );
    store::read(&*s, |tx| {
        let (found, sec, digest) = tx.session_for_authentication(&session.key_id)?.unwrap();
        assert_eq!(found, session);
        assert_eq!(sec, secret);
        assert_eq!(digest, b"digest".to_vec());
        Ok(())
    })
    .unwrap();
    store::write(&*s, |tx| {
        tx.detach_policy(&a.id, &admin, &Attachee::Role(deployer.id.clone()))?;
        tx.delete_role_policy(&a.id, &deployer.id, &read)?;
        tx.delete_role(&a.id, &deployer.id)
    })
    .unwrap();
    store::read(&*s, |tx| {
        assert_eq!(tx.role_by_id(&a.id, &deployer.id)?, None);
        assert!(
            tx.session_for_authentication(&session.key_id)?.is_none(),
            "its sessions go with it"
        );
        Ok(())
    })
    .unwrap();
}
