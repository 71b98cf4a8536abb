//! What every fuzz target checks, in one place (docs/fuzzing.md).
//!
//! The property (issue #12): each run ends within a time and memory bound
//! (libFuzzer's `-timeout` and `-rss_limit_mb`, set by `cargo xtask fuzz`)
//! with either a result or a located error. A panic, an overflow, a stack
//! overflow, a timeout or an out-of-memory is a crash; so is an error
//! without a location where the API gives one, and a location that is not
//! inside the text it claims to point into (the playground marks it there,
//! the CLI prints its line and column).
//!
//! Adding a target for a new parser (the JWT and Terraform parsers are the
//! next ones): a file in `fuzz_targets/` calling the parser and the checks
//! below, a `[[bin]]` in fuzz/Cargo.toml, and a line in the seed table of
//! crates/xtask/src/fuzz.rs (`TARGETS`).

use keyless_core::analysis::Finding;
use keyless_core::engine::Report;
use keyless_core::{Diagnostic, DocId, Scenario, Severity, Span, Verdict};

/// The input as text: every entry point takes `&str` (the front ends
/// decode bytes and report invalid UTF-8 themselves).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A span that points into `doc` lies inside `text`, on character
/// boundaries (a span inside a character is a wrong location: the CLI's
/// `text.get(..start)` yields nothing and it prints line 1).
pub fn assert_span_in(span: Span, doc: DocId, text: &str, what: &str) {
    if span.doc != doc {
        return;
    }
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(start <= end, "{what}: span {start}..{end} is reversed");
    assert!(end <= text.len(), "{what}: span {start}..{end} ends past the {}-byte input", text.len());
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: span {start}..{end} cuts a UTF-8 character"
    );
}

/// An error is located (its span points inside `text` when it is in
/// `doc`); warnings and notes may be unlocated.
pub fn assert_located(d: &Diagnostic, doc: DocId, text: &str) {
    if d.severity == Severity::Error {
        assert!(d.span.is_some(), "error without a location: {:?}", d.message);
    }
    if let Some(span) = d.span {
        assert_span_in(span, doc, text, &d.message);
    }
}

/// Every diagnostic's location lies inside the document it names, for each
/// `(doc, text)` given (locations in other documents are not checked).
pub fn assert_diagnostics_in(diags: &[Diagnostic], docs: &[(DocId, &str)]) {
    for d in diags {
        for (doc, text) in docs {
            if let Some(span) = d.span {
                assert_span_in(span, *doc, text, &d.message);
            }
        }
    }
}

/// A verdict's locations (what decided it, each trace step) lie inside the
/// configuration text.
pub fn assert_verdict_in(v: &Verdict, doc: DocId, text: &str) {
    if let Some(span) = v.decided_span {
        assert_span_in(span, doc, text, &v.decided_by);
    }
    for step in &v.trace {
        if let Some(span) = step.span {
            assert_span_in(span, doc, text, &step.text);
        }
    }
}

/// Every location in a report (diagnostics, verdicts) lies inside its
/// document, for each `(doc, text)` given.
pub fn assert_report_in(report: &Report, docs: &[(DocId, &str)]) {
    assert_diagnostics_in(&report.diagnostics, docs);
    for job in &report.jobs {
        for v in job.verdicts.values() {
            for (doc, text) in docs {
                assert_verdict_in(v, *doc, text);
            }
        }
    }
}

/// Every finding's location lies inside its document.
pub fn assert_findings_in(findings: &[Finding], docs: &[(DocId, &str)]) {
    for f in findings {
        for (doc, text) in docs {
            if let Some(span) = f.location {
                assert_span_in(span, *doc, text, &f.message);
            }
        }
    }
}

/// The run every cloud target evaluates its configuration against: one
/// job with an environment (so `sub` has its environment form), one
/// without, on a push to main, each with a token.
pub const BASE_SCENARIO: &str = r#"repository: my-org/my-repo
workflow: |
  on: push
  permissions:
    id-token: write
  jobs:
    build:
      runs-on: ubuntu-latest
      steps:
        - run: make
    deploy:
      runs-on: ubuntu-latest
      environment: production
      steps:
        - run: make deploy
event: { name: push, ref: refs/heads/main }
"#;

/// [`BASE_SCENARIO`], parsed. It is a constant input: failing to parse it
/// is a broken harness, not a finding.
pub fn base_scenario() -> Scenario {
    match Scenario::parse(BASE_SCENARIO) {
        Ok(s) => s,
        Err(errors) => panic!("the fuzz harness's base scenario no longer parses: {errors:?}"),
    }
}

/// Evaluates a scenario whose one configured cloud was read from `text` (in
/// `doc`), runs the analysis the playground runs, and checks that every
/// location points into `text`.
pub fn evaluate_cloud(scenario: &Scenario, doc: DocId, text: &str) {
    let report = keyless_core::evaluate(scenario);
    assert!(!report.jobs.is_empty(), "the base scenario's jobs are gone");
    assert_report_in(&report, &[(doc, text)]);
    let analysis = keyless_core::analysis::analyze(scenario, &report);
    assert_findings_in(&analysis.findings, &[(doc, text)]);
}
