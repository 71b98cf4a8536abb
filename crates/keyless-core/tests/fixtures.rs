#![allow(clippy::unwrap_used, clippy::panic)]
//! Runs the scenario corpora through the engine: every vendor-documented
//! fixture in `tests/fixtures/` (expected `sub` and verdicts) and every
//! GitHub-side scenario in `tests/github/` (expected claims, reasons,
//! runs and diagnostics). The scenario as given and each variant must
//! produce what the file expects. See `tests/fixtures/README.md`.

use keyless_core::fixture::{Fixture, check_case};
use keyless_core::scenario::Scenario;
use std::path::Path;

#[test]
fn vendor_fixtures_produce_their_expected_verdicts() {
    run_corpus("tests/fixtures", 10);
}

#[test]
fn github_scenarios_produce_their_expected_tokens() {
    run_corpus("tests/github", 20);
}

/// Runs every `*.yaml` fixture of `dir` (relative to the repository root),
/// of which there must be at least `at_least`; fails listing every mismatch.
fn run_corpus(dir: &str, at_least: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();
    assert!(
        files.len() >= at_least,
        "expected at least {at_least} fixtures in {}, found {}",
        dir.display(),
        files.len()
    );
    let mut failures = Vec::new();
    let mut cases = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let fixture = Fixture::parse(&text).unwrap_or_else(|e| panic!("{}: {}", path.display(), e.render(&text)));
        assert!(!fixture.source.is_empty(), "{}: every fixture cites its source", path.display());
        for case in &fixture.cases {
            cases += 1;
            let scenario = match Scenario::from_node(&case.scenario) {
                Ok(s) => s,
                Err(errors) => {
                    let msgs: Vec<String> = errors.iter().map(|e| e.render(&text)).collect();
                    failures.push(format!("{} / {}: invalid scenario: {msgs:?}", fixture.id, case.name));
                    continue;
                }
            };
            let report = keyless_core::evaluate(&scenario);
            for problem in check_case(&report, case, &scenario, &text) {
                failures.push(format!("{} / {}: {problem}", fixture.id, case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {cases} cases failed:\n{}", failures.len(), failures.join("\n"));
}
