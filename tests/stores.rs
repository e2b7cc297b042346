//! The store as a whole, through `keygate admin`: a SQLite store backed up while the server
//! writes, restored into a new data directory and into the running one, refused when the
//! backup is not keygate's or was sealed under another key; and a SQLite store moved into
//! PostgreSQL, where a replica then serves its keys, its audit trail goes on, and a second
//! copy is refused; and a server killed under concurrent writes keeps every write it
//! acknowledged.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use keygate_tests::support::clients::Creds;
use keygate_tests::support::{Fresh, Server, iam_query, keygate, on_postgres, postgres_env};

fn admin(data: &Path, args: &[&str], env: &[(&str, &str)]) -> (bool, serde_json::Value, String) {
    let mut all = vec!["admin", "--data-dir", data.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = keygate(&all, env);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.success(), json, stderr)
}

fn user_status(server: &Server, root: &Creds, name: &str) -> u16 {
    iam_query(
        server.addr,
        root,
        &format!("Action=GetUser&Version=2010-05-08&UserName={name}"),
    )
    .0
}

fn create_user(server: &Server, root: &Creds, name: &str) {
    let (status, out) = iam_query(
        server.addr,
        root,
        &format!("Action=CreateUser&Version=2010-05-08&UserName={name}"),
    );
    assert_eq!(status, 200, "{out}");
}

#[test]
fn a_sqlite_store_is_backed_up_while_serving_and_restored() {
    let fresh = Fresh::start(&[]);
    let data = fresh.server.data_dir.clone();
    let backup = fresh.dir.path().join("keygate-backup.db");
    let file = backup.to_str().unwrap();
    if on_postgres() {
        let (ok, _, err) = admin(&data, &["backup", file], &[]);
        assert!(!ok && err.contains("pg_dump"), "{err}");
        return;
    }
    create_user(&fresh.server, &fresh.root, "before");

    // Writers go on while the backup is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (stop, written) = (stop.clone(), written.clone());
        let (addr, root) = (fresh.server.addr, fresh.root.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let n = written.load(Ordering::Relaxed);
                let (status, out) = iam_query(
                    addr,
                    &root,
                    &format!("Action=CreateUser&Version=2010-05-08&UserName=w{n}"),
                );
                assert_eq!(status, 200, "{out}");
                written.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    while written.load(Ordering::Relaxed) < 5 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let (ok, out, err) = admin(&data, &["backup", file], &[]);
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(ok, "{err}");
    assert!(out["bytes"].as_u64().unwrap() > 0, "{out}");
    let (ok, _, err) = admin(&data, &["backup", file], &[]);
    assert!(
        !ok && err.contains("keygate-backup.db"),
        "an existing file is kept: {err}"
    );
    create_user(&fresh.server, &fresh.root, "after");

    // A new data directory: refused without the key the backup was sealed with.
    let restored = fresh.dir.path().join("restored");
    let (ok, _, err) = admin(&restored, &["restore", file], &[]);
    assert!(!ok && err.contains("at-rest key"), "{err}");
    std::fs::create_dir(&restored).unwrap();
    std::fs::copy(data.join("keygate.key"), restored.join("keygate.key")).unwrap();
    let (ok, _, err) = admin(&restored, &["restore", file], &[]);
    assert!(ok, "{err}");
    let server = Server::start(&restored, &[]);
    assert_eq!(user_status(&server, &fresh.root, "before"), 200);
    assert_eq!(user_status(&server, &fresh.root, "w0"), 200);
    assert_eq!(user_status(&server, &fresh.root, "after"), 404);
    drop(server);

    // Into the running server's own data directory: the next request sees the backup's state.
    let (ok, _, err) = admin(&data, &["restore", file], &[]);
    assert!(ok, "{err}");
    assert_eq!(user_status(&fresh.server, &fresh.root, "after"), 404);
    assert_eq!(user_status(&fresh.server, &fresh.root, "before"), 200);
    create_user(&fresh.server, &fresh.root, "after");

    // Refused, each changing nothing: a store under another key, a file that is not keygate's.
    let other = Fresh::start(&[]);
    let other_data = other.server.data_dir.clone();
    let (ok, _, err) = admin(&other_data, &["restore", file], &[]);
    assert!(!ok && err.contains("another at-rest key"), "{err}");
    assert_eq!(user_status(&other.server, &other.root, "before"), 404);
    let junk = fresh.dir.path().join("junk.db");
    std::fs::write(
        &junk,
        b"not a database at all, but long enough to look like a header",
    )
    .unwrap();
    let (ok, _, err) = admin(&other_data, &["restore", junk.to_str().unwrap()], &[]);
    assert!(!ok && err.contains("not a keygate database"), "{err}");
    let (ok, _, err) = admin(&other_data, &["restore", "/nonexistent/backup.db"], &[]);
    assert!(!ok && err.contains("no backup file"), "{err}");
    assert_eq!(user_status(&other.server, &other.root, "before"), 404);
    create_user(&other.server, &other.root, "still-writable");
}

#[test]
fn a_sqlite_store_moves_into_postgresql() {
    // The move starts from SQLite: one pass of the suite is enough.
    if on_postgres() {
        return;
    }
    let fresh = Fresh::start(&[]);
    let data = fresh.server.data_dir.clone();
    create_user(&fresh.server, &fresh.root, "alice");
    let (status, made) = iam_query(
        fresh.server.addr,
        &fresh.root,
        "Action=CreateAccessKey&Version=2010-05-08&UserName=alice",
    );
    assert_eq!(status, 200, "{made}");
    let field = |tag: &str| {
        let start = made.find(&format!("<{tag}>")).unwrap() + tag.len() + 2;
        let end = made[start..].find('<').unwrap() + start;
        made[start..end].to_owned()
    };
    let alice = Creds::new(&field("AccessKeyId"), &field("SecretAccessKey"));
    // Rows of most kinds, truth values among them.
    for call in [
        "Action=CreateLoginProfile&UserName=alice&Password=Move-me-2026%21&PasswordResetRequired=true",
        "Action=UpdateAccountPasswordPolicy&MinimumPasswordLength=17&RequireSymbols=true",
        "Action=CreateGroup&GroupName=movers",
        "Action=AddUserToGroup&GroupName=movers&UserName=alice",
    ] {
        let (status, out) = iam_query(
            fresh.server.addr,
            &fresh.root,
            &format!("{call}&Version=2010-05-08"),
        );
        assert_eq!(status, 200, "{call}: {out}");
    }
    let before = audit_lines(&data, &[]);
    assert!(before >= 2, "the calls so far are in the trail");
    assert_eq!(fresh.server.terminate().code(), Some(0));

    // The database a deployment would name; the replicas get the SQLite store's key.
    let pg = postgres_env(&fresh.dir.path().join("pg"));
    let setting = |name: &str| pg.iter().find(|(k, _)| *k == name).unwrap().1.clone();
    let url = setting("KEYGATE__STORAGE__POSTGRES_URL");
    let ca = setting("KEYGATE__STORAGE__POSTGRES_CA_FILE");
    let tls = [("KEYGATE__STORAGE__POSTGRES_CA_FILE", ca.as_str())];
    let (ok, out, err) = admin(&data, &["migrate-store", "--to", &url], &tls);
    assert!(ok, "{err}");
    let rows = &out["copied_rows"];
    assert_eq!(rows["accounts"], 1, "{out}");
    assert_eq!(rows["users"], 1, "{out}");
    assert_eq!(rows["access_keys"], 2, "{out}");
    assert!(
        rows["audit_records"].as_u64().unwrap() >= before as u64,
        "{out}"
    );
    assert!(
        out["at_rest_key"].as_str().unwrap().contains("keygate.key"),
        "{out}"
    );

    let key = std::fs::read_to_string(data.join("keygate.key")).unwrap();
    let env = [
        ("KEYGATE__STORAGE__BACKEND", "postgres"),
        ("KEYGATE__STORAGE__POSTGRES_URL", url.as_str()),
        ("KEYGATE__STORAGE__AT_REST_KEY", key.trim()),
        tls[0],
    ];
    let replica_dir = fresh.dir.path().join("replica");
    let replica = Server::start(&replica_dir, &env);
    assert!(
        !replica_dir.join("root-credentials.json").exists(),
        "no second default account"
    );
    // Both keys' sealed secrets open on the replica: they sign.
    assert_eq!(user_status(&replica, &fresh.root, "alice"), 200);
    let (status, out) = iam_query(
        replica.addr,
        &alice,
        "Action=GetUser&Version=2010-05-08&UserName=alice",
    );
    assert_eq!(status, 403, "alice is known and has no policy: {out}");
    assert!(out.contains("AccessDenied"), "{out}");
    for (call, expect) in [
        (
            "Action=GetLoginProfile&UserName=alice",
            "<PasswordResetRequired>true</PasswordResetRequired>",
        ),
        (
            "Action=GetAccountPasswordPolicy",
            "<MinimumPasswordLength>17</MinimumPasswordLength>",
        ),
        (
            "Action=ListGroupsForUser&UserName=alice",
            "<GroupName>movers</GroupName>",
        ),
    ] {
        let (status, out) = iam_query(
            replica.addr,
            &fresh.root,
            &format!("{call}&Version=2010-05-08"),
        );
        assert_eq!(status, 200, "{call}: {out}");
        assert!(out.contains(expect), "{call}: {out}");
    }
    // The trail goes on after the copied records.
    create_user(&replica, &fresh.root, "bob");
    let after = audit_lines(&replica_dir, &env);
    assert!(after > before, "{after} records, {before} before the move");

    // Into a database that holds a store: refused, nothing changed.
    let (ok, _, err) = admin(
        &data,
        &["migrate-store"],
        &[("KEYGATE__STORAGE__POSTGRES_URL", &url), tls[0]],
    );
    assert!(!ok && err.contains("already holds keygate data"), "{err}");
    assert_eq!(user_status(&replica, &fresh.root, "bob"), 200);
}

fn audit_lines(data: &Path, env: &[(&str, &str)]) -> usize {
    let out = keygate(
        &["admin", "--data-dir", data.to_str().unwrap(), "audit"],
        env,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[test]
fn seed_fills_an_account_with_users_and_active_keys() {
    let fresh = Fresh::start(&[]);
    let data = fresh.server.data_dir.clone();
    let account = fresh.file.account_id.clone();
    let (ok, out, err) = admin(
        &data,
        &[
            "seed",
            "--account",
            &account,
            "--users",
            "3",
            "--keys-per-user",
            "2",
        ],
        &[],
    );
    assert!(ok, "{err}");
    assert_eq!(
        (out["users"].as_u64(), out["keys"].as_u64()),
        (Some(3), Some(6)),
        "{out}"
    );
    for n in 0..3 {
        let (status, listed) = iam_query(
            fresh.server.addr,
            &fresh.root,
            &format!("Action=ListAccessKeys&Version=2010-05-08&UserName=seed-{n}"),
        );
        assert_eq!(status, 200, "{listed}");
        assert_eq!(
            listed.matches("<Status>Active</Status>").count(),
            2,
            "{listed}"
        );
    }
    let (ok, _, err) = admin(
        &data,
        &["seed", "--account", "000000000000", "--users", "1"],
        &[],
    );
    assert!(!ok && err.contains("no account 000000000000"), "{err}");
    assert_eq!(user_status(&fresh.server, &fresh.root, "seed-3"), 404);
}

/// Every user name the server lists, page by page.
fn listed_users(server: &Server, root: &Creds) -> std::collections::HashSet<String> {
    let mut names = std::collections::HashSet::new();
    let mut marker = String::new();
    loop {
        let (status, out) = iam_query(
            server.addr,
            root,
            &format!("Action=ListUsers&Version=2010-05-08&MaxItems=1000{marker}"),
        );
        assert_eq!(status, 200, "{out}");
        let text = |tag: &str, from: &str| -> Vec<String> {
            from.split(&format!("<{tag}>"))
                .skip(1)
                .filter_map(|s| s.split(&format!("</{tag}>")).next())
                .map(str::to_owned)
                .collect()
        };
        names.extend(text("UserName", &out));
        match text("Marker", &out).first() {
            Some(next) => marker = format!("&Marker={next}"),
            None => return names,
        }
    }
}

/// Killed under a load of concurrent writes, some of them refused (a name already taken):
/// after a restart, every write the server acknowledged is there.
#[test]
fn a_server_killed_under_write_load_keeps_every_write_it_acknowledged() {
    let fresh = Fresh::start(&[]);
    create_user(&fresh.server, &fresh.root, "taken");
    let addr = fresh.server.addr;
    let writers: Vec<_> = (0..16)
        .map(|w| {
            let root = fresh.root.clone();
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                let mut refused = 0;
                for i in 0.. {
                    let name = if i % 5 == 4 {
                        "taken".to_owned()
                    } else {
                        format!("w{w}-{i}")
                    };
                    let call = format!("Action=CreateUser&Version=2010-05-08&UserName={name}");
                    match std::panic::catch_unwind(|| iam_query(addr, &root, &call)) {
                        Ok((200, _)) => acknowledged.push(name),
                        Ok((409, out)) if out.contains("EntityAlreadyExists") => refused += 1,
                        Ok((status, out)) => panic!("{name}: {status} {out}"),
                        Err(_) => break,
                    }
                }
                (acknowledged, refused)
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let data_dir = fresh.server.data_dir.clone();
    fresh.server.stop_with("KILL");
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    for h in writers {
        let (names, n) = h.join().unwrap();
        acknowledged.extend(names);
        refused += n;
    }
    assert!(
        acknowledged.len() > 100 && refused > 0,
        "writes acknowledged ({}) and refused ({refused}) before the kill",
        acknowledged.len()
    );
    let again = Server::start(&data_dir, &[]);
    let listed = listed_users(&again, &fresh.root);
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|n| !listed.contains(*n))
        .collect();
    assert!(lost.is_empty(), "acknowledged, then lost: {lost:?}");
    drop(again);
    drop(fresh.dir);
}
