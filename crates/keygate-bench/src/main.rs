//! `keygate-bench`: keygate's load generator. `run` measures, in one run on one machine, the
//! ceilings and keygate side by side: an actix-web hello-world answering the same requests,
//! SQLite's single-commit ceiling on the same filesystem, then keygate's signed reads in both
//! dialects and its unique signed writes, each with its rate, p50 and p99, and the server's CPU
//! per request, read from /proc. It prints one Markdown table, every keygate figure beside the
//! ceiling it is a ratio to; given a PostgreSQL cluster, the same table for one and for two
//! replicas on it.

mod ceiling;
mod hello;
mod load;
mod postgres;
mod proc;
mod requests;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;

use crate::load::Outcome;
use crate::requests::{Key, Kind};

#[derive(Debug, Parser)]
#[command(name = "keygate-bench", about = "keygate's load generator")]
enum Cli {
    /// Serve the hello-world ceiling: `200 ok` to every request.
    Hello {
        #[arg(long)]
        listen: SocketAddr,
    },
    /// Measure the ceilings and keygate in one run; print the table.
    Run {
        /// The keygate binary (a release build).
        #[arg(long, default_value = "target/release/keygate")]
        keygate: PathBuf,
        /// Seconds per figure.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// The load generator's threads (it shares the machine with the server).
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Where the data directories and the ceiling's database go: on the disk being
        /// measured, not a tmpfs, or the durable figures mean nothing.
        #[arg(long, default_value = "target")]
        work_dir: PathBuf,
        /// The store sizes to measure keygate at, in keys: each is a fresh data directory
        /// whose account `keygate admin seed` fills (ten keys per user) before the load.
        #[arg(long, value_delimiter = ',', default_value = "0")]
        keys: Vec<u64>,
        /// A PostgreSQL cluster's connection settings, without a database name (as
        /// `scripts/postgres-cluster start` prints them): keygate is then also measured on a
        /// fresh database there, with one replica and with two.
        #[arg(long)]
        postgres: Option<String>,
        /// The CA certificate the cluster's certificate chains to.
        #[arg(long, requires = "postgres")]
        postgres_ca: Option<PathBuf>,
    },
    /// Send one kind of request COUNT times, one after another on one connection, to a server
    /// already running: a fixed batch, for counting instructions under callgrind.
    Send {
        #[arg(long)]
        target: SocketAddr,
        /// The data directory whose root-credentials.json signs the requests.
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long, value_enum)]
        kind: Kind,
        #[arg(long)]
        count: u64,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse() {
        Cli::Hello { listen } => hello::serve(listen),
        Cli::Send {
            target,
            data_dir,
            kind,
            count,
        } => {
            let make = requests::make(kind, &target.to_string(), &root_key(&data_dir)?);
            let sent = load::send(target, count, make)?;
            if sent.refused > 0 {
                bail!("{} of {count} requests were refused", sent.refused);
            }
            Ok(())
        }
        Cli::Run {
            keygate,
            seconds,
            connections,
            threads,
            work_dir,
            keys,
            postgres,
            postgres_ca,
        } => {
            let bench = Bench {
                duration: Duration::from_secs(seconds),
                connections,
                threads,
            };
            let cluster = postgres.map(|settings| postgres::Cluster::new(settings, postgres_ca));
            print!(
                "{}",
                bench.run(&keygate, &work_dir, &keys, cluster.as_ref())?
            );
            Ok(())
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bench {
    duration: Duration,
    connections: usize,
    threads: usize,
}

/// A server process under load, stopped when dropped.
#[derive(Debug)]
struct Process {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_addr() -> anyhow::Result<SocketAddr> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

/// Waits until `addr` answers `GET /healthz` with 200.
fn wait_ready(process: &mut Process) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(status) = process.child.try_wait()? {
            bail!("the server exited with {status}");
        }
        if let Ok(mut s) = TcpStream::connect(process.addr) {
            let _ = write!(
                s,
                "GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                process.addr
            );
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("the server on {} did not become ready", process.addr)
}

fn start(mut cmd: Command, addr: SocketAddr) -> anyhow::Result<Process> {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .env("RUST_LOG", "warn")
        .spawn()
        .context("starting a server")?;
    let mut process = Process { child, addr };
    wait_ready(&mut process)?;
    Ok(process)
}

/// How long each read is run before it is measured.
const WARM_UP: Duration = Duration::from_secs(1);

/// Where the PostgreSQL figures are taken.
struct OnPostgres<'a> {
    cluster: &'a postgres::Cluster,
    replicas: usize,
    /// Where the replicas' data directories go.
    work: &'a Path,
}

/// What one kind of request measured on one server.
#[derive(Debug, Clone)]
struct Figure {
    outcome: Outcome,
    cpu_us_per_request: f64,
}

impl Bench {
    /// One kind of request, its connections spread over `servers` (replicas of one store);
    /// the CPU is theirs together.
    fn measure(&self, servers: &[&Process], kind: Kind, key: &Key) -> anyhow::Result<Figure> {
        let cpu = || -> anyhow::Result<f64> {
            servers
                .iter()
                .map(|s| proc::cpu_seconds(s.child.id()))
                .sum()
        };
        let addrs: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
        let host = addrs.first().context("no server to measure")?.to_string();
        let make = requests::make(kind, &host, key);
        // A read replays one request: a second of it first, not counted, fills the caches
        // (the server's, SQLite's, the page cache) that whatever ran before left cold.
        if Kind::READS.contains(&kind) {
            load::run(
                &addrs,
                self.connections,
                WARM_UP,
                self.threads,
                make.clone(),
            )?;
        }
        let before = cpu()?;
        let outcome = load::run(&addrs, self.connections, self.duration, self.threads, make)?;
        let used = cpu()? - before;
        let requests = (outcome.ok + outcome.refused).max(1) as f64;
        Ok(Figure {
            cpu_us_per_request: used * 1e6 / requests,
            outcome,
        })
    }

    fn keygate(&self, binary: &Path, data: &Path, env: &[(&str, &str)]) -> anyhow::Result<Process> {
        let addr = free_addr()?;
        let mut cmd = Command::new(binary);
        cmd.arg("serve")
            .arg("--data-dir")
            .arg(data)
            .arg("--listen")
            .arg(addr.to_string())
            .envs(env.iter().copied());
        start(cmd, addr)
    }

    fn run(
        &self,
        binary: &Path,
        work_dir: &Path,
        sizes: &[u64],
        postgres: Option<&postgres::Cluster>,
    ) -> anyhow::Result<String> {
        std::fs::create_dir_all(work_dir)?;
        let work = tempfile::Builder::new()
            .prefix("keygate-bench-")
            .tempdir_in(work_dir)?;
        let ceiling = ceiling::commits_per_second(work.path(), self.duration)?;

        let hello_addr = free_addr()?;
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.arg("hello").arg("--listen").arg(hello_addr.to_string());
        let hello = start(cmd, hello_addr)?;
        let nobody = Key {
            id: "AKIAHELLOHELLOHELLO0".into(),
            secret: "hello".into(),
        };
        let mut hello_figures = Vec::new();
        for kind in Kind::READS {
            hello_figures.push(self.measure(&[&hello], kind, &nobody)?);
        }
        drop(hello);

        let mut out = format!(
            "{} connections, {} load threads, {} s per figure; single-commit SQLite ceiling: \
             {ceiling:.0} commits/s\n",
            self.connections,
            self.threads,
            self.duration.as_secs()
        );
        for (i, &keys) in sizes.iter().enumerate() {
            let data = work.path().join(format!("full-{keys}"));
            let server = self.keygate(binary, &data, &[])?;
            let seeded = seed(binary, &data, keys)?;
            let key = root_key(&data)?;
            let mut reads = Vec::new();
            for kind in Kind::READS {
                reads.push(self.measure(&[&server], kind, &key)?);
            }
            let full = self.measure(&[&server], Kind::CreateUser, &key)?;
            let peak = proc::peak_rss_kib(server.child.id())?;
            drop(server);
            let mut writes = vec![("synchronous=FULL (default)", full)];
            // The lighter durability once, on the first store size.
            if i == 0 {
                let data = work.path().join(format!("normal-{keys}"));
                let server =
                    self.keygate(binary, &data, &[("KEYGATE__STORAGE__DURABILITY", "normal")])?;
                seed(binary, &data, keys)?;
                let normal = self.measure(&[&server], Kind::CreateUser, &root_key(&data)?)?;
                writes.push(("durability = normal", normal));
            }
            let title = format!("keygate with {seeded} keys in the store, besides its root's");
            out.push_str(&self.table(&title, &hello_figures, &reads, ceiling, &writes, peak));
        }
        if let Some(cluster) = postgres {
            for replicas in 1..=2 {
                let on = OnPostgres {
                    cluster,
                    replicas,
                    work: work.path(),
                };
                out.push_str(&self.on_postgres(binary, &on, &hello_figures, ceiling)?);
            }
        }
        Ok(out)
    }

    /// The table for `on.replicas` replicas on a fresh database of the cluster.
    fn on_postgres(
        &self,
        binary: &Path,
        on: &OnPostgres<'_>,
        hello: &[Figure],
        ceiling: f64,
    ) -> anyhow::Result<String> {
        let env = on.cluster.database_env()?;
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let replicas = on.replicas;
        let data = |r: usize| on.work.join(format!("postgres-{replicas}-{r}"));
        // One after the other: the first makes the default account, the others find it.
        let servers = (0..replicas)
            .map(|r| self.keygate(binary, &data(r), &env))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let key = root_key(&data(0))?;
        let servers: Vec<&Process> = servers.iter().collect();
        let mut reads = Vec::new();
        for kind in Kind::READS {
            reads.push(self.measure(&servers, kind, &key)?);
        }
        let writes = [(
            "PostgreSQL, fsync and synchronous_commit on",
            self.measure(&servers, Kind::CreateUser, &key)?,
        )];
        let peak = servers
            .iter()
            .map(|s| proc::peak_rss_kib(s.child.id()))
            .try_fold(0, |most, rss| rss.map(|rss| rss.max(most)))?;
        let title = format!(
            "keygate on PostgreSQL, {replicas} replica{}, the connections spread over them",
            if replicas == 1 { "" } else { "s" }
        );
        Ok(self.table(&title, hello, &reads, ceiling, &writes, peak))
    }

    fn table(
        &self,
        title: &str,
        hello: &[Figure],
        keygate: &[Figure],
        ceiling: f64,
        writes: &[(&str, Figure)],
        peak_kib: u64,
    ) -> String {
        let ms = |us: u32| format!("{:.2} ms", f64::from(us) / 1000.0);
        let mut out = format!(
            "\n### {title}\n\n\
             | request | hello req/s | keygate req/s | ratio | hello p50 / p99 | keygate p50 / p99 | p99 ratio | hello CPU/req | keygate CPU/req | ratio | refused / reconnected |\n\
             |---|---|---|---|---|---|---|---|---|---|---|\n"
        );
        for ((kind, h), k) in Kind::READS.iter().zip(hello).zip(keygate) {
            let (ho, ko) = (&h.outcome, &k.outcome);
            out.push_str(&format!(
                "| {} | {:.0} | {:.0} | {:.2} | {} / {} | {} / {} | {:.2} | {:.1} µs | {:.1} µs | {:.2} | {} / {} |\n",
                kind.label(),
                ho.per_second(),
                ko.per_second(),
                ko.per_second() / ho.per_second(),
                ms(ho.percentile_us(500)),
                ms(ho.percentile_us(990)),
                ms(ko.percentile_us(500)),
                ms(ko.percentile_us(990)),
                f64::from(ko.percentile_us(990)) / f64::from(ho.percentile_us(990).max(1)),
                h.cpu_us_per_request,
                k.cpu_us_per_request,
                k.cpu_us_per_request / h.cpu_us_per_request,
                ko.refused,
                ko.reconnects + ho.reconnects,
            ));
        }
        out.push_str(&format!(
            "\n| durable writes ({}) | single-commit SQLite ceiling, commits/s | keygate writes/s | ratio | keygate p50 / p99 | keygate CPU/req | refused |\n\
             |---|---|---|---|---|---|---|\n",
            Kind::CreateUser.label()
        ));
        for (name, f) in writes {
            let o = &f.outcome;
            out.push_str(&format!(
                "| {name} | {ceiling:.0} | {:.0} | {:.2} | {} / {} | {:.1} µs | {} |\n",
                o.per_second(),
                o.per_second() / ceiling,
                ms(o.percentile_us(500)),
                ms(o.percentile_us(990)),
                f.cpu_us_per_request,
                o.refused,
            ));
        }
        out.push_str(&format!(
            "\nkeygate's peak resident memory over the reads and the durable writes (the largest \
             replica's): {:.1} MiB\n",
            peak_kib as f64 / 1024.0
        ));
        out
    }
}

/// Fills the default account of `data` with `keys` keys, ten to a user, through
/// `keygate admin seed` beside the running server; answers how many keys it holds.
fn seed(binary: &Path, data: &Path, keys: u64) -> anyhow::Result<u64> {
    let users = keys.div_ceil(10);
    if users == 0 {
        return Ok(0);
    }
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        data.join("root-credentials.json"),
    )?)?;
    let account = file["account_id"]
        .as_str()
        .context("no account_id in root-credentials.json")?;
    let out = Command::new(binary)
        .args(["admin", "--data-dir"])
        .arg(data)
        .args(["seed", "--account", account, "--users", &users.to_string()])
        .args(["--keys-per-user", "10"])
        .stdin(Stdio::null())
        .output()?;
    if !out.status.success() {
        bail!("seeding: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(users * 10)
}

/// The default account's root key, from the credentials file keygate wrote on first start.
fn root_key(data: &Path) -> anyhow::Result<Key> {
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        data.join("root-credentials.json"),
    )?)?;
    let field = |name: &str| -> anyhow::Result<String> {
        Ok(file[name]
            .as_str()
            .with_context(|| format!("no {name} in root-credentials.json"))?
            .to_owned())
    };
    Ok(Key {
        id: field("access_key_id")?,
        secret: field("secret_access_key")?,
    })
}
