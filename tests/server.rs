//! The `keygate` binary end to end: first start, restart, operator commands beside a running
//! server, configuration errors, logs and request ids.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use keygate_core::{AccessKeyId, Email, KeyLookup, Principal, Source};
use keygate_server::credentials::CredentialsFile;
use keygate_server::runtime;
use keygate_server::settings::{Backend, Overrides, Settings};
use keygate_tests::support::sign::aws4_form_headers;
use keygate_tests::support::{Fresh, Server, backend_env, header, http, keygate, now, on_postgres};

/// The settings a keygate process on `data_dir` runs with, its engine's included.
fn settings(data_dir: &Path) -> Settings {
    let mut s = Settings::load(&Overrides {
        data_dir: Some(data_dir.to_owned()),
        ..Overrides::default()
    })
    .unwrap();
    for (k, v) in backend_env(data_dir) {
        match k {
            "KEYGATE__STORAGE__BACKEND" => s.storage.backend = Backend::Postgres,
            "KEYGATE__STORAGE__POSTGRES_URL" => s.storage.postgres_url = v.into(),
            "KEYGATE__STORAGE__AT_REST_KEY" => s.storage.at_rest_key = v.into(),
            "KEYGATE__STORAGE__POSTGRES_CA_FILE" => s.storage.postgres_ca_file = v.into(),
            other => panic!("{other} is not a storage setting"),
        }
    }
    s
}

/// Proves credentials against the store itself: the key signs for the account's root and the
/// password opens it.
fn assert_credentials_work(data_dir: &Path, c: &CredentialsFile) {
    let service = runtime::open_service(&settings(data_dir)).unwrap();
    let KeyLookup::Found(key) = service
        .signing_credentials(
            &AccessKeyId::parse(&c.access_key_id).unwrap(),
            None,
            None,
            &[],
        )
        .unwrap()
    else {
        panic!("the key is active")
    };
    assert_eq!(key.secret.expose(), c.secret_access_key.as_str());
    assert_eq!(key.principal.account().as_str(), c.account_id);
    assert!(matches!(key.principal, Principal::Root { .. }));
    let p = service
        .verify_password(
            &Email::parse(&c.login).unwrap(),
            &c.password,
            Source::unknown(),
            &[],
        )
        .unwrap();
    assert_eq!(p.account().as_str(), c.account_id);
}

#[test]
fn first_start_writes_private_credentials_and_restart_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    let path = data.join("root-credentials.json");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let first = std::fs::read_to_string(&path).unwrap();
    let creds: CredentialsFile = serde_json::from_str(&first).unwrap();
    assert_eq!(creds.account_id.len(), 12);
    assert_eq!(creds.access_key_id.len(), 20);
    assert_eq!(creds.secret_access_key.len(), 40);
    assert!(creds.login.contains('@'));
    assert!(creds.password.len() >= 16);
    let json: serde_json::Value = serde_json::from_str(&first).unwrap();
    let mut keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "access_key_id",
            "account_id",
            "login",
            "password",
            "secret_access_key"
        ]
    );
    let (status, headers, body) = http(server.addr, "GET", "/healthz", &[], b"");
    assert_eq!(status, 200);
    assert_eq!(body, br#"{"status":"ok"}"#);
    assert!(header(&headers, "x-request-id").is_some());

    let log = server.log_text();
    assert!(
        log.contains("root-credentials.json"),
        "the path is logged: {log}"
    );
    assert!(
        !log.contains(creds.secret_access_key.as_str()),
        "no secret in the log"
    );
    assert!(
        !log.contains(creds.password.as_str()),
        "no password in the log"
    );

    let status = server.terminate();
    assert!(status.success(), "graceful exit: {status}");
    assert_credentials_work(&data, &creds);

    let again = Server::start(&data, &[]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        first,
        "same file content"
    );
    let listed = keygate(
        &[
            "admin",
            "--data-dir",
            data.to_str().unwrap(),
            "list-accounts",
        ],
        &[],
    );
    assert!(listed.status.success());
    let accounts: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(
        accounts.as_array().unwrap().len(),
        1,
        "no second default account"
    );
    assert_eq!(accounts[0]["account_id"], creds.account_id.as_str());
    drop(again);
    assert_credentials_work(&data, &creds);
}

#[test]
fn admin_creates_accounts_while_the_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    let d = data.to_str().unwrap();
    let out = keygate(
        &[
            "admin",
            "--data-dir",
            d,
            "create-account",
            "--name",
            "team-b",
            "--email",
            "B@Example.com",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b: CredentialsFile = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(b.login, "b@example.com");
    assert_credentials_work(&data, &b);
    let root: CredentialsFile =
        serde_json::from_str(&std::fs::read_to_string(data.join("root-credentials.json")).unwrap())
            .unwrap();
    assert_ne!(b.account_id, root.account_id);

    let dup = keygate(
        &[
            "admin",
            "--data-dir",
            d,
            "create-account",
            "--name",
            "again",
            "--email",
            "b@example.com",
        ],
        &[],
    );
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already exists"));
    let bad = keygate(
        &[
            "admin",
            "--data-dir",
            d,
            "create-account",
            "--name",
            "x",
            "--email",
            "nope",
        ],
        &[],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--email"));

    // Password reset and key rotation of the default account keep its credentials file true.
    let reset = keygate(
        &[
            "admin",
            "--data-dir",
            d,
            "reset-password",
            "--account",
            &root.account_id,
        ],
        &[],
    );
    assert!(reset.status.success());
    let rotated = keygate(
        &[
            "admin",
            "--data-dir",
            d,
            "rotate-root-key",
            "--account",
            &root.account_id,
        ],
        &[],
    );
    assert!(rotated.status.success());
    let now: CredentialsFile =
        serde_json::from_str(&std::fs::read_to_string(data.join("root-credentials.json")).unwrap())
            .unwrap();
    assert_ne!(now.password, root.password);
    assert_ne!(now.access_key_id, root.access_key_id);
    assert_credentials_work(&data, &now);
    let service = runtime::open_service(&settings(&data)).unwrap();
    assert!(
        matches!(
            service
                .signing_credentials(
                    &AccessKeyId::parse(&root.access_key_id).unwrap(),
                    None,
                    None,
                    &[]
                )
                .unwrap(),
            KeyLookup::Unknown
        ),
        "the old root key is gone"
    );
    let unknown = keygate(
        &[
            "admin",
            "--data-dir",
            d,
            "reset-password",
            "--account",
            "000000000000",
        ],
        &[],
    );
    assert!(!unknown.status.success());
    drop(server);
}

#[test]
fn configuration_errors_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[server]\nlisen = \"127.0.0.1:1\"\n").unwrap();
    let out = keygate(
        &[
            "serve",
            "--config",
            cfg.to_str().unwrap(),
            "--data-dir",
            dir.path().to_str().unwrap(),
        ],
        &[],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("lisen"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = keygate(
        &["serve", "--data-dir", dir.path().to_str().unwrap()],
        &[("KEYGATE__LIMITS__KEYS", "3")],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("KEYGATE__LIMITS__KEYS") && err.contains("unknown key `limits.keys`"),
        "{err}"
    );
    assert!(
        !dir.path().join("root-credentials.json").exists(),
        "nothing started"
    );
}

#[test]
fn healthcheck_fails_when_nothing_answers() {
    let port = keygate_tests::support::free_port();
    let out = keygate(
        &["healthcheck", "--listen", &format!("127.0.0.1:{port}")],
        &[],
    );
    assert!(!out.status.success());
}

#[test]
fn json_logs_and_one_request_id_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &dir.path().join("data"),
        &[("KEYGATE__LOG__FORMAT", "json")],
    );
    let (_, h1, _) = http(server.addr, "GET", "/healthz", &[], b"");
    let (_, h2, _) = http(server.addr, "GET", "/healthz", &[], b"");
    let id1 = header(&h1, "x-request-id").unwrap().to_owned();
    let id2 = header(&h2, "x-request-id").unwrap().to_owned();
    assert_ne!(id1, id2);
    let log = server.log_text();
    let mut served = 0;
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        if v["message"] == "served" && v["span"]["request_id"] == id1.as_str() {
            served += 1;
        }
    }
    assert_eq!(served, 1, "{log}");
    assert!(server.terminate().success());
}

/// Sends a signed IAM query as the root of `fresh`; returns the status, headers and body.
fn signed_iam(fresh: &Fresh, body: &str) -> (u16, Vec<(String, String)>, String) {
    let host = fresh.server.addr.to_string();
    let headers = aws4_form_headers(
        &host,
        &fresh.root,
        body.as_bytes(),
        "us-east-1",
        "iam",
        now(),
    );
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, h, b) = http(fresh.server.addr, "POST", "/", &headers, body.as_bytes());
    (status, h, String::from_utf8_lossy(&b).into_owned())
}

#[test]
fn a_store_failure_is_logged_once_in_the_requests_span() {
    let fresh = Fresh::start(&[("KEYGATE__LOG__FORMAT", "json")]);
    let (status, _, body) = signed_iam(
        &fresh,
        "Action=CreateUser&Version=2010-05-08&UserName=alice",
    );
    assert_eq!(status, 200, "{body}");
    // Break the store under the running server: the next policy read fails.
    keygate_tests::support::store_sql(&fresh.server.data_dir, "DROP TABLE user_policies");
    let (status, headers, body) = signed_iam(
        &fresh,
        "Action=ListUserPolicies&Version=2010-05-08&UserName=alice",
    );
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("ServiceFailure"), "{body}");
    assert!(
        !body.contains("user_policies"),
        "no cause reaches the caller: {body}"
    );
    let id = header(&headers, "x-request-id").unwrap().to_owned();
    let log = fresh.server.log_text();
    let failures: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .filter(|v: &serde_json::Value| v["span"]["request_id"] == id.as_str())
        .filter(|v| v["level"] == "ERROR")
        .collect();
    assert_eq!(failures.len(), 1, "logged once: {log}");
    let line = &failures[0];
    assert_eq!(line["message"], "storage failure", "{line}");
    assert_eq!(line["target"], "keygate_store_sql::tx", "{line}");
    assert!(
        line["error"].as_str().unwrap().contains("user_policies"),
        "with its cause: {line}"
    );
    assert_eq!(line["span"]["action"], "ListUserPolicies", "{line}");
    let root = format!("arn:aws:iam::{}:root", fresh.file.account_id);
    assert_eq!(line["span"]["principal"], root.as_str(), "{line}");
}

#[test]
fn ctrl_c_lets_a_request_in_flight_finish() {
    use std::io::{Read, Write};
    let fresh = Fresh::start(&[]);
    let addr = fresh.server.addr;
    let body = "Action=ListUsers&Version=2010-05-08";
    let headers = aws4_form_headers(
        &addr.to_string(),
        &fresh.root,
        body.as_bytes(),
        "eu-west-2",
        "iam",
        now(),
    );
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let mut head = format!("POST / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in &headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body.as_bytes()[..10]).unwrap();
    // The request is in flight: its body has started arriving.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let stopping = std::thread::spawn(move || fresh.server.stop_with("INT"));
    std::thread::sleep(std::time::Duration::from_millis(300));
    s.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("<ListUsersResponse"), "{answer}");
    let status = stopping.join().unwrap();
    assert!(status.success(), "graceful exit: {status}");
}

#[test]
fn a_busy_port_fails_the_start_before_anything_is_created() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = keygate(
        &[
            "serve",
            "--data-dir",
            data.to_str().unwrap(),
            "--listen",
            &addr,
        ],
        &[],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&addr), "{err}");
    assert!(
        !data.exists(),
        "no data directory, no account, no credentials"
    );
}

#[test]
fn admin_refuses_a_data_directory_without_a_database_unless_told_to_create() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo");
    let d = missing.to_str().unwrap();
    let out = keygate(&["admin", "--data-dir", d, "list-accounts"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    // On PostgreSQL the database, not the directory, is what holds no keygate store.
    assert!(
        err.contains("--create") && (on_postgres() || err.contains("typo")),
        "{err}"
    );
    assert!(!missing.exists(), "nothing created");
    let out = keygate(
        &[
            "admin",
            "--data-dir",
            d,
            "--create",
            "create-account",
            "--name",
            "first",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = keygate(
        &[
            "admin",
            "--data-dir",
            d,
            "create-account",
            "--name",
            "FIRST",
        ],
        &[],
    );
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("FIRST") && err.contains("already exists"),
        "{err}"
    );
}

#[test]
fn a_rotation_or_reset_whose_credentials_file_cannot_be_written_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    let path = data.join("root-credentials.json");
    let before = std::fs::read_to_string(&path).unwrap();
    let creds: CredentialsFile = serde_json::from_str(&before).unwrap();
    // The file is replaced through a temporary file beside it; a directory there makes that fail.
    std::fs::create_dir(data.join("root-credentials.json.tmp")).unwrap();
    let d = data.to_str().unwrap();
    for command in ["rotate-root-key", "reset-password"] {
        let out = keygate(
            &[
                "admin",
                "--data-dir",
                d,
                command,
                "--account",
                &creds.account_id,
            ],
            &[],
        );
        assert!(!out.status.success(), "{command}");
        assert!(out.stdout.is_empty(), "{command}: no credentials printed");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("nothing changed"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    assert_credentials_work(&data, &creds);
    // Once the file can be written, the change and the file agree, and stdout shows the key.
    std::fs::remove_dir(data.join("root-credentials.json.tmp")).unwrap();
    let out = keygate(
        &[
            "admin",
            "--data-dir",
            d,
            "rotate-root-key",
            "--account",
            &creds.account_id,
        ],
        &[],
    );
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let now: CredentialsFile =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(printed["access_key_id"], now.access_key_id.as_str());
    assert_eq!(printed["secret_access_key"], now.secret_access_key.as_str());
    assert_credentials_work(&data, &now);
    drop(server);
}
