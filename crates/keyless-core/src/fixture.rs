//! Vendor-documented scenarios with expected verdicts (`tests/fixtures/`)
//! and the GitHub side's scenarios with expected tokens (`tests/github/`),
//! as data that the core tests, the CLI tests, the browser tests and the
//! playground's presets all read. See `tests/fixtures/README.md`.

use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Entry, Node, Value};
use crate::engine::Report;
use crate::scenario::Scenario;
use crate::span::{DocId, Span, Spanned};

/// One fixture file.
#[derive(Clone, Debug)]
pub struct Fixture {
    pub id: String,
    pub title: String,
    pub source: String,
    pub preset: bool,
    /// The scenario as given, then each variant (with overrides applied).
    pub cases: Vec<Case>,
}

/// A scenario and what it must produce.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub scenario: Node,
    pub expect: Vec<JobExpectation>,
    /// How many job runs the report holds (matrix and reusable-workflow
    /// expansion), when given.
    pub runs: Option<usize>,
    /// When given, the report's diagnostics: exactly this many, each matched
    /// by one entry (`diagnostics: []` says there are none).
    pub diagnostics: Option<Vec<DiagnosticExpectation>>,
}

/// What one job run must produce. The nth expectation naming a job is
/// checked against the nth run of that job (matrix runs share a job id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobExpectation {
    pub job: String,
    pub sub: Option<String>,
    pub issued: Option<bool>,
    /// Cloud key → `allowed` or the cloud's error code.
    pub verdicts: Vec<(String, String)>,
    /// Claim name → its text, or `None` for a claim the token must not hold.
    pub claims: Vec<(String, Option<String>)>,
    /// Text the reason for not issuing the token must contain.
    pub reason: Option<String>,
    /// Texts each of which some line of the token's explanation contains.
    pub explanation: Vec<String>,
}

/// One diagnostic the report must hold: its message contains `message`,
/// and when given, its severity is `severity`, its span lies in `at` and
/// covers exactly `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagnosticExpectation {
    pub message: String,
    pub severity: Option<String>,
    /// `scenario`, `workflow` or `reusable` (any reusable workflow).
    pub at: Option<String>,
    /// The source text the span covers (in the fixture file for the
    /// scenario's own fields, in the embedded workflow otherwise).
    pub text: Option<String>,
}

const FIXTURE_KEYS: &[&str] =
    &["id", "title", "source", "preset", "scenario", "expect", "variants", "runs", "diagnostics"];
const VARIANT_KEYS: &[&str] = &["name", "override", "expect", "runs", "diagnostics"];
const JOB_KEYS: &[&str] = &["job", "sub", "issued", "verdicts", "claims", "reason", "explanation"];
const DIAGNOSTIC_KEYS: &[&str] = &["message", "severity", "at", "text"];

impl Fixture {
    pub fn parse(text: &str) -> Result<Fixture> {
        let root = doc::parse(text, DocId::Scenario)?;
        let field = |k: &str| -> Result<String> {
            root.get(k)
                .and_then(Node::scalar_text)
                .ok_or_else(|| Diagnostic::at(format!("fixture needs `{k}`"), root.span))
        };
        only_keys(&root, FIXTURE_KEYS, "a fixture")?;
        let scenario = root.get("scenario").ok_or_else(|| Diagnostic::at("fixture needs `scenario`", root.span))?;
        let mut cases = vec![Case {
            name: "as given".into(),
            scenario: scenario.clone(),
            expect: parse_expect(root.get("expect"))?,
            runs: parse_runs(root.get("runs"))?,
            diagnostics: parse_diagnostics(root.get("diagnostics"))?,
        }];
        for variant in root.get("variants").and_then(Node::items).unwrap_or_default() {
            only_keys(variant, VARIANT_KEYS, "a variant")?;
            let name = variant.get("name").and_then(Node::scalar_text).unwrap_or_default();
            let overrides = variant.get("override").and_then(Node::entries).unwrap_or_default();
            cases.push(Case {
                name,
                scenario: with_overrides(scenario, overrides),
                expect: parse_expect(variant.get("expect"))?,
                runs: parse_runs(variant.get("runs"))?,
                diagnostics: parse_diagnostics(variant.get("diagnostics"))?,
            });
        }
        Ok(Fixture {
            id: field("id")?,
            title: field("title")?,
            source: field("source")?,
            preset: matches!(root.get("preset").map(|n| &n.value), Some(Value::Bool(true))),
            cases,
        })
    }
}

/// The scenario mapping with top-level entries replaced or added.
pub fn with_overrides(scenario: &Node, overrides: &[Entry]) -> Node {
    let mut entries: Vec<Entry> = scenario.entries().unwrap_or_default().to_vec();
    for o in overrides {
        match entries.iter_mut().find(|e| e.key.value == o.key.value) {
            Some(e) => e.value = o.value.clone(),
            None => entries.push(o.clone()),
        }
    }
    Node::new(Value::Map(entries), scenario.span)
}

/// A misspelt expectation key would be a check that cannot fail: refused.
fn only_keys(node: &Node, known: &[&str], what: &str) -> Result<()> {
    for e in node.entries().unwrap_or_default() {
        if !known.contains(&e.key.value.as_str()) {
            return Err(Diagnostic::at(
                format!("`{}` is not a key of {what} (known: {})", e.key.value, known.join(", ")),
                e.key.span,
            ));
        }
    }
    Ok(())
}

fn parse_runs(node: Option<&Node>) -> Result<Option<usize>> {
    node.map(|n| {
        n.scalar_text()
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| Diagnostic::at("`runs` is a number of job runs", n.span))
    })
    .transpose()
}

fn parse_diagnostics(node: Option<&Node>) -> Result<Option<Vec<DiagnosticExpectation>>> {
    let Some(node) = node else { return Ok(None) };
    let items = node.items().ok_or_else(|| Diagnostic::at("`diagnostics` is a list", node.span))?;
    let mut out = Vec::new();
    for item in items {
        if let Some(message) = item.scalar_text() {
            out.push(DiagnosticExpectation { message, severity: None, at: None, text: None });
            continue;
        }
        only_keys(item, DIAGNOSTIC_KEYS, "a diagnostic expectation")?;
        let message = item
            .get("message")
            .and_then(Node::scalar_text)
            .ok_or_else(|| Diagnostic::at("a diagnostic expectation needs `message`", item.span))?;
        let severity = item.get("severity").and_then(Node::scalar_text);
        if let Some(s) = severity.as_deref().filter(|s| !["note", "warning", "error"].contains(s)) {
            return Err(Diagnostic::at(format!("severity `{s}` is not note, warning or error"), item.span));
        }
        let at = item.get("at").and_then(Node::scalar_text);
        if let Some(a) = at.as_deref().filter(|a| !["scenario", "workflow", "reusable"].contains(a)) {
            return Err(Diagnostic::at(format!("`at: {a}` is not scenario, workflow or reusable"), item.span));
        }
        let text = item.get("text").and_then(Node::scalar_text);
        out.push(DiagnosticExpectation { message, severity, at, text });
    }
    Ok(Some(out))
}

/// Claim name → text; `null` says the token must not hold the claim.
fn parse_claims(node: Option<&Node>) -> Result<Vec<(String, Option<String>)>> {
    let mut out = Vec::new();
    for e in node.and_then(Node::entries).unwrap_or_default() {
        let text = e.value.scalar_text();
        if text.is_none() && !e.value.is_null() {
            return Err(Diagnostic::at(format!("claim `{}` expects text or null", e.key.value), e.value.span));
        }
        out.push((e.key.value.clone(), text));
    }
    Ok(out)
}

fn parse_expect(node: Option<&Node>) -> Result<Vec<JobExpectation>> {
    let mut out = Vec::new();
    for item in node.and_then(Node::items).unwrap_or_default() {
        only_keys(item, JOB_KEYS, "a job expectation")?;
        let job = item
            .get("job")
            .and_then(Node::scalar_text)
            .ok_or_else(|| Diagnostic::at("expectation needs `job`", item.span))?;
        let verdicts = item
            .get("verdicts")
            .and_then(Node::entries)
            .unwrap_or_default()
            .iter()
            .map(|e| (e.key.value.clone(), e.value.scalar_text().unwrap_or_default()))
            .collect();
        out.push(JobExpectation {
            job,
            sub: item.get("sub").and_then(Node::scalar_text),
            issued: item.get("issued").and_then(|n| match n.value {
                Value::Bool(b) => Some(b),
                _ => None,
            }),
            verdicts,
            claims: parse_claims(item.get("claims"))?,
            reason: item.get("reason").and_then(Node::scalar_text),
            explanation: item
                .get("explanation")
                .and_then(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::scalar_text)
                .collect(),
        });
    }
    Ok(out)
}

/// Compares a report with a case's expectations (jobs, runs,
/// diagnostics); returns one line per mismatch. `scenario` is the case's
/// scenario and `fixture_text` the fixture file's text, where diagnostics'
/// spans point.
pub fn check_case(report: &Report, case: &Case, scenario: &Scenario, fixture_text: &str) -> Vec<String> {
    let mut problems = check(report, &case.expect);
    if let Some(runs) = case.runs.filter(|n| *n != report.jobs.len()) {
        let found: Vec<&str> = report.jobs.iter().map(|j| j.job.as_str()).collect();
        problems.push(format!("{} job runs {found:?}, expected {runs}", report.jobs.len()));
    }
    if let Some(expected) = &case.diagnostics {
        let span_text = |span: Span| -> Option<&str> {
            let doc = match span.doc {
                DocId::Scenario => fixture_text,
                DocId::Workflow => scenario.workflow.text.as_str(),
                DocId::Reusable(i) => scenario.reusable_workflows.get(usize::from(i))?.1.text.as_str(),
                _ => return None,
            };
            doc.get(span.start as usize..span.end as usize)
        };
        problems.extend(check_diagnostics(&report.diagnostics, expected, &span_text));
    }
    problems
}

fn check_diagnostics<'a>(
    found: &[Diagnostic],
    expected: &[DiagnosticExpectation],
    span_text: &dyn Fn(Span) -> Option<&'a str>,
) -> Vec<String> {
    let shown =
        || found.iter().map(|d| format!("{}: {}", d.severity.as_str(), d.message)).collect::<Vec<_>>().join("\n    ");
    let mut problems = Vec::new();
    let mut used = vec![false; found.len()];
    for e in expected {
        let hit = found.iter().enumerate().position(|(i, d)| {
            !used.get(i).copied().unwrap_or(true)
                && d.message.contains(&e.message)
                && e.severity.as_deref().is_none_or(|s| s == d.severity.as_str())
                && e.at.as_deref().is_none_or(|a| d.span.is_some_and(|sp| doc_name(sp.doc) == a))
                && e.text.as_deref().is_none_or(|t| d.span.and_then(span_text) == Some(t))
        });
        match hit.and_then(|i| used.get_mut(i)) {
            Some(u) => *u = true,
            None => problems.push(format!("no diagnostic matches {e:?}; diagnostics:\n    {}", shown())),
        }
    }
    if found.len() != expected.len() {
        problems.push(format!("{} diagnostics, expected {}:\n    {}", found.len(), expected.len(), shown()));
    }
    problems
}

fn doc_name(doc: DocId) -> &'static str {
    match doc {
        DocId::Scenario => "scenario",
        DocId::Workflow => "workflow",
        DocId::Reusable(_) => "reusable",
        _ => "other",
    }
}

/// Compares a report with job expectations; returns one line per mismatch.
pub fn check(report: &Report, expect: &[JobExpectation]) -> Vec<String> {
    let mut problems = Vec::new();
    for (n, e) in expect.iter().enumerate() {
        let nth = expect.iter().take(n).filter(|x| x.job == e.job).count();
        let Some(job) = report.jobs.iter().filter(|j| j.job == e.job).nth(nth) else {
            let found: Vec<&str> = report.jobs.iter().map(|j| j.job.as_str()).collect();
            problems.push(format!("job `{}` (run {}) not in report (jobs: {found:?})", e.job, nth + 1));
            continue;
        };
        if let Some(sub) = &e.sub {
            let got = job.token.claims.sub();
            if &got != sub {
                problems.push(format!("job `{}`: sub is `{got}`, expected `{sub}`", e.job));
            }
        }
        if let Some(issued) = e.issued.filter(|i| *i != job.token.issued) {
            problems.push(format!("job `{}`: issued is {}, expected {issued}", e.job, job.token.issued));
        }
        for (name, want) in &e.claims {
            let got = job.token.claims.text(name);
            if &got != want {
                problems.push(format!("job `{}`: claim {name} is {got:?}, expected {want:?}", e.job));
            }
        }
        if let Some(want) = &e.reason {
            let got = job.token.reason.as_deref().unwrap_or_default();
            if !got.contains(want.as_str()) {
                problems.push(format!("job `{}`: reason is `{got}`, expected it to contain `{want}`", e.job));
            }
        }
        for want in &e.explanation {
            if !job.token.explanation.iter().any(|line| line.contains(want.as_str())) {
                problems.push(format!(
                    "job `{}`: no explanation line contains `{want}`: {:?}",
                    e.job, job.token.explanation
                ));
            }
        }
        for (cloud, code) in &e.verdicts {
            match job.verdicts.iter().find(|(c, _)| c.key() == cloud) {
                None => problems.push(format!("job `{}`: no {cloud} verdict", e.job)),
                Some((_, v)) => {
                    let got = if v.allowed { "allowed".to_string() } else { v.code.clone() };
                    if &got != code {
                        problems.push(format!(
                            "job `{}`: {cloud} verdict is `{got}`, expected `{code}` ({}; decided by {})",
                            e.job, v.message, v.decided_by
                        ));
                    }
                }
            }
        }
    }
    problems
}

/// The text of a string-valued key, with its span (for presets).
pub fn text_of(node: &Node, key: &str) -> Option<Spanned<String>> {
    node.get(key).and_then(Node::spanned_text)
}
