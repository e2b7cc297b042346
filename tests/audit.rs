//! The audit trail end to end: a scripted sequence of calls in both dialects, refusals
//! included, read back with ReadApiLogs in order with the right principals; another account
//! sees none of them; a change acknowledged right before `kill -9` keeps its record.

use std::time::Duration;

use keygate_tests::support::clients::{Creds, aws, osc_cli};
use keygate_tests::support::{Fresh, Server, keygate, osc_call};
use serde_json::{Value, json};

/// The account's logs, in order, as (API, call, status) and the whole answer.
fn logs(w: &Server, creds: &Creds, body: Value) -> (Vec<(String, String, u64)>, Value) {
    let (status, out) = osc_call(w.addr, creds, "ReadApiLogs", body.to_string().as_bytes());
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(status, 200, "{v}");
    let rows = v["Logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["QueryApiName"].as_str().unwrap().to_owned(),
                l["QueryCallName"].as_str().unwrap().to_owned(),
                l["ResponseStatusCode"].as_u64().unwrap(),
            )
        })
        .collect();
    (rows, v)
}

/// Waits past the flush of noted records (`storage.last_use_flush_ms`, a second).
fn flushed() {
    std::thread::sleep(Duration::from_millis(1500));
}

#[test]
fn read_api_logs_shows_the_calls_in_order_and_a_change_survives_kill_9() {
    let Fresh {
        dir,
        server,
        file,
        root,
    } = Fresh::start(&[("KEYGATE__AUDIT__LOG_FILE", "audit.jsonl")]);
    let data = server.data_dir.to_str().unwrap().to_owned();
    // An operator follows the trail as it is written.
    let mut follower = std::process::Command::new(keygate_tests::support::keygate_bin())
        .args(["admin", "--data-dir", &data, "audit", "--follow"])
        .envs(keygate_tests::support::backend_env(&server.data_dir))
        .stdout(std::process::Stdio::piped())
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let followed = follower.stdout.take().unwrap();
    let lines = std::thread::spawn(move || {
        use std::io::BufRead;
        std::io::BufReader::new(followed)
            .lines()
            .map_while(Result::ok)
            .take(5)
            .collect::<Vec<String>>()
    });
    aws(
        &server,
        &root,
        &["iam", "create-user", "--user-name", "ann"],
    )
    .json();
    osc_cli(&server, &root, &["ReadUsers"]).json();
    aws(
        &server,
        &root,
        &["iam", "get-user", "--user-name", "nobody"],
    )
    .failed_with("NoSuchEntity");
    osc_cli(&server, &root, &["CreateAccessKey", "--UserName", "ann"]).json();
    osc_cli(&server, &root, &["DeleteUser", "--UserName", "nobody"]).osc_failed_with(400, "5075");
    let wrong = Creds::new(&root.key_id, "not the secret");
    aws(&server, &wrong, &["iam", "list-users"]).failed_with("SignatureDoesNotMatch");
    flushed();
    let (rows, answer) = logs(&server, &root, json!({}));
    let want = [
        ("eim", "CreateUser", 200),
        ("oapi", "ReadUsers", 200),
        ("eim", "GetUser", 404),
        ("oapi", "CreateAccessKey", 200),
        ("oapi", "DeleteUser", 400),
    ];
    let want: Vec<(String, String, u64)> = want
        .iter()
        .map(|(a, c, s)| ((*a).to_owned(), (*c).to_owned(), *s))
        .collect();
    assert_eq!(rows, want, "{answer}");
    let first = &answer["Logs"][0];
    assert_eq!(first["AccountId"], file.account_id.as_str());
    assert_eq!(first["QueryAccessKey"], root.key_id.as_str());
    assert_eq!(first["QueryIpAddress"], "127.0.0.1");
    assert!(
        first["QueryUserAgent"]
            .as_str()
            .unwrap()
            .contains("aws-cli")
    );
    assert!(first.get("QueryHeaderRaw").is_none() && first.get("QueryPayloadRaw").is_none());
    // Filters, `With`, and pages.
    let (only, _) = logs(
        &server,
        &root,
        json!({"Filters": {"QueryApiNames": ["oapi"], "ResponseStatusCodes": [200]}}),
    );
    assert_eq!(only.len(), 2, "{only:?}");
    let (_, page) = logs(
        &server,
        &root,
        json!({"ResultsPerPage": 2, "With": {"QueryUserAgent": false}}),
    );
    assert_eq!(page["Logs"].as_array().unwrap().len(), 2);
    assert!(page["Logs"][0].get("QueryUserAgent").is_none());
    let token = page["NextPageToken"].as_str().unwrap().to_owned();
    let (rest, _) = logs(
        &server,
        &root,
        json!({"NextPageToken": token, "ResultsPerPage": 1000}),
    );
    assert_eq!(
        rest[0], want[2],
        "the next page starts where the first ended"
    );

    // The operators' views: the followed lines, the log file, `keygate admin audit`.
    let followed = lines.join().unwrap();
    let _ = follower.kill();
    let _ = follower.wait();
    let calls = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                v["call"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let expected: Vec<String> = want.iter().map(|(_, c, _)| c.clone()).collect();
    let mut seen = calls(&followed);
    seen.retain(|c| c != "ListUsers");
    assert_eq!(seen[..4], expected[..4], "followed: {followed:?}");
    let printed = keygate(
        &[
            "admin",
            "--data-dir",
            &data,
            "audit",
            "--account",
            &file.account_id,
        ],
        &[],
    );
    assert!(printed.status.success());
    let printed: Vec<String> = String::from_utf8(printed.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        calls(&printed)[..5],
        expected[..],
        "the account's, in order"
    );
    let later = keygate(
        &[
            "admin",
            "--data-dir",
            &data,
            "audit",
            "--since",
            "2999-01-01T00:00:00Z",
        ],
        &[],
    );
    assert!(later.status.success() && later.stdout.is_empty());
    flushed();
    let logged = std::fs::read_to_string(server.data_dir.join("audit.jsonl")).unwrap();
    let logged: Vec<String> = logged.lines().map(str::to_owned).collect();
    assert!(
        calls(&logged).contains(&"CreateAccessKey".to_owned()),
        "{logged:?}"
    );
    assert!(
        !logged.iter().any(|l| l.contains(&root.secret)),
        "no secret is ever logged"
    );

    // The AWS dialect's view: aws cloudtrail lookup-events, newest first.
    let trail = aws(
        &server,
        &root,
        &[
            "cloudtrail",
            "lookup-events",
            "--lookup-attributes",
            "AttributeKey=EventSource,AttributeValue=iam.amazonaws.com",
        ],
    );
    assert!(trail.ok, "{}", trail.stderr);
    let events = trail.json()["Events"].as_array().unwrap().clone();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["EventName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["GetUser", "CreateUser"], "{events:?}");
    assert_eq!(events[1]["Username"], "root");
    assert_eq!(events[1]["Resources"][0]["ResourceName"], "ann");
    assert_eq!(events[1]["Resources"][0]["ResourceType"], "AWS::IAM::User");
    let detail: Value =
        serde_json::from_str(events[1]["CloudTrailEvent"].as_str().unwrap()).unwrap();
    assert_eq!(
        detail["userIdentity"]["arn"],
        format!("arn:aws:iam::{}:root", file.account_id)
    );
    assert_eq!(
        events[0]["EventId"], answer["Logs"][2]["RequestId"],
        "one record, two views"
    );
    let one = aws(
        &server,
        &root,
        &[
            "cloudtrail",
            "lookup-events",
            "--lookup-attributes",
            "AttributeKey=EventName,AttributeValue=CreateAccessKey",
        ],
    )
    .json();
    assert_eq!(one["Events"].as_array().unwrap().len(), 1);
    aws(
        &server,
        &root,
        &["cloudtrail", "lookup-events", "--max-results", "51"],
    )
    .failed_with("InvalidMaxResultsException");

    // Another account sees none of it.
    let made = keygate(
        &[
            "admin",
            "--data-dir",
            server.data_dir.to_str().unwrap(),
            "create-account",
            "--name",
            "other",
        ],
        &[],
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let other: Value = serde_json::from_slice(&made.stdout).unwrap();
    let other = Creds::new(
        other["access_key_id"].as_str().unwrap(),
        other["secret_access_key"].as_str().unwrap(),
    );
    let (theirs, _) = logs(&server, &other, json!({}));
    assert!(theirs.is_empty(), "{theirs:?}");
    let their_trail = aws(&server, &other, &["cloudtrail", "lookup-events"]).json();
    let their_calls: Vec<&str> = their_trail["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["EventName"].as_str().unwrap())
        .collect();
    assert!(
        their_calls.iter().all(|c| *c == "ReadApiLogs"),
        "only its own ReadApiLogs, in CloudTrail's view too: {their_calls:?}"
    );

    // A change acknowledged, then the process killed: its record is there after a restart.
    aws(&server, &root, &["iam", "create-user", "--user-name", "bo"]).json();
    let data_dir = server.data_dir.clone();
    server.stop_with("KILL");
    let again = Server::start(&data_dir, &[]);
    let (rows, _) = logs(
        &again,
        &root,
        json!({"Filters": {"QueryCallNames": ["CreateUser"]}}),
    );
    assert_eq!(rows.len(), 2, "ann's and bo's: {rows:?}");
    drop(dir);
}
