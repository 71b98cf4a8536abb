//! The benchmarks of BENCHMARKS.md (never part of `test`):
//!
//! - `bench`: the engine examples, then the generated large scenario's
//!   re-evaluation and `keyless lint` over a generated tree (native);
//! - `bench-aws`: AWS trust-policy throughput against iam-simulate (node).

use crate::{Result, root, run};
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

/// BENCHMARKS.md §2: load and keystroke timings of `dist/` in Chromium
/// (tests/bench/web.mjs), on the large scenario keyless-bench generates.
pub fn web() -> Result {
    keyless_bench()?;
    npm_ci_bench()?;
    let hello = root().join("target/bench-hello");
    crate::dist::hello_page(&hello)?;
    run(Command::new("node").arg("tests/bench/web.mjs").env("HELLO_DIR", &hello))
}

pub fn aws() -> Result {
    keyless_bench()?;
    npm_ci_bench()?;
    run(Command::new("node").arg("tests/bench/aws-vs-iam-simulate.mjs"))
}
