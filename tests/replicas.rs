//! Two keygate replicas on one PostgreSQL database, as a deployment runs them: a key made
//! through one signs on the other, a key deactivated on one is refused on the other within a
//! second, concurrent creates split across both end at the limit, wrong passwords on one lock
//! the login on the other, and a replica killed under
//! write load loses no write it acknowledged, and a replica whose database is gone says it is not
//! ready. Run on the cluster `KEYGATE_TEST_POSTGRES`
//! names, whichever engine the other end-to-end tests use.

use std::sync::Arc;
use std::time::{Duration, Instant};

use keygate_server::credentials::CredentialsFile;
use keygate_tests::support::clients::Creds;
use keygate_tests::support::sign::basic_read_access_keys;
use keygate_tests::support::{Server, iam_query, postgres_env};

const LIMIT: usize = 10;

/// Replica A on a fresh database, replica B on the same database and key with a data directory
/// of its own; both allow `LIMIT` keys per principal.
fn replicas(dir: &std::path::Path) -> (Server, Server, Creds, CredentialsFile) {
    let a_dir = dir.join("a");
    let b_dir = dir.join("b");
    // Both replicas get A's database and at-rest key, whatever the engine under test.
    let shared = postgres_env(&a_dir);
    let limit = LIMIT.to_string();
    let mut env: Vec<(&str, &str)> = shared.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.push(("KEYGATE__LIMITS__ACCESS_KEYS_PER_PRINCIPAL", &limit));
    let a = Server::start(&a_dir, &env);
    let b = Server::start(&b_dir, &env);
    assert!(
        !b_dir.join("root-credentials.json").exists(),
        "the second replica finds the default account made"
    );
    let file = CredentialsFile::read(&a_dir.join("root-credentials.json")).unwrap();
    let root = Creds::new(&file.access_key_id, &file.secret_access_key);
    (a, b, root, file)
}

/// The text between `<tag>` and `</tag>`.
fn element(xml: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = xml
        .find(&open)
        .map(|i| i + open.len())
        .unwrap_or_else(|| panic!("no {tag}: {xml}"));
    let end = xml[start..].find(&format!("</{tag}>")).unwrap() + start;
    xml[start..end].to_owned()
}

#[test]
fn two_replicas_share_one_database() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, root, file) = replicas(dir.path());

    // A key made through A signs on B.
    let (status, made) = iam_query(
        a.addr,
        &root,
        "Action=CreateUser&Version=2010-05-08&UserName=alice",
    );
    assert_eq!(status, 200, "{made}");
    let policy = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A\
                  %22Allow%22%2C%22Action%22%3A%22iam%3AGetUser%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
    let (status, out) = iam_query(
        a.addr,
        &root,
        &format!(
            "Action=PutUserPolicy&Version=2010-05-08&UserName=alice&PolicyName=self&PolicyDocument={policy}"
        ),
    );
    assert_eq!(status, 200, "{out}");
    let (status, made) = iam_query(
        a.addr,
        &root,
        "Action=CreateAccessKey&Version=2010-05-08&UserName=alice",
    );
    assert_eq!(status, 200, "{made}");
    let alice = Creds::new(
        &element(&made, "AccessKeyId"),
        &element(&made, "SecretAccessKey"),
    );
    let (status, me) = iam_query(b.addr, &alice, "Action=GetUser&Version=2010-05-08");
    assert_eq!(status, 200, "{me}");
    assert_eq!(element(&me, "UserName"), "alice");

    // Deactivated on A, refused on B within a second.
    let body = format!(
        "Action=UpdateAccessKey&Version=2010-05-08&UserName=alice&AccessKeyId={}&Status=Inactive",
        alice.key_id
    );
    let (status, out) = iam_query(a.addr, &root, &body);
    assert_eq!(status, 200, "{out}");
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let (status, _) = iam_query(b.addr, &alice, "Action=GetUser&Version=2010-05-08");
        if status == 403 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "B still takes the key a second later"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // 40 concurrent creates of bob's keys, split across the replicas, end at the limit.
    let (status, out) = iam_query(
        b.addr,
        &root,
        "Action=CreateUser&Version=2010-05-08&UserName=bob",
    );
    assert_eq!(status, 200, "{out}");
    let root = Arc::new(root);
    let addrs = [a.addr, b.addr];
    let handles: Vec<_> = (0..40)
        .map(|i| {
            let (root, addr) = (root.clone(), addrs[i % 2]);
            std::thread::spawn(move || {
                iam_query(
                    addr,
                    &root,
                    "Action=CreateAccessKey&Version=2010-05-08&UserName=bob",
                )
            })
        })
        .collect();
    let answers: Vec<(u16, String)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let made = answers.iter().filter(|(s, _)| *s == 200).count();
    for (status, body) in answers.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(*status, 409, "{body}");
        assert!(
            body.contains("<Code>LimitExceeded</Code>")
                || body.contains("<Code>ConcurrentModification</Code>"),
            "{body}"
        );
    }
    let (_, listed) = iam_query(
        a.addr,
        &root,
        "Action=ListAccessKeys&Version=2010-05-08&UserName=bob",
    );
    let held = listed.matches("<AccessKeyId>").count();
    assert_eq!(
        held, made,
        "every key acknowledged is held, no other: {listed}"
    );
    assert_eq!(held, LIMIT, "the limit is reached, never passed");

    // Four wrong passwords on A lock the login on B too, from the same address.
    for _ in 0..4 {
        let (status, code) = basic_read_access_keys(a.addr, &file.login, "not the password");
        assert_eq!((status, code.as_str()), (401, "1"));
    }
    let (status, code) = basic_read_access_keys(b.addr, &file.login, &file.password);
    assert_eq!(
        (status, code.as_str()),
        (401, "13"),
        "locked on B by A's failures"
    );

    // B killed under write load: every user it acknowledged is there for A.
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (root, addr) = (root.clone(), b.addr);
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                for i in 0.. {
                    let name = format!("w{w}-{i}");
                    match std::panic::catch_unwind(|| {
                        iam_query(
                            addr,
                            &root,
                            &format!("Action=CreateUser&Version=2010-05-08&UserName={name}"),
                        )
                    }) {
                        Ok((200, _)) => acknowledged.push(name),
                        _ => break,
                    }
                }
                acknowledged
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(700));
    b.stop_with("KILL");
    let acknowledged: Vec<String> = writers
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert!(
        !acknowledged.is_empty(),
        "B acknowledged writes before it was killed"
    );
    for name in &acknowledged {
        let (status, out) = iam_query(
            a.addr,
            &root,
            &format!("Action=GetUser&Version=2010-05-08&UserName={name}"),
        );
        assert_eq!(status, 200, "{name} was acknowledged by B: {out}");
    }

    // Ready while its store answers; alive, and not ready, once the database is gone.
    let probe = |path: &str| keygate_tests::support::http(a.addr, "GET", path, &[], b"").0;
    assert_eq!((probe("/readyz"), probe("/healthz")), (200, 200));
    keygate_tests::support::drop_postgres_database(&dir.path().join("a"));
    assert_eq!((probe("/readyz"), probe("/healthz")), (503, 200));
    // It stops on SIGTERM all the same; what it still had to write is lost with the database.
    a.terminate();
}

#[test]
fn a_replica_speaks_tls_to_the_database_verified_by_the_ca_given() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tls");
    let mut env = postgres_env(&data);
    for (k, v) in env.iter_mut() {
        if *k == "KEYGATE__STORAGE__POSTGRES_URL" {
            v.push_str(" sslmode=require");
        }
    }
    let mut pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(&data, &pairs);
    let file = CredentialsFile::read(&data.join("root-credentials.json")).unwrap();
    let root = Creds::new(&file.access_key_id, &file.secret_access_key);
    let (status, out) = iam_query(
        server.addr,
        &root,
        "Action=CreateUser&Version=2010-05-08&UserName=over-tls",
    );
    assert_eq!(status, 200, "{out}");
    let url = &env
        .iter()
        .find(|(k, _)| *k == "KEYGATE__STORAGE__POSTGRES_URL")
        .unwrap()
        .1;
    let database = url
        .split("dbname=")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let mut admin = postgres::Client::connect(
        &format!(
            "{} dbname=postgres",
            std::env::var("KEYGATE_TEST_POSTGRES").unwrap()
        ),
        postgres::NoTls,
    )
    .unwrap();
    let row = admin
        .query_one(
            "SELECT count(*) FILTER (WHERE ssl), count(*) FILTER (WHERE NOT ssl) \
             FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE datname = $1",
            &[&database],
        )
        .unwrap();
    let (tls, plain): (i64, i64) = (row.get(0), row.get(1));
    assert!(
        tls >= 1 && plain == 0,
        "{tls} connections over TLS, {plain} without"
    );
    drop(server);

    // A CA file that cannot be read stops the start, naming it.
    pairs.retain(|(k, _)| *k != "KEYGATE__STORAGE__POSTGRES_CA_FILE");
    pairs.push(("KEYGATE__STORAGE__POSTGRES_CA_FILE", "/nonexistent/ca.pem"));
    let out = keygate_tests::support::keygate(&["admin", "list-accounts"], &pairs);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("/nonexistent/ca.pem"),
        "{err}"
    );
}
