//! TLS end to end: the listener on a certificate a test CA issued, the aws CLI trusting that CA,
//! the health check over TLS,
//! SIGHUP reading a new certificate without a restart, and client certificates under API access
//! rules that name CAs, with osc-cli.

use std::path::Path;

use keygate_server::credentials::CredentialsFile;
use keygate_tests::support::clients::{Creds, OscTls, aws_tls, osc_cli_tls};
use keygate_tests::support::{Server, keygate};

/// A CA, and a certificate for 127.0.0.1 it issued, written as `server.pem` / `server.key`;
/// answers the CA's PEM.
fn issue(dir: &Path, ca_name: &str) -> String {
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, ca_name);
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let mut leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    leaf.subject_alt_names
        .push(rcgen::SanType::IpAddress("127.0.0.1".parse().unwrap()));
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).unwrap();
    std::fs::write(dir.join("server.pem"), leaf_cert.pem()).unwrap();
    std::fs::write(dir.join("server.key"), leaf_key.serialize_pem()).unwrap();
    ca_cert.pem()
}

/// A server over TLS on a certificate of a new CA, whose PEM is written to `bundle` in `dir`;
/// with the root's credentials.
fn start(dir: &Path, bundle: &str) -> (Server, CredentialsFile, Creds) {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(dir.join(bundle), issue(&data, "keygate test CA 1")).unwrap();
    let server = Server::start_tls(
        &data,
        &[
            ("KEYGATE__SERVER__TLS_CERT_FILE", "server.pem"),
            ("KEYGATE__SERVER__TLS_KEY_FILE", "server.key"),
        ],
    );
    let file = CredentialsFile::read(&data.join("root-credentials.json")).unwrap();
    let root = Creds::new(&file.access_key_id, &file.secret_access_key);
    (server, file, root)
}

#[test]
fn the_aws_cli_over_tls_and_a_certificate_read_again_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (server, file, root) = start(dir.path(), "first-ca.pem");
    let first = dir.path().join("first-ca.pem");
    let me = aws_tls(&server, &root, &first, &["sts", "get-caller-identity"]);
    assert!(me.ok, "{}", me.stderr);
    assert_eq!(me.json()["Account"], file.account_id.as_str());
    // The health check speaks TLS when the configuration says the listener does.
    let listen = server.addr.to_string();
    let health = |env: &[(&str, &str)]| {
        keygate(&["healthcheck", "--listen", &listen], env)
            .status
            .success()
    };
    assert!(health(&[("KEYGATE__SERVER__TLS_CERT_FILE", "server.pem")]));
    assert!(!health(&[]), "plain HTTP to a TLS listener");
    // A new certificate from another CA, read on SIGHUP: new connections see it.
    let second = dir.path().join("second-ca.pem");
    std::fs::write(&second, issue(&data, "keygate test CA 2")).unwrap();
    let pid = server.pid().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !server.log_text().contains("TLS certificate reloaded") {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            server.log_text()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let after = aws_tls(&server, &root, &second, &["iam", "list-users"]);
    assert!(after.ok, "{}", after.stderr);
    let old = aws_tls(&server, &root, &first, &["iam", "list-users"]);
    assert!(
        !old.ok,
        "the old CA no longer verifies the served certificate"
    );
}

/// A client CA, which writes the PEM of a certificate and key it issues for client authentication.
struct ClientCa {
    cert: rcgen::Certificate,
    key: rcgen::KeyPair,
}

impl ClientCa {
    fn new() -> Self {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "keygate test client CA");
        let key = rcgen::KeyPair::generate().unwrap();
        Self {
            cert: params.self_signed(&key).unwrap(),
            key,
        }
    }

    fn issue(&self, dir: &Path, file: &str, cn: &str) -> std::path::PathBuf {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        let path = dir.join(file);
        std::fs::write(&path, format!("{}{}", cert.pem(), key.serialize_pem())).unwrap();
        path
    }
}

#[test]
fn an_access_rule_with_a_ca_admits_only_its_client_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let (server, file, root) = start(dir.path(), "server-ca.pem");
    let bundle = dir.path().join("server-ca.pem");
    let ours = ClientCa::new();
    let theirs = ClientCa::new();
    let client = ours.issue(dir.path(), "client.pem", "client");
    let stranger = ours.issue(dir.path(), "stranger.pem", "stranger");
    let forged = theirs.issue(dir.path(), "forged.pem", "client");
    let osc = |cert: Option<&Path>, args: &[&str]| {
        let tls = OscTls {
            ca_bundle: &bundle,
            client_certificate: cert,
        };
        osc_cli_tls(&server, &root, tls, args)
    };

    // Under the default rule osc-cli needs no client certificate. (A PEM starts with dashes:
    // osc-cli takes it as a value only after `=`.)
    let pem = format!("--CaPem={}", ours.cert.pem());
    let ca = osc(None, &["CreateCa", &pem, "--Description", "clients"]).json();
    let ca_id = ca["Ca"]["CaId"].as_str().unwrap().to_owned();
    let default = osc(None, &["ReadApiAccessRules"]).json()["ApiAccessRules"][0].clone();
    let rule = osc(
        None,
        &[
            "CreateApiAccessRule",
            "--CaIds",
            &format!("[\"{ca_id}\"]"),
            "--Cns",
            "[\"client\"]",
            "--Description",
            "our clients",
        ],
    )
    .json();
    assert_eq!(rule["ApiAccessRule"]["CaIds"], serde_json::json!([ca_id]));
    osc(
        None,
        &[
            "DeleteApiAccessRule",
            "--ApiAccessRuleId",
            default["ApiAccessRuleId"].as_str().unwrap(),
        ],
    )
    .json();

    // Only the CA's certificate for the rule's CN is let in, in both dialects.
    osc(None, &["ReadAccessKeys"]).osc_failed_with(401, "14");
    osc(Some(&stranger), &["ReadAccessKeys"]).osc_failed_with(401, "14");
    osc(Some(&forged), &["ReadAccessKeys"]).osc_failed_with(401, "14");
    let keys = osc(Some(&client), &["ReadAccessKeys"]).json();
    assert_eq!(
        keys["AccessKeys"][0]["AccessKeyId"],
        file.access_key_id.as_str()
    );
    aws_tls(&server, &root, &bundle, &["iam", "list-users"]).failed_with("AccessDenied");
    // A login and password are held to the same rules.
    let password = |cert: Option<&Path>| {
        let tls = OscTls {
            ca_bundle: &bundle,
            client_certificate: cert,
        };
        let args = [
            "ReadAccessKeys",
            "--authentication-method",
            "password",
            "--login",
            &file.login,
            "--password",
            &file.password,
        ];
        osc_cli_tls(&server, &Creds::new("", ""), tls, &args)
    };
    password(None).osc_failed_with(401, "14");
    assert_eq!(
        password(Some(&client)).json()["AccessKeys"][0]["AccessKeyId"],
        file.access_key_id.as_str()
    );

    // The CA a rule names stays.
    osc(Some(&client), &["DeleteCa", "--CaId", &ca_id]).osc_failed_with(400, "4118");
}
