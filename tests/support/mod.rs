//! Starting and stopping the real `keygate` binary on a free loopback port, and a minimal HTTP
//! client for probing it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod clients;
pub mod sign;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use keygate_server::credentials::CredentialsFile;

use clients::Creds;

/// The `keygate` binary of this build, beside the test binary's directory.
pub fn keygate_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = dir.join("keygate");
    assert!(
        bin.is_file(),
        "{} is missing: build it first with `cargo build --workspace --bins`",
        bin.display()
    );
    bin
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `keygate serve`, stopped (by its PID) when dropped.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    log: PathBuf,
}

impl Server {
    /// Starts the server on `data_dir` with extra environment, and waits for `/healthz`.
    pub fn start(data_dir: &Path, env: &[(&str, &str)]) -> Server {
        Self::spawn(data_dir, env, false)
    }

    /// Starts the server on `data_dir` serving TLS (its environment names the files), and waits
    /// until it accepts connections.
    pub fn start_tls(data_dir: &Path, env: &[(&str, &str)]) -> Server {
        Self::spawn(data_dir, env, true)
    }

    fn spawn(data_dir: &Path, env: &[(&str, &str)], tls: bool) -> Server {
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let log = data_dir.with_extension(format!("{}.log", addr.port()));
        let mut cmd = Command::new(keygate_bin());
        cmd.arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--listen")
            .arg(addr.to_string())
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::options().append(true).open(&log).unwrap());
        cmd.envs(backend_env(data_dir));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        let mut server = Server {
            child: Some(child),
            addr,
            data_dir: data_dir.to_owned(),
            log,
        };
        if tls {
            server.wait_listening();
        } else {
            server.wait_healthy();
        }
        server
    }

    fn wait_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("keygate exited with {status}: {}", self.log_text());
            }
            if TcpStream::connect(self.addr).is_ok() && self.log_text().contains("listening") {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("keygate did not listen: {}", self.log_text());
    }

    fn wait_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("keygate exited with {status}: {}", self.log_text());
            }
            let ok = Command::new(keygate_bin())
                .args(["healthcheck", "--listen", &self.addr.to_string()])
                .output()
                .unwrap()
                .status
                .success();
            if ok {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("keygate did not become healthy: {}", self.log_text());
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn terminate(self) -> ExitStatus {
        self.stop_with("TERM")
    }

    /// Sends the signal named (`TERM`, `INT`) and waits for the process to exit.
    /// The server process's id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, std::process::Child::id)
    }

    pub fn stop_with(mut self, signal: &str) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "keygate ignored SIG{signal}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A server started on a fresh data directory, and the root credentials it wrote there.
#[derive(Debug)]
pub struct Fresh {
    pub dir: tempfile::TempDir,
    pub server: Server,
    pub file: CredentialsFile,
    pub root: Creds,
}

impl Fresh {
    pub fn start(env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = Server::start(&dir.path().join("data"), env);
        let file = CredentialsFile::read(&server.data_dir.join("root-credentials.json")).unwrap();
        let root = Creds::new(&file.access_key_id, &file.secret_access_key);
        Self {
            dir,
            server,
            file,
            root,
        }
    }
}

/// The wall clock, for signing requests as a client would now.
#[allow(clippy::disallowed_methods)]
pub fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// The wall clock `seconds` from now as an ISO 8601 date-time (an `ExpirationDate`).
pub fn in_seconds(seconds: i64) -> String {
    (now() + time::Duration::seconds(seconds))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// Runs `keygate <args>` to completion; a `--data-dir` in them gets its store's environment.
pub fn keygate(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(keygate_bin());
    cmd.args(args).env_remove("RUST_LOG").stdin(Stdio::null());
    if let Some(dir) = args
        .iter()
        .position(|a| *a == "--data-dir")
        .and_then(|i| args.get(i + 1))
    {
        cmd.envs(backend_env(Path::new(dir)));
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// A plain HTTP/1.1 exchange; returns the status, the headers (names lower-cased) and the body.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    exchange(
        TcpStream::connect(addr).unwrap(),
        addr,
        method,
        path,
        headers,
        body,
    )
}

/// As [`http`], from the local address `from` (another loopback address, say).
pub fn http_from(
    from: std::net::IpAddr,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        None,
    )
    .unwrap();
    socket.bind(&SocketAddr::new(from, 0).into()).unwrap();
    socket.connect(&addr.into()).unwrap();
    exchange(socket.into(), addr, method, path, headers, body)
}

fn exchange(
    mut s: TcpStream,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("no end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, raw[split + 4..].to_vec())
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// An OSC call signed with OSC4 by `creds`, with `extra` headers: status and body.
pub fn osc_call_with(
    addr: SocketAddr,
    creds: &Creds,
    call: &str,
    body: &[u8],
    extra: &[(&str, &str)],
) -> (u16, Vec<u8>) {
    let headers = sign::osc4_json_headers(&addr.to_string(), call, creds, body);
    let mut refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    refs.extend_from_slice(extra);
    let (s, _, b) = http(addr, "POST", &format!("/api/v1/{call}"), &refs, body);
    (s, b)
}

/// An OSC call signed with OSC4 by `creds`: status and body.
pub fn osc_call(addr: SocketAddr, creds: &Creds, call: &str, body: &[u8]) -> (u16, Vec<u8>) {
    osc_call_with(addr, creds, call, body, &[])
}

/// A path in the workspace.
pub fn workspace(path: &str) -> String {
    format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs a client program that must succeed and whose last line of output is JSON: that JSON.
pub fn last_json_line(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// Whether the end-to-end tests run keygate on PostgreSQL (`KEYGATE_TEST_BACKEND=postgres`, on
/// the cluster `KEYGATE_TEST_POSTGRES` names; `scripts/test` runs them once on each engine).
pub fn on_postgres() -> bool {
    std::env::var("KEYGATE_TEST_BACKEND").as_deref() == Ok("postgres")
}

/// The database that stands for `data_dir` on PostgreSQL: one per data directory, so that a
/// restarted server, and an operator's command, find the state they left.
fn postgres_database(data_dir: &Path) -> (String, String) {
    use std::hash::{Hash, Hasher};
    let cluster = std::env::var("KEYGATE_TEST_POSTGRES")
        .expect("the PostgreSQL tests need KEYGATE_TEST_POSTGRES (scripts/test sets it)");
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data_dir.hash(&mut h);
    let name = format!("kg_e2e_{:016x}", h.finish());
    (
        format!("{cluster} dbname=postgres"),
        format!("{cluster} dbname={name}"),
    )
}

/// The environment a keygate process on `data_dir` needs for the engine under test: nothing on
/// SQLite; on PostgreSQL, `postgres_env`.
pub fn backend_env(data_dir: &Path) -> Vec<(&'static str, String)> {
    if on_postgres() {
        postgres_env(data_dir)
    } else {
        Vec::new()
    }
}

/// The environment that puts a keygate process on `data_dir` on PostgreSQL, whatever the engine
/// under test: the data directory's database (made on first use) and its at-rest key, given as
/// every replica of a deployment is given one (derived from the data directory here, so that
/// every process on it has the same), and the CA that the cluster's certificate chains to: the
/// connections speak TLS, verified.
pub fn postgres_env(data_dir: &Path) -> Vec<(&'static str, String)> {
    let (admin, url) = postgres_database(data_dir);
    let name = url.rsplit("dbname=").next().unwrap().to_owned();
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    if let Err(e) = client.batch_execute(&format!("CREATE DATABASE {name}")) {
        let exists = e.code() == Some(&postgres::error::SqlState::DUPLICATE_DATABASE);
        assert!(exists, "creating {name}: {e:?}");
    }
    use base64::Engine;
    use sha2::Digest;
    let key = sha2::Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
    let ca = std::env::var("KEYGATE_TEST_POSTGRES_CA")
        .expect("KEYGATE_TEST_POSTGRES_CA names the test cluster's CA (scripts/test sets it)");
    vec![
        ("KEYGATE__STORAGE__BACKEND", "postgres".to_owned()),
        ("KEYGATE__STORAGE__POSTGRES_URL", url),
        ("KEYGATE__STORAGE__POSTGRES_CA_FILE", ca),
        (
            "KEYGATE__STORAGE__AT_REST_KEY",
            base64::engine::general_purpose::STANDARD.encode(key),
        ),
    ]
}

/// Runs one SQL statement on the store of the server on `data_dir`, whichever the engine: what
/// a test does behind keygate's back (time passing, a broken table). Answers the rows changed.
pub fn store_sql(data_dir: &Path, sql: &str) -> u64 {
    if on_postgres() {
        let (_, url) = postgres_database(data_dir);
        postgres::Client::connect(&url, postgres::NoTls)
            .unwrap()
            .execute(sql, &[])
            .unwrap()
    } else {
        let db = rusqlite::Connection::open(data_dir.join("keygate.db")).unwrap();
        db.busy_timeout(Duration::from_secs(5)).unwrap();
        db.execute(sql, []).unwrap() as u64
    }
}

/// An IAM Query call signed with `creds`, as the aws CLI signs it: the status and the body.
pub fn iam_query(addr: SocketAddr, creds: &Creds, body: &str) -> (u16, String) {
    let host = addr.to_string();
    let headers = sign::aws4_form_headers(&host, creds, body.as_bytes(), "us-east-1", "iam", now());
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, _, out) = http(addr, "POST", "/", &refs, body.as_bytes());
    (status, String::from_utf8_lossy(&out).into_owned())
}

/// Drops the PostgreSQL database of `data_dir` under whatever is connected to it: the database
/// server gone away, as a keygate process sees it.
pub fn drop_postgres_database(data_dir: &Path) {
    let (admin, url) = postgres_database(data_dir);
    let name = url.rsplit("dbname=").next().unwrap().to_owned();
    postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap()
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .unwrap();
}
