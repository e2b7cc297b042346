//! The deployment files checked against the binary, as far as can be without a container
//! engine (none runs where keygate is built): every setting they give is one keygate accepts
//! and starts with; their probes and health checks are commands keygate has and answer on the
//! running server; the ports they name agree; and the replicas of the compose file and of the
//! Kubernetes manifest share one database and one at-rest key.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use keygate_tests::support::clients::yaml_as_json;
use keygate_tests::support::{Server, http, keygate_bin, postgres_env, workspace};
use serde_json::Value;

/// The settings a replica of the test cluster needs in place of a deployment's own database:
/// its URL, the CA its certificate chains to, and an at-rest key.
fn test_database(dir: &Path) -> BTreeMap<String, String> {
    postgres_env(dir)
        .into_iter()
        .filter(|(k, _)| *k != "KEYGATE__STORAGE__BACKEND")
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

fn pairs(env: &BTreeMap<String, String>) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn port_of(listen: &str) -> u64 {
    listen.rsplit(':').next().unwrap().parse().unwrap()
}

/// Runs a health check command a deployment file gives, aimed at `server`: it must pass.
fn health_check(command: &[String], listen: &str, server: &Server) {
    assert_eq!(command[0], "keygate", "{command:?}");
    let args: Vec<String> = command[1..]
        .iter()
        .map(|a| {
            if a == listen {
                server.addr.to_string()
            } else {
                a.clone()
            }
        })
        .collect();
    assert!(
        args.contains(&server.addr.to_string()),
        "{command:?} names {listen}"
    );
    let status = Command::new(keygate_bin()).args(&args).status().unwrap();
    assert!(status.success(), "{command:?} failed on the running server");
}

#[test]
fn the_kubernetes_manifest_runs_replicas_from_one_secret() {
    let docs = yaml_as_json(Path::new(&workspace(
        "deploy/kubernetes/keygate-postgres.yaml",
    )));
    let deployment = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
    let service = docs.iter().find(|d| d["kind"] == "Service").unwrap();
    assert!(deployment["spec"]["replicas"].as_u64().unwrap() >= 2);
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["args"], serde_json::json!(["serve"]));

    let dir = tempfile::tempdir().unwrap();
    let test = test_database(&dir.path().join("k8s"));
    let mut env = BTreeMap::new();
    for var in container["env"].as_array().unwrap() {
        let name = var["name"].as_str().unwrap().to_owned();
        let value = match &var["valueFrom"]["secretKeyRef"] {
            Value::Null => var["value"].as_str().unwrap().to_owned(),
            secret => {
                assert_eq!(secret["name"], "keygate", "one Secret for every replica");
                assert!(
                    ["postgres-url", "at-rest-key"].contains(&secret["key"].as_str().unwrap()),
                    "{secret}"
                );
                test[&name].clone()
            }
        };
        env.insert(name, value);
    }
    env.insert(
        "KEYGATE__STORAGE__POSTGRES_CA_FILE".into(),
        test["KEYGATE__STORAGE__POSTGRES_CA_FILE"].clone(),
    );
    let listen = env["KEYGATE__SERVER__LISTEN"].clone();
    let http_port = container["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "http")
        .unwrap();
    assert_eq!(http_port["containerPort"].as_u64(), Some(port_of(&listen)));
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "http");

    // Every setting is one keygate knows (an unknown one stops the start), on two replicas.
    let a = Server::start(&dir.path().join("a"), &pairs(&env));
    let b = Server::start(&dir.path().join("b"), &pairs(&env));
    let ready = &container["readinessProbe"]["httpGet"];
    assert_eq!(ready["port"], "http");
    let path = ready["path"].as_str().unwrap();
    assert_eq!(http(b.addr, "GET", path, &[], b"").0, 200, "{path}");
    let live: Vec<String> =
        serde_json::from_value(container["livenessProbe"]["exec"]["command"].clone()).unwrap();
    health_check(&live, "127.0.0.1:8470", &a);
    assert!(
        dir.path().join("a/root-credentials.json").exists()
            != dir.path().join("b/root-credentials.json").exists(),
        "one default account, made by one replica"
    );
}

#[test]
fn the_compose_file_runs_two_replicas_on_one_database() {
    let compose = &yaml_as_json(Path::new(&workspace("deploy/compose.yaml")))[0];
    let services = compose["services"].as_object().unwrap();
    let postgres = &services["postgres"]["environment"];
    let replicas: Vec<&Value> = services
        .values()
        .filter(|s| s.get("build").is_some())
        .collect();
    assert_eq!(replicas.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let test = test_database(&dir.path().join("compose"));
    let mut host_ports = Vec::new();
    let mut servers = Vec::new();
    for (i, replica) in replicas.iter().enumerate() {
        assert_eq!(replica["build"]["dockerfile"], "deploy/Containerfile");
        assert_eq!(replica["build"]["context"], "..");
        assert_eq!(
            replica["environment"], replicas[0]["environment"],
            "the same settings"
        );
        assert_eq!(
            replica["depends_on"]["postgres"]["condition"],
            "service_healthy"
        );
        host_ports.push(replica["ports"][0].as_str().unwrap().to_owned());
        let mut env: BTreeMap<String, String> =
            serde_json::from_value(replica["environment"].clone()).unwrap();
        // The database the file names is its own postgres service, as that service is set up.
        let url = &env["KEYGATE__STORAGE__POSTGRES_URL"];
        let expected = format!(
            "postgres://{}:{}@postgres:5432/{}",
            postgres["POSTGRES_USER"].as_str().unwrap(),
            postgres["POSTGRES_PASSWORD"].as_str().unwrap(),
            postgres["POSTGRES_DB"].as_str().unwrap()
        );
        assert!(url.starts_with(&expected), "{url}");
        assert!(env["KEYGATE__STORAGE__AT_REST_KEY"].starts_with("${KEYGATE_AT_REST_KEY:?"));
        env.extend(test.clone());
        servers.push(Server::start(&dir.path().join(i.to_string()), &pairs(&env)));
    }
    host_ports.sort();
    host_ports.dedup();
    assert_eq!(host_ports.len(), 2, "each replica on a port of its own");
    for server in &servers {
        assert_eq!(http(server.addr, "GET", "/readyz", &[], b"").0, 200);
    }
}

/// The Containerfile's instructions, continuation lines joined.
fn instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut line = String::new();
    for raw in text.lines() {
        let raw = raw.trim();
        if raw.starts_with('#') || (raw.is_empty() && line.is_empty()) {
            continue;
        }
        if let Some(part) = raw.strip_suffix('\\') {
            line.push_str(part);
            line.push(' ');
            continue;
        }
        line.push_str(raw);
        let (word, rest) = line.split_once(' ').unwrap_or((&line, ""));
        out.push((word.to_owned(), rest.trim().to_owned()));
        line.clear();
    }
    out
}

#[test]
fn the_containerfile_builds_the_binary_and_runs_it_as_the_tests_do() {
    let text = std::fs::read_to_string(workspace("deploy/Containerfile")).unwrap();
    let steps = instructions(&text);
    let known = [
        "FROM",
        "RUN",
        "WORKDIR",
        "COPY",
        "USER",
        "ENV",
        "EXPOSE",
        "VOLUME",
        "HEALTHCHECK",
        "ENTRYPOINT",
        "CMD",
    ];
    let mut stages = Vec::new();
    let mut env = BTreeMap::new();
    let (mut entrypoint, mut cmd, mut health) = (Vec::new(), Vec::new(), Vec::new());
    for (word, rest) in &steps {
        assert!(known.contains(&word.as_str()), "unknown instruction {word}");
        match word.as_str() {
            "FROM" => stages.push(rest.split(" AS ").nth(1).unwrap_or_default().to_owned()),
            "COPY" => {
                if let Some(from) = rest.strip_prefix("--from=") {
                    let stage = from.split(' ').next().unwrap();
                    assert!(stages.iter().any(|s| s == stage), "no stage {stage}");
                }
            }
            "RUN" if rest.contains("cargo build") => {
                assert!(rest.contains("-p keygate-server --bin keygate"), "{rest}");
            }
            "ENV" => {
                for pair in rest.split_whitespace() {
                    let (k, v) = pair.split_once('=').unwrap();
                    env.insert(k.to_owned(), v.to_owned());
                }
            }
            "ENTRYPOINT" => entrypoint = serde_json::from_str::<Vec<String>>(rest).unwrap(),
            "CMD" => cmd = serde_json::from_str::<Vec<String>>(rest).unwrap(),
            "HEALTHCHECK" => {
                let json = &rest[rest.find(" CMD ").unwrap() + 5..];
                health = serde_json::from_str::<Vec<String>>(json).unwrap();
            }
            _ => {}
        }
    }
    let exposed: u64 = steps
        .iter()
        .find(|(w, _)| w == "EXPOSE")
        .unwrap()
        .1
        .parse()
        .unwrap();
    let listen = env["KEYGATE__SERVER__LISTEN"].clone();
    assert_eq!(port_of(&listen), exposed);
    assert_eq!([entrypoint, cmd].concat(), ["keygate", "serve"]);
    // The image's settings start keygate (listening and storing where the test says).
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("image"), &pairs(&env));
    health_check(&health, &format!("127.0.0.1:{exposed}"), &server);
}
