#![allow(clippy::unwrap_used, clippy::panic)]
//! Runs the scenario corpora through the engine: every vendor-documented
//! fixture in `tests/fixtures/` (expected `sub` and verdicts) and every
//! GitHub-side scenario in `tests/github/` (expected claims, reasons,
//! runs and diagnostics). The scenario as given and each variant must
//! produce what the file expects. See `tests/fixtures/README.md`.

#[path = "../src/testutil.rs"]
mod testutil;

use keyless_core::fixture::{Fixture, check_case};
use keyless_core::scenario::Scenario;

#[test]
#[cfg_attr(
    not(feature = "services"),
    ignore = "the corpus holds the services' fixtures: they need the `services` feature"
)]
fn vendor_fixtures_produce_their_expected_verdicts() {
    run_corpus(testutil::FIXTURES, 10);
}

#[test]
fn github_scenarios_produce_their_expected_tokens() {
    run_corpus(testutil::GITHUB, 20);
}

/// Runs every `*.yaml` fixture of `dir` (relative to the repository root),
/// of which there must be at least `at_least`; fails listing every mismatch.
fn run_corpus(dir: &str, at_least: usize) {
    let files = testutil::corpus(dir);
    assert!(files.len() >= at_least, "expected at least {at_least} fixtures in {dir}, found {}", files.len());
    let mut failures = Vec::new();
    let mut cases = 0;
    for (path, text) in &files {
        let fixture = Fixture::parse(text).unwrap_or_else(|e| panic!("{}: {}", path.display(), e.render(text)));
        assert!(!fixture.source.is_empty(), "{}: every fixture cites its source", path.display());
        for case in &fixture.cases {
            cases += 1;
            let scenario = match Scenario::from_node(&case.scenario) {
                Ok(s) => s,
                Err(errors) => {
                    let msgs: Vec<String> = errors.iter().map(|e| e.render(text)).collect();
                    failures.push(format!("{} / {}: invalid scenario: {msgs:?}", fixture.id, case.name));
                    continue;
                }
            };
            let report = keyless_core::evaluate(&scenario);
            for problem in check_case(&report, case, &scenario, text) {
                failures.push(format!("{} / {}: {problem}", fixture.id, case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {cases} cases failed:\n{}", failures.len(), failures.join("\n"));
}
