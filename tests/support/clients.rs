//! The real clients, installed by `scripts/setup-clients`: the aws CLI and boto3, each run
//! against a test server with given credentials and no configuration file of their own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::Server;

/// An access key to sign with, and for temporary credentials, their session token.
#[derive(Debug, Clone)]
pub struct Creds {
    pub key_id: String,
    pub secret: String,
    pub token: Option<String>,
}

impl Creds {
    pub fn new(key_id: &str, secret: &str) -> Self {
        Self {
            key_id: key_id.to_owned(),
            secret: secret.to_owned(),
            token: None,
        }
    }

    /// Temporary credentials.
    pub fn session(key_id: &str, secret: &str, token: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            ..Self::new(key_id, secret)
        }
    }
}

/// Where `scripts/setup-clients` installed the clients.
pub fn clients_dir() -> PathBuf {
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

    /// Asserts the run failed with osc-cli's or osc-sdk-python's report of this OSC error.
    pub fn osc_failed_with(&self, status: u16, code: &str) -> &Self {
        assert!(
            !self.ok,
            "expected {code}, the client succeeded: {}",
            self.stdout
        );
        let text = format!("{}{}", self.stdout, self.stderr);
        assert!(
            text.contains(&format!("status = {status}"))
                && text.contains(&format!("code = {code}")),
            "expected status {status} code {code}: {text}"
        );
        self
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
    if let Some(token) = &creds.token {
        cmd.env("AWS_SESSION_TOKEN", token);
    }
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

/// `aws <args> --profile <profile>` with the AWS config file `config` (its profiles name
/// their own credentials, or a `role_arn` and `source_profile` that make the CLI assume the
/// role itself); every client the CLI makes, STS's for AssumeRole too, goes to the server.
pub fn aws_profile(server: &Server, config: &str, profile: &str, args: &[&str]) -> Run {
    let path = server.data_dir.join(format!("aws-config-{profile}"));
    std::fs::write(&path, config).unwrap();
    let mut cmd = Command::new(client("awscli", "aws"));
    env_for(&mut cmd, server, &Creds::new("", ""));
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_CONFIG_FILE", &path)
        .env("AWS_ENDPOINT_URL", format!("http://{}", server.addr))
        .args(args)
        .args(["--profile", profile, "--output", "json"]);
    Run::from(cmd.output().unwrap())
}

/// `aws <args>` against the server's TLS listener, trusting the CA in `ca_bundle`.
pub fn aws_tls(server: &Server, creds: &Creds, ca_bundle: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(client("awscli", "aws"));
    env_for(&mut cmd, server, creds);
    cmd.args(args).args([
        "--endpoint-url",
        &format!("https://{}", server.addr),
        "--ca-bundle",
        ca_bundle.to_str().unwrap(),
        "--output",
        "json",
    ]);
    Run::from(cmd.output().unwrap())
}

/// `osc-cli api <Call> <args>` with an access key, its profile pointing at the server.
pub fn osc_cli(server: &Server, creds: &Creds, args: &[&str]) -> Run {
    osc_cli_with(server, creds, "api", args, &[])
}

/// How osc-cli reaches a TLS listener: the CA bundle it trusts and, when it presents one, the
/// PEM holding its client certificate and key.
#[derive(Debug, Clone, Copy)]
pub struct OscTls<'a> {
    pub ca_bundle: &'a Path,
    pub client_certificate: Option<&'a Path>,
}

/// `osc-cli api <Call> <args>` against the server's TLS listener.
pub fn osc_cli_tls(server: &Server, creds: &Creds, tls: OscTls<'_>, args: &[&str]) -> Run {
    osc_cli_run(server, creds, Some(tls), "api", args, &[])
}

/// `osc-cli eim …`: osc-cli's client of the EIM endpoint, which speaks the IAM Query API.
pub fn osc_cli_eim(server: &Server, creds: &Creds, args: &[&str]) -> Run {
    osc_cli_with(server, creds, "eim", args, &[])
}

/// `osc-cli api … --authentication-method password --login … --password …`.
pub fn osc_cli_password(server: &Server, login: &str, password: &str, args: &[&str]) -> Run {
    let none = Creds::new("", "");
    let auth = [
        "--authentication-method",
        "password",
        "--login",
        login,
        "--password",
        password,
    ];
    osc_cli_with(server, &none, "api", args, &auth)
}

fn osc_cli_with(
    server: &Server,
    creds: &Creds,
    service: &str,
    args: &[&str],
    extra: &[&str],
) -> Run {
    osc_cli_run(server, creds, None, service, args, extra)
}

fn osc_cli_run(
    server: &Server,
    creds: &Creds,
    tls: Option<OscTls<'_>>,
    service: &str,
    args: &[&str],
    extra: &[&str],
) -> Run {
    let home = server.data_dir.join(format!("osc-home-{}", creds.key_id));
    std::fs::create_dir_all(home.join(".osc")).unwrap();
    let mut profile = serde_json::json!({
        "access_key": creds.key_id,
        "secret_key": creds.secret,
        "region": "eu-west-2",
        "endpoint": format!("http://{}", server.addr),
    });
    // The SDK hands `ssl_verify` and `client_certificate` to requests as `verify` and `cert`.
    if let Some(tls) = tls {
        profile["endpoint"] = format!("https://{}", server.addr).into();
        profile["ssl_verify"] = tls.ca_bundle.to_str().unwrap().into();
        if let Some(cert) = tls.client_certificate {
            profile["client_certificate"] = cert.to_str().unwrap().into();
        }
    }
    let profiles = serde_json::json!({ "default": profile });
    std::fs::write(home.join(".osc/config.json"), profiles.to_string()).unwrap();
    let mut cmd = Command::new(client("osc-cli", "osc-cli"));
    env_for(&mut cmd, server, creds);
    cmd.env("HOME", &home).arg(service).args(args).args(extra);
    Run::from(cmd.output().unwrap())
}

/// Runs a Python program with osc-sdk-python; `gw()` in it builds a Gateway on the server with
/// the given access key, `gw_password(login, password)` one with a login and password.
pub fn osc_sdk_python(server: &Server, creds: &Creds, program: &str) -> Run {
    let prelude = r#"
import os
from osc_sdk_python import Gateway
from osc_sdk_python.credentials import Endpoint
def _endpoint():
    return Endpoint(api=os.environ['KEYGATE_ENDPOINT'] + '/api/v1')
def gw():
    return Gateway(access_key=os.environ['AWS_ACCESS_KEY_ID'], secret_key=os.environ['AWS_SECRET_ACCESS_KEY'],
                   region='eu-west-2', endpoints=_endpoint(), max_retries=0)
def gw_password(login, password):
    return Gateway(login=login, password=password, region='eu-west-2', endpoints=_endpoint(), max_retries=0)
"#;
    let mut cmd = Command::new(client("osc-sdk-python", "python"));
    env_for(&mut cmd, server, creds);
    cmd.arg("-c").arg(format!("{prelude}\n{program}"));
    Run::from(cmd.output().unwrap())
}

/// Validates OSC answers against the official OpenAPI schemas: each item is the call name, the
/// HTTP status and the body. Returns the validator's report when one fails.
pub fn validate_osc_schemas(items: &[(String, u16, String)]) -> Result<(), String> {
    let spec = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/specs/outscale.yaml"
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/support/osc_schema.py");
    let input: Vec<serde_json::Value> = items
        .iter()
        .map(|(call, status, body)| serde_json::json!({"call": call, "status": status, "body": body}))
        .collect();
    let mut child = Command::new(client("schema", "python"))
        .arg(script)
        .arg(spec)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(serde_json::Value::Array(input).to_string().as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Runs a Python program with boto3; it finds the endpoint in `KEYGATE_ENDPOINT` and the
/// credentials in the standard variables.
pub fn boto3(server: &Server, creds: &Creds, program: &str) -> Run {
    let mut cmd = Command::new(client("boto3", "python"));
    env_for(&mut cmd, server, creds);
    cmd.arg("-c").arg(program);
    Run::from(cmd.output().unwrap())
}

/// A YAML file as JSON, read by PyYAML (which the aws CLI brings): the deployment files' test.
pub fn yaml_as_json(path: &Path) -> Vec<serde_json::Value> {
    let out = Command::new(client("awscli", "python"))
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} is not YAML: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
