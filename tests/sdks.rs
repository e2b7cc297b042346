//! More real clients end to end: the AWS SDK for JavaScript v3 (Node), paws (R) and the AWS SDK
//! for Rust, each through the access-key lifecycle, a typed error and STS GetCallerIdentity,
//! each building, signing and parsing requests its own way.

use std::process::Command;

use keygate_tests::support::clients::{aws, clients_dir};
use keygate_tests::support::{Fresh, last_json_line, workspace};

/// Runs a client program with the server's address and the root's credentials in its
/// environment; answers the last line it printed, as JSON.
fn drive(w: &Fresh, mut cmd: Command) -> serde_json::Value {
    cmd.env("KEYGATE_URL", format!("http://{}", w.server.addr))
        .env("ROOT_KEY_ID", &w.file.access_key_id)
        .env("ROOT_SECRET", &*w.file.secret_access_key)
        .env("ACCOUNT_ID", &w.file.account_id);
    last_json_line(&mut cmd)
}

/// The key the client deleted is gone for the aws CLI too, and so is every user.
fn nothing_left(w: &Fresh) {
    let users = aws(&w.server, &w.root, &["iam", "list-users"]).json();
    assert_eq!(users["Users"], serde_json::json!([]), "{users}");
}

#[test]
fn the_aws_sdk_for_javascript_v3() {
    let w = Fresh::start(&[]);
    let mut cmd = Command::new("node");
    cmd.arg(workspace("tests/clients/aws-sdk-js/lifecycle.mjs"))
        .env(
            "NODE_MODULES",
            clients_dir().join("aws-sdk-js/node_modules"),
        );
    let seen = drive(&w, cmd);
    assert!(seen["sdk"].is_string(), "{seen}");
    nothing_left(&w);
}

#[test]
fn paws_the_r_sdk() {
    let w = Fresh::start(&[]);
    let mut cmd = Command::new("Rscript");
    cmd.arg(workspace("tests/clients/paws/lifecycle.R"))
        .env("R_LIBS_USER", clients_dir().join("paws-lib"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HOME", &w.server.data_dir);
    let seen = drive(&w, cmd);
    assert!(seen["paws"].is_string(), "{seen}");
    nothing_left(&w);
}

/// A time source `behind` the wall clock, for a client whose clock is wrong.
#[derive(Debug)]
struct Behind(std::time::Duration);

impl aws_smithy_async::time::TimeSource for Behind {
    fn now(&self) -> std::time::SystemTime {
        #[allow(clippy::disallowed_methods)]
        let now = std::time::SystemTime::now();
        now - self.0
    }
}

/// The SDK's configuration for the server, with the root's key, `attempts` tries per call and
/// the client's clock `behind` the server's.
fn rust_sdk_config(w: &Fresh, attempts: u32, behind: std::time::Duration) -> aws_config::SdkConfig {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let creds = aws_sdk_iam::config::Credentials::new(
        &w.file.access_key_id,
        &*w.file.secret_access_key,
        None,
        None,
        "keygate-test",
    );
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .endpoint_url(format!("http://{}", w.server.addr))
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_iam::config::SharedCredentialsProvider::new(creds))
        .http_client(http)
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(attempts))
        .time_source(aws_smithy_async::time::SharedTimeSource::new(Behind(
            behind,
        )))
        .sleep_impl(aws_sdk_iam::config::SharedAsyncSleep::new(
            aws_smithy_async::rt::sleep::TokioSleep::new(),
        ))
        .build()
}

#[test]
fn the_aws_sdk_for_rust() {
    use aws_sdk_iam::types::StatusType;
    let w = Fresh::start(&[]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let config = rust_sdk_config(&w, 1, std::time::Duration::ZERO);
        let iam = aws_sdk_iam::Client::new(&config);
        let user = iam
            .create_user()
            .user_name("alice")
            .path("/team/")
            .send()
            .await
            .unwrap()
            .user
            .unwrap();
        assert_eq!(
            user.arn,
            format!("arn:aws:iam::{}:user/team/alice", w.file.account_id)
        );
        assert!(user.user_id.starts_with("AIDA"), "{user:?}");
        let key = iam
            .create_access_key()
            .user_name("alice")
            .send()
            .await
            .unwrap()
            .access_key
            .unwrap();
        assert!(key.access_key_id.starts_with("AKIA"), "{key:?}");
        assert_eq!(
            (key.secret_access_key.len(), &key.status),
            (40, &StatusType::Active)
        );
        let status = || async {
            let listed = iam
                .list_access_keys()
                .user_name("alice")
                .send()
                .await
                .unwrap();
            listed
                .access_key_metadata
                .iter()
                .map(|k| k.status.clone().unwrap())
                .collect::<Vec<_>>()
        };
        for state in [StatusType::Inactive, StatusType::Active] {
            iam.update_access_key()
                .user_name("alice")
                .access_key_id(&key.access_key_id)
                .status(state.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(status().await, [state]);
        }

        // A typed error.
        let missing = iam
            .get_user()
            .user_name("nobody")
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(missing.is_no_such_entity_exception(), "{missing:?}");

        iam.delete_access_key()
            .user_name("alice")
            .access_key_id(&key.access_key_id)
            .send()
            .await
            .unwrap();
        iam.delete_user().user_name("alice").send().await.unwrap();
        let sts = aws_sdk_sts::Client::new(&config);
        let me = sts.get_caller_identity().send().await.unwrap();
        assert_eq!(
            me.arn.unwrap(),
            format!("arn:aws:iam::{}:root", w.file.account_id)
        );

        // A client whose clock is 20 minutes slow: refused once, then the SDK reads the
        // server's time from the answer's Date header and signs again, corrected.
        let slow = std::time::Duration::from_secs(20 * 60);
        let once = aws_sdk_iam::Client::new(&rust_sdk_config(&w, 1, slow));
        let refused = once.list_users().send().await.unwrap_err();
        assert_eq!(
            refused.as_service_error().and_then(|e| e.meta().code()),
            Some("SignatureDoesNotMatch"),
            "{refused:?}"
        );
        let corrected = aws_sdk_iam::Client::new(&rust_sdk_config(&w, 2, slow));
        let users = corrected.list_users().send().await.unwrap();
        assert!(users.users.is_empty());
    });
    nothing_left(&w);
}
