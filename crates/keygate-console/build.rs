//! Builds the console's TypeScript with the npm toolchain pinned in `web/package-lock.json`,
//! type-checks it, and leaves `app.js`, `app.css`, `favicon.svg` and `index.html` in `OUT_DIR`
//! for the crate to embed. The toolchain is installed (on first use, or when the lockfile
//! changes) into `target/console-npm/`, outside the source tree.

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(cmd: &mut Command, what: &str) {
    let status = cmd.status().unwrap_or_else(|e| {
        panic!("{what}: cannot start it ({e}); the console needs Node.js and npm")
    });
    assert!(status.success(), "{what} failed ({status})");
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let web = manifest.join("web");
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
    let npm = manifest.join("../../target/console-npm");
    std::fs::create_dir_all(&npm).unwrap_or_else(|e| panic!("creating {}: {e}", npm.display()));
    let lock = web.join("package-lock.json");
    let installed_lock = npm.join("package-lock.json");
    if !same_file(&lock, &installed_lock) || !npm.join("node_modules/.bin").is_dir() {
        for f in ["package.json", "package-lock.json"] {
            std::fs::copy(web.join(f), npm.join(f)).unwrap_or_else(|e| panic!("copying {f}: {e}"));
        }
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
                .current_dir(&npm),
            "npm ci",
        );
    }
    let bin = npm.join("node_modules/.bin");
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
