//! The pool's connections. The postgres crate's synchronous client runs a small runtime of its
//! own, and closing one blocks on it, which tokio forbids on a thread that drives asynchronous
//! tasks: a server that drops its store (or its last request's connection) from such a thread
//! would abort. So each connection is ours, and one closed where blocking is forbidden is
//! closed on a thread of its own.

use std::ops::{Deref, DerefMut};

use tokio_postgres_rustls::MakeRustlsConnect;

/// Makes and checks the pool's connections.
pub(crate) struct Manager {
    pub(crate) config: postgres::Config,
    pub(crate) tls: MakeRustlsConnect,
}

/// A connection, closed where it may block.
pub(crate) struct Client(Option<postgres::Client>);

impl Deref for Client {
    type Target = postgres::Client;
    fn deref(&self) -> &postgres::Client {
        // Always set: only `drop` takes it.
        self.0
            .as_ref()
            .unwrap_or_else(|| unreachable!("a connection is closed only on drop"))
    }
}

impl DerefMut for Client {
    fn deref_mut(&mut self) -> &mut postgres::Client {
        self.0
            .as_mut()
            .unwrap_or_else(|| unreachable!("a connection is closed only on drop"))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Some(client) = self.0.take() {
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
        self.config
            .connect(self.tls.clone())
            .map(|c| Client(Some(c)))
    }

    fn is_valid(&self, conn: &mut Client) -> Result<(), postgres::Error> {
        conn.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut Client) -> bool {
        conn.is_closed()
    }
}
