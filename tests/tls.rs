//! TLS end to end: the listener on a certificate a test CA issued, the aws CLI trusting that CA,
//! and SIGHUP reading a new certificate without a restart.

use std::path::Path;

use keygate_server::credentials::CredentialsFile;
use keygate_tests::support::Server;
use keygate_tests::support::clients::{Creds, aws_tls};

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

#[test]
fn the_aws_cli_over_tls_and_a_certificate_read_again_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let first = dir.path().join("first-ca.pem");
    std::fs::write(&first, issue(&data, "keygate test CA 1")).unwrap();
    let server = Server::start_tls(
        &data,
        &[
            ("KEYGATE__SERVER__TLS_CERT_FILE", "server.pem"),
            ("KEYGATE__SERVER__TLS_KEY_FILE", "server.key"),
        ],
    );
    let file = CredentialsFile::read(&data.join("root-credentials.json")).unwrap();
    let root = Creds::new(&file.access_key_id, &file.secret_access_key);
    let me = aws_tls(&server, &root, &first, &["sts", "get-caller-identity"]);
    assert!(me.ok, "{}", me.stderr);
    assert_eq!(me.json()["Account"], file.account_id.as_str());
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
