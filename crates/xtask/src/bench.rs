//! The benchmarks of BENCHMARKS.md (never part of `test`):
//!
//! - `bench`: the engine examples, then the generated large scenario's
//!   re-evaluation and `keyless lint` over a generated tree (native);
//! - `bench-aws`: AWS trust-policy throughput against iam-simulate (node);
//! - `bench-web`: the browser figures (keystroke to verdicts, typing
//!   responsiveness, load to first verdict next to a minimal Leptos page),
//!   over the playground already built in dist/.

use crate::{Result, cargo_bin, root, run, std_for_size};
use std::process::Command;

fn keyless_bench() -> Result {
    run(Command::new("cargo").args(["build", "--release", "-p", "keyless-bench", "-p", "keyless-cli"]))
}

fn bin(name: &str) -> String {
    root().join("target/release").join(name).to_string_lossy().into_owned()
}

/// The large scenario natively, and `keyless lint` files per second.
pub fn native() -> Result {
    keyless_bench()?;
    run(Command::new(bin("keyless-bench")).arg("native"))?;
    let tree = root().join("target/bench/lint-tree");
    let _ = std::fs::remove_dir_all(&tree);
    let tree = tree.to_string_lossy().into_owned();
    run(Command::new(bin("keyless-bench")).args(["lint-tree", &tree, "1000", "1000"]))?;
    run(Command::new(bin("keyless-bench")).args(["lint", &bin("keyless"), &tree]))
}

fn npm_ci_bench() -> Result {
    let dir = root().join("tests/bench");
    if !dir.join("node_modules/.package-lock.json").exists() {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir))?;
    }
    Ok(())
}

pub fn aws() -> Result {
    keyless_bench()?;
    npm_ci_bench()?;
    run(Command::new("node").arg("tests/bench/aws-vs-iam-simulate.mjs"))
}

/// Builds the minimal Leptos page the way the playground is built (same
/// wasm-release profile, std built for size, same wasm-opt flags), writes
/// the large scenario, and runs the browser benchmark over dist/.
pub fn web() -> Result {
    keyless_bench()?;
    npm_ci_bench()?;
    if !root().join("dist/index.html").exists() {
        return Err("dist/ is missing: build the playground first (cargo xtask test, or trunk build --release)".into());
    }
    let minimal = root().join("tests/bench/minimal-leptos");
    let out = root().join("target/bench/minimal-dist");
    run(std_for_size(Command::new(cargo_bin("trunk")).args(["build", "--release", "--dist"]).arg(&out))
        .current_dir(&minimal))?;
    let scenario = root().join("target/bench/large.yaml");
    let yaml = Command::new(bin("keyless-bench")).arg("scenario").output().map_err(|e| e.to_string())?;
    std::fs::write(&scenario, yaml.stdout).map_err(|e| format!("{}: {e}", scenario.display()))?;
    run(Command::new("node").arg("tests/bench/web.mjs"))
}
