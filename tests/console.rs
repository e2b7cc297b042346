//! The web console in real headless Chromium, driven by Playwright against the real binary: the
//! click-through of `crates/keygate-console/web/tests/console.mjs`, then what it changed,
//! checked through the API. It takes a screenshot of each main screen (into
//! `crates/keygate-console/screenshots/` with `KEYGATE_UPDATE_SCREENSHOTS=1`).

use keygate_tests::support::clients::Creds;
use keygate_tests::support::sign::osc4_json_headers;
use keygate_tests::support::{Fresh, Server, http, last_json_line, workspace};
use serde_json::{Value, json};
use std::process::Command;

fn read_keys(server: &Server, root: &Creds, body: Value) -> Vec<String> {
    let text = body.to_string();
    let headers = osc4_json_headers(
        &server.addr.to_string(),
        "ReadAccessKeys",
        root,
        text.as_bytes(),
    );
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (s, _, b) = http(
        server.addr,
        "POST",
        "/api/v1/ReadAccessKeys",
        &refs,
        text.as_bytes(),
    );
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&b));
    let v: Value = serde_json::from_slice(&b).unwrap();
    v["AccessKeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["AccessKeyId"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn click_through_the_console_in_chromium() {
    let Fresh {
        dir: _dir,
        server,
        file,
        ..
    } = Fresh::start(&[]);
    let aws = std::env::var("KEYGATE_CLIENTS")
        .map(|d| format!("{d}/awscli/bin/aws"))
        .unwrap_or_else(|_| workspace("target/clients/awscli/bin/aws"));
    // The README shows the committed screenshots; a run refreshes them only when asked to.
    let shots = if std::env::var_os("KEYGATE_UPDATE_SCREENSHOTS").is_some() {
        workspace("crates/keygate-console/screenshots")
    } else {
        workspace("target/console-screenshots")
    };
    std::fs::create_dir_all(&shots).unwrap();
    let mut cmd = Command::new("node");
    cmd.arg(workspace("crates/keygate-console/web/tests/console.mjs"))
        .env("KEYGATE_URL", format!("http://{}", server.addr))
        .env("KEYGATE_LOGIN", &file.login)
        .env("KEYGATE_PASSWORD", &file.password)
        .env("ROOT_KEY_ID", &file.access_key_id)
        .env("ROOT_SECRET", &file.secret_access_key)
        .env("AWS", aws)
        .env("SCREENSHOTS", &shots)
        .env("NODE_MODULES", workspace("target/console-npm/node_modules"));
    let result = last_json_line(&mut cmd);
    let key = result["keyId"].as_str().unwrap();

    let root = Creds::new(&file.access_key_id, &file.secret_access_key);
    assert!(
        !read_keys(&server, &root, json!({"UserName": "alice"})).contains(&key.to_owned()),
        "the key deleted in the console is gone from ReadAccessKeys"
    );
    assert_eq!(
        read_keys(&server, &root, json!({})),
        vec![file.access_key_id.clone()],
        "the console's session key went with the sign-out"
    );
    for shot in [
        "sign-in-refused",
        "users",
        "user-new-key",
        "delete-confirmation",
        "delete-refused",
        "account-keys",
        "users-phone",
        "signed-out",
        "group",
        "policy",
        "user-permissions",
        "user-sign-in-mfa",
    ] {
        assert!(
            std::path::Path::new(&format!("{shots}/{shot}.png")).is_file(),
            "{shot}.png"
        );
    }
}
