//! The real clients, installed by `scripts/setup-clients`: the aws CLI and boto3, each run
//! against a test server with given credentials and no configuration file of their own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use super::Server;

/// An access key to sign with.
#[derive(Debug, Clone)]
pub struct Creds {
    pub key_id: String,
    pub secret: String,
}

impl Creds {
    pub fn new(key_id: &str, secret: &str) -> Self {
        Self {
            key_id: key_id.to_owned(),
            secret: secret.to_owned(),
        }
    }
}

fn clients_dir() -> PathBuf {
    std::env::var_os("KEYGATE_CLIENTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/clients")))
}

fn client(venv: &str, program: &str) -> PathBuf {
    let path = clients_dir().join(venv).join("bin").join(program);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/setup-clients (scripts/test does)",
        path.display()
    );
    path
}

/// What a client run gave: exit status, standard output parsed as JSON when it is, and
/// standard error.
#[derive(Debug)]
pub struct Run {
    pub ok: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Self {
        Self {
            ok: o.status.success(),
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Standard output as JSON; the run must have succeeded.
    pub fn json(&self) -> serde_json::Value {
        assert!(self.ok, "the client failed: {}", self.stderr);
        if self.stdout.trim().is_empty() {
            return serde_json::Value::Null;
        }
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }

    /// Asserts the run failed with the aws CLI's wording for this IAM error code.
    pub fn failed_with(&self, code: &str) -> &Self {
        assert!(
            !self.ok,
            "expected {code}, the client succeeded: {}",
            self.stdout
        );
        assert_ne!(self.code, Some(0));
        assert!(
            self.stderr.contains(&format!("An error occurred ({code})")),
            "expected {code}: {}",
            self.stderr
        );
        self
    }
}

fn env_for(cmd: &mut Command, server: &Server, creds: &Creds) {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &server.data_dir)
        .env("AWS_ACCESS_KEY_ID", &creds.key_id)
        .env("AWS_SECRET_ACCESS_KEY", &creds.secret)
        .env("AWS_DEFAULT_REGION", "eu-west-2")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_RETRY_MODE", "standard")
        .env("AWS_PAGER", "")
        .env("KEYGATE_ENDPOINT", format!("http://{}", server.addr))
        .stdin(Stdio::null());
}

/// `aws <args> --endpoint-url … --output json`.
pub fn aws(server: &Server, creds: &Creds, args: &[&str]) -> Run {
    let mut cmd = Command::new(client("awscli", "aws"));
    env_for(&mut cmd, server, creds);
    cmd.args(args).args([
        "--endpoint-url",
        &format!("http://{}", server.addr),
        "--output",
        "json",
    ]);
    Run::from(cmd.output().unwrap())
}

/// Runs a Python program with boto3; it finds the endpoint in `KEYGATE_ENDPOINT` and the
/// credentials in the standard variables.
pub fn boto3(server: &Server, creds: &Creds, program: &str) -> Run {
    let mut cmd = Command::new(client("boto3", "python"));
    env_for(&mut cmd, server, creds);
    cmd.arg("-c").arg(program);
    Run::from(cmd.output().unwrap())
}
