//! Helpers shared by the crate's tests, one copy: unit tests reach it as
//! `crate::testutil`; integration tests (`tests/*.rs`) include this file
//! with `#[path = "../src/testutil.rs"] mod testutil;`, so it uses std only.

#![allow(dead_code, clippy::panic)]

use std::path::{Path, PathBuf};

/// The scenario corpora, relative to the repository root: the vendor
/// fixtures (verdicts; presets) and the GitHub side's scenarios (tokens).
pub const FIXTURES: &str = "tests/fixtures";
pub const GITHUB: &str = "tests/github";

/// The repository's root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `*.yaml` file of a corpus directory (relative to the repository
/// root), sorted by name, with its text.
pub fn corpus(dir: &str) -> Vec<(PathBuf, String)> {
    let dir = repo_root().join(dir);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, text)
        })
        .collect()
}
