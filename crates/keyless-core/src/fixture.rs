//! Vendor-documented scenarios with expected verdicts (`tests/fixtures/`),
//! as data that the core tests, the CLI tests, the browser tests and the
//! playground's presets all read. See `tests/fixtures/README.md`.

use crate::diagnostic::{Diagnostic, Result};
use crate::doc::{self, Entry, Node, Value};
use crate::engine::Report;
use crate::span::{DocId, Spanned};

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
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobExpectation {
    pub job: String,
    pub sub: Option<String>,
    pub issued: Option<bool>,
    /// Cloud key → `allowed` or the cloud's error code.
    pub verdicts: Vec<(String, String)>,
}

impl Fixture {
    pub fn parse(text: &str) -> Result<Fixture> {
        let root = doc::parse(text, DocId::Scenario)?;
        let field = |k: &str| -> Result<String> {
            root.get(k)
                .and_then(Node::scalar_text)
                .ok_or_else(|| Diagnostic::at(format!("fixture needs `{k}`"), root.span))
        };
        let scenario = root.get("scenario").ok_or_else(|| Diagnostic::at("fixture needs `scenario`", root.span))?;
        let mut cases = vec![Case {
            name: "as given".into(),
            scenario: scenario.clone(),
            expect: parse_expect(root.get("expect"))?,
        }];
        for variant in root.get("variants").and_then(Node::items).unwrap_or_default() {
            let name = variant.get("name").and_then(Node::scalar_text).unwrap_or_default();
            let overrides = variant.get("override").and_then(Node::entries).unwrap_or_default();
            cases.push(Case {
                name,
                scenario: with_overrides(scenario, overrides),
                expect: parse_expect(variant.get("expect"))?,
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

fn parse_expect(node: Option<&Node>) -> Result<Vec<JobExpectation>> {
    let mut out = Vec::new();
    for item in node.and_then(Node::items).unwrap_or_default() {
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
        });
    }
    Ok(out)
}

/// Compares a report with expectations; returns one line per mismatch.
pub fn check(report: &Report, expect: &[JobExpectation]) -> Vec<String> {
    let mut problems = Vec::new();
    for e in expect {
        let Some(job) = report.jobs.iter().find(|j| j.job == e.job) else {
            let found: Vec<&str> = report.jobs.iter().map(|j| j.job.as_str()).collect();
            problems.push(format!("job `{}` not in report (jobs: {found:?})", e.job));
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
