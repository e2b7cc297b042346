//! Configuration sources, strictness and the messages that name the culprit.
use std::collections::HashMap;

use super::*;

fn env(vars: &[(&str, &str)]) -> Environment {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Environment::with_prefix("KEYGATE").source(Some(map))
}

#[test]
fn defaults_are_complete() {
    let s = Settings::load_from(&Overrides::default(), env(&[])).unwrap();
    assert_eq!(s.server.listen.to_string(), "127.0.0.1:8470");
    assert_eq!(s.database_path(), Path::new("keygate-data/keygate.db"));
    assert_eq!(s.limits().access_keys_per_principal, 2);
    assert_eq!(s.log.format, LogFormat::Text);
}

#[test]
fn file_then_env_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("k.toml");
    std::fs::write(
        &f,
        "[server]\nlisten = \"127.0.0.1:9000\"\n[limits]\naccess_keys_per_principal = 10\n[log]\nformat = \"json\"\n",
    )
    .unwrap();
    let o = Overrides {
        config_file: Some(f.clone()),
        ..Overrides::default()
    };
    let s = Settings::load_from(
        &o,
        env(&[("KEYGATE__LIMITS__ACCESS_KEYS_PER_PRINCIPAL", "5")]),
    )
    .unwrap();
    assert_eq!(s.server.listen.port(), 9000);
    assert_eq!(s.limits().access_keys_per_principal, 5);
    assert_eq!(s.log.format, LogFormat::Json);
    let o = Overrides {
        config_file: Some(f),
        listen: Some("127.0.0.1:9100".into()),
        data_dir: Some("/tmp/kg".into()),
    };
    let s = Settings::load_from(&o, env(&[("KEYGATE__SERVER__LISTEN", "127.0.0.1:9050")])).unwrap();
    assert_eq!(s.server.listen.port(), 9100);
    assert_eq!(
        s.credentials_path(),
        Path::new("/tmp/kg/root-credentials.json")
    );
}

#[test]
fn origins_from_the_environment_are_a_list() {
    let s = Settings::load_from(
        &Overrides::default(),
        env(&[(
            "KEYGATE__OSC__CORS_ALLOWED_ORIGINS",
            "https://a.example.com,http://b:8080",
        )]),
    )
    .unwrap();
    assert_eq!(
        s.osc.cors_allowed_origins,
        ["https://a.example.com", "http://b:8080"]
    );
    let e = Settings::load_from(
        &Overrides::default(),
        env(&[("KEYGATE__OSC__CORS_ALLOWED_ORIGINS", "*")]),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("cors_allowed_origins"), "{e}");
    for bad in [
        "https://a.example.com/",
        "https://*.example.com",
        "ftp://a",
        "https://a/x",
    ] {
        let r = Settings::load_from(
            &Overrides::default(),
            env(&[("KEYGATE__OSC__CORS_ALLOWED_ORIGINS", bad)]),
        );
        assert!(r.is_err(), "{bad} was accepted");
    }
}

#[test]
fn unknown_keys_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("k.toml");
    std::fs::write(&f, "[server]\nlisten_addr = \"127.0.0.1:9000\"\n").unwrap();
    let o = Overrides {
        config_file: Some(f),
        ..Overrides::default()
    };
    let e = Settings::load_from(&o, env(&[])).unwrap_err().to_string();
    assert!(e.contains("listen_addr"), "{e}");
    assert!(e.contains("k.toml"), "names the file: {e}");
    assert!(
        e.contains("listen, max_body_bytes"),
        "names the valid keys: {e}"
    );
    let e = Settings::load_from(
        &Overrides::default(),
        env(&[("KEYGATE__LIMITS__KEYS", "3")]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("KEYGATE__LIMITS__KEYS"),
        "names the variable: {e}"
    );
    assert!(e.contains("access_keys_per_principal"), "{e}");
    let e = Settings::load_from(
        &Overrides::default(),
        env(&[("KEYGATE__STORAGE__DATADIR", "x")]),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("datadir"), "{e}");
    let e = Settings::load_from(&Overrides::default(), env(&[("KEYGATE__NOPE__X", "1")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("nope"), "{e}");
}

#[test]
fn bad_values_are_refused() {
    let e = Settings::load_from(
        &Overrides::default(),
        env(&[("KEYGATE__STORAGE__DURABILITY", "sometimes")]),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("sometimes"), "{e}");
    assert!(e.contains("full, normal"), "names the valid values: {e}");
    assert!(!e.contains("DurabilitySetting"), "no type name: {e}");
    let e = Settings::load_from(
        &Overrides::default(),
        env(&[("KEYGATE__LOG__FORMAT", "xml")]),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("text, json") && e.contains("log.format"), "{e}");
    let o = Overrides {
        listen: Some("not an address".into()),
        ..Overrides::default()
    };
    let e = Settings::load_from(&o, env(&[])).unwrap_err().to_string();
    assert!(
        e.contains("'not an address'") && e.contains("server.listen"),
        "{e}"
    );
    let s = Settings::load_from(
        &Overrides::default(),
        env(&[("KEYGATE__SERVER__TRUSTED_PROXIES", "10.0.0.0/8,192.0.2.10")]),
    )
    .unwrap();
    assert_eq!(s.server.trusted_proxies.len(), 2);
    let e = Settings::load_from(
        &Overrides::default(),
        env(&[("KEYGATE__SERVER__TRUSTED_PROXIES", "10.0.0.0/8,proxy.local")]),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("'proxy.local'"), "{e}");
    assert!(
        Settings::load_from(
            &Overrides::default(),
            env(&[("KEYGATE__BOOTSTRAP__LOGIN", "nobody")])
        )
        .is_err()
    );
    let missing = Overrides {
        config_file: Some("/nonexistent/keygate.toml".into()),
        ..Overrides::default()
    };
    assert!(Settings::load_from(&missing, env(&[])).is_err());
}
