//! The conformance suite on PostgreSQL, and what only this store can show: the schema migrated
//! once and a newer one refused, and the key limit held by two stores (two replicas' pools) on
//! one database. Each test gets databases of its own on the cluster
//! `KEYGATE_TEST_POSTGRES` names (connection settings without a database name, as
//! `scripts/postgres-cluster start` prints them; `scripts/test` starts one).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use keygate_core::Store;
use keygate_core::conformance;

use super::*;

fn cluster() -> String {
    std::env::var("KEYGATE_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "KEYGATE_TEST_POSTGRES is not set: run scripts/test, or start a cluster with \
             scripts/postgres-cluster start DIR and export what it prints"
        )
    })
}

/// A new, empty database on the cluster: its connection settings.
fn fresh_database(label: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "kg_{label}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin =
        postgres::Client::connect(&format!("{} dbname=postgres", cluster()), postgres::NoTls)
            .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    format!("{} dbname={name}", cluster())
}

/// The options of the database `url` names on the test cluster, which speaks TLS with a
/// certificate from its own CA: connections verify it against that CA.
fn options(url: &str) -> Options {
    let mut options = Options::new(url);
    options.ca_file = Some(cluster_ca());
    options
}

fn open(url: &str) -> PostgresStore {
    PostgresStore::open(&options(url), SealKey::generate().unwrap()).unwrap()
}

#[test]
fn conformance() {
    conformance::run_all(&|| Arc::new(open(&fresh_database("conf"))) as Arc<dyn Store>);
}

#[test]
fn the_schema_is_migrated_once_and_a_newer_one_refused() {
    let url = fresh_database("schema");
    drop(open(&url));
    drop(open(&url));
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let versions: Vec<i64> = client
        .query("SELECT version FROM keygate_schema", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        versions,
        (1..=SCHEMA_VERSION).collect::<Vec<_>>(),
        "each migration once"
    );
    client
        .execute(
            "INSERT INTO keygate_schema (version) VALUES ($1)",
            &[&(SCHEMA_VERSION + 1)],
        )
        .unwrap();
    let refused = PostgresStore::open(&options(&url), SealKey::generate().unwrap());
    assert!(
        matches!(refused, Err(OpenError::SchemaTooNew { found, known }) if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION),
        "{refused:?}"
    );
}

#[test]
fn two_stores_on_one_database_hold_the_key_limit_together() {
    let url = fresh_database("replicas");
    let seal = SealKey::generate().unwrap();
    let a: Arc<dyn Store> = Arc::new(PostgresStore::open(&options(&url), seal.clone()).unwrap());
    let b: Arc<dyn Store> = Arc::new(PostgresStore::open(&options(&url), seal).unwrap());
    conformance::concurrent_creates_across_stores_respect_the_key_limit(a, b);
}

#[test]
fn a_store_copy_names_every_table() {
    let url = fresh_database("tables");
    drop(open(&url));
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name <> 'keygate_schema' \
             ORDER BY table_name COLLATE \"C\"",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut copied: Vec<&str> = keygate_store_sql::copy::TABLES.to_vec();
    copied.sort_unstable();
    assert_eq!(tables, copied);
}

#[test]
fn connections_the_server_closed_are_replaced_before_a_transaction_begins() {
    let url = fresh_database("closed");
    let mut options = options(&url);
    options.pool_size = 2;
    let s = PostgresStore::open(&options, SealKey::generate().unwrap()).unwrap();
    let accounts = || keygate_core::store::read(&s, |tx| tx.accounts()).map(|a| a.len());
    assert_eq!(accounts().unwrap(), 0);
    let name = url.rsplit("dbname=").next().unwrap();
    let mut admin =
        postgres::Client::connect(&format!("{} dbname=postgres", cluster()), postgres::NoTls)
            .unwrap();
    let ended: i64 = admin
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1",
            &[&name],
        )
        .unwrap()
        .get(0);
    assert!(ended >= 1, "the pool's connections were ended");
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(
        accounts().unwrap(),
        0,
        "a read after the server closed the pool's connections"
    );
}

/// The CA of the test cluster's certificate (`scripts/postgres-cluster` writes it, `scripts/test`
/// names it).
fn cluster_ca() -> PathBuf {
    std::env::var_os("KEYGATE_TEST_POSTGRES_CA")
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("KEYGATE_TEST_POSTGRES_CA is not set: run scripts/test"))
}

#[test]
fn tls_to_the_database_is_verified_against_the_ca_given() {
    let url = fresh_database("tls");
    let seal = SealKey::generate().unwrap();
    let mut options = options(&format!("{url} sslmode=require"));
    let s = PostgresStore::open(&options, seal.clone()).unwrap();
    let ssl: bool = s
        .pool
        .get()
        .unwrap()
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(ssl, "the store's connections speak TLS");

    // The system's roots do not know the cluster's CA: no connection is made.
    let mut unverified = Options::new(format!("{url} sslmode=require"));
    unverified.connect_timeout = std::time::Duration::from_secs(1);
    let refused = PostgresStore::open(&unverified, seal.clone());
    assert!(matches!(refused, Err(OpenError::Pool(_))), "{refused:?}");

    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("ca.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    options.ca_file = Some(junk.clone());
    let refused = PostgresStore::open(&options, seal).unwrap_err();
    assert!(matches!(refused, OpenError::CaFile { .. }), "{refused:?}");
    assert!(
        refused.to_string().contains(junk.to_str().unwrap()),
        "{refused}"
    );
}

/// Waits up to five seconds for `ready`.
fn eventually(mut ready: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        if ready() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    false
}

/// A key cached on one replica is refused there as soon as another replica's deletion of it is
/// heard of; and a replica that lost the connection it hears on caches nothing until it is back.
#[test]
fn a_change_committed_on_another_replica_moves_the_generation() {
    let url = fresh_database("changes");
    let seal = SealKey::generate().unwrap();
    let a = Arc::new(PostgresStore::open(&options(&url), seal.clone()).unwrap());
    let b = PostgresStore::open(&options(&url), seal).unwrap();
    assert!(eventually(
        || a.generation().is_some() && b.generation().is_some()
    ));
    let svc = keygate_core::Service::new(
        a.clone(),
        Arc::new(keygate_core::SystemClock),
        Arc::new(keygate_core::RandomIds),
        keygate_core::Limits::default(),
    );
    let creds = svc.create_account("acme", None).unwrap();
    let signs = || keygate_core::conformance::signs(&svc, &creds.access_key_id);
    assert!(signs());
    let before = a.generation();
    assert!(signs(), "served again, from the cache");
    assert_eq!(a.generation(), before, "no change meanwhile");
    keygate_core::store::write(&b, |tx| {
        tx.delete_key(&creds.account.id, &creds.access_key_id)
    })
    .unwrap();
    assert!(
        eventually(|| !signs()),
        "the key deleted on the other replica is refused"
    );

    // The listening connection ended by the server: nothing cached until it is back.
    let name = url.rsplit("dbname=").next().unwrap();
    let mut admin =
        postgres::Client::connect(&format!("{} dbname=postgres", cluster()), postgres::NoTls)
            .unwrap();
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND application_name = 'keygate-changes'",
            &[&name],
        )
        .unwrap();
    assert!(eventually(
        || a.generation().is_none() || b.generation().is_none()
    ));
    assert!(eventually(
        || a.generation().is_some() && b.generation().is_some()
    ));
}
