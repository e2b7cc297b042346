//! What tells a replica that a change was committed, on it or on any other: every write
//! transaction sends a notification on `CHANNEL`, which PostgreSQL delivers at its commit and
//! never before; each replica listens on a connection of its own, and counts what it receives
//! and its own commits. While that connection is down the replica cannot tell, and its
//! credential cache keeps nothing.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The channel every write transaction notifies.
pub(crate) const NOTIFY: &str = "SELECT pg_notify('keygate_changes', '')";
const LISTEN: &str = "LISTEN keygate_changes";

/// How long the listener waits for a notification before it checks its connection, and how
/// long it waits before connecting again.
const PATIENCE: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Count {
    /// Moves with every change this replica commits or hears of, and whenever the listener
    /// (re)connects, since changes may have been made while it was away.
    changes: AtomicU64,
    listening: AtomicBool,
}

pub(crate) struct Changes(Arc<Count>);

impl Changes {
    /// Starts listening, on a thread that ends (within `PATIENCE`) once these changes are
    /// dropped.
    pub(crate) fn listen(mut config: postgres::Config, tls: MakeRustlsConnect) -> Self {
        // Named, so that an operator can tell it from the pool's in `pg_stat_activity`.
        config.application_name("keygate-changes");
        let count = Arc::new(Count::default());
        let weak = Arc::downgrade(&count);
        std::thread::Builder::new()
            .name("keygate-changes".into())
            .spawn(move || listener(&config, &tls, &weak))
            .map(drop)
            .unwrap_or_else(|e| tracing::warn!(error = %e, "cannot listen for changes"));
        Self(count)
    }

    /// A change this replica committed: seen by its very next request.
    pub(crate) fn committed(&self) {
        self.0.changes.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn generation(&self) -> Option<u64> {
        self.0
            .listening
            .load(Ordering::SeqCst)
            .then(|| self.0.changes.load(Ordering::SeqCst))
    }
}

fn listener(config: &postgres::Config, tls: &MakeRustlsConnect, weak: &Weak<Count>) {
    while weak.strong_count() > 0 {
        match config.connect(tls.clone()) {
            Ok(mut client) => match client.batch_execute(LISTEN) {
                Ok(()) => heed(&mut client, weak),
                Err(e) => tracing::warn!(error = %e, "cannot listen for changes"),
            },
            Err(e) => tracing::warn!(error = %e, "cannot listen for changes"),
        }
        std::thread::sleep(PATIENCE);
    }
}

/// Counts the notifications on `client` until its connection fails or the store is gone.
fn heed(client: &mut postgres::Client, weak: &Weak<Count>) {
    let mark = |listening: bool| {
        weak.upgrade().map(|count| {
            count.changes.fetch_add(1, Ordering::SeqCst);
            count.listening.store(listening, Ordering::SeqCst);
        })
    };
    if mark(true).is_none() {
        return;
    }
    loop {
        let heard = client.notifications().timeout_iter(PATIENCE).next();
        let alive = match heard {
            Ok(Some(_)) => mark(true).is_some(),
            // No news: the store still there, and the connection still answering?
            Ok(None) => {
                weak.strong_count() > 0 && !client.is_closed() && client.is_valid(PATIENCE).is_ok()
            }
            Err(_) => false,
        };
        if !alive {
            if mark(false).is_some() {
                tracing::warn!("lost the connection that hears of changes: reconnecting");
            }
            return;
        }
    }
}
