//! The conformance suite on a temporary file and in memory, and what only SQLite can show:
//! pragmas, persistence across reopening, and secrets never stored in clear.

use std::sync::Arc;

use keygate_core::conformance;
use keygate_core::{Limits, RandomIds, Service, Source, Store, SystemClock};

use super::*;

fn file_store(dir: &tempfile::TempDir, name: &str) -> SqliteStore {
    let key = SealKey::load_or_create(&dir.path().join("keygate.key")).unwrap();
    SqliteStore::open_file(&dir.path().join(name), key).unwrap()
}

#[test]
fn conformance_on_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let n = std::sync::atomic::AtomicUsize::new(0);
    conformance::run_all(&|| {
        let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Arc::new(file_store(&dir, &format!("db{i}.sqlite"))) as Arc<dyn Store>
    });
}

#[test]
fn conformance_in_memory() {
    conformance::run_all(&|| {
        Arc::new(SqliteStore::open_memory(SealKey::generate().unwrap()).unwrap()) as Arc<dyn Store>
    });
}

#[test]
fn a_store_copy_names_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let s = file_store(&dir, "t.sqlite");
    let conn = s.pool.get().unwrap();
    let mut st = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap();
    let mut tables: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.sort();
    let mut copied: Vec<&str> = keygate_store_sql::copy::TABLES.to_vec();
    copied.sort_unstable();
    assert_eq!(tables, copied);
}

#[test]
fn pragmas_are_set() {
    let dir = tempfile::tempdir().unwrap();
    let s = file_store(&dir, "p.sqlite");
    let conn = s.pool.get().unwrap();
    let q = |p: &str| -> String {
        conn.query_row(&format!("PRAGMA {p}"), [], |r| {
            r.get::<_, rusqlite::types::Value>(0)
        })
        .map(|v| match v {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
        .unwrap()
    };
    assert_eq!(q("journal_mode"), "wal");
    assert_eq!(q("foreign_keys"), "1");
    assert_eq!(q("synchronous"), "2", "FULL");
    assert_eq!(q("busy_timeout"), "5000");
}

fn service(store: SqliteStore) -> Service {
    Service::new(
        Arc::new(store),
        Arc::new(SystemClock),
        Arc::new(RandomIds),
        Limits::default(),
    )
}

#[test]
fn secrets_are_not_stored_in_clear_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let creds = service(file_store(&dir, "k.sqlite"))
        .create_account("acme", None)
        .unwrap();
    let secret = creds.secret.expose().to_owned();
    let password = creds.password.expose().to_owned();
    // Reopen, then look for the secret and the password in every file of the database.
    let svc = service(file_store(&dir, "k.sqlite"));
    let keygate_core::KeyLookup::Found(found) = svc
        .signing_credentials(&creds.access_key_id, None, None, &[])
        .unwrap()
    else {
        panic!("the key signs")
    };
    assert_eq!(found.secret.expose(), secret);
    assert!(
        svc.verify_password(&creds.account.email, &password, Source::unknown(), &[])
            .is_ok()
    );
    drop(svc);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("k.sqlite") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&secret), "secret in clear in {name}");
        assert!(!text.contains(&password), "password in clear in {name}");
    }
    let db = std::fs::read(dir.path().join("k.sqlite")).unwrap();
    assert!(
        String::from_utf8_lossy(&db).contains(creds.access_key_id.as_str()),
        "the check reads the right file"
    );
}

#[test]
fn a_wrong_seal_key_is_a_storage_error_not_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let creds = service(file_store(&dir, "w.sqlite"))
        .create_account("acme", None)
        .unwrap();
    let other =
        SqliteStore::open_file(&dir.path().join("w.sqlite"), SealKey::generate().unwrap()).unwrap();
    assert!(matches!(
        service(other).signing_credentials(&creds.access_key_id, None, None, &[]),
        Err(keygate_core::CoreError::Storage(_))
    ));
}

#[test]
fn normal_durability_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = Options::new(Location::File(dir.path().join("n.sqlite")));
    o.durability = Durability::Normal;
    let s = SqliteStore::open(&o, SealKey::generate().unwrap()).unwrap();
    let conn = s.pool.get().unwrap();
    let v: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1);
}

#[test]
fn a_change_committed_by_another_process_is_seen_by_the_next_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service(file_store(&dir, "g.sqlite"));
    let creds = svc.create_account("acme", None).unwrap();
    let signs = || keygate_core::conformance::signs(&svc, &creds.access_key_id);
    assert!(signs());
    assert!(signs(), "served again, from the cache");
    // Another store on the same file stands for another process (`keygate admin`).
    let other = file_store(&dir, "g.sqlite");
    keygate_core::store::write(&other, |tx| {
        tx.delete_key(&creds.account.id, &creds.access_key_id)
    })
    .unwrap();
    assert!(!signs(), "the deleted key is refused at once");
}

/// What each writer in the batch test does with its account's password hash.
#[derive(Clone, Copy, PartialEq)]
enum Change {
    Kept,
    Failed,
    Rehearsed,
}

/// Four writers in one batch: the first holds it until the other three wait their turn. One
/// change fails and rolls back alone, one is a dry run; the other two are committed, once,
/// together.
#[test]
fn writes_that_arrive_together_commit_once_and_a_failing_one_rolls_back_alone() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(file_store(&dir, "b.sqlite"));
    let svc = service(file_store(&dir, "b.sqlite"));
    let changes = [
        Change::Kept,
        Change::Failed,
        Change::Rehearsed,
        Change::Kept,
    ];
    let ids: Vec<keygate_core::AccountId> = ["a", "b", "c", "d"]
        .iter()
        .map(|n| svc.create_account(n, None).unwrap().account.id)
        .collect();
    let before = store.writers.commits.load(Ordering::SeqCst);
    let holding = Arc::new(AtomicBool::new(false));
    let writer = |i: usize| {
        let (store, id, change, holding) =
            (store.clone(), ids[i].clone(), changes[i], holding.clone());
        std::thread::spawn(move || {
            let mut f = |tx: &dyn keygate_core::WriteTx| {
                tx.set_password_hash(&id, "changed")?;
                if i == 0 {
                    holding.store(true, Ordering::SeqCst);
                    while store.writers.waiting.load(Ordering::SeqCst) < 3 {
                        std::thread::yield_now();
                    }
                }
                match change {
                    Change::Failed => Err(keygate_core::CoreError::Internal("refused".into())),
                    Change::Kept | Change::Rehearsed => Ok(()),
                }
            };
            match change {
                Change::Rehearsed => store.rehearse_tx(&mut f),
                Change::Kept | Change::Failed => store.write_tx(&mut f),
            }
        })
    };
    let first = writer(0);
    while !holding.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
    let others: Vec<_> = (1..4).map(writer).collect();
    let results: Vec<_> = std::iter::once(first)
        .chain(others)
        .map(|h| h.join().unwrap())
        .collect();
    assert!(results[0].is_ok() && results[2].is_ok() && results[3].is_ok());
    assert!(matches!(
        results[1],
        Err(keygate_core::CoreError::Internal(_))
    ));
    assert_eq!(
        store.writers.commits.load(Ordering::SeqCst) - before,
        1,
        "one commit for the four"
    );
    let reopened = file_store(&dir, "b.sqlite");
    let conn = reopened.reads.get().unwrap();
    for (id, change) in ids.iter().zip(changes) {
        let hash: String = conn
            .query_row(
                "SELECT password_hash FROM accounts WHERE id = ?1",
                [id.as_str()],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(hash == "changed", change == Change::Kept, "{id}");
    }
}
