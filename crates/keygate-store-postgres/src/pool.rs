//! The pool's connections. The postgres crate's synchronous client runs a small runtime of its
//! own, and closing one blocks on it, which tokio forbids on a thread that drives asynchronous
//! tasks: a server that drops its store (or its last request's connection) from such a thread
//! would abort. So each connection is ours, and one closed where blocking is forbidden is
//! closed on a thread of its own. Each connection keeps the statements it has prepared.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

use tokio_postgres_rustls::MakeRustlsConnect;

/// Makes and checks the pool's connections.
pub(crate) struct Manager {
    pub(crate) config: postgres::Config,
    pub(crate) tls: MakeRustlsConnect,
}

/// A connection, closed where it may block, with the statements it has prepared.
pub(crate) struct Client {
    client: Option<postgres::Client>,
    pub(crate) statements: Statements,
}

impl Client {
    /// The connection and its statements, to borrow both while a transaction runs.
    pub(crate) fn parts(&mut self) -> (&mut postgres::Client, &Statements) {
        // Always set: only `drop` takes it.
        let client = self
            .client
            .as_mut()
            .unwrap_or_else(|| unreachable!("a connection is closed only on drop"));
        (client, &self.statements)
    }
}

/// The statements a connection has prepared, by their text: a statement is parsed and planned
/// once per connection rather than on every run, which halves the round trips of each. The
/// shared statements are a fixed set, so the cache stays small; past `CACHED` it stops growing.
#[derive(Default)]
pub(crate) struct Statements(RefCell<HashMap<String, postgres::Statement>>);

const CACHED: usize = 512;

impl Statements {
    pub(crate) fn get(&self, sql: &str) -> Option<postgres::Statement> {
        self.0.borrow().get(sql).cloned()
    }

    pub(crate) fn keep(&self, sql: &str, statement: &postgres::Statement) {
        let mut held = self.0.borrow_mut();
        if held.len() < CACHED {
            held.insert(sql.to_owned(), statement.clone());
        }
    }

    /// Forgets every statement: their plans no longer fit the schema.
    pub(crate) fn clear(&self) {
        self.0.borrow_mut().clear();
    }
}

impl Deref for Client {
    type Target = postgres::Client;
    fn deref(&self) -> &postgres::Client {
        self.client
            .as_ref()
            .unwrap_or_else(|| unreachable!("a connection is closed only on drop"))
    }
}

impl DerefMut for Client {
    fn deref_mut(&mut self) -> &mut postgres::Client {
        self.parts().0
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                let _ = std::thread::spawn(move || drop(client)).join();
            } else {
                drop(client);
            }
        }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Client;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Client, postgres::Error> {
        self.config.connect(self.tls.clone()).map(|c| Client {
            client: Some(c),
            statements: Statements::default(),
        })
    }

    fn is_valid(&self, conn: &mut Client) -> Result<(), postgres::Error> {
        conn.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut Client) -> bool {
        conn.is_closed()
    }
}
