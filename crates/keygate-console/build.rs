//! Builds the console's TypeScript with the npm toolchain pinned in `web/package-lock.json`
//! (installed on first use), type-checks it, and leaves `app.js`, `app.css` and `index.html` in
//! `OUT_DIR` for the crate to embed.

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(cmd: &mut Command, what: &str) {
    let status = cmd.status().unwrap_or_else(|e| {
        panic!("{what}: cannot start it ({e}); the console needs Node.js and npm")
    });
    assert!(status.success(), "{what} failed ({status})");
}

fn newer(a: &Path, b: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(a), modified(b)) {
        (Some(x), Some(y)) => x > y,
        _ => true,
    }
}

fn main() {
    let web = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join("web");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    for p in [
        "src",
        "static",
        "package.json",
        "package-lock.json",
        "tsconfig.json",
    ] {
        println!("cargo:rerun-if-changed=web/{p}");
    }
    let lock = web.join("package-lock.json");
    let installed = web.join("node_modules/.package-lock.json");
    if newer(&lock, &installed) {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
                .current_dir(&web),
            "npm ci",
        );
    }
    let bin = web.join("node_modules/.bin");
    run(
        Command::new(bin.join("tsc"))
            .args(["--noEmit", "-p", "."])
            .current_dir(&web),
        "tsc",
    );
    let outfile = format!("--outfile={}", out.join("app.js").display());
    run(
        Command::new(bin.join("esbuild"))
            .args([
                "src/main.ts",
                "--bundle",
                "--minify",
                "--format=esm",
                "--target=es2022",
                "--log-level=warning",
                &outfile,
            ])
            .current_dir(&web),
        "esbuild",
    );
    for f in ["index.html", "app.css", "favicon.svg"] {
        std::fs::copy(web.join("static").join(f), out.join(f))
            .unwrap_or_else(|e| panic!("copying {f}: {e}"));
    }
}
