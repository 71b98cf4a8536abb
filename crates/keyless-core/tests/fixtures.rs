//! Runs every vendor-documented fixture in `tests/fixtures/` through the
//! engine: the scenario as given and each variant must produce the expected
//! `sub` and verdicts.

use keyless_core::fixture::{Fixture, check};
use keyless_core::scenario::Scenario;
use std::path::Path;

#[test]
fn vendor_fixtures_produce_their_expected_verdicts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();
    assert!(files.len() >= 10, "expected the seed fixtures, found {}", files.len());
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
            for problem in check(&report, &case.expect) {
                failures.push(format!("{} / {}: {problem}", fixture.id, case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {cases} cases failed:\n{}", failures.len(), failures.join("\n"));
}
