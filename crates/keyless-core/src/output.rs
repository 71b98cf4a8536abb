//! The machine-readable output contracts, in one place for every front
//! end: the `keyless eval --format json` report and the `keyless lint
//! --format json` findings. The CLI prints them, the JavaScript module
//! (crates/keyless-js) returns them as objects and the playground's embed
//! mode posts the report to its host page: none of them re-derives a field.
//!
//! Every span is also given as `file:line:col` ([`Locator`]), against the
//! file the user handed in (a scenario file, or each linted file).

mod locate;

pub use locate::Locator;

use crate::analysis::suppress::{self, Suppression};
use crate::analysis::{Analysis, Finding, lint};
use crate::clouds::Clouds;
use crate::diagnostic::{Diagnostic, Severity, Stage};
use crate::doc::{self, Node};
use crate::engine::{self, Report};
use crate::scenario::{LoadedFile, Scenario, reference};
use crate::span::{DocId, LineIndex};
use serde_json::{Value, json};

pub use crate::scenario::reference::ReadReferenced;

/// A scenario file read (its references resolved), or why it could not be.
pub struct Loaded<'a> {
    /// Maps spans back into the file and the files it references.
    pub locator: Locator<'a>,
    /// The scenario's root (a fixture's `scenario:`), when the file parses.
    pub root: Option<Node>,
    pub scenario: Result<Scenario, Vec<Diagnostic>>,
}

/// Reads a scenario file (or a fixture of `tests/fixtures/`, whose scenario
/// is under `scenario:`) with the cloud parsers in `clouds`, reading the
/// files its sections reference with `read` (without one, a reference is a
/// located error saying so).
pub fn load_file<'a>(name: &'a str, text: &'a str, clouds: &Clouds, read: Option<ReadReferenced>) -> Loaded<'a> {
    let root = match doc::parse(text, DocId::Scenario) {
        Ok(root) => scenario_root(root),
        Err(d) => return Loaded { locator: Locator::new(name, text, None), root: None, scenario: Err(vec![d]) },
    };
    let files: Vec<LoadedFile> = match read {
        None => Vec::new(),
        Some(read) => reference::load(&root, read),
    };
    let locator = Locator::new(name, text, Some(&root)).with_files(&files);
    let scenario = Scenario::from_node_with_files(&root, clouds, &files);
    Loaded { locator, root: Some(root), scenario }
}

/// A scenario file read and evaluated, or why it could not be.
pub struct Evaluated<'a> {
    /// Maps the report's spans back into the file.
    pub locator: Locator<'a>,
    /// The scenario and its report, or the errors that make the file
    /// unevaluable (the CLI exits 2 on them).
    pub result: Result<(Scenario, Report), Vec<Diagnostic>>,
}

/// Reads a scenario file ([`load_file`], without reading references) and
/// evaluates it with the cloud evaluators in `clouds`.
pub fn evaluate_file<'a>(name: &'a str, text: &'a str, clouds: &Clouds) -> Evaluated<'a> {
    evaluate_file_reading(name, text, clouds, None)
}

/// Reads a scenario file ([`load_file`]) and evaluates it. Errors in the
/// scenario, the workflow, an embedded or referenced document make it
/// unevaluable; warnings and notes are part of the report.
pub fn evaluate_file_reading<'a>(
    name: &'a str,
    text: &'a str,
    clouds: &Clouds,
    read: Option<ReadReferenced>,
) -> Evaluated<'a> {
    let Loaded { locator, scenario, .. } = load_file(name, text, clouds, read);
    let result = scenario.and_then(|scenario| {
        let report = engine::evaluate_with(&scenario, clouds);
        let fatal: Vec<Diagnostic> =
            report.diagnostics.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
        if fatal.is_empty() { Ok((scenario, report)) } else { Err(fatal) }
    });
    Evaluated { locator, result }
}

/// A fixture file (tests/fixtures) holds its scenario under `scenario:`;
/// a scenario file is its own root.
pub fn scenario_root(root: Node) -> Node {
    match root.get("scenario") {
        Some(inner) if root.get("repository").is_none() && inner.entries().is_some() => inner.clone(),
        _ => root,
    }
}

/// The `keyless eval --format json` report: the [`Report`] serialisation
/// with every span also given as `file:line:col`, plus the analysis
/// (`findings`, `suggestions`, `matrix`) when there is one. A front end
/// without the analysis (the playground's embed) leaves those keys out
/// rather than sending empty lists that would read as "nothing found".
pub fn report_json(report: &Report, analysis: Option<&Analysis>, locator: &Locator) -> Value {
    let mut value = serde_json::to_value(report).unwrap_or(Value::Null);
    if let Some(jobs) = value.get_mut("jobs").and_then(Value::as_array_mut) {
        for (job, job_report) in jobs.iter_mut().zip(&report.jobs) {
            // The `environments:` entry whose rules decided, if any.
            if let (Some(token), Some(at)) =
                (job.get_mut("token").and_then(Value::as_object_mut), locator.location(job_report.token.rule_span))
            {
                token.insert("rule_location".into(), json!(at));
            }
            let Some(verdicts) = job.get_mut("verdicts").and_then(Value::as_object_mut) else { continue };
            for (cloud, verdict) in &job_report.verdicts {
                if let Some(v) = verdicts.get_mut(cloud.key()).and_then(Value::as_object_mut) {
                    v.insert("location".into(), json!(locator.location(verdict.decided_span)));
                }
            }
        }
    }
    let diagnostics: Vec<Value> = report.diagnostics.iter().map(|d| diagnostic_json(d, locator)).collect();
    if let Some(obj) = value.as_object_mut() {
        // Which engine produced this (`VERSION`: crate version + commit).
        obj.insert("version".into(), json!(crate::VERSION));
        obj.insert("diagnostics".into(), Value::Array(diagnostics));
        if let Some(analysis) = analysis {
            obj.insert(
                "findings".into(),
                Value::Array(analysis.findings.iter().map(|f| finding_json(f, locator)).collect()),
            );
            obj.insert("suggestions".into(), serde_json::to_value(&analysis.suggestions).unwrap_or(Value::Null));
            obj.insert("matrix".into(), serde_json::to_value(&analysis.matrix).unwrap_or(Value::Null));
        }
    }
    value
}

/// A diagnostic as the report's `diagnostics` entries: severity, message,
/// location (`file:line:col`, or null when it cannot be placed), and
/// `"stage": "creation"` when it is the cloud's creation-time rule rather
/// than Keyless's reading of the input.
pub fn diagnostic_json(d: &Diagnostic, locator: &Locator) -> Value {
    let mut v = json!({
        "severity": d.severity,
        "message": d.message,
        "location": locator.location(d.span),
    });
    if d.stage != Stage::Input
        && let Some(obj) = v.as_object_mut()
    {
        obj.insert("stage".into(), json!(d.stage));
    }
    v
}

/// A finding of a scenario's analysis as JSON: its fields, its span and
/// its location (`file:line:col`).
pub fn finding_json(f: &Finding, locator: &Locator) -> Value {
    let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("span".into(), json!(f.location));
        obj.insert("location".into(), json!(locator.location(f.location)));
    }
    v
}

/// The `keyless lint --format json` output for `files` (name, text), with
/// the suppressions written in the files themselves (`# keyless:
/// ignore[ID] reason`; a front end with a `.keyless.yml` resolves those
/// and calls [`lint_json_of`]).
pub fn lint_json(files: &[(String, String)]) -> Value {
    let lint::Linted { findings, .. } = lint::lint_files(files);
    let config = suppress::Config::default();
    let checked: Vec<(Finding, Option<Suppression>)> = findings
        .into_iter()
        .map(|f| {
            let suppressed = file_index(&f)
                .and_then(|i| files.get(i))
                .and_then(|(name, text)| suppress::suppression_for(&f, name, text, &config));
            (f, suppressed)
        })
        .collect();
    lint_json_of(files, &checked)
}

/// The lint JSON contract: `{version, files, findings, suppressed}`, each
/// finding with its location (`file:line:col` in its own file) and its
/// suppression (null when it counts).
pub fn lint_json_of(files: &[(String, String)], checked: &[(Finding, Option<Suppression>)]) -> Value {
    // One line index per file, built once: per finding it was quadratic.
    let lines: Vec<LineIndex> = files.iter().map(|(_, text)| LineIndex::new(text)).collect();
    let location = |f: &Finding| -> Option<String> {
        let span = f.location?;
        let i = file_index(f)?;
        let ((name, text), index) = (files.get(i)?, lines.get(i)?);
        let lc = index.line_col(text, span.start);
        Some(format!("{name}:{}:{}", lc.line, lc.col))
    };
    let items: Vec<Value> = checked
        .iter()
        .map(|(f, suppressed)| {
            let mut v = serde_json::to_value(f).unwrap_or_default();
            if let Some(obj) = v.as_object_mut() {
                obj.insert("location".into(), json!(location(f)));
                obj.insert("suppressed".into(), json!(suppressed));
            }
            v
        })
        .collect();
    json!({
        "version": crate::VERSION,
        "files": files.iter().map(|(name, _)| name).collect::<Vec<_>>(),
        "findings": items,
        "suppressed": checked.iter().filter(|(_, s)| s.is_some()).count(),
    })
}

/// The file a lint finding is located in (`DocId::File(i)`).
fn file_index(f: &Finding) -> Option<usize> {
    match f.location?.doc {
        DocId::File(i) => Some(usize::from(i)),
        _ => None,
    }
}
